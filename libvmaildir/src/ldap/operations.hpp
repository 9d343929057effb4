// Single LDAP operations on one connection, shared by the pooled Directory
// (ldap_directory.cpp) and the administration session (session.cpp): searches
// with the size-limit and paging rules of SearchRequest, and changes.  Each
// sets `rc` to libldap's result code so that the caller can tell a lost
// connection (connection_lost()) from an answer.
#pragma once

#include "ldap/connection.hpp"

#include <string>
#include <vector>

namespace vmaildir::ldap {

/// One search: with a size limit, one request (more entries is a temp_fail); without one,
/// paged through (RFC 2696) so that the server's own limit per request does not truncate it.
Result<std::vector<Entry>> search_on(Connection& c, const SearchRequest& request, Deadline deadline,
                                     int& rc);

/// Modifies one entry: found when applied, not_found when it does not exist, temp_fail
/// otherwise (the pooled Directory's contract).
Result<std::monostate> modify_on(Connection& c, const std::string& dn,
                                 const std::vector<Modification>& changes, int& rc);

/// Applies one change (the administration session's contract, DirectorySession::apply):
/// found when applied; not_found when the server refused it; temp_fail otherwise.
Result<std::monostate> apply_on(Connection& c, const Change& change, int& rc);

} // namespace vmaildir::ldap
