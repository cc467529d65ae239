// What the master should run: each master.cf entry turned into a ServiceSpec (listeners,
// process count, a fingerprint of everything that affects its processes), and the diff
// between two plans that decides what a reload starts, restarts and stops.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"
#include "config/master_cf.hpp"
#include "master/listeners.hpp"
#include "master/master.hpp"

namespace correio::master {

struct ServiceSpec {
  config::MasterService entry;
  std::vector<ListenerSpec> listeners;
  // maxproc: each process is event driven, so '-' (and 0, Postfix's "no limit") mean one
  // process rather than default_process_limit (docs/architecture.md).
  int processes = 1;
  // Connections one process serves at once, 0 for no limit: maxproc for spawn(8), whose
  // maxproc counts commands (one per connection), not processes.
  int session_limit = 0;
  // Changes whenever the entry, main.cf, or the bound addresses change.
  std::string fingerprint;

  std::string key() const { return entry.key(); }
};

struct PlanOptions {
  const KnownCommands* known = nullptr;
  // check: unknown commands and unsupported types are errors; master: warnings, skipped.
  bool strict = false;
  long socket_uid = -1;  // owner of unix sockets and fifos (root master), else -1
  long socket_gid = -1;
};

// Errors and warnings read "DIR/master.cf:LINE: error: TEXT". In non-strict mode the
// result holds the runnable services and *problems the skipped ones; in strict mode
// every problem is in *problems and the result is an error when there is any.
Result<std::vector<ServiceSpec>> plan_services(const config::Config& config,
                                               const std::vector<config::MasterService>& services,
                                               const PlanOptions& options,
                                               std::vector<std::string>* problems);

// maxproc column to a process count; Error for a malformed value.
Result<int> parse_maxproc(std::string_view maxproc);

struct ReloadPlan {
  std::vector<std::string> start;    // new services
  std::vector<std::string> restart;  // fingerprint changed: new processes replace the old
  std::vector<std::string> stop;     // gone from master.cf
  std::vector<std::string> keep;     // unchanged: their processes keep running
};
ReloadPlan diff_services(const std::vector<ServiceSpec>& before,
                         const std::vector<ServiceSpec>& after);

}  // namespace correio::master
