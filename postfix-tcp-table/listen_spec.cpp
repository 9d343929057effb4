// vmaildir-postfix's listener specifications (listen_spec.hpp).
#include "listen_spec.hpp"

namespace vmaildir::postfix {

namespace {

/// The endpoint part ("unix:/path", "inet:HOST:PORT") into `spec`, or the problem.
std::optional<std::string> endpoint_into(std::string_view rest, ListenSpec& spec) {
    auto parsed = daemon::parse_endpoint(rest);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        std::string p = *problem;
        // "socketmap:inet:127.0.0.1:2526:mailbox" is Postfix's table name pasted whole.
        if (auto colon = rest.rfind(':'); rest.rfind("inet:", 0) == 0 &&
                                          colon != std::string_view::npos &&
                                          parse_map_name(rest.substr(colon + 1)))
            p += " (a socketmap listener serves every map: leave the map name to Postfix's "
                 "side)";
        return p;
    }
    static_cast<daemon::Endpoint&>(spec) = std::get<daemon::Endpoint>(parsed);
    return std::nullopt;
}

} // namespace

std::variant<ListenSpec, std::string> parse_listen_spec(std::string_view text) {
    ListenSpec spec;
    const std::string quoted = "'" + std::string(text) + "': ";
    if (text.rfind("socketmap:", 0) == 0) {
        spec.protocol = Protocol::socketmap;
        if (auto problem = endpoint_into(text.substr(10), spec))
            return quoted + *problem;
        spec.text = std::string(text);
        return spec;
    }
    if (text.rfind("tcp:", 0) == 0) {
        spec.protocol = Protocol::tcp_table;
        std::string_view rest = text.substr(4);
        std::size_t colon = rest.rfind(':');
        if (colon == std::string_view::npos)
            return quoted + "tcp listeners end in :MAP (tcp_table has no map name)";
        spec.map = parse_map_name(rest.substr(colon + 1));
        if (!spec.map) {
            // Also what a forgotten :MAP looks like ("unknown map '2527'"), so say the syntax.
            std::string maps;
            for (const std::string& m : map_names())
                maps += (maps.empty() ? "" : ", ") + m;
            return quoted + "unknown map '" + std::string(rest.substr(colon + 1)) +
                   "'; a tcp listener ends in :MAP, MAP being one of " + maps;
        }
        if (rest.rfind("unix:", 0) == 0)
            // dict_tcp.c connects to host:port only: no Postfix client could reach it.
            return quoted + "tcp_table is TCP only (Postfix's tcp: tables connect to "
                            "host:port); use tcp:inet:HOST:PORT:MAP, or socketmap:unix:PATH for "
                            "a unix socket";
        if (auto problem = endpoint_into(rest.substr(0, colon), spec))
            return quoted + *problem;
        spec.text = std::string(text);
        return spec;
    }
    if (text.rfind("dovecot-auth:", 0) == 0) {
        spec.protocol = Protocol::dovecot_auth;
        if (auto problem = endpoint_into(text.substr(13), spec))
            return quoted + *problem;
        spec.text = std::string(text);
        return spec;
    }
    return quoted + "expected socketmap:unix:PATH, socketmap:inet:HOST:PORT, "
                    "tcp:inet:HOST:PORT:MAP or dovecot-auth:unix:PATH";
}

} // namespace vmaildir::postfix
