// What resolving one key needs, fetched once: the candidate entries below a live
// domain, the keys to try (with and without the sub-address), and picking the
// one live alias or account among them — several live entries where one is
// expected, or a malformed one, is a temporary failure (SPEC §3 "Outcomes").
// Every step is written to the trace with its SPEC §3 step number.
#pragma once

#include "model/mail_reader.hpp"
#include "vmaildir/resolve/resolution.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vmaildir {

/// What resolving one address needs: its candidate entries below a live domain, and the keys
/// to try (the address, then the address without its sub-address when it has one).
struct View {
    Candidates candidates;
    std::vector<Address> keys;
};

/// Fetches the candidates and settles SPEC §3 step 1 (the domain is live and hosted).
Result<View> fetch_view(MailReader& reader, const Address& address, bool with_subaddress,
                        bool with_catch_all, Deadline deadline, Trace* trace);

/// The one domain among the entries naming it: live, or with `hosted_suffices` also inactive
/// (but never deleted).
Result<Domain> live_domain(const std::vector<Entry>& entries, const EntryMapper& mapper,
                           const std::string& name, Trace* trace, bool hosted_suffices = false);

/// The one live alias answering to `local` (the empty string: the catch-all); found(nothing)
/// when there is none.  `shown` names it in the trace, `step` is its SPEC §3 step ("[2] ").
Result<std::optional<Alias>> find_alias(const View& v, const EntryMapper& m,
                                        const std::string& local, const std::string& shown,
                                        const char* step, Trace* trace);
/// The one live account answering to `local`; found(nothing) when there is none.
Result<std::optional<Account>> find_account(const View& v, const EntryMapper& m,
                                            const std::string& local, const std::string& shown,
                                            const char* step, Trace* trace);

} // namespace vmaildir
