// cidr:FILE — rules "NETWORK/PREFIX result" for IPv4 and IPv6 client addresses, first
// match wins, "!" negates, IF/ENDIF blocks (Postfix's dict_cidr, cidr_table(5)). Warnings
// are worded as Postfix's; a key that is not an address finds nothing.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <array>
#include <cstring>

#include "maps/detail/map_types.hpp"
#include "maps/detail/rule_table.hpp"

namespace correio::maps::detail {
namespace {

using Bytes = std::array<unsigned char, 16>;

struct Network {
  int family = AF_INET;
  Bytes net{};
  int prefix = 0;
  bool match = true;  // false: "!network" — matches addresses of its family outside it

  bool contains(int key_family, const Bytes& key) const {
    if (key_family != family) return false;
    for (int bit = 0; bit < prefix; bit += 8) {
      int n = prefix - bit >= 8 ? 8 : prefix - bit;
      auto mask = static_cast<unsigned char>(0xff << (8 - n));
      if ((key[static_cast<size_t>(bit / 8)] & mask) != net[static_cast<size_t>(bit / 8)])
        return false;
    }
    return true;
  }
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Postfix's cidr_match_parse(): "[addr]/len", "addr/len" or a bare address (a host).
// Error: the warning text.
Result<Network> parse_network(std::string_view pattern) {
  Network out;
  while (!pattern.empty() && pattern.front() == '!') {
    out.match = !out.match;
    pattern.remove_prefix(1);
  }
  std::string text(pattern);
  std::string address = text, mask;
  size_t slash = text.rfind('/');
  if (slash != std::string::npos) {
    address = text.substr(0, slash);
    mask = text.substr(slash + 1);
  }
  if (!address.empty() && address.front() == '[') {
    if (address.back() != ']')
      return Error{fmt::format("missing ']' character after \"{}\"", address)};
    address = address.substr(1, address.size() - 2);
  }
  out.family = address.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  int bits = out.family == AF_INET6 ? 128 : 32;
  if (slash == std::string::npos) {
    if (inet_pton(out.family, address.c_str(), out.net.data()) != 1)
      return Error{fmt::format("bad address pattern: \"{}\"", text)};
    out.prefix = bits;
    return out;
  }
  if (!all_digits(mask)) return Error{fmt::format("bad mask value in \"{}\"", text)};
  out.prefix = mask.size() > 3 ? 1000 : std::stoi(mask);
  if (out.prefix > bits) return Error{fmt::format("bad mask length in \"{}\"", text)};
  if (inet_pton(out.family, address.c_str(), out.net.data()) != 1)
    return Error{fmt::format("bad network value in \"{}\"", text)};
  Bytes masked{};
  for (int bit = 0; bit < out.prefix; ++bit)
    masked[static_cast<size_t>(bit / 8)] |=
        out.net[static_cast<size_t>(bit / 8)] & (0x80 >> (bit % 8));
  if (masked != out.net) {
    char shown[INET6_ADDRSTRLEN];
    inet_ntop(out.family, masked.data(), shown, sizeof shown);
    return Error{fmt::format(
        "non-null host address bits in \"{}\", perhaps you should use \"{}/{}\" instead", text,
        shown, out.prefix)};
  }
  return out;
}

struct Rule {
  Network network;
  std::string result;
  bool is_if = false;
  size_t end = 0;
};

class CidrMap final : public Map {
 public:
  CidrMap(std::string spec, std::vector<Rule> rules)
      : spec_(std::move(spec)), rules_(std::move(rules)) {}

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    std::string text(key);
    int family = text.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    Bytes address{};
    if (inet_pton(family, text.c_str(), address.data()) != 1) return std::optional<std::string>();
    auto found = first_match(rules_, [&](const Rule& rule) -> Result<bool> {
      const Network& n = rule.network;
      return n.family == family && n.contains(family, address) == n.match;
    });
    if (!found) return found.error();
    if (!*found) return std::optional<std::string>();
    return std::optional<std::string>((*found)->result);
  }
  std::string spec() const override { return spec_; }
  bool fixed_keys() const override { return false; }  // DICT_FLAG_PATTERN

 private:
  std::string spec_;
  std::vector<Rule> rules_;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view skip_spaces(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

}  // namespace

std::unique_ptr<Map> cidr_from_text(std::string_view text, std::string_view file,
                                    const MapOptions& options) {
  RuleWarner warn(fmt::format("cidr map {}", file), options);
  auto skip = [&](int line, std::string_view why) {
    warn(line, fmt::format("{}: skipping this rule", why));
  };
  RuleBlocks blocks;
  std::vector<Rule> rules;
  for (const auto& l : rule_lines(text)) {
    std::string_view s = l.text;
    Rule rule;
    if (starts_with_keyword(s, "endif")) {
      if (!skip_spaces(s.substr(5)).empty()) {
        skip(l.line, "garbage after ENDIF");
        continue;
      }
      auto opened = blocks.close();
      if (!opened) skip(l.line, "ENDIF without IF");
      if (opened) rules[*opened].end = rules.size();
      continue;
    }
    if (starts_with_keyword(s, "if")) {
      // The whole rest of the line is the network.
      rule.is_if = true;
      auto network = parse_network(skip_spaces(s.substr(2)));
      if (!network) {
        skip(l.line, network.error().message);
        continue;
      }
      rule.network = *network;
      blocks.open_if(rules.size(), l.line);
      rules.push_back(std::move(rule));
      continue;
    }
    size_t end = s.find_first_of(" \t\r\n\v\f");
    std::string_view key = s.substr(0, end);
    std::string_view value = end == std::string_view::npos ? "" : skip_spaces(s.substr(end));
    if (value.empty()) {
      skip(l.line, "no lookup result");
      continue;
    }
    auto network = parse_network(key);
    if (!network) {
      skip(l.line, network.error().message);
      continue;
    }
    rules.push_back({*network, std::string(value), false, 0});
  }
  for (const auto& open : blocks.still_open()) {
    warn(open.line, "IF has no matching ENDIF");
    rules[open.index].end = rules.size();
  }
  return std::make_unique<CidrMap>(fmt::format("cidr:{}", file), std::move(rules));
}

Result<std::unique_ptr<Map>> open_cidr(std::string_view name, const MapOptions& options) {
  std::string file(name);
  auto text = read_rule_file(file);
  if (!text) return text.error();
  return std::unique_ptr<Map>(cidr_from_text(*text, file, options));
}

}  // namespace correio::maps::detail
