// vmaildir-postfix's tcp_table protocol: %XX encoding round-trips, a request line
// yields a key that encodes back to a valid line, every reply is one line within
// 4096 bytes.
#include "fuzz.hpp"
#include "protocol.hpp"

using namespace vmaildir;
using namespace vmaildir::postfix;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    std::string encoded = tcp_encode(in);
    auto decoded = tcp_decode(encoded);
    fuzz::require(decoded && *decoded == in, "tcp_decode(tcp_encode(x)) == x");
    for (char c : encoded)
        fuzz::require(c > ' ' && c < 0x7f, "encoded bytes are printable ASCII, no blanks");

    if (auto key = parse_tcp_request(in)) {
        auto again = parse_tcp_request("get " + tcp_encode(*key));
        fuzz::require(again && *again == *key, "a request's key encodes back to itself");
    }
    std::string value(in);
    for (const auto& result : fuzz::lookup_outcomes(value)) {
        std::string reply = tcp_reply(result);
        fuzz::require(reply.size() <= max_tcp_reply, "a reply fits 4096 bytes");
        fuzz::require(!reply.empty() && reply.back() == '\n' &&
                          reply.find('\n') == reply.size() - 1,
                      "a reply is one line");
        fuzz::require(reply.size() >= 4 &&
                          (reply.rfind("200 ", 0) == 0 || reply.rfind("400 ", 0) == 0 ||
                           reply.rfind("500 ", 0) == 0),
                      "a reply is 200, 400 or 500");
    }
    std::string temp = tcp_temp(value);
    fuzz::require(temp.size() <= max_tcp_reply && temp.rfind("400 ", 0) == 0 &&
                      temp.find('\n') == temp.size() - 1,
                  "a 400 line fits");
    return 0;
}
