// Address splitting and quoting for the resolver (see address.hpp).
#include "resolve/address.hpp"

#include "base/strings.hpp"

namespace correio::resolve {
namespace {

// RFC 5321 §4.1.2 atext plus '.': a local part of these needs no quotes.
bool dot_string_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  if (static_cast<unsigned char>(c) >= 0x80) return true;  // RFC 6531 UTF-8
  return std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

}  // namespace

AddressParts split_address(std::string_view address, bool dequote) {
  AddressParts parts;
  // The domain is after the last '@' outside quotes.
  bool quoted = false;
  size_t at = std::string_view::npos;
  for (size_t i = 0; i < address.size(); ++i) {
    char c = address[i];
    if (c == '\\' && quoted) {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == '@' && !quoted) at = i;
  }
  std::string_view local = address.substr(0, at);
  if (at != std::string_view::npos) parts.domain = std::string(address.substr(at + 1));
  if (!dequote) {
    parts.local = std::string(local);
    return parts;
  }
  quoted = false;
  for (size_t i = 0; i < local.size(); ++i) {
    char c = local[i];
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (c == '\\' && quoted && i + 1 < local.size()) c = local[++i];
    parts.local += c;
  }
  return parts;
}

std::string strip_trailing_dot(std::string_view address) {
  if (!address.ends_with('.')) return std::string(address);
  AddressParts parts = split_address(address, false);
  const std::string& d = parts.domain;
  // An '@' outside quotes (else the domain is empty), and the dot after neither '.' nor
  // '@' (a domain of "." alone).
  if (d.size() < 2 || d[d.size() - 2] == '.') return std::string(address);
  return std::string(address.substr(0, address.size() - 1));
}

std::string base_local_part(std::string_view local, std::string_view delimiters) {
  if (delimiters.empty()) return std::string(local);
  size_t cut = local.find_first_of(delimiters);
  if (cut == 0 || cut == std::string_view::npos) return std::string(local);
  return std::string(local.substr(0, cut));
}

bool is_role_account(std::string_view local) {
  return base::iequals(local, "postmaster") || base::iequals(local, "abuse");
}

std::string join_address(std::string_view local, std::string_view domain) {
  bool plain = !local.empty() && local.front() != '.' && local.back() != '.' &&
               local.find("..") == std::string_view::npos;
  for (char c : local) plain = plain && dot_string_char(c);
  std::string out;
  if (plain) {
    out = std::string(local);
  } else {
    out = "\"";
    for (char c : local) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  if (!domain.empty()) out += "@" + std::string(domain);
  return out;
}

}  // namespace correio::resolve
