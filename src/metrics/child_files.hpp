// Counter files for a child that may not enter metrics_directory (0700, mail_owner's):
// the login processes run as login_user, which must reach neither the queue nor the mail
// (docs/prelogin.md). The master (root) creates the service's counter file and a gauge
// file, gives them to login_user and passes them open; the child maps them through
// /proc/self/fd (Registry::open), never through the directory.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "base/file.hpp"
#include "base/result.hpp"
#include "config/config.hpp"

namespace correio::metrics {

// The environment variable naming the passed descriptors: "COUNTERS_FD,GAUGES_FD".
inline constexpr std::string_view kChildFilesVariable = "CORREIO_METRICS_FDS";

struct ChildFiles {
  base::Fd counters, gauges;
  // The gauge file's name until the child's pid is known (see name_child_gauges): not
  // SERVICE.PID.gauges yet, so the exporter neither reads nor removes it meanwhile.
  std::filesystem::path pending_gauges;
};

// Creates (or reopens) the files of `service` in `config`'s metrics_directory, owned by
// uid:gid; an error when that fails (the child then runs without metrics).
Result<ChildFiles> prepare_child_files(const config::Config& config, std::string_view service,
                                       uid_t uid, gid_t gid);

// After the fork: the pending gauge file becomes SERVICE.PID.gauges, which the exporter
// reads while `pid` runs and removes afterwards.
Status name_child_gauges(const ChildFiles& files, const config::Config& config,
                         std::string_view service, long pid);

}  // namespace correio::metrics
