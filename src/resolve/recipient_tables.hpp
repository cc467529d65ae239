// The recipient tables of Postfix's address classes (ADDRESS_CLASS_README): which
// addresses exist in local domains (local_recipient_maps), in virtual mailbox domains
// (virtual_mailbox_maps) and in relay domains (relay_recipient_maps). smtpd rejects
// unknown recipients with them; qmgr asks whether postmaster@ a virtual domain is a
// mailbox. Owned by its caller, used from one thread at a time (tables are not
// thread-safe).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"
#include "maps/map.hpp"
#include "resolve/resolver.hpp"

namespace correio::resolve {

struct RecipientTableSettings {
  std::string local_recipient_maps;  // "" = no check of local recipients
  std::string alias_maps;            // tables of this list read as aliases(5) source
  std::string virtual_mailbox_maps;  // "" = not used (user_directory may answer instead)
  std::string relay_recipient_maps;  // "" = every relay recipient is valid
  std::string recipient_delimiter;
  bool smtputf8_enable = true;  // how the tables fold keys (maps::daemon_map_options)

  static RecipientTableSettings from_config(const config::Config& config);
};

class RecipientTables {
 public:
  // Opens every list that is set. A table that cannot be opened ("relay_recipient_maps:
  // open database /x.lmdb: ...") fails every lookup that reaches it, as Postfix's
  // surrogate tables do (the recipient gets 451 4.3.0, never "user unknown"); its error
  // is also in open_errors() for the caller to log at start.
  static RecipientTables open(const RecipientTableSettings& settings);
  const std::vector<std::string>& open_errors() const { return open_errors_; }

  // Whether the table of `address_class` knows `address` (already resolved: lower-case
  // domain, no routing operators). nullopt: that class has no table, so every address is
  // valid as far as the tables go. An Error is temporary (database down).
  Result<std::optional<bool>> known(AddressClass address_class, std::string_view address);

  bool has_table(AddressClass address_class) const;

 private:
  struct Table {
    // One list for virtual and relay (searched key by key, as Postfix's maps_find());
    // one per table for local. Copies of RecipientTables share them.
    std::vector<std::shared_ptr<maps::MapList>> parts;
    bool configured = false;
  };
  Table* table_of(AddressClass address_class);

  Table local_, virtual_, relay_;
  std::string recipient_delimiter_;
  std::vector<std::string> open_errors_;
};

// Postfix's mail_addr_find() order for an address in a local domain: user+ext@domain,
// user@domain, user+ext, user, @domain (the bare local part matches passwd and aliases).
Result<bool> known_local_recipient(maps::Map& map, std::string_view address,
                                   std::string_view delimiters);

}  // namespace correio::resolve
