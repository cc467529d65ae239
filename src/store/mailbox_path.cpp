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

Result<std::filesystem::path> expand_location(std::string_view location, std::string_view address,
                                              std::string_view home) {
  std::string_view spec = base::trim(location);
  if (size_t colon = spec.find(':'); colon != std::string_view::npos) {
    std::string type = base::to_lower(spec.substr(0, colon));
    if (type.find('/') == std::string::npos && type != "maildir")
      return Error{"mail_location: \"" + type + ":\" is not supported (only maildir:)"};
    if (type == "maildir") spec = spec.substr(colon + 1);
    spec = spec.substr(0, spec.find(':'));  // ":INDEX=...", ":LAYOUT=..." options
  }
  size_t at = address.rfind('@');
  std::string user = base::to_lower(address);
  std::string local = base::to_lower(address.substr(0, at));
  std::string domain = at == std::string_view::npos ? "" : base::to_lower(address.substr(at + 1));
  auto need_home = [&]() -> Status {
    if (home.empty())
      return Error{"mail_location uses the home directory, but " + std::string(address) +
                   " has none"};
    return {};
  };
  std::string out;
  if (spec.starts_with('~')) {
    if (Status s = need_home(); !s) return s.error();
    out = std::string(home);
    spec.remove_prefix(1);
  }
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') {
      out += spec[i];
      continue;
    }
    if (i + 1 < spec.size() && spec[i + 1] == 'L') ++i;  // %Ln: lowercase, as all are
    char var = i + 1 < spec.size() ? spec[++i] : '\0';
    switch (var) {
      case '%':
        out += '%';
        break;
      case 'u':
        if (!safe_component(user)) return Error{"unsafe mailbox path for user: " + user};
        out += user;
        break;
      case 'n':
        if (!safe_component(local)) return Error{"unsafe mailbox path for user: " + user};
        out += local;
        break;
      case 'd':
        if (!safe_component(domain))
          return Error{"mail_location uses %d, but " + user +
                       " has no domain (set auth_default_realm)"};
        out += domain;
        break;
      case 'h':
        if (Status s = need_home(); !s) return s.error();
        out += home;
        break;
      default:
        return Error{"mail_location: unknown variable %" + std::string(1, var)};
    }
  }
  std::filesystem::path path(out);
  if (!path.is_absolute())
    return Error{"mail_location gives a relative path for " + user + ": " + out};
  return path;
}

}  // namespace

Result<std::filesystem::path> virtual_maildir_path(const std::filesystem::path& mailbox_base,
                                                   std::string_view address, std::string_view home,
                                                   std::string_view mail_location) {
  if (!base::trim(mail_location).empty()) return expand_location(mail_location, address, home);
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
