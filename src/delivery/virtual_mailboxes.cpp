// virtual_mailbox_maps lookups and their results (see virtual_mailboxes.hpp).
#include "delivery/virtual_mailboxes.hpp"

#include "base/strings.hpp"

namespace correio::delivery {

Result<VirtualMailbox> mailbox_from_result(const std::filesystem::path& base,
                                           std::string_view result) {
  std::string_view path = base::trim(result);
  if (path.empty() || path == "/") return Error{"empty mailbox path in virtual_mailbox_maps"};
  // virtual(8): "If the lookup result ends in /, maildir-style delivery is carried out,
  // otherwise the path is assumed to specify a UNIX-style mailbox file."
  VirtualMailbox box;
  box.maildir = path.back() == '/';
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  // Postfix prepends the base as text ("%s/%s"); a leading "/" in the result stays under it.
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::filesystem::path relative(path);
  for (const auto& part : relative)
    if (part == "..")
      return Error{"mailbox path \"" + std::string(result) +
                   "\" in virtual_mailbox_maps leaves virtual_mailbox_base"};
  relative = relative.lexically_normal();
  if (relative.empty() || relative == ".")
    return Error{"mailbox path \"" + std::string(result) +
                 "\" in virtual_mailbox_maps names virtual_mailbox_base itself"};
  box.path = base / relative;
  return box;
}

Result<std::unique_ptr<VirtualMailboxes>> VirtualMailboxes::open(std::string_view maps,
                                                                 std::filesystem::path base,
                                                                 std::string recipient_delimiter) {
  if (base::trim(maps).empty()) return std::unique_ptr<VirtualMailboxes>();
  // virtual(8) refuses a relative virtual_mailbox_base ("do not specify relative pathname").
  if (!base.is_absolute())
    return Error{"virtual_mailbox_maps is set but virtual_mailbox_base (\"" + base.string() +
                 "\") is not an absolute path"};
  auto boxes = std::make_unique<VirtualMailboxes>();
  auto opened = maps::open_maps(maps);
  // Like Postfix's surrogate tables: a table that cannot be opened (a missing .lmdb
  // file) fails every lookup, so the recipients are deferred rather than the agent
  // refusing to start.
  if (opened)
    boxes->maps_ = std::move(opened.value());
  else
    boxes->open_error_ = "virtual_mailbox_maps: " + opened.error().message;
  boxes->base_ = std::move(base);
  boxes->recipient_delimiter_ = std::move(recipient_delimiter);
  return boxes;
}

Result<std::unique_ptr<VirtualMailboxes>> VirtualMailboxes::from_config(
    const config::Config& config) {
  return open(config.get("virtual_mailbox_maps"), config.get("virtual_mailbox_base"),
              config.get("recipient_delimiter"));
}

Result<std::optional<VirtualMailbox>> VirtualMailboxes::find(std::string_view address) {
  if (!maps_) return Error{open_error_};
  std::lock_guard lock(mutex_);
  // virtual(8) looks up user+ext@domain, user@domain, then @domain (mail_addr_find()).
  auto found = maps::lookup_address(*maps_, address, recipient_delimiter_);
  if (!found) return Error{"virtual_mailbox_maps lookup error: " + found.error().message};
  if (!*found) return std::optional<VirtualMailbox>();
  auto box = mailbox_from_result(base_, (*found)->value);
  if (!box) return box.error();
  box->key = std::move((*found)->key);
  return std::optional<VirtualMailbox>(std::move(*box));
}

}  // namespace correio::delivery
