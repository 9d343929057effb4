// One snapshot of the whole mail tree: every domain, account and alias entry,
// read in one (paged) search, with the well-formed domains by DN.  The
// consistency check and account enumeration both walk it.
#pragma once

#include "model/mail_reader.hpp"
#include "vmaildir/check/report.hpp"
#include "vmaildir/util/log.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace vmaildir {

struct Snapshot {
    std::vector<Entry> entries;
    std::map<std::string, Domain> domains; ///< by normalised DN, well-formed ones only
};

/// Reads the tree, allowing six lookups' time (at least a minute).  Malformed domain entries
/// go to `findings` when given, and are left out.
Result<Snapshot> read_snapshot(MailReader& reader, std::chrono::milliseconds lookup_timeout,
                               std::vector<Finding>* findings);

/// The domain an entry lies below, if any.
const Domain* domain_of(const Snapshot& s, const std::string& dn);

/// Every live account of every live domain (Courier's enumerate); malformed accounts are
/// skipped and logged.
Result<std::vector<Account>> live_accounts(MailReader& reader,
                                           std::chrono::milliseconds lookup_timeout, Logger& log);

} // namespace vmaildir
