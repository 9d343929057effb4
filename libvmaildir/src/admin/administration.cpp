// The administration's shared look-ups, reading and applying (admin.hpp, state.hpp).
#include "admin/actor.hpp"
#include "admin/state.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <chrono>
#include <ctime>
#include <random>

namespace vmaildir {

namespace {

/// UTC time to the second and four random hex digits: "20261207023512-9f3c".
std::string creation_stamp() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char when[16];
    std::strftime(when, sizeof when, "%Y%m%d%H%M%S", &utc);
    std::random_device random;
    char tail[8];
    std::snprintf(tail, sizeof tail, "-%04x", static_cast<unsigned>(random() & 0xffff));
    return std::string(when) + tail;
}

Config without_cache(const Config& config) {
    Config c = config;
    c.cache.max_entries = 0;
    return c;
}

} // namespace

Administration::State::State(const Config& config_, DirectorySession& session_, Logger& log_)
    : config(config_), reading(without_cache(config_)), session(session_), log(log_),
      directory(session_), lookups(reading, directory, log_),
      layout(config_.schema, config_, creation_stamp) {}

Result<std::unique_ptr<Administration>>
Administration::open(const Config& config, DirectorySession& session, Logger& log) {
    using R = Result<std::unique_ptr<Administration>>;
    auto state = std::make_unique<State>(config, session, log);
    auto actor =
        find_actor(state->lookups.reader, SiteAdmins{config.site_admins, config.site_admin_group},
                   session.identity(), state->deadline());
    if (!actor.is_found())
        return R::failure_of(actor);
    state->actor = std::move(actor).value();
    return R::found(std::unique_ptr<Administration>(new Administration(std::move(state))));
}

Administration::Administration(std::unique_ptr<State> state) : state_(std::move(state)) {}
Administration::~Administration() = default;

const Actor& Administration::actor() const noexcept {
    return state_->actor;
}

Result<std::string> Administration::State::domain_name(std::string_view text) const {
    auto name = normalise_domain(text);
    if (!name)
        return Result<std::string>::not_found("'" + util::printable(text, 100) +
                                              "' is not a domain name");
    return Result<std::string>::found(*name);
}

Result<Address> Administration::State::address(std::string_view text) const {
    auto parsed = parse_address(text, reading.address);
    if (const std::string* why = std::get_if<std::string>(&parsed))
        return Result<Address>::not_found("'" + util::printable(text, 100) +
                                          "' is not an address: " + *why);
    return Result<Address>::found(std::get<Address>(parsed));
}

Result<DomainHit> Administration::State::find_domain(std::string_view text, bool deleted_too) {
    using R = Result<DomainHit>;
    auto name = domain_name(text);
    if (!name.is_found())
        return R::failure_of(name);
    auto entries = lookups.reader.domain_entries(name.value(), deadline());
    if (!entries.is_found())
        return R::failure_of(entries);
    std::vector<DomainHit> hits;
    for (const Entry& e : entries.value()) {
        if (!mapper().is_domain(e))
            continue;
        auto d = mapper().domain(e);
        if (!d.is_found())
            return R::failure_of(d);
        if (d.value().name == name.value() && (deleted_too || !d.value().flags.deleted))
            hits.push_back({d.value(), e});
    }
    if (hits.size() > 1)
        return R::temp_fail(std::to_string(hits.size()) + " entries for the domain " +
                            name.value() + " (" + hits[0].entry.dn() + ", " + hits[1].entry.dn() +
                            "): repair the directory first");
    if (hits.empty())
        return R::not_found(name.value() + " is not a hosted domain");
    return R::found(std::move(hits.front()));
}

Result<DomainHit> Administration::State::domain_for(std::string_view name, Action action) {
    auto hit = find_domain(name);
    if (!hit.is_found())
        return hit;
    if (auto why = denied(action, hit.value().domain))
        return Result<DomainHit>::not_found(*why);
    return hit;
}

Result<std::vector<Entry>> Administration::State::entries_at(const DomainHit& domain,
                                                             const std::string& local) {
    using R = Result<std::vector<Entry>>;
    auto c = lookups.reader.candidates(domain.domain.name, {local}, deadline());
    if (!c.is_found())
        return R::failure_of(c);
    std::vector<Entry> out;
    for (const Entry& e : c.value().entries) {
        const std::vector<std::string> as_alias = mapper().local_parts(e, true, domain.domain.name);
        const std::vector<std::string> as_account =
            mapper().local_parts(e, false, domain.domain.name);
        bool named = false;
        for (const auto* parts : {&as_alias, &as_account})
            for (const std::string& l : *parts)
                named = named || l == local;
        if (named)
            out.push_back(e);
    }
    return R::found(std::move(out));
}

Result<Entry> Administration::State::read_entry(const std::string& dn) {
    SearchRequest request{dn, Scope::base, Filter::present("objectClass"), {}, 1, true};
    auto r = session.search(request, deadline());
    if (!r.is_found())
        return Result<Entry>::failure_of(r);
    if (r.value().empty())
        return Result<Entry>::not_found("no entry " + dn);
    return Result<Entry>::found(r.value().front());
}

Result<std::vector<Entry>> Administration::State::below(const std::string& dn) {
    SearchRequest request{dn, Scope::subtree, Filter::present("objectClass"), {}, 0, true};
    auto r = session.search(request, deadline());
    if (!r.is_found())
        return r;
    std::vector<Entry> out;
    const std::string self = util::normalise_dn(dn);
    for (Entry& e : std::move(r).value())
        if (util::normalise_dn(e.dn()) != self)
            out.push_back(std::move(e));
    return Result<std::vector<Entry>>::found(std::move(out));
}

bool Administration::State::deleted(const Entry& entry) const {
    const std::string& attribute = schema().deleted_attribute;
    return !attribute.empty() && entry.has_value(attribute, "TRUE");
}

std::optional<std::string> Administration::State::denied(Action action, const Domain& domain,
                                                         const std::string& entry_dn,
                                                         const std::string& entry_address) const {
    Target target{domain.name, domain.can_edit_accounts, domain.can_appoint_postmasters, entry_dn,
                  entry_address};
    Decision d = decide(actor, action, target, config.acl);
    if (d.allowed)
        return std::nullopt;
    return d.reason;
}

std::optional<std::string>
Administration::State::bad_destinations(const std::vector<std::string>& destinations) const {
    if (destinations.empty())
        return "no destinations given";
    for (const std::string& d : destinations) {
        // Hosts get destinations joined by commas (Postfix tables) or one per line: a blank,
        // a comma, a control byte or angle brackets inside one would split or garble it.
        for (unsigned char c : d)
            if (c <= ' ' || c == 0x7f || c == ',' || c == '<' || c == '>')
                return "destination '" + util::printable(d, 100) +
                       "' holds a blank, comma, control byte or angle bracket";
        if (d.find('@') != std::string::npos) {
            auto parsed = parse_address(d, reading.address);
            if (const std::string* why = std::get_if<std::string>(&parsed))
                return "destination '" + util::printable(d, 100) + "' is not an address: " + *why;
            continue;
        }
        // A local user of the mail host (SPEC §1: "addresses or local users").
        bool ok = !d.empty() && d.size() <= 64 && d.front() != '-';
        for (char c : d)
            ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
        if (!ok)
            return "destination '" + util::printable(d, 100) +
                   "' is neither an address nor a local user name";
    }
    return std::nullopt;
}

Result<std::monostate> Administration::State::check_planned_aliases(
    const Plan& plan, const std::vector<std::string>& starts, const std::string& domain) {
    using R = Result<std::monostate>;
    auto planned = plan_entries(directory, plan.changes, deadline());
    if (!planned.is_found())
        return R::failure_of(planned);
    PlannedDirectory after(directory, planned.value());
    Lookups future(reading, after, log);

    for (const std::string& start : starts) {
        std::vector<std::string> loops;
        auto finals = future.resolver.expand(start, nullptr, false, &loops);
        if (!loops.empty())
            return R::not_found("the destinations would loop: expanding " + start +
                                " comes back to " + loops.front());
        if (finals.is_temp_fail())
            return R::not_found("after this change " + start +
                                " would not expand: " + finals.reason());
    }
    // Every address a planned alias answers to (an account's own destinations included): mail
    // that reached its own mailbox before must still reach it.
    auto delivers_to_itself = [](const Result<std::vector<std::string>>& finals,
                                 const std::string& address) {
        if (!finals.is_found())
            return false;
        for (const std::string& f : finals.value())
            if (util::iequals(f, address))
                return true;
        return false;
    };
    for (const auto& [dn, entry] : planned.value()) {
        if (!entry || !mapper().is_alias(*entry))
            continue;
        for (const std::string& local : mapper().local_parts(*entry, true, domain)) {
            if (local.empty())
                continue;
            const std::string address = local + "@" + domain;
            auto before = lookups.resolver.expand(address, nullptr, false);
            if (before.is_temp_fail())
                return R::failure_of(before);
            if (delivers_to_itself(before, address) &&
                !delivers_to_itself(future.resolver.expand(address, nullptr, false), address))
                return R::not_found("this would take the mail of the account " + address +
                                    " (list " + address +
                                    " among the destinations to keep a copy)");
        }
    }
    return R::found({});
}

Result<std::size_t> Administration::apply(const Plan& plan) {
    using R = Result<std::size_t>;
    std::size_t sent = 0;
    for (const Change& change : plan.changes) {
        auto r = state_->session.apply(change, state_->deadline());
        if (!r.is_found()) {
            std::string where = plan.changes.size() == 1
                                    ? std::string()
                                    : " (after " + std::to_string(sent) + " of " +
                                          std::to_string(plan.changes.size()) + " changes)";
            return r.is_not_found() ? R::not_found(r.reason() + where)
                                    : R::temp_fail(r.reason() + where);
        }
        ++sent;
    }
    state_->log.info(plan.summary + ": done by " +
                     (state_->actor.dn.empty() ? std::string("anonymous") : state_->actor.dn));
    return R::found(sent);
}

} // namespace vmaildir
