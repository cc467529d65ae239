// Host name syntax and address comparison for client name verification (see the header).
#include "dns/name_checks.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>

namespace correio::dns {
namespace {

struct Binary {
  int family = 0;
  unsigned char bytes[16] = {};
};

bool to_binary(std::string_view text, Binary& out) {
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out.bytes) == 1) {
    out.family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.bytes) == 1) {
    out.family = AF_INET6;
    return true;
  }
  return false;
}

}  // namespace

int address_family(std::string_view text) {
  Binary binary;
  return to_binary(text, binary) ? binary.family : 0;
}

bool valid_hostname(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 255) return false;
  bool all_numeric = true;
  size_t label = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == '.') {
      if (label == 0 || name[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
    if (c == '-' && label == 0) return false;
    if (!std::isdigit(c)) all_numeric = false;
    if (++label > 63) return false;
  }
  if (name.back() == '-') return false;
  // "1.2.3.4" in a PTR record is a forgery attempt, not a name (Postfix refuses it too).
  return !all_numeric;
}

bool address_listed(std::string_view address, const std::vector<std::string>& addresses) {
  Binary wanted;
  if (!to_binary(address, wanted)) return false;
  for (const auto& text : addresses) {
    Binary candidate;
    if (!to_binary(text, candidate) || candidate.family != wanted.family) continue;
    size_t length = wanted.family == AF_INET ? 4 : 16;
    if (std::memcmp(candidate.bytes, wanted.bytes, length) == 0) return true;
  }
  return false;
}

}  // namespace correio::dns
