// What the ETRN command (RFC 1985; Postfix's smtpd ETRN and flush(8)) needs from the smtpd
// process: which sites may be flushed (fast_flush_domains) and the queue whose flush logs
// hold their deferred mail. One per smtpd process, used from its event loop only.
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"
#include "queue/queue.hpp"
#include "resolve/domain_list.hpp"

namespace correio::smtpd {

struct EtrnService {
  // Error: fast_flush_domains cannot be opened (unknown table type, missing file).
  static Result<EtrnService> open(const config::Config& config);

  std::optional<resolve::DomainList> fast_flush;  // none when fast_flush_domains is empty
  queue::Queue queue{""};
};

}  // namespace correio::smtpd
