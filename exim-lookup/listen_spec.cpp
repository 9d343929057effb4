// vmaildir-exim's listener specifications (listen_spec.hpp).
#include "listen_spec.hpp"

namespace vmaildir::exim {

std::variant<ListenSpec, std::string> parse_listen_spec(std::string_view text) {
    const std::string quoted = "'" + std::string(text) + "': ";
    ListenSpec spec;
    std::string_view rest;
    if (text.rfind("readsocket:", 0) == 0) {
        spec.protocol = Protocol::readsocket;
        rest = text.substr(11);
    } else if (text.rfind("dovecot-auth:", 0) == 0) {
        spec.protocol = Protocol::dovecot_auth;
        rest = text.substr(13);
    } else {
        return quoted + "expected readsocket:unix:PATH, readsocket:inet:HOST:PORT, "
                        "dovecot-auth:unix:PATH or dovecot-auth:inet:HOST:PORT";
    }
    auto parsed = daemon::parse_endpoint(rest);
    if (auto* problem = std::get_if<std::string>(&parsed))
        return quoted + *problem;
    static_cast<daemon::Endpoint&>(spec) = std::get<daemon::Endpoint>(parsed);
    spec.text = std::string(text);
    return spec;
}

} // namespace vmaildir::exim
