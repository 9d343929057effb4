// vmaildir(1)'s administration commands (admin_cli.hpp): the command line in,
// an Administration's plans and listings out, as text, LDIF (--dry-run) or
// JSON (--json).
#include "admin_cli.hpp"

#include "vmaildir/admin/admin.hpp"
#include "vmaildir/auth/login_stamp.hpp"
#include "vmaildir/auth/password.hpp"
#include "vmaildir/util/secret_file.hpp"
#include "vmaildir/util/text.hpp"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sysexits.h>

namespace vmaildir::cli {

namespace {

using json = nlohmann::ordered_json;
using Args = std::vector<std::string>; // after "COMMAND SUBCOMMAND"

const char* const commands[] = {"domain", "account", "alias", "catchall", "postmaster"};

/// What one run needs besides the Administration.
struct Context {
    const daemon::CommandLine& cl;
    const Config& config;
    const SecretReader& read_secret;
    bool json_output = false;
};

/// A usage error: exit 64 with the message.
struct Usage {
    std::string message;
};

std::string state_of(const Flags& flags) {
    return flags.deleted ? "deleted" : flags.active ? "active" : "inactive";
}

std::optional<bool> yes_no(const Context& c, const char* option) {
    if (!c.cl.has(option))
        return std::nullopt;
    bool ok = false;
    bool b = util::parse_bool(c.cl.value(option), ok);
    if (!ok)
        throw Usage{std::string("--") + option + " takes yes or no"};
    return b;
}

/// The userPassword value for a new password: from --password-file, else asked (twice on a
/// terminal), hashed with password_scheme.  Nothing for --no-password.
std::string new_password_value(const Context& c, const std::string& address) {
    std::string plain;
    if (c.cl.has("password-file")) {
        std::string problem;
        auto secret = util::read_secret_file(c.cl.value("password-file"), problem,
                                             util::SecretReader::person);
        if (!secret)
            throw Usage{"--password-file: " + problem};
        plain = *secret;
    } else {
        const std::string prompt = "New password for " + address + ": ";
        plain = c.read_secret(prompt.c_str());
        if (isatty(0) && c.read_secret("Again: ") != plain)
            throw Usage{"the two passwords differ"};
    }
    if (plain.empty())
        throw Usage{"the new password is empty"};
    auto hashed = hash_password(plain, c.config.auth.scheme);
    if (!hashed)
        throw Usage{"cannot hash the password with " +
                    std::string(to_string(c.config.auth.scheme)) +
                    " (a NUL byte, or more than bcrypt's 72 bytes?)"};
    return *hashed;
}

void need(const Args& args, std::size_t at_least, std::size_t at_most, const char* what) {
    if (args.size() < at_least || args.size() > at_most)
        throw Usage{std::string("expected ") + what};
}

// ---------------------------------------------------------------- output

json to_json(const Domain& d) {
    return {{"name", d.name},
            {"dn", d.dn},
            {"state", state_of(d.flags)},
            {"transport", d.transport},
            {"edit_accounts", d.can_edit_accounts},
            {"edit_postmasters", d.can_appoint_postmasters}};
}

json to_json(const Account& a) {
    json j = {{"address", a.address},
              {"dn", a.dn},
              {"state", state_of(a.flags)},
              {"name", a.name},
              {"mailbox", a.mailbox},
              {"home", a.home},
              {"quota", a.quota},
              {"disable_imap", a.disable_imap},
              {"disable_pop3", a.disable_pop3}};
    j["uid"] = a.uid ? json(*a.uid) : json(nullptr);
    j["gid"] = a.gid ? json(*a.gid) : json(nullptr);
    return j; // never the password
}

json to_json(const Alias& a) {
    return {{"address", a.address},
            {"dn", a.dn},
            {"state", state_of(a.flags)},
            {"catch_all", a.catch_all},
            {"destinations", a.destinations}};
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& v : values)
        out += (out.empty() ? "" : ", ") + v;
    return out;
}

void print(const Domain& d) {
    std::cout << d.name << "  " << state_of(d.flags)
              << "  transport=" << (d.transport.empty() ? "-" : d.transport)
              << "  edit-accounts=" << (d.can_edit_accounts ? "yes" : "no")
              << "  edit-postmasters=" << (d.can_appoint_postmasters ? "yes" : "no") << "\n";
}

void print(const Account& a) {
    std::cout << a.address << "  " << state_of(a.flags) << "  mailbox=" << a.mailbox
              << "  quota=" << (a.quota.empty() ? "-" : a.quota) << "  name=" << a.name << "\n";
}

void print(const Alias& a) {
    std::cout << (a.catch_all ? "@" + a.address.substr(a.address.find('@') + 1) : a.address) << "  "
              << state_of(a.flags) << "  -> " << joined(a.destinations) << "\n";
}

/// Prints a failed result and returns its exit status.
template <class T> int failure(const Context& c, const Result<T>& r) {
    if (c.json_output)
        std::cout << json{{"outcome", r.is_not_found() ? "refused" : "temporary failure"},
                          {"reason", r.reason()}}
                         .dump(2)
                  << "\n";
    std::cerr << "vmaildir: " << (r.is_not_found() ? "refused" : "temporary failure") << ": "
              << r.reason() << "\n";
    return r.is_not_found() ? 1 : EX_TEMPFAIL;
}

/// Prints a listing (one item or several) and returns the exit status.
template <class T> int listing(const Context& c, const Result<T>& r) {
    if (!r.is_found())
        return failure(c, r);
    if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (c.json_output)
            std::cout << json(r.value()).dump(2) << "\n";
        else
            for (const std::string& s : r.value())
                std::cout << s << "\n";
    } else if constexpr (requires { r.value().begin(); }) {
        if (c.json_output) {
            json all = json::array();
            for (const auto& item : r.value())
                all.push_back(to_json(item));
            std::cout << all.dump(2) << "\n";
        } else {
            for (const auto& item : r.value())
                print(item);
        }
    } else {
        if (c.json_output)
            std::cout << to_json(r.value()).dump(2) << "\n";
        else
            print(r.value());
    }
    return 0;
}

int show_domain(const Context& c, const Result<DomainReport>& r) {
    if (!r.is_found())
        return failure(c, r);
    const DomainReport& d = r.value();
    if (c.json_output) {
        json j = to_json(d.domain);
        j["postmasters"] = d.postmasters;
        j["accounts"] = d.accounts;
        j["aliases"] = d.aliases;
        j["catch_all"] = d.catch_all ? json(d.catch_all->destinations) : json(nullptr);
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    print(d.domain);
    std::cout << "  dn: " << d.domain.dn
              << "\n  postmasters: " << (d.postmasters.empty() ? "none" : joined(d.postmasters))
              << "\n  accounts: " << d.accounts << "\n  aliases: " << d.aliases
              << "\n  catch-all: " << (d.catch_all ? joined(d.catch_all->destinations) : "none")
              << "\n";
    return 0;
}

/// Prints (--dry-run) or applies a plan; the exit status.
int carry_out(const Context& c, Administration& admin, const Result<Plan>& planned) {
    if (!planned.is_found())
        return failure(c, planned);
    const Plan& plan = planned.value();
    std::vector<std::string> plan_warnings = plan.warnings;
    const bool dry_run = c.cl.has("dry-run");
    const std::string ldif = to_ldif(plan.changes, plan.comments);
    std::size_t applied = 0;
    if (!dry_run) {
        auto r = admin.apply(plan);
        if (!r.is_found())
            return failure(c, r);
        applied = r.value();
        // Who may log in, or with which password, has changed: every process of this host
        // forgets the logins it verified (auth_cache_stamp).
        if (std::string problem;
            plan.affects_logins && !touch_login_stamp(c.config.auth.cache_stamp, problem))
            plan_warnings.push_back(problem + ": on this host, logins verified in the last "
                                              "auth_cache_ttl may still be accepted until then");
    }
    if (c.json_output) {
        json j = {{"outcome", dry_run ? "planned" : "done"},
                  {"summary", plan.summary},
                  {"changes", plan.changes.size()},
                  {"applied", applied},
                  {"warnings", plan_warnings}};
        if (dry_run)
            j["ldif"] = ldif;
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    for (const std::string& w : plan_warnings)
        std::cerr << "vmaildir: note: " << w << "\n";
    if (dry_run)
        std::cout << ldif;
    else
        std::cout << plan.summary << ": done (" << applied << " change" << (applied == 1 ? "" : "s")
                  << ")\n";
    return 0;
}

// ---------------------------------------------------------------- the commands

using Handler = std::function<int(const Context&, Administration&, const Args&)>;

/// An action that plans one change set.
Handler action(std::size_t at_least, std::size_t at_most, const char* what,
               std::function<Result<Plan>(const Context&, Administration&, const Args&)> plan) {
    return [=](const Context& c, Administration& admin, const Args& args) {
        need(args, at_least, at_most, what);
        return carry_out(c, admin, plan(c, admin, args));
    };
}

Args rest(const Args& args) {
    return Args(args.begin() + 1, args.end());
}

const std::map<std::string, std::map<std::string, Handler>>& handlers() {
    static const std::map<std::string, std::map<std::string, Handler>> table = {
        {"domain",
         {{"list",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 0, 0, "no arguments");
               return listing(c, a.domains());
           }},
          {"show",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 1, 1, "DOMAIN");
               return show_domain(c, a.domain(args[0]));
           }},
          {"add", action(1, 1, "DOMAIN",
                         [](const Context& c, Administration& a, const Args& args) {
                             NewDomain d;
                             if (c.cl.has("transport"))
                                 d.transport = c.cl.value("transport");
                             d.active = !c.cl.has("inactive");
                             d.edit_accounts = yes_no(c, "edit-accounts");
                             d.edit_postmasters = yes_no(c, "edit-postmasters");
                             d.postmaster_to = c.cl.values("postmaster-to");
                             return a.add_domain(args[0], d);
                         })},
          {"delete", action(1, 1, "DOMAIN",
                            [](const Context& c, Administration& a, const Args& args) {
                                return a.delete_domain(args[0], c.cl.has("recursive"));
                            })},
          {"activate", action(1, 1, "DOMAIN",
                              [](const Context&, Administration& a, const Args& args) {
                                  return a.set_domain_active(args[0], true);
                              })},
          {"deactivate", action(1, 1, "DOMAIN",
                                [](const Context&, Administration& a, const Args& args) {
                                    return a.set_domain_active(args[0], false);
                                })},
          {"capabilities",
           action(1, 1, "DOMAIN",
                  [](const Context& c, Administration& a, const Args& args) {
                      return a.set_domain_capabilities(args[0], yes_no(c, "edit-accounts"),
                                                       yes_no(c, "edit-postmasters"));
                  })}}},
        {"account",
         {{"list",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 1, 1, "DOMAIN");
               return listing(c, a.accounts(args[0]));
           }},
          {"show",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 1, 1, "ADDRESS");
               return listing(c, a.account(args[0]));
           }},
          {"add", action(1, 1, "ADDRESS",
                         [](const Context& c, Administration& a, const Args& args) {
                             NewAccount n;
                             n.name = c.cl.value("name");
                             if (c.cl.has("quota"))
                                 n.quota = c.cl.value("quota");
                             if (!c.cl.has("no-password"))
                                 n.password_value = new_password_value(c, args[0]);
                             return a.add_account(args[0], n);
                         })},
          {"delete", action(1, 1, "ADDRESS",
                            [](const Context&, Administration& a, const Args& args) {
                                return a.delete_account(args[0]);
                            })},
          {"enable", action(1, 1, "ADDRESS",
                            [](const Context&, Administration& a, const Args& args) {
                                return a.set_account_active(args[0], true);
                            })},
          {"disable", action(1, 1, "ADDRESS",
                             [](const Context&, Administration& a, const Args& args) {
                                 return a.set_account_active(args[0], false);
                             })},
          {"name", action(2, 2, "ADDRESS NAME",
                          [](const Context&, Administration& a, const Args& args) {
                              return a.set_account_name(args[0], args[1]);
                          })},
          {"quota", action(2, 2, "ADDRESS QUOTA",
                           [](const Context&, Administration& a, const Args& args) {
                               return a.set_account_quota(args[0], args[1]);
                           })},
          {"password", action(1, 1, "ADDRESS",
                              [](const Context& c, Administration& a, const Args& args) {
                                  return a.set_account_password(args[0],
                                                                new_password_value(c, args[0]));
                              })}}},
        {"alias",
         {{"list",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 1, 1, "DOMAIN");
               return listing(c, a.aliases(args[0]));
           }},
          {"show",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 1, 1, "ADDRESS");
               return listing(c, a.alias(args[0]));
           }},
          {"add", action(2, SIZE_MAX, "ADDRESS DESTINATION...",
                         [](const Context&, Administration& a, const Args& args) {
                             return a.add_alias(args[0], rest(args));
                         })},
          {"delete", action(1, 1, "ADDRESS",
                            [](const Context&, Administration& a, const Args& args) {
                                return a.delete_alias(args[0]);
                            })},
          {"set", action(2, SIZE_MAX, "ADDRESS DESTINATION...",
                         [](const Context&, Administration& a, const Args& args) {
                             return a.set_alias_destinations(args[0], rest(args));
                         })}}},
        {"catchall",
         {{"show",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 1, 1, "DOMAIN");
               auto report = a.domain(args[0]);
               if (!report.is_found())
                   return failure(c, report);
               if (!report.value().catch_all)
                   return failure(c, Result<Alias>::not_found(report.value().domain.name +
                                                              " has no catch-all"));
               return listing(c, Result<Alias>::found(*report.value().catch_all));
           }},
          {"set", action(2, SIZE_MAX, "DOMAIN DESTINATION...",
                         [](const Context&, Administration& a, const Args& args) {
                             return a.set_catch_all(args[0], rest(args));
                         })},
          {"clear", action(1, 1, "DOMAIN",
                           [](const Context&, Administration& a, const Args& args) {
                               return a.clear_catch_all(args[0]);
                           })}}},
        {"postmaster",
         {{"list",
           [](const Context& c, Administration& a, const Args& args) {
               need(args, 1, 1, "DOMAIN");
               return listing(c, a.postmasters(args[0]));
           }},
          {"appoint", action(2, 2, "DOMAIN ADDRESS-OR-DN",
                             [](const Context&, Administration& a, const Args& args) {
                                 return a.appoint_postmaster(args[0], args[1]);
                             })},
          {"revoke", action(2, 2, "DOMAIN ADDRESS-OR-DN",
                            [](const Context&, Administration& a, const Args& args) {
                                return a.revoke_postmaster(args[0], args[1]);
                            })}}},
    };
    return table;
}

/// Who acts: --as DN (or an account's address) with its password (--bind-pw-file, else
/// asked), or SASL EXTERNAL.  not_found (and nothing asked) for an address that is no account.
Result<Identity> acting_identity(const Context& c, Service& service) {
    Identity who;
    if (!c.cl.has("as")) {
        who.method = Identity::Method::sasl_external;
        return Result<Identity>::found(who);
    }
    who.method = Identity::Method::simple;
    who.dn = c.cl.value("as");
    if (who.dn.empty()) // --as '': anonymous, as anonymous_read allows
        return Result<Identity>::found(who);
    if (who.dn.find('=') == std::string::npos && who.dn.find('@') != std::string::npos) {
        // A postmaster names itself by its address; its entry is looked up as a login is.
        auto account = service.account(who.dn);
        if (!account.is_found())
            return Result<Identity>::failure_of(account);
        who.dn = account.value().dn;
    }
    if (c.cl.has("bind-pw-file")) {
        std::string problem;
        auto secret =
            util::read_secret_file(c.cl.value("bind-pw-file"), problem, util::SecretReader::person);
        if (!secret)
            throw Usage{"--bind-pw-file: " + problem};
        who.password = *secret;
    } else {
        const std::string prompt = "Password for " + c.cl.value("as") + ": ";
        who.password = c.read_secret(prompt.c_str());
    }
    return Result<Identity>::found(who);
}

} // namespace

const char* const admin_usage = R"(
Administration (SPEC §5), as the identity that binds: --as DN (or --as ADDRESS, an
account's) with its own password, or, without --as, SASL EXTERNAL over ldapi:// (admin_uri),
as root usually is.  Every action
is checked by the delegated-administration rules first, then sent with that identity's own
rights, so that slapd's access rules (acl-rules) judge it too.  --dry-run prints the LDIF
instead of sending it; --json prints results as JSON.
  domain list | show DOMAIN
  domain add DOMAIN [--postmaster-to ADDRESS]... [--transport T] [--inactive]
             [--edit-accounts yes|no] [--edit-postmasters yes|no]
  domain delete DOMAIN [--recursive] | activate DOMAIN | deactivate DOMAIN
  domain capabilities DOMAIN [--edit-accounts yes|no] [--edit-postmasters yes|no]
  account list DOMAIN | show ADDRESS
  account add ADDRESS [--name NAME] [--quota QUOTA] [--password-file FILE | --no-password]
  account delete | enable | disable ADDRESS
  account name ADDRESS NAME | quota ADDRESS QUOTA | password ADDRESS [--password-file FILE]
  alias list DOMAIN | show ADDRESS
  alias add ADDRESS DESTINATION... | set ADDRESS DESTINATION... | delete ADDRESS
  catchall show DOMAIN | set DOMAIN DESTINATION... | clear DOMAIN
  postmaster list DOMAIN | appoint DOMAIN ADDRESS-OR-DN | revoke DOMAIN ADDRESS-OR-DN
A new password is read from --password-file, else asked (twice on a terminal), and stored
hashed with password_scheme.  A deleted account's name created again gets a new mailbox.
)";

bool is_admin_command(std::string_view command) {
    for (const char* c : commands)
        if (command == c)
            return true;
    return false;
}

std::vector<daemon::Option> admin_options() {
    using K = daemon::Option::Kind;
    return {
        {"as", K::value,
         "administration: the DN to bind as (its password is asked, or read "
         "from --bind-pw-file; '' is anonymous); without it SASL EXTERNAL "
         "over ldapi://",
         std::nullopt},
        {"bind-pw-file", K::value, "administration: file holding --as's password (mode 0600)",
         std::nullopt},
        {"dry-run", K::flag, "administration: print the LDIF of the changes, send nothing",
         std::nullopt},
        {"json", K::flag, "administration: print results as JSON", std::nullopt},
        {"password-file", K::value, "account add/password: file holding the new password",
         std::nullopt},
        {"no-password", K::flag, "account add: no password (the account cannot log in)",
         std::nullopt},
        {"name", K::value, "account add: the full name", std::nullopt},
        {"quota", K::value, "account add: the quota (as stored, e.g. 100000000S)", std::nullopt},
        {"postmaster-to", K::values,
         "domain add: where postmaster@ and abuse@ forward (RFC 2142); may be repeated",
         std::nullopt},
        {"transport", K::value, "domain add: the domain's transport", std::nullopt},
        {"inactive", K::flag, "domain add: create it inactive", std::nullopt},
        {"edit-accounts", K::value,
         "domain add/capabilities: its postmasters may create and "
         "delete accounts (yes|no)",
         std::nullopt},
        {"edit-postmasters", K::value,
         "domain add/capabilities: its postmasters may appoint postmasters (yes|no)", std::nullopt},
        {"recursive", K::flag, "domain delete: with every account and alias in it", std::nullopt},
    };
}

int run_admin(const daemon::CommandLine& cl, Service& service, Logger& log,
              const SecretReader& read_secret) {
    Context c{cl, service.config(), read_secret, cl.has("json")};
    const std::vector<std::string>& all = cl.arguments();
    try {
        const auto& subcommands = handlers().at(all.front());
        if (all.size() < 2) {
            std::string names;
            for (const auto& [name, handler] : subcommands)
                names += (names.empty() ? "" : ", ") + name;
            throw Usage{all.front() + " needs one of: " + names};
        }
        auto handler = subcommands.find(all[1]);
        if (handler == subcommands.end())
            throw Usage{"unknown " + all.front() + " command '" + all[1] + "'"};
        const Args args(all.begin() + 2, all.end());
        if (cl.has("password-file") && cl.has("no-password"))
            throw Usage{"--password-file and --no-password exclude each other"};

        auto who = acting_identity(c, service);
        if (!who.is_found()) {
            std::cerr << "vmaildir: cannot act as " << cl.value("as") << ": " << who.reason()
                      << "\n";
            return who.is_not_found() ? 1 : EX_TEMPFAIL;
        }
        auto session = service.open_session(who.value());
        if (!session.is_found()) {
            std::cerr << "vmaildir: cannot bind: " << session.reason() << "\n";
            return session.is_not_found() ? 1 : EX_TEMPFAIL;
        }
        auto admin = Administration::open(c.config, *session.value(), log);
        if (!admin.is_found())
            return failure(c, admin);
        return handler->second(c, *admin.value(), args);
    } catch (const Usage& u) {
        std::cerr << "vmaildir: " << u.message << "\nTry 'vmaildir --help'.\n";
        return EX_USAGE;
    }
}

} // namespace vmaildir::cli
