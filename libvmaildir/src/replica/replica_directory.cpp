// Searches from the replica, binds and changes from LDAP (replica_directory.hpp).
#include "replica/replica_directory.hpp"

#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir::replica {

ReplicaDirectory::ReplicaDirectory(std::string path, ReaderPolicy policy,
                                   std::unique_ptr<Directory> live, std::string password_attribute,
                                   bool passwords)
    : store_(std::move(path), std::move(policy)), live_(std::move(live)),
      password_attribute_(std::move(password_attribute)), passwords_(passwords) {}

Result<std::vector<Entry>> ReplicaDirectory::search(const SearchRequest& request,
                                                    Deadline deadline) {
    // A password the store does not hold (auth_method = bind) is never "absent": ask LDAP.
    bool wants_password =
        !passwords_ && !password_attribute_.empty() &&
        std::any_of(request.attributes.begin(), request.attributes.end(),
                    [&](const std::string& a) { return util::iequals(a, password_attribute_); });
    if (wants_password)
        return live_->search(request, deadline);
    return store_.search(request);
}

Result<bool> ReplicaDirectory::check_bind(const std::string& dn, std::string_view password,
                                          Deadline deadline) {
    return live_->check_bind(dn, password, deadline);
}

Result<std::monostate> ReplicaDirectory::modify_as(const Credentials& as, const std::string& dn,
                                                   const std::vector<Modification>& changes,
                                                   Deadline deadline) {
    return live_->modify_as(as, dn, changes, deadline);
}

Result<std::uint64_t> ReplicaDirectory::generation() {
    return store_.generation();
}

std::string ReplicaDirectory::describe() const {
    return "replica:" + store_.path() + " (binds and changes: " + live_->describe() + ")";
}

} // namespace vmaildir::replica
