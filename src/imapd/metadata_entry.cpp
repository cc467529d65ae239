// METADATA entry-name rules (see metadata_entry.hpp).
#include "imapd/metadata_entry.hpp"

#include <algorithm>

namespace correio::imapd {

std::optional<std::string> normalize_metadata_entry(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '*' || c == '%') return std::nullopt;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view v = out;
  std::string_view rest;
  if (v.starts_with("/private"))
    rest = v.substr(8);
  else if (v.starts_with("/shared"))
    rest = v.substr(7);
  else
    return std::nullopt;
  if (!rest.empty() && rest.front() != '/') return std::nullopt;  // "/privatex"
  if (rest == "/" || rest.ends_with('/') || rest.find("//") != std::string_view::npos)
    return std::nullopt;
  return out;
}

bool settable_metadata_entry(std::string_view normalized) {
  if (normalized == "/private" || normalized == "/shared") return false;
  for (std::string_view scope : {"/private/vendor", "/shared/vendor"}) {
    if (normalized == scope) return false;
    if (normalized.starts_with(scope) && normalized[scope.size()] == '/') {
      // "/shared/vendor/TOKEN" alone names no entry (RFC 5464 §3.2.1.2).
      std::string_view after = normalized.substr(scope.size() + 1);
      if (after.find('/') == std::string_view::npos) return false;
    }
  }
  return true;
}

bool metadata_entry_within(std::string_view entry, std::string_view base, int depth) {
  if (entry == base) return true;
  if (depth == 0 || !entry.starts_with(base) || entry.size() <= base.size() ||
      entry[base.size()] != '/')
    return false;
  if (depth < 0) return true;
  auto levels =
      std::count(entry.begin() + static_cast<std::ptrdiff_t>(base.size()), entry.end(), '/');
  return levels <= depth;
}

}  // namespace correio::imapd
