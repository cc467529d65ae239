// virtual_uid_maps / virtual_gid_maps lookups with Postfix's checks (see the header).
#include "delivery/mailbox_owner.hpp"

#include "base/strings.hpp"

namespace correio::delivery {

Result<std::unique_ptr<MailboxOwners>> MailboxOwners::open(std::string_view uid_maps,
                                                           std::string_view gid_maps,
                                                           long long minimum_uid,
                                                           std::string recipient_delimiter) {
  auto owners = std::make_unique<MailboxOwners>();
  owners->minimum_uid_ = minimum_uid;
  owners->recipient_delimiter_ = std::move(recipient_delimiter);
  bool have_uid = !base::trim(uid_maps).empty(), have_gid = !base::trim(gid_maps).empty();
  if (!have_uid && !have_gid) return owners;
  // Postfix needs both: a mailbox written with one and not the other is a mistake.
  if (!have_uid) return Error{"virtual_gid_maps is set but virtual_uid_maps is empty"};
  if (!have_gid) return Error{"virtual_uid_maps is set but virtual_gid_maps is empty"};
  auto uids = maps::open_maps(uid_maps);
  if (!uids) return Error{"virtual_uid_maps: " + uids.error().message};
  auto gids = maps::open_maps(gid_maps);
  if (!gids) return Error{"virtual_gid_maps: " + gids.error().message};
  owners->uid_maps_ = std::move(uids.value());
  owners->gid_maps_ = std::move(gids.value());
  return owners;
}

Result<std::unique_ptr<MailboxOwners>> MailboxOwners::from_config(const config::Config& config) {
  return open(config.get("virtual_uid_maps"), config.get("virtual_gid_maps"),
              config.get_int("virtual_minimum_uid"), config.get("recipient_delimiter"));
}

Result<uint32_t> MailboxOwners::find_id(maps::MapList& maps, std::string_view name,
                                        std::string_view recipient, long long minimum) {
  auto found = maps::lookup_address(maps, recipient, recipient_delimiter_);
  if (!found) return Error{std::string(name) + " lookup error: " + found.error().message};
  if (!*found)
    return Error{"recipient " + std::string(recipient) + ": not found in " + std::string(name)};
  std::string text(base::trim((*found)->value));
  auto id = base::parse_int(text);
  if (!id || *id < minimum || *id > 0xfffffffeLL)
    return Error{"recipient " + std::string(recipient) + ": bad " +
                 (name == "virtual_uid_maps" ? "uid" : "gid") + " " + text + " in " +
                 std::string(name)};
  return static_cast<uint32_t>(*id);
}

Result<MailboxOwner> MailboxOwners::owner_of(std::string_view recipient) {
  if (!configured()) return Error{"virtual_uid_maps is not set"};
  std::lock_guard lock(mutex_);
  auto uid = find_id(*uid_maps_, "virtual_uid_maps", recipient, minimum_uid_);
  if (!uid) return uid.error();
  // Postfix checks no minimum for the group; 0 (root's group) is refused all the same.
  auto gid = find_id(*gid_maps_, "virtual_gid_maps", recipient, 1);
  if (!gid) return gid.error();
  return MailboxOwner{*uid, *gid};
}

}  // namespace correio::delivery
