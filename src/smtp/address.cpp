// Parses RFC 5321 paths (§4.1.2) and ESMTP parameters (§4.1.1.11).
#include "smtp/address.hpp"

#include <cctype>

#include "base/strings.hpp"
#include "base/utf8.hpp"

namespace correio::smtp {
namespace {

bool is_atext(unsigned char c, bool utf8) {
  if (c >= 0x80) return utf8;
  if (std::isalnum(c)) return true;
  static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
  return specials.find(static_cast<char>(c)) != std::string_view::npos;
}

bool valid_dot_string(std::string_view s, bool utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_atext(static_cast<unsigned char>(c), utf8)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool valid_quoted_string(std::string_view s, bool utf8) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      if (++i + 1 >= s.size()) return false;
      unsigned char q = static_cast<unsigned char>(s[i]);
      if (q < 32 || q > 126) return false;
    } else if (c >= 0x80) {
      if (!utf8) return false;
    } else if (c < 32 || c == 127 || c == '"') {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view d, bool utf8) {
  if (d.empty() || d.size() > 255) return false;
  if (d.front() == '[') {
    // Address literal: keep it simple and strict enough — printable, no brackets inside.
    if (d.back() != ']' || d.size() < 3) return false;
    for (size_t i = 1; i + 1 < d.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(d[i]);
      if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') return false;
    }
    return true;
  }
  for (const auto& label : base::split_any(d, ".")) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label)
      if (!(std::isalnum(c) || c == '-' || (utf8 && c >= 0x80))) return false;
  }
  return d.front() != '.' && d.back() != '.' && d.find("..") == std::string_view::npos;
}

}  // namespace

Utf8AddressProblem utf8_address_problem(std::string_view address, bool smtputf8) {
  if (!base::has_8bit(address)) return Utf8AddressProblem::none;
  // Malformed first: declaring SMTPUTF8 would not make these bytes acceptable.
  if (!base::is_valid_utf8(address)) return Utf8AddressProblem::malformed;
  return smtputf8 ? Utf8AddressProblem::none : Utf8AddressProblem::undeclared;
}

bool valid_mailbox(std::string_view address, bool smtputf8) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view local = address.substr(0, at);
  std::string_view domain = address.substr(at + 1);
  if (local.size() > 64 && !smtputf8) return false;
  bool local_ok = local.front() == '"' ? valid_quoted_string(local, smtputf8)
                                       : valid_dot_string(local, smtputf8);
  return local_ok && valid_domain(domain, smtputf8);
}

std::string domain_of(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string{} : base::to_lower(address.substr(at + 1));
}

std::string local_part_of(std::string_view address) {
  size_t at = address.rfind('@');
  return std::string(at == std::string_view::npos ? address : address.substr(0, at));
}

std::string encode_xtext(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (c < 33 || c > 126 || c == '+' || c == '=') {
      out += '+';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<std::string> decode_xtext(std::string_view xtext) {
  std::string out;
  for (size_t i = 0; i < xtext.size(); ++i) {
    char c = xtext[i];
    if (c == '+') {
      if (i + 2 >= xtext.size()) return std::nullopt;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int hi = hex(xtext[i + 1]), lo = hex(xtext[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

Result<PathCommand> parse_path_command(std::string_view argument, std::string_view keyword,
                                       bool allow_unbracketed) {
  // "FROM:" / "TO:" (case-insensitive), then optional space (a common deviation).
  std::string prefix = std::string(keyword) + ":";
  if (!base::starts_with_icase(argument, prefix))
    return Error{"Syntax: " +
                 std::string(keyword == "FROM" ? "MAIL FROM:<address>" : "RCPT TO:<address>")};
  std::string_view rest = base::trim_left(argument.substr(prefix.size()));
  PathCommand cmd;
  std::string_view params;
  if (!rest.empty() && rest.front() == '<') {
    // Find the closing bracket outside a quoted local part.
    bool quoted = false;
    size_t close = std::string_view::npos;
    for (size_t i = 1; i < rest.size(); ++i) {
      if (rest[i] == '\\' && quoted) {
        ++i;
      } else if (rest[i] == '"') {
        quoted = !quoted;
      } else if (rest[i] == '>' && !quoted) {
        close = i;
        break;
      }
    }
    if (close == std::string_view::npos) return Error{"Syntax error in address: missing '>'"};
    cmd.address = std::string(rest.substr(1, close - 1));
    // RFC 5321 §4.1.2 source routes "<@a,@b:user@c>" are accepted and ignored.
    if (!cmd.address.empty() && cmd.address.front() == '@') {
      size_t colon = cmd.address.find(':');
      if (colon == std::string::npos) return Error{"Syntax error in source route"};
      cmd.address.erase(0, colon + 1);
    }
    params = rest.substr(close + 1);
    if (!params.empty() && params.front() != ' ')
      return Error{"Syntax error: text after the address"};
  } else {
    if (!allow_unbracketed || rest.empty()) return Error{"Syntax error in address"};
    size_t end = rest.find(' ');
    cmd.address = std::string(rest.substr(0, end));
    params = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  }
  for (const auto& token : base::split_any(params, " ")) {
    size_t eq = token.find('=');
    std::string key = token.substr(0, eq);
    for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (key.empty()) return Error{"Syntax error in parameters"};
    cmd.parameters.emplace_back(key, eq == std::string::npos ? "" : token.substr(eq + 1));
  }
  return cmd;
}

}  // namespace correio::smtp
