// Who an identity is to the delegated-administration matrix (SPEC §5): a site
// admin (a configured DN, or a member of the site admin group), the domains whose
// postmaster role it occupies, and its own address when it is an account.
#pragma once

#include "model/mail_reader.hpp"
#include "vmaildir/admin/acl.hpp"

#include <string>
#include <vector>

namespace vmaildir {

/// The configured site administrators.
struct SiteAdmins {
    std::vector<std::string> dns; ///< individual DNs
    std::string group_dn;         ///< a group of them; empty for none
};

/// The roles of `dn` as the directory has them now; the empty DN is anonymous.  temp_fail
/// when the directory cannot tell.
Result<Actor> find_actor(MailReader& reader, const SiteAdmins& admins, const std::string& dn,
                         Deadline deadline);

} // namespace vmaildir
