// The process's open-file limit (RLIMIT_NOFILE): raised from the soft to the hard limit at
// start, as Postfix's open_limit() does, because the common soft default of 1024 ends an
// event-driven daemon at about a thousand sessions while the hard limit allows far more.
#pragma once

#include <string>

namespace correio::base {

struct OpenFileLimit {
  long before = -1;  // soft limit found at start
  long soft = -1;    // soft limit now
  long hard = -1;
  std::string error;  // why raising failed, or ""
};

// Raises the soft limit to the hard one (capped by /proc/sys/fs/nr_open when the hard
// limit is unlimited). Never fails the process: a problem is reported in `error`.
OpenFileLimit raise_open_file_limit();

// For the log: "open file limit 4096 (raised from 256, hard limit 4096)".
std::string describe(const OpenFileLimit& limit);

}  // namespace correio::base
