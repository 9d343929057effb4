// The administration's views of the directory (views.hpp).
#include "admin/views.hpp"

#include "vmaildir/util/dn.hpp"

namespace vmaildir {

namespace {

template <class T> Result<T> searches_only(const char* what) {
    return Result<T>::temp_fail(std::string(what) + " is not available while planning");
}

std::size_t depth(std::string_view dn) {
    auto rdns = util::parse_dn(dn);
    return rdns ? rdns->size() : 0;
}

bool in_scope(const std::string& dn, const SearchRequest& r) {
    switch (r.scope) {
    case Scope::base:
        return util::normalise_dn(dn) == util::normalise_dn(r.base);
    case Scope::one_level:
        return util::dn_within(dn, r.base) && depth(dn) == depth(r.base) + 1;
    case Scope::subtree:
        return util::dn_within(dn, r.base);
    }
    return false;
}

} // namespace

Result<std::vector<Entry>> SessionDirectory::search(const SearchRequest& request,
                                                    Deadline deadline) {
    return session_.search(request, deadline);
}
std::string SessionDirectory::describe() const {
    return "the session of " + (session_.identity().empty() ? "anonymous" : session_.identity());
}

Result<std::vector<Entry>> PlannedDirectory::search(const SearchRequest& request,
                                                    Deadline deadline) {
    using R = Result<std::vector<Entry>>;
    SearchRequest wider = request;
    wider.size_limit = 0;             // planned entries may take the place of stored ones
    wider.base_may_be_missing = true; // a planned domain is not stored yet
    auto stored = base_.search(wider, deadline);
    if (!stored.is_found())
        return stored;
    std::vector<Entry> out;
    for (Entry& e : std::move(stored).value())
        if (!planned_.count(util::normalise_dn(e.dn())))
            out.push_back(std::move(e));
    for (const auto& [dn, entry] : planned_)
        if (entry && in_scope(entry->dn(), request) && request.filter.matches(*entry))
            out.push_back(entry->selected(request.attributes));
    if (request.size_limit != 0 && out.size() > request.size_limit)
        return R::temp_fail("more than size_limit " + std::to_string(request.size_limit) +
                            " entries for " + request.filter.to_string());
    return R::found(std::move(out));
}
Result<bool> SearchOnlyDirectory::check_bind(const std::string&, std::string_view, Deadline) {
    return searches_only<bool>("a password check");
}
Result<std::monostate> SearchOnlyDirectory::modify_as(const Credentials&, const std::string&,
                                                      const std::vector<Modification>&, Deadline) {
    return searches_only<std::monostate>("a modification");
}

Result<PlannedEntries> plan_entries(Directory& directory, const std::vector<Change>& changes,
                                    Deadline deadline) {
    using R = Result<PlannedEntries>;
    PlannedEntries planned;
    for (const Change& c : changes) {
        const std::string key = util::normalise_dn(c.dn);
        if (!planned.count(key)) {
            SearchRequest request{c.dn, Scope::base, Filter::all_of({}), {}, 0, true};
            auto stored = directory.search(request, deadline);
            if (!stored.is_found())
                return R::failure_of(stored);
            planned[key] = stored.value().empty() ? std::nullopt
                                                  : std::optional<Entry>(stored.value().front());
        }
        std::optional<Entry>& entry = planned[key];
        switch (c.kind) {
        case Change::Kind::add:
            if (entry)
                return R::not_found("already exists: " + c.dn);
            entry = c.entry;
            entry->set_dn(c.dn);
            break;
        case Change::Kind::remove:
            if (!entry)
                return R::not_found("no such entry: " + c.dn);
            entry.reset();
            break;
        case Change::Kind::modify:
            if (!entry)
                return R::not_found("no such entry: " + c.dn);
            for (const Modification& m : c.modifications)
                if (std::string refusal = apply_modification(*entry, m); !refusal.empty())
                    return R::not_found(refusal + " (" + c.dn + ")");
            break;
        }
    }
    return R::found(std::move(planned));
}

} // namespace vmaildir
