// Mailbox paths of virtual users (see mailbox_path.hpp).
#include "store/mailbox_path.hpp"

#include <string>

#include "base/strings.hpp"

namespace correio::store {
namespace {

bool safe_component(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  return s.find('/') == std::string_view::npos && s.find('\0') == std::string_view::npos;
}

}  // namespace

Result<std::filesystem::path> virtual_maildir_path(const std::filesystem::path& mailbox_base,
                                                   std::string_view address,
                                                   std::string_view home) {
  if (!home.empty()) {
    std::filesystem::path h(home);
    if (!h.is_absolute()) return Error{"home directory is not absolute: " + std::string(home)};
    return h / "Maildir";
  }
  if (mailbox_base.empty() || !mailbox_base.is_absolute())
    return Error{"virtual_mailbox_base is not an absolute path: \"" + mailbox_base.string() + "\""};
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return Error{"address has no domain: " + std::string(address)};
  std::string local = base::to_lower(address.substr(0, at));
  std::string domain = base::to_lower(address.substr(at + 1));
  if (!safe_component(local) || !safe_component(domain))
    return Error{"unsafe mailbox path for address: " + std::string(address)};
  return mailbox_base / domain / local;
}

}  // namespace correio::store
