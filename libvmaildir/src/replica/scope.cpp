// What a replica copies (vmaildir/replica/scope.hpp).
#include "vmaildir/replica/scope.hpp"

#include "model/entry_mapper.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir::replica {

namespace {

void add_unique(std::vector<std::string>& list, const std::string& name) {
    if (name.empty())
        return;
    if (std::none_of(list.begin(), list.end(),
                     [&](const std::string& n) { return util::iequals(n, name); }))
        list.push_back(name);
}

} // namespace

ReplicaScope replica_scope(const Config& c) {
    const Schema& s = c.schema;
    EntryMapper mapper(s, ModelSettings{c.search_base, c.size_limit, c.edit_accounts_default,
                                        c.edit_postmasters_default, c.address, c.minimum_uid,
                                     !c.static_uid, !c.static_gid});
    ReplicaScope out;
    out.layout.base = c.search_base;
    out.attributes = mapper.attributes();
    // Postmaster roles and the site-admin group are read by DN (MailReader::group_members).
    for (const char* a : {"roleOccupant", "uniqueMember", "member"})
        add_unique(out.attributes, a);
    add_unique(out.attributes, s.group_member_attribute);
    add_unique(out.attributes, s.postmaster_member_attribute);
    out.password_attribute = s.password_attribute;
    out.passwords = c.auth.method == AuthMethod::compare && !s.password_attribute.empty();
    if (out.passwords)
        add_unique(out.attributes, s.password_attribute);
    // Every attribute a search puts in an equality assertion, except objectClass (which a
    // million accounts share: scanning its index would be no better than a scan).
    for (const std::string& a :
         {s.domain_attribute, s.account_address_attribute, s.alias_address_attribute,
          s.entry_domain_attribute, s.postmaster_member_attribute})
        add_unique(out.layout.indexed, util::ascii_lower(a));
    out.layout.passwords = out.passwords;
    return out;
}

} // namespace vmaildir::replica
