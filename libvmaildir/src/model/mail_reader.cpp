// The searches behind every mail question (mail_reader.hpp): one per recipient
// key where the layout allows, and the filters they use.
#include "model/mail_reader.hpp"

#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir {

MailReader::MailReader(Directory& directory, const EntryMapper& mapper)
    : directory_(directory), mapper_(mapper) {}

Filter MailReader::domain_filter(const std::string& domain) const {
    const Schema& s = mapper_.schema();
    return Filter::all_of({Filter::equals("objectClass", s.domain_object_class),
                           Filter::equals(s.domain_attribute, domain)});
}

Filter MailReader::entry_filter(const std::string& domain,
                                const std::vector<std::string>& locals) const {
    // Only the addresses: entries are classified by objectClass after the search and must lie
    // below the domain's entry, so objectClass terms would add nothing but cost (every term is
    // work for libldap's filter encoder and for slapd).
    const Schema& s = mapper_.schema();
    const bool one_attribute =
        util::iequals(s.account_address_attribute, s.alias_address_attribute);
    std::vector<Filter> any;
    auto add = [&](const std::string& attribute, bool with_catch_all) {
        for (const std::string& l : locals)
            if (!l.empty() || with_catch_all)
                any.push_back(Filter::equals(attribute, mapper_.stored_address(l, domain)));
    };
    add(s.account_address_attribute, one_attribute);
    if (!one_attribute)
        add(s.alias_address_attribute, true);
    Filter f = Filter::any_of(std::move(any));
    if (s.address_form == AddressForm::local_part && !s.entry_domain_attribute.empty())
        f = Filter::all_of({Filter::equals(s.entry_domain_attribute, domain), std::move(f)});
    return f;
}

Result<Candidates> MailReader::candidates(const std::string& domain,
                                          const std::vector<std::string>& local_parts,
                                          Deadline deadline) {
    const Schema& s = mapper_.schema();
    const ModelSettings& m = mapper_.settings();
    Candidates c;
    std::vector<Entry> found;
    bool one_search =
        s.address_form == AddressForm::full_address || !s.entry_domain_attribute.empty();
    if (one_search) {
        SearchRequest request{
            m.search_base,
            Scope::subtree,
            Filter::any_of({domain_filter(domain), entry_filter(domain, local_parts)}),
            mapper_.attributes(),
            m.size_limit,
            false};
        auto r = directory_.search(request, deadline);
        if (!r.is_found())
            return Result<Candidates>::failure_of(r);
        found = std::move(r).value();
    } else {
        auto domains = domain_entries(domain, deadline);
        if (!domains.is_found())
            return Result<Candidates>::failure_of(domains);
        found = std::move(domains).value();
        if (found.size() == 1) {
            SearchRequest request{
                found.front().dn(),   Scope::subtree, entry_filter(domain, local_parts),
                mapper_.attributes(), m.size_limit,   true};
            auto r = directory_.search(request, deadline);
            if (!r.is_found())
                return Result<Candidates>::failure_of(r);
            for (Entry& e : std::move(r).value())
                found.push_back(std::move(e));
        }
    }
    for (Entry& e : found) {
        if (mapper_.is_domain(e)) {
            bool named = false;
            for (const std::string& v : e.values(s.domain_attribute))
                named = named || util::iequals(util::trim(v), domain);
            bool placed = s.domain_scope != Scope::one_level ||
                          util::normalise_dn(util::parent_dn(e.dn()).value_or("")) ==
                              mapper_.normalised_search_base();
            if (named && placed)
                c.domains.push_back(std::move(e));
        } else if (mapper_.is_account(e) || mapper_.is_alias(e)) {
            c.entries.push_back(std::move(e));
        }
    }
    // Only entries below the (single) domain entry belong to the domain: an entry elsewhere
    // in the tree that happens to carry the address is not ours to deliver to.
    auto base =
        c.domains.size() == 1 ? util::try_normalise_dn(c.domains.front().dn()) : std::nullopt;
    if (base) {
        const std::string& raw_base = c.domains.front().dn();
        std::erase_if(c.entries, [&](const Entry& e) {
            // The server spells DNs of one subtree alike: "...,<domain DN>" needs no parsing.
            const std::string& dn = e.dn();
            if (dn.size() > raw_base.size() + 1 &&
                dn.compare(dn.size() - raw_base.size(), raw_base.size(), raw_base) == 0 &&
                dn[dn.size() - raw_base.size() - 1] == ',' &&
                (dn.size() < raw_base.size() + 2 || dn[dn.size() - raw_base.size() - 2] != '\\'))
                return false;
            auto normalised = util::try_normalise_dn(dn);
            return !normalised || !util::normalised_within(*normalised, *base);
        });
    } else {
        c.entries.clear();
    }
    return Result<Candidates>::found(std::move(c));
}

Result<std::vector<Entry>> MailReader::domain_entries(const std::string& domain,
                                                      Deadline deadline) {
    const Schema& s = mapper_.schema();
    const ModelSettings& m = mapper_.settings();
    SearchRequest request{m.search_base,        s.domain_scope, domain_filter(domain),
                          mapper_.attributes(), m.size_limit,   false};
    return directory_.search(request, deadline);
}

Result<std::vector<std::string>> MailReader::group_members(const std::string& group_dn,
                                                           Deadline deadline) {
    const Schema& s = mapper_.schema();
    std::vector<std::string> attrs{s.group_member_attribute, "roleOccupant", "uniqueMember"};
    SearchRequest request{group_dn, Scope::base, Filter::present("objectClass"), attrs, 1, true};
    auto r = directory_.search(request, deadline);
    if (!r.is_found())
        return Result<std::vector<std::string>>::failure_of(r);
    if (r.value().empty())
        return Result<std::vector<std::string>>::not_found("no group " + group_dn);
    std::vector<std::string> out;
    for (const std::string& a : attrs)
        for (const std::string& dn : r.value().front().values(a))
            out.push_back(dn);
    return Result<std::vector<std::string>>::found(std::move(out));
}

Result<Entry> MailReader::entry(const std::string& dn, bool with_password, Deadline deadline) {
    std::vector<std::string> attrs = mapper_.attributes();
    if (with_password && !mapper_.schema().password_attribute.empty())
        attrs.push_back(mapper_.schema().password_attribute);
    SearchRequest request{dn, Scope::base, Filter::present("objectClass"), attrs, 1, true};
    auto r = directory_.search(request, deadline);
    if (!r.is_found())
        return Result<Entry>::failure_of(r);
    if (r.value().empty())
        return Result<Entry>::not_found("no entry " + dn);
    return Result<Entry>::found(std::move(r).value().front());
}

Result<std::vector<Entry>> MailReader::everything(Deadline deadline) {
    const Schema& s = mapper_.schema();
    SearchRequest request{mapper_.settings().search_base,
                          Scope::subtree,
                          Filter::any_of({Filter::equals("objectClass", s.domain_object_class),
                                          Filter::equals("objectClass", s.account_object_class),
                                          Filter::equals("objectClass", s.alias_object_class)}),
                          mapper_.attributes(),
                          0,
                          false};
    return directory_.search(request, deadline);
}

Result<std::vector<Entry>> MailReader::stored_passwords(Deadline deadline) {
    const Schema& s = mapper_.schema();
    SearchRequest request{mapper_.settings().search_base,
                          Scope::subtree,
                          Filter::equals("objectClass", s.account_object_class),
                          {s.password_attribute},
                          0,
                          false};
    return directory_.search(request, deadline);
}

} // namespace vmaildir
