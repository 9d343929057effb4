// An identity's roles, read from the directory (actor.hpp).
#include "admin/actor.hpp"

#include "vmaildir/util/dn.hpp"

namespace vmaildir {

Result<Actor> find_actor(MailReader& reader, const SiteAdmins& admins, const std::string& dn,
                         Deadline deadline) {
    Actor actor;
    actor.dn = dn;
    if (dn.empty())
        return Result<Actor>::found(std::move(actor)); // anonymous
    const EntryMapper& mapper = reader.mapper();
    const Schema& s = mapper.schema();
    const std::string me = util::normalise_dn(dn);

    for (const std::string& admin : admins.dns)
        actor.site_admin = actor.site_admin || util::normalise_dn(admin) == me;
    if (!actor.site_admin && !admins.group_dn.empty()) {
        auto members = reader.group_members(admins.group_dn, deadline);
        if (members.is_temp_fail())
            return Result<Actor>::failure_of(members);
        if (members.is_found())
            for (const std::string& m : members.value())
                actor.site_admin = actor.site_admin || util::normalise_dn(m) == me;
    }

    auto entry = reader.entry(dn, false, deadline);
    if (entry.is_temp_fail())
        return Result<Actor>::failure_of(entry);

    // Domains whose postmaster role lists this DN.
    std::vector<std::string> domain_dns;
    if (!s.postmaster_rdn.empty() && !s.postmaster_member_attribute.empty()) {
        SearchRequest request{mapper.settings().search_base,
                              Scope::subtree,
                              Filter::equals(s.postmaster_member_attribute, dn),
                              {"objectClass"},
                              0,
                              false};
        auto roles = reader.directory().search(request, deadline);
        if (!roles.is_found())
            return Result<Actor>::failure_of(roles);
        for (const Entry& role : roles.value()) {
            // Only a role entry directly below a domain, named as the layout names it, counts.
            auto parent = util::parent_dn(role.dn());
            if (parent && util::normalise_dn(role.dn()) ==
                              util::normalise_dn(s.postmaster_rdn + "," + *parent))
                domain_dns.push_back(*parent);
        }
    }
    if (!s.postmaster_account_rdn.empty()) {
        auto parent = util::parent_dn(dn);
        if (parent && util::normalise_dn(s.postmaster_account_rdn + "," + *parent) == me)
            domain_dns.push_back(*parent);
    }
    for (const std::string& ddn : domain_dns) {
        auto d = reader.entry(ddn, false, deadline);
        if (d.is_temp_fail())
            return Result<Actor>::failure_of(d);
        if (d.is_found() && mapper.is_domain(d.value())) {
            auto domain = mapper.domain(d.value());
            if (domain.is_found())
                actor.administered_domains.push_back(domain.value().name);
        }
    }

    if (entry.is_found() && mapper.is_account(entry.value())) {
        auto parent = util::parent_dn(dn);
        if (parent) {
            auto d = reader.entry(*parent, false, deadline);
            if (d.is_found() && mapper.is_domain(d.value())) {
                auto domain = mapper.domain(d.value());
                if (domain.is_found()) {
                    auto account = mapper.account(entry.value(), domain.value().name);
                    if (account.is_found())
                        actor.address = account.value().address;
                }
            }
        }
    }
    return Result<Actor>::found(std::move(actor));
}

} // namespace vmaildir
