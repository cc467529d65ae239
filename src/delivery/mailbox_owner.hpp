// Who owns a virtual recipient's Maildir (Postfix's virtual_uid_maps, virtual_gid_maps and
// virtual_minimum_uid): the numeric user and group the virtual agent writes the files as.
// Both maps are searched with the recipient address as Postfix's virtual(8) does
// (user+ext@domain, user@domain, @domain; "static:5000" answers for everyone).
// Thread-safe: lookups are serialised (the agent delivers on several threads).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "config/config.hpp"
#include "maps/map.hpp"

namespace correio::delivery {

struct MailboxOwner {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

class MailboxOwners {
 public:
  // Empty lists: configured() is false and the agent writes as itself.
  static Result<std::unique_ptr<MailboxOwners>> open(std::string_view uid_maps,
                                                     std::string_view gid_maps,
                                                     long long minimum_uid,
                                                     std::string recipient_delimiter);
  static Result<std::unique_ptr<MailboxOwners>> from_config(const config::Config& config);

  bool configured() const { return uid_maps_ != nullptr; }

  // The owner for `recipient`. An Error is a configuration problem or a table failure:
  // the recipient is deferred ("not found in virtual_uid_maps", "bad uid 12 in
  // virtual_uid_maps", ...).
  Result<MailboxOwner> owner_of(std::string_view recipient);

 private:
  Result<uint32_t> find_id(maps::MapList& maps, std::string_view name, std::string_view recipient,
                           long long minimum);

  std::unique_ptr<maps::MapList> uid_maps_, gid_maps_;
  long long minimum_uid_ = 100;
  std::string recipient_delimiter_;
  std::mutex mutex_;
};

}  // namespace correio::delivery
