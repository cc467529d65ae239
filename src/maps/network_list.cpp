// Postfix's network match list (see the header): parsing, and first-match-wins matching.
#include "maps/network_list.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "base/strings.hpp"

namespace correio::maps {
namespace {

bool parse_address(std::string_view text, unsigned char* bytes, int* length) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (inet_pton(AF_INET, s.c_str(), bytes) == 1) {
    *length = 4;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes) == 1) {
    // An IPv4-mapped IPv6 address matches as IPv4.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, mapped, 12) == 0) {
      std::memmove(bytes, bytes + 12, 4);
      *length = 4;
    } else {
      *length = 16;
    }
    return true;
  }
  return false;
}

// "cidr:/etc/x", "hash:/etc/x", "inline:{...}": a type name before the colon (an IPv6
// address has hex digits or nothing there, and parses as an address first).
bool looks_like_table(std::string_view item) {
  size_t colon = item.find(':');
  if (colon == std::string_view::npos || colon < 2) return false;
  for (char c : item.substr(0, colon))
    if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) return false;
  return true;
}

constexpr size_t kMaxNetworkFile = 1 << 20;
constexpr int kMaxFileDepth = 8;

Result<std::string> read_network_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"open " + path + ": " + std::strerror(errno)};
  std::string text(kMaxNetworkFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxNetworkFile) return Error{path + ": file too large"};
  return text;
}

}  // namespace

Result<NetworkList> NetworkList::parse(std::string_view list) {
  NetworkList out;
  if (Status s = out.add(list, 0); !s) return s.error();
  return out;
}

Status NetworkList::add(std::string_view list, int depth) {
  // Tables may be written with braces and spaces (inline:{ a, b }): split as map lists do.
  for (std::string item : split_map_list(list))
    if (Status s = add_item(std::move(item), depth); !s) return s;
  return {};
}

Status NetworkList::add_item(std::string item, int depth) {
  Item entry;
  std::string text = item;
  // match_list(3): "!pattern" excludes; the rest of the item is an ordinary pattern.
  if (text.starts_with('!')) {
    entry.negated = true;
    text.erase(0, 1);
    if (text.empty() || text.starts_with('!')) return Error{"bad network pattern: " + item};
  }
  if (text.starts_with('/')) {
    // A pattern file: its items are spliced in here; "!/file" is refused as Postfix does.
    if (entry.negated) return Error{"negated pattern file is not supported: " + item};
    if (depth >= kMaxFileDepth) return Error{text + ": files nested too deep"};
    auto contents = read_network_file(text);
    if (!contents) return contents.error();
    std::string_view rest = *contents;
    for (int line_number = 1; !rest.empty(); ++line_number) {
      size_t end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (Status s = add(line.substr(0, line.find('#')), depth + 1); !s)
        return Error{text + ", line " + std::to_string(line_number) + ": " + s.error().message};
    }
    return {};
  }
  // "[::1]/128": the brackets enclose the address only. An address is tried first, so
  // that "abcd::/16" is a network, not a table of type "abcd".
  std::string address = text, prefix_text;
  size_t slash = text.rfind('/');
  bool has_prefix = slash != std::string::npos;
  if (has_prefix) {
    address = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
  }
  if (!parse_address(address, entry.bytes, &entry.length)) {
    if (!looks_like_table(text)) return Error{"bad network address: " + item};
    auto table = open_map(text);
    if (!table) return Error{text + ": " + table.error().message};
    entry.table = std::move(*table);
    items_.push_back(std::move(entry));
    return {};
  }
  entry.prefix = entry.length * 8;
  if (has_prefix) {
    auto p = base::parse_int(prefix_text);
    if (!p || *p < 0 || *p > entry.length * 8) return Error{"bad network prefix: " + item};
    entry.prefix = static_cast<int>(*p);
  }
  items_.push_back(std::move(entry));
  return {};
}

Result<bool> NetworkList::match(std::string_view address) const {
  unsigned char bytes[16];
  int length = 0;
  if (!parse_address(address, bytes, &length)) return false;
  // Tables get the address as written in logs: no brackets, IPv6 in its usual form.
  std::string key(address);
  if (key.size() >= 2 && key.front() == '[' && key.back() == ']')
    key = key.substr(1, key.size() - 2);
  for (const auto& item : items_) {
    bool hit = false;
    if (item.table) {
      auto found = item.table->lookup(key);
      if (!found) return Error{item.table->spec() + ": " + found.error().message};
      hit = found->has_value();
    } else if (item.length == length) {
      int full = item.prefix / 8, rest = item.prefix % 8;
      hit = std::memcmp(item.bytes, bytes, static_cast<size_t>(full)) == 0;
      if (hit && rest) {
        auto mask = static_cast<unsigned char>(0xff << (8 - rest));
        hit = (item.bytes[full] & mask) == (bytes[full] & mask);
      }
    }
    // match_list(3): the first pattern that matches decides, "!" making it a "no".
    if (hit) return !item.negated;
  }
  return false;
}

bool NetworkList::contains(std::string_view address) const {
  auto matched = match(address);
  return matched && *matched;
}

}  // namespace correio::maps
