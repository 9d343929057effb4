// libauthvmaildir.so.0: a Courier authlib module (authmodulelist="authvmaildir").
//
// HOST CONTRACT (courier-authlib 0.71, authdaemond.c; /usr/include/courierauthstaticlist.h)
//   authdaemond dlopen()s /usr/lib/courier-authlib/libauthvmaildir.so.0 and calls
//   courier_authvmaildir_init(), which returns a struct authstaticinfo.  Then it forks its
//   worker processes ("daemons" in authdaemonrc); each serves one request per connection and
//   asks the modules in authmodulelist order.  Every function answers
//     < 0  not mine, or refused: authdaemond asks the next module (e.g. authpam)
//     > 0  temporary failure: no further module is asked; the client sees an error, never
//          "wrong password"
//     else the callback's value (0): found, with a struct authinfo
//   auth_func   AUTH requests; only authtype "login" ("userid\npassword\n") is ours.
//   pre_func    PRE requests: account information by login name, no password.
//   changepwd   PASSWD: 0 changed; -1 not ours (next module); 1 refused or failed (FAIL).
//   enumerate   ENUMERATE: every live account, then cb(NULL, ...) — without that final call
//               authdaemond reports "terminated prematurely", which is what a directory
//               failure must look like.
//   idle        after 5 idle minutes: close idle LDAP connections.
//
// The directory is opened lazily, on the first request, so that no LDAP connection made
// before authdaemond forks is shared by its workers.  The configuration is
// $VMAILDIR_CONFIG (authdaemonrc exports its variables) or /etc/vmaildir/vmaildir.conf.
// Logging goes to the configuration's log target; authdaemond's own stderr reaches syslog
// through courierlogger.
//
// Every extern "C" function is a noexcept shim: anything unexpected is a temporary failure.
#include "authinfo.hpp"
#include "vmaildir/service/bootstrap.hpp"
#include "vmaildir/util/text.hpp"

#include <courierauth.h>
#include <courierauthstaticlist.h>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace {

using namespace vmaildir;
using courier::AuthInfo;

constexpr int not_mine = -1;
constexpr int temp_fail = 1;

/// The module's one Service, created on first use (after authdaemond forked).  A loaded
/// module has no object to hang state on: this function-local singleton is that object.
class Module {
public:
    static Module& get() {
        static Module module;
        return module;
    }

    Service& service() {
        std::call_once(opened_, [&] {
            const char* path = std::getenv("VMAILDIR_CONFIG");
            // A broken configuration is logged to stderr, which courierlogger takes to syslog.
            boot_.emplace(path && *path ? path : default_config_path,
                          LogChoice{"authvmaildir", "", "stderr", std::nullopt});
            if (!boot_->problem().empty())
                boot_->log().error("configuration unusable, every login fails temporarily: " +
                                   boot_->problem());
            service_ = boot_->open();
        });
        return *service_;
    }
    Logger& log() {
        service();
        return boot_->log();
    }

private:
    std::once_flag opened_;
    std::optional<Bootstrap> boot_;
    std::unique_ptr<Service> service_;
};

/// Fills a struct authinfo from owned strings and calls authlib's callback.
int call_back(const AuthInfo& info, int (*callback)(struct authinfo*, void*), void* arg) {
    uid_t uid = info.uid; // authinfo holds a pointer to it for the duration of the call
    struct authinfo ai {};
    ai.sysusername = nullptr;
    ai.sysuserid = &uid;
    ai.sysgroupid = info.gid;
    ai.homedir = info.homedir.c_str();
    ai.address = info.address.c_str();
    ai.fullname = info.fullname.empty() ? nullptr : info.fullname.c_str();
    ai.maildir = info.maildir.empty() ? nullptr : info.maildir.c_str();
    ai.quota = info.quota.empty() ? nullptr : info.quota.c_str();
    ai.passwd = nullptr;      // checked here already
    ai.clearpasswd = nullptr; // never handed back (it would travel to imapd as PASSWD2)
    ai.options = info.options.empty() ? nullptr : info.options.c_str();
    return (*callback)(&ai, arg);
}

/// The host reply for a looked-up account: the callback's value, or a temporary failure when
/// the entry is too incomplete for Courier.
int answer(const Result<Account>& account, const char* what, const std::string& who,
           int (*callback)(struct authinfo*, void*), void* arg) {
    Module& m = Module::get();
    if (account.is_not_found())
        return not_mine;
    if (account.is_temp_fail()) {
        m.log().warning(std::string(what) + " " + util::printable(who) +
                        ": temporary failure: " + account.reason());
        return temp_fail;
    }
    auto [info, problem] = courier::to_authinfo(account.value(), m.service().config());
    if (!info) {
        m.log().warning(std::string(what) + " " + util::printable(who) +
                        ": temporary failure: " + problem);
        return temp_fail;
    }
    return call_back(*info, callback, arg);
}

int auth_vmaildir(const char* service, const char* authtype, char* authdata,
                  int (*callback)(struct authinfo*, void*), void* arg) noexcept try {
    if (!service || !authtype || !authdata || std::string(authtype) != "login")
        return not_mine; // CRAM and friends need the cleartext password: not offered
    auto login = courier::parse_login(authdata);
    if (!login)
        return not_mine;
    Module& m = Module::get();
    auto account = m.service().authenticate(login->first, login->second, service);
    if (account.is_not_found())
        m.log().info(std::string("login ") + util::printable(login->first) + " (" + service +
                     "): refused: " + account.reason());
    return answer(account, "login", login->first, callback, arg);
} catch (...) {
    return temp_fail;
}

int pre_vmaildir(const char* userid, const char* service, int (*callback)(struct authinfo*, void*),
                 void* arg) noexcept try {
    if (!userid || !service)
        return not_mine;
    return answer(Module::get().service().account(userid), "lookup", userid, callback, arg);
} catch (...) {
    return temp_fail;
}

int changepwd_vmaildir(const char* service, const char* userid, const char* old_password,
                       const char* new_password) noexcept try {
    if (!service || !userid || !old_password || !new_password)
        return not_mine;
    Module& m = Module::get();
    auto account = m.service().account(userid);
    if (account.is_not_found())
        return not_mine;
    if (account.is_temp_fail()) {
        m.log().warning(std::string("password change for ") + util::printable(userid) +
                        ": temporary failure: " + account.reason());
        return temp_fail;
    }
    auto changed = m.service().change_password(userid, old_password, new_password);
    if (changed.is_found())
        return 0;
    m.log().warning(std::string("password change for ") + util::printable(userid) +
                    " refused: " + changed.reason());
    return temp_fail; // ours, but refused: no other module may change it
} catch (...) {
    return temp_fail;
}

void enumerate_vmaildir(void (*callback)(const char*, uid_t, gid_t, const char*, const char*,
                                         const char*, void*),
                        void* arg) noexcept try {
    Module& m = Module::get();
    auto accounts = m.service().accounts();
    if (!accounts.is_found()) {
        m.log().warning("enumerate: temporary failure: " + accounts.reason());
        return; // no final callback: authdaemond reports the enumeration as incomplete
    }
    for (const Account& a : accounts.value()) {
        auto [info, problem] = courier::to_authinfo(a, m.service().config());
        if (!info) {
            m.log().warning("enumerate: skipping " + problem);
            continue;
        }
        (*callback)(info->address.c_str(), info->uid, info->gid, info->homedir.c_str(),
                    info->maildir.empty() ? nullptr : info->maildir.c_str(),
                    info->options.empty() ? nullptr : info->options.c_str(), arg);
    }
    (*callback)(nullptr, 0, 0, nullptr, nullptr, nullptr, arg);
} catch (...) {
}

void idle_vmaildir() noexcept try { Module::get().service().idle(); } catch (...) {
}

void cleanup_vmaildir() noexcept {}

} // namespace

extern "C" __attribute__((visibility("default"))) struct authstaticinfo*
courier_authvmaildir_init() noexcept {
    static struct authstaticinfo info = {
        "authvmaildir",     auth_vmaildir, pre_vmaildir,       cleanup_vmaildir,
        changepwd_vmaildir, idle_vmaildir, enumerate_vmaildir,
    };
    return &info;
}
