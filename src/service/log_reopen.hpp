// Log rotation in a service process: the master forwards SIGHUP ("reopen the log") on
// `postfix reload` and `postfix logrotate`; each process then opens maillog_file again.
#pragma once

#include <asio/awaitable.hpp>

#include "base/log.hpp"

namespace correio::service {

// Runs on the process's io_context until it stops; `log` must outlive it. Reopens once at
// the start too: a SIGHUP that came before this listened was ignored.
asio::awaitable<void> reopen_log_on_sighup(base::Logger& log);

}  // namespace correio::service
