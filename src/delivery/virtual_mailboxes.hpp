// virtual_mailbox_maps (Postfix's virtual(5)/virtual(8)): the table that says which
// addresses of virtual_mailbox_domains have a mailbox and where it is, relative to
// virtual_mailbox_base — a result ending in "/" is a Maildir, anything else an mbox file.
// smtpd and qmgr ask only whether an address is known: resolve/recipient_tables.hpp.
// Thread-safe: lookups are serialised (the virtual agent delivers on several threads).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "config/config.hpp"
#include "maps/map.hpp"

namespace correio::delivery {

struct VirtualMailbox {
  std::filesystem::path path;  // virtual_mailbox_base/RESULT, without the trailing "/"
  bool maildir = false;        // RESULT ended in "/"
  std::string key;             // the key that matched: "user@domain" or "@domain"
};

class VirtualMailboxes {
 public:
  // nullptr when `maps` is empty (the setting is not used). Error: a base that is not an
  // absolute path (Postfix's virtual(8) refuses to start). A table that cannot be opened
  // makes every find() fail (open_error() says why) instead.
  static Result<std::unique_ptr<VirtualMailboxes>> open(std::string_view maps,
                                                        std::filesystem::path base,
                                                        std::string recipient_delimiter);
  static Result<std::unique_ptr<VirtualMailboxes>> from_config(const config::Config& config);

  // Whether `address` has a mailbox: searched as Postfix's virtual(8) does (user+ext@domain,
  // user@domain, @domain). nullopt: unknown user. An Error is a table failure (temporary)
  // or an unusable result (a "..", an empty path): the caller defers, never bounces.
  Result<std::optional<VirtualMailbox>> find(std::string_view address);

  // Why the table could not be opened; empty when it was.
  const std::string& open_error() const { return open_error_; }

 private:
  std::unique_ptr<maps::MapList> maps_;  // null when it could not be opened
  std::string open_error_;
  std::filesystem::path base_;
  std::string recipient_delimiter_;
  std::mutex mutex_;
};

// The mailbox a table RESULT names under `base` (exposed for the fuzzer and the tests).
// Errors: empty, the base itself ("./"), or a ".." component (which would leave
// virtual_mailbox_base).
Result<VirtualMailbox> mailbox_from_result(const std::filesystem::path& base,
                                           std::string_view result);

}  // namespace correio::delivery
