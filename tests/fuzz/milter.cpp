// vmaildir-milter's envelope handling (milter/replies.hpp over vmaildir/service/smtp_checks.hpp),
// as filter.cpp drives it over the example Jamm directory in memory.  The input is what
// libmilter hands over, NUL-separated (its strings cannot hold a NUL): MAIL's argv[0], the
// {auth_authen} macro (trimmed, as filter.cpp's macro() does), then RCPT argv[0]s.
// Properties: every reply that is not an accept is a 4xx/5xx code with a matching enhanced
// code and one line of text that smfi_setreply takes (no CR, LF or NUL; '%' doubled; within
// libmilter's MAXREPLYLEN) and that fits RFC 5321's 512-byte reply line; the verdicts agree
// with the core's address parser: an address in a hosted domain is never "foreign", only a
// parsable address is deliverable, and an address is judged as its parsed text() is.
// The directory answers as MemoryDirectory does, from memory (MemoisedDirectory, below).
#include "fuzz.hpp"
#include "replies.hpp"
#include "support/scripted_directory.hpp"
#include "vmaildir/model/address.hpp"
#include "vmaildir/service/smtp_checks.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::milter;

namespace {

/// libmilter's limit on a reply text (libmilter/smfi.c, MAXREPLYLEN).
constexpr std::size_t max_reply_text = 980;
/// RFC 5321 §4.5.3.1.5: a reply line, code and CRLF included.
constexpr std::size_t max_reply_line = 512;

/// The example directory, answering from memory: each search asked again gets the answer it
/// had, and a new one evaluates its filter only on the entries in scope of its base, found once
/// per base and scope.  MemoryDirectory normalises every stored DN and the base on every search,
/// which was nine tenths of the harness's time.  Exact, as the entries never change here (the
/// checks only search): the entries in scope are MemoryDirectory's own answer to the match-all
/// filter (RFC 4526's empty AND) with every attribute; a base that does not exist or does not
/// parse fails whatever the filter; a timeout and an exceeded size limit are MemoryDirectory's
/// own answers, and are not kept.  Every 1024th answer (the first too, so a finding's input
/// checks it alone) is compared with MemoryDirectory's.
class MemoisedDirectory final : public Directory {
public:
    explicit MemoisedDirectory(std::shared_ptr<MemoryDirectory> inner) : inner_(std::move(inner)) {}

    Result<std::vector<Entry>> search(const SearchRequest& r, Deadline d) override {
        if (d.expired())
            return inner_->search(r, d);
        std::string key = request_key(r);
        Answer answer;
        {
            std::lock_guard lock(mutex_);
            if (auto it = answers_.find(key); it != answers_.end())
                answer = it->second;
        }
        if (!answer) {
            answer = filtered(r, d);
            std::lock_guard lock(mutex_);
            if (answers_.size() >= max_kept) // keys hold fuzzed addresses
                answers_.clear();
            if (!d.expired() && answer->is_found())
                answers_.emplace(std::move(key), answer);
        }
        if (searches_++ % 1024 == 0) {
            auto truth = inner_->search(r, d);
            if (!d.expired())
                fuzz::require(same(*answer, truth),
                              "the memoised directory answers as the example directory does");
        }
        return *answer;
    }
    Result<bool> check_bind(const std::string& dn, std::string_view pw, Deadline d) override {
        return inner_->check_bind(dn, pw, d);
    }
    Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                     const std::vector<Modification>& m, Deadline d) override {
        return inner_->modify_as(as, dn, m, d);
    }
    std::string describe() const override { return "memoised " + inner_->describe(); }

private:
    using Answer = std::shared_ptr<const Result<std::vector<Entry>>>;
    using ScopeKey = std::tuple<std::string, Scope, bool>;
    static constexpr std::size_t max_kept = 1 << 14;

    /// Every field of the request.  Only the base could hold a NUL, so it is last; to_string()
    /// escapes every value (RFC 4515), so two filters with one string form match alike.
    static std::string request_key(const SearchRequest& r) {
        std::string key = r.filter.to_string();
        key += '\0';
        key += static_cast<char>('0' + static_cast<int>(r.scope));
        key += r.base_may_be_missing ? 'm' : '-';
        key += std::to_string(r.size_limit);
        for (const std::string& a : r.attributes) {
            key += '\0';
            key += a;
        }
        key += '\0';
        key += '\0';
        key += r.base;
        return key;
    }

    /// MemoryDirectory's answer, from the entries in scope.
    Answer filtered(const SearchRequest& r, Deadline d) {
        using R = Result<std::vector<Entry>>;
        Answer scope = in_scope(r, d);
        if (!scope->is_found())
            return scope;
        std::vector<Entry> out;
        for (const Entry& e : scope->value()) {
            if (!r.filter.matches(e))
                continue;
            if (r.size_limit != 0 && out.size() == r.size_limit) // a failure, in its words
                return std::make_shared<const R>(inner_->search(r, d));
            out.push_back(e.selected(r.attributes));
        }
        return std::make_shared<const R>(R::found(std::move(out)));
    }

    /// Every entry in scope of the request's base, with all its attributes, or the failure
    /// MemoryDirectory answers for that base.
    Answer in_scope(const SearchRequest& r, Deadline d) {
        ScopeKey key(r.base, r.scope, r.base_may_be_missing);
        {
            std::lock_guard lock(mutex_);
            if (auto it = scopes_.find(key); it != scopes_.end())
                return it->second;
        }
        SearchRequest all;
        all.base = r.base;
        all.scope = r.scope;
        all.base_may_be_missing = r.base_may_be_missing;
        auto answer = std::make_shared<const Result<std::vector<Entry>>>(inner_->search(all, d));
        std::lock_guard lock(mutex_);
        if (scopes_.size() >= max_kept) // bases made from fuzzed domains
            scopes_.clear();
        if (!d.expired()) // perhaps a timeout: not kept
            scopes_.emplace(std::move(key), answer);
        return answer;
    }

    static bool same(const Result<std::vector<Entry>>& a, const Result<std::vector<Entry>>& b) {
        if (a.outcome() != b.outcome() || (!a.is_found() && a.reason() != b.reason()))
            return false;
        if (!a.is_found())
            return true;
        if (a.value().size() != b.value().size())
            return false;
        for (std::size_t i = 0; i < a.value().size(); ++i) {
            const Entry &x = a.value()[i], &y = b.value()[i];
            if (x.dn() != y.dn() || x.attributes().size() != y.attributes().size())
                return false;
            for (std::size_t k = 0; k < x.attributes().size(); ++k)
                if (x.attributes()[k].name != y.attributes()[k].name ||
                    x.attributes()[k].values != y.attributes()[k].values)
                    return false;
        }
        return true;
    }

    std::shared_ptr<MemoryDirectory> inner_;
    std::mutex mutex_;
    std::map<ScopeKey, Answer> scopes_;
    std::unordered_map<std::string, Answer> answers_;
    std::atomic<unsigned long> searches_{0};
};

Service& service() {
    static const std::unique_ptr<Logger> log = make_null_logger();
    static const std::unique_ptr<Service> s = [] {
        Config c = test::example_config("jamm");
        // The unit tests' 300 ms would make a stall of a busy machine a temporary failure, and
        // so a false finding ("judged as its parsed text is"): libFuzzer's -timeout catches hangs.
        c.timeout = std::chrono::seconds(10);
        return Service::open(
            c, std::make_unique<MemoisedDirectory>(test::example_directory("jamm")), *log);
    }();
    return *s;
}

bool hosted(std::string_view domain) {
    return service().lookup(MapName::domain, domain).is_found();
}

void check_reply(const Reply& r) {
    if (r.action == Answer::accept) {
        fuzz::require(r.code.empty(), "an accept carries no code");
        return;
    }
    const char cls = r.action == Answer::reject ? '5' : '4';
    fuzz::require(r.code.size() == 3 && r.code[0] == cls && std::isdigit(r.code[1]) &&
                      std::isdigit(r.code[2]),
                  "a reject is 5xx, a tempfail 4xx");
    fuzz::require(r.xcode.size() >= 5 && r.xcode[0] == cls && r.xcode[1] == '.',
                  "the enhanced code's class matches the reply code");
    for (std::size_t i = 0; i < r.text.size(); ++i) {
        char c = r.text[i];
        fuzz::require(c != '\r' && c != '\n' && c != '\0', "no CR, LF or NUL in a reply text");
        if (c == '%') {
            fuzz::require(i + 1 < r.text.size() && r.text[i + 1] == '%',
                          "every '%' in a reply text is doubled");
            ++i;
        }
    }
    fuzz::require(r.text.size() <= max_reply_text, "a reply text fits libmilter's MAXREPLYLEN");
    std::string line = r.line();
    fuzz::require(line.find_first_of("\r\n") == std::string::npos, "a reply line is one line");
    fuzz::require(line.size() + 2 <= max_reply_line, "a reply line fits RFC 5321's 512 bytes");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    std::vector<std::string> args;
    for (std::size_t start = 0;;) {
        std::size_t nul = in.find('\0', start);
        args.emplace_back(in.substr(start, nul == std::string_view::npos ? nul : nul - start));
        if (nul == std::string_view::npos || args.size() == 6)
            break;
        start = nul + 1;
    }
    const std::string sender = args[0];
    const std::string login(args.size() > 1 ? util::trim(args[1]) : std::string_view());
    Service& s = service();

    auto verdict = check_sender(s, login, sender);
    fuzz::require(!verdict.is_not_found(), "a sender check is never not_found");
    for (auto policy :
         {UnauthenticatedSenders::off, UnauthenticatedSenders::log, UnauthenticatedSenders::reject})
        check_reply(sender_reply(verdict, login, sender, policy));
    // The core's parser names the same sender: its text is judged alike.
    auto parsed_sender = parse_address(sender, AddressPolicy{});
    if (auto* a = std::get_if<Address>(&parsed_sender)) {
        auto again = check_sender(s, login, "<" + a->text() + ">");
        fuzz::require(again.outcome() == verdict.outcome() &&
                          (!verdict.is_found() || again.value() == verdict.value()),
                      "a sender is judged as its parsed text is");
    }

    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& rcpt = args[i];
        auto v = check_recipient(s, rcpt);
        fuzz::require(!v.is_not_found(), "a recipient check is never not_found");
        Reply r = recipient_reply(v, rcpt);
        check_reply(r);
        fuzz::require(accepted_line(r, rcpt).find_first_of("\r\n") == std::string::npos,
                      "the accepted line is one line");
        auto parsed = parse_address(rcpt, AddressPolicy{});
        auto* a = std::get_if<Address>(&parsed);
        if (v.is_found() && v.value() == RecipientVerdict::deliverable)
            fuzz::require(a != nullptr, "only a parsable address is deliverable");
        if (!a || !v.is_found())
            continue;
        if (hosted(a->domain()))
            fuzz::require(v.value() != RecipientVerdict::foreign,
                          "an address in a hosted domain is never foreign");
        auto again = check_recipient(s, "<" + a->text() + ">");
        fuzz::require(again.is_found() && again.value() == v.value(),
                      "a recipient is judged as its parsed text is");
    }
    return 0;
}
