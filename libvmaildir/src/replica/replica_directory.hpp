// The Directory adapters use in replica mode: searches from the local store
// (store_reader.hpp), everything that needs the server itself — password
// binds, modifications — from the live LDAP directory.
#pragma once

#include "replica/store_reader.hpp"
#include "vmaildir/directory/directory.hpp"

#include <memory>
#include <string>

namespace vmaildir::replica {

class ReplicaDirectory final : public Directory {
public:
    /// `password_attribute` is answered from `live` unless the store holds passwords.
    ReplicaDirectory(std::string path, ReaderPolicy policy, std::unique_ptr<Directory> live,
                     std::string password_attribute, bool passwords);

    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override;
    Result<bool> check_bind(const std::string& dn, std::string_view password,
                            Deadline deadline) override;
    Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                     const std::vector<Modification>& changes,
                                     Deadline deadline) override;
    /// Administration goes to the directory itself: the store is a copy.
    Result<std::unique_ptr<DirectorySession>> open_session(const Identity& who,
                                                           Deadline deadline) override {
        return live_->open_session(who, deadline);
    }
    Result<std::uint64_t> generation() override;
    void close_idle() override { live_->close_idle(); }
    std::string describe() const override;

private:
    StoreReader store_;
    std::unique_ptr<Directory> live_;
    std::string password_attribute_;
    bool passwords_;
};

} // namespace vmaildir::replica
