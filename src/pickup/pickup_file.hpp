// Taking one maildrop file into the queue (Postfix's pickup(8) per-file work): check the
// file, read its envelope, pass the content through cleanup (Received: in pickup's form,
// Message-Id:, Date:, From:), commit it durably into incoming/ (qmgr sees it there) and
// only then remove the maildrop file. A crash in between leaves both: a duplicate at
// worst, never a loss. Pure file-system work; one call at a time per file.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "cleanup/address_rewrite.hpp"
#include "cleanup/check_tables.hpp"
#include "config/config.hpp"
#include "pickup/pickup_milters.hpp"

namespace correio::pickup {

struct PickupSettings {
  std::filesystem::path queue_directory;
  std::string myhostname;
  std::string myorigin;  // appended to unqualified addresses (append_at_myorigin)
  std::string mail_name = "Correio";
  long long header_size_limit = 102400;
  int hopcount_limit = 50;
  long long message_size_limit = 10240000;  // 0: no limit
  // content_filter (main.cf or pickup's -o): the after-queue filter "transport:destination"
  // local submissions get, as Postfix's cleanup gives it to all new mail; "": none.
  std::string content_filter;
  // cleanup's address rewriting (envelope and headers: local submissions always get
  // both), shared by the copies of these settings. Null: addresses are only completed
  // with myorigin.
  std::shared_ptr<cleanup::AddressRewriter> rewriter;
  // header_checks and the other content inspection tables (null: none) and the log their
  // actions are written to; set by pickup's start-up, not by from_config().
  std::shared_ptr<const cleanup::CheckTables> checks;
  base::Logger* log = nullptr;
  // non_smtpd_milters (null: none), shown each message after content inspection and
  // before it is queued (pickup_milters.hpp); set by pickup's start-up.
  std::shared_ptr<PickupMilters> milters;

  static PickupSettings from_config(const config::Config& config);
};

struct PickupOutcome {
  enum class Kind {
    queued,    // in incoming/ as `queue_id`; the maildrop file is gone
    rejected,  // not acceptable (malformed, not a regular file, ...): moved to corrupt/
    skipped,   // vanished meanwhile, or not ours to take yet
    retry,     // a transient failure (disk full, ...): the file stays for the next scan
  };
  Kind kind = Kind::skipped;
  std::string queue_id;
  unsigned long uid = 0;  // the submitter: the maildrop file's owner
  std::string sender;
  std::string message_id;
  size_t recipients = 0;
  std::string reason;  // why rejected or retry
};

// Called with the outcome so far (queue_id, uid, sender, message_id) once the message is
// written and before it is committed: the "uid=" and "message-id=" lines must be in the log
// before qmgr, woken by the commit, logs its own (Postfix's order, which log tools read).
using BeforeCommit = std::function<void(const PickupOutcome&)>;

// `name` is a file name in queue_directory/maildrop (is_maildrop_name()).
PickupOutcome pickup_file(const PickupSettings& settings, const std::string& name,
                          const BeforeCommit& before_commit = {});

// Appends "@myorigin" to an address without a domain; leaves "" (the null sender) alone.
std::string qualify(const std::string& address, const std::string& myorigin);

}  // namespace correio::pickup
