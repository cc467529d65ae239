// DNS list syntax and reply templates (dns_lists.hpp).
#include <arpa/inet.h>
#include <fmt/format.h>

#include "base/strings.hpp"
#include "smtpd/access/dns_lists.hpp"

namespace correio::smtpd::access {
namespace {

std::optional<int> octet_number(std::string_view s) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  auto n = base::parse_int(s);
  if (!n || *n < 0 || *n > 255) return std::nullopt;
  return static_cast<int>(*n);
}

Result<std::vector<std::pair<int, int>>> parse_octet(std::string_view s) {
  std::vector<std::pair<int, int>> ranges;
  auto bad = [&] { return Error{fmt::format("bad filter octet \"{}\"", s)}; };
  if (!s.starts_with('[')) {
    auto n = octet_number(s);
    if (!n) return bad();
    ranges.emplace_back(*n, *n);
    return ranges;
  }
  if (!s.ends_with(']') || s.size() < 3) return bad();
  for (const auto& item : base::split_any(s.substr(1, s.size() - 2), ";")) {
    size_t dots = item.find("..");
    auto low = octet_number(item.substr(0, dots));
    auto high = dots == std::string::npos ? low : octet_number(item.substr(dots + 2));
    if (!low || !high || *low > *high) return bad();
    ranges.emplace_back(*low, *high);
  }
  if (ranges.empty()) return bad();
  return ranges;
}

}  // namespace

Result<DnsListSpec> parse_dns_list(std::string_view argument) {
  DnsListSpec spec;
  spec.text = std::string(argument);
  size_t eq = argument.find('=');
  spec.domain = base::to_lower(argument.substr(0, eq));
  if (spec.domain.empty() || spec.domain.size() > 253)
    return Error{fmt::format("DNS list \"{}\": no domain", argument)};
  if (eq == std::string_view::npos) return spec;
  std::string_view filter = argument.substr(eq + 1);
  // Split on the dots between octets, not those inside [n..m].
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : filter) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == '.' && depth == 0) {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(std::move(current));
  if (parts.size() != 4)
    return Error{fmt::format("DNS list \"{}\": the filter needs four octets", argument)};
  for (const auto& p : parts) {
    auto octet = parse_octet(p);
    if (!octet) return Error{fmt::format("DNS list \"{}\": {}", argument, octet.error().message)};
    spec.octets.push_back(std::move(*octet));
  }
  return spec;
}

bool DnsListSpec::matches(std::string_view address) const {
  if (octets.empty()) return true;
  auto parts = base::split_any(address, ".");
  if (parts.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i) {
    auto n = octet_number(parts[i]);
    if (!n) return false;
    bool in = false;
    for (auto [low, high] : octets[i]) in = in || (*n >= low && *n <= high);
    if (!in) return false;
  }
  return true;
}

std::string reversed_address(std::string_view address) {
  std::string text(address);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1)
    return fmt::format("{}.{}.{}.{}", bytes[3], bytes[2], bytes[1], bytes[0]);
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return {};
  std::string out;
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    if (!out.empty()) out += '.';
    out += kHex[bytes[i] & 15];
    out += '.';
    out += kHex[bytes[i] >> 4];
  }
  return out;
}

std::string expand_template(std::string_view text, const std::map<std::string, std::string>& vars) {
  auto value_of = [&](std::string_view name) -> std::string {
    auto found = vars.find(std::string(name));
    return found == vars.end() ? std::string() : found->second;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i + 1] == '{' || text[i + 1] == '(') {
      char close = text[i + 1] == '{' ? '}' : ')';
      size_t end = text.find(close, i + 2);
      if (end == std::string_view::npos) {
        out += text.substr(i);
        break;
      }
      std::string_view inner = text.substr(i + 2, end - i - 2);
      size_t op = inner.find_first_of("?:");
      std::string value = value_of(inner.substr(0, op));
      if (op == std::string_view::npos)
        out += value;
      else if (inner[op] == '?' && !value.empty())
        out += expand_template(inner.substr(op + 1), vars);
      else if (inner[op] == ':' && value.empty())  // Postfix: ${name:text} only when empty
        out += expand_template(inner.substr(op + 1), vars);
      i = end;
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
      ++end;
    out += value_of(text.substr(i + 1, end - i - 1));
    i = end - 1;
  }
  return out;
}

}  // namespace correio::smtpd::access
