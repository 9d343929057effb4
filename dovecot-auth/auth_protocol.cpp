// The Dovecot authentication protocol, server side (auth_protocol.hpp).
#include "auth_protocol.hpp"

#include "vmaildir/util/base64.hpp"
#include "vmaildir/util/text.hpp"

#include <vector>

namespace vmaildir::dovecot {

namespace {

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        std::size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
        if (tab == std::string_view::npos)
            return out;
        start = tab + 1;
    }
}

/// A value for a reply field: TAB, LF and other control characters would break the line.
std::string field_value(std::string_view s) {
    std::string out;
    for (unsigned char c : s)
        out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    return out;
}

bool valid_id(std::string_view id) {
    return !id.empty() && id.size() <= 10 &&
           id.find_first_not_of("0123456789") == std::string_view::npos;
}

} // namespace

std::string handshake(unsigned long server_pid, unsigned long connection_id,
                      std::string_view cookie_hex) {
    return "VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nSPID\t" +
           std::to_string(server_pid) + "\nCUID\t" + std::to_string(connection_id) + "\nCOOKIE\t" +
           std::string(cookie_hex) + "\nDONE\n";
}

Conversation::Step Conversation::finish(const std::string& id, const std::string& service,
                                        std::string_view login, std::string_view password) {
    pending_.erase(id);
    auto r = check_(login, password, service);
    Step s;
    if (r.is_found()) {
        s.reply = "OK\t" + id + "\tuser=" + field_value(r.value()) + "\n";
    } else if (r.is_not_found()) {
        s.reply =
            "FAIL\t" + id + "\tuser=" + field_value(login) + "\treason=Authentication failed\n";
        s.notice = "login " + util::printable(login) + " (" + util::printable(service) +
                   "): refused: " + util::printable(r.reason());
    } else {
        s.close = true;
        s.log = "login " + util::printable(login) + " (" + util::printable(service) +
                "): temporary failure: " + r.reason() +
                "; closing the connection so that "
                "the client answers 4xx";
    }
    return s;
}

Conversation::Step Conversation::respond(const std::string& id, Pending& p,
                                         std::string_view base64) {
    auto fail = [&](const char* why) {
        Step s;
        s.reply = "FAIL\t" + id + "\treason=" + why + "\n";
        pending_.erase(id);
        return s;
    };
    auto decoded = util::base64_decode(base64);
    if (!decoded)
        return fail("Invalid base64 data");
    if (p.mech == "PLAIN") {
        // authzid NUL authcid NUL password (RFC 4616); no acting for another identity.
        std::string_view d = *decoded;
        std::size_t a = d.find('\0');
        std::size_t b = a == std::string_view::npos ? a : d.find('\0', a + 1);
        if (b == std::string_view::npos)
            return fail("Invalid PLAIN response");
        std::string_view authzid = d.substr(0, a), login = d.substr(a + 1, b - a - 1),
                         password = d.substr(b + 1);
        if (!authzid.empty() && authzid != login)
            return fail("Authorization identity not allowed");
        if (login.empty() || password.find('\0') != std::string_view::npos)
            return fail("Invalid PLAIN response");
        std::string service = p.service;
        return finish(id, service, std::string(login), std::string(password));
    }
    // LOGIN: the user name, then the password.
    if (!p.have_login) {
        if (decoded->empty() || decoded->find('\0') != std::string::npos)
            return fail("Invalid user name");
        p.login = *decoded;
        p.have_login = true;
        Step s;
        s.reply = "CONT\t" + id + "\t" + util::base64_encode("Password:") + "\n";
        return s;
    }
    // No NUL, as for PLAIN, which cannot carry one (the dovecot_auth fuzz harness found LOGIN
    // handing it on; the password check refuses it too, as crypt(3) would read up to the NUL).
    if (decoded->find('\0') != std::string::npos)
        return fail("Invalid password");
    std::string login = p.login, service = p.service;
    return finish(id, service, login, *decoded);
}

Conversation::Step Conversation::line(std::string_view text) {
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    auto f = fields(text);
    const std::string_view command = f[0];
    if (command == "VERSION") {
        if (f.size() < 2 || f[1] != "1") {
            Step s;
            s.close = true;
            s.log = "client speaks protocol version " + util::printable(f.size() > 1 ? f[1] : "?") +
                    ", not 1; closing";
            return s;
        }
        return {};
    }
    if (command == "CPID")
        return {};
    if (command == "AUTH") {
        if (f.size() < 3 || !valid_id(f[1])) {
            Step s;
            s.close = true;
            s.log = "malformed AUTH request; closing";
            return s;
        }
        const std::string id(f[1]);
        Pending p;
        for (char c : f[2])
            p.mech += static_cast<char>(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
        p.service = "smtp";
        std::optional<std::string_view> resp;
        for (std::size_t i = 3; i < f.size(); ++i) {
            if (f[i].rfind("service=", 0) == 0)
                p.service = std::string(f[i].substr(8));
            else if (f[i].rfind("resp=", 0) == 0)
                resp = f[i].substr(5);
        }
        if (p.mech != "PLAIN" && p.mech != "LOGIN") {
            Step s;
            s.reply = "FAIL\t" + id + "\treason=Unsupported mechanism\n";
            return s;
        }
        // Postfix abandons a request without telling (no CANCEL): forget the oldest ones.
        while (pending_.size() >= 16)
            pending_.erase(pending_.begin());
        Pending& stored = pending_[id] = p;
        // Exim always sends resp=, empty when the SMTP client gave no initial response.
        if (resp && !resp->empty())
            return respond(id, stored, *resp);
        Step s;
        s.reply = "CONT\t" + id + "\t" +
                  (p.mech == "LOGIN" ? util::base64_encode("Username:") : std::string()) + "\n";
        return s;
    }
    if (command == "CONT") {
        if (f.size() < 2 || !pending_.count(std::string(f[1]))) {
            Step s;
            s.close = true;
            s.log = "CONT for no pending request; closing";
            return s;
        }
        const std::string id(f[1]);
        return respond(id, pending_[id], f.size() > 2 ? f[2] : std::string_view());
    }
    return {}; // other commands are not for us (Dovecot ignores them too)
}

} // namespace vmaildir::dovecot
