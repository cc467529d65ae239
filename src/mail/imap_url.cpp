// IMAP URL parsing for CATENATE, URLAUTH and BURL (see imap_url.hpp). The grammar is RFC
// 5092 §11's imessagepart with its percent-encoding; mailbox names in URLs are UTF-8
// (§3.2), turned back into the modified UTF-7 names the rest of the server uses.
#include "mail/imap_url.hpp"

#include <charconv>
#include <vector>

#include "base/strings.hpp"

namespace correio::mail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// %XX escapes decoded; a malformed escape or a decoded NUL fails.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<uint64_t> digits(std::string_view s, uint64_t max) {
  uint64_t value = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > max) return std::nullopt;
  return value;
}

// Splits "name=value" with a case-insensitive `name`; nullopt when the key differs.
std::optional<std::string_view> parameter(std::string_view piece, std::string_view name) {
  if (piece.size() <= name.size() || piece[name.size()] != '=' ||
      !base::iequals(piece.substr(0, name.size()), name))
    return std::nullopt;
  return piece.substr(name.size() + 1);
}

// Decodes one UTF-8 sequence at `i`; nullopt when invalid (overlong, surrogate, > U+10FFFF).
std::optional<char32_t> next_code_point(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  size_t len = b0 < 0x80           ? 1
               : (b0 >> 5) == 0x6  ? 2
               : (b0 >> 4) == 0xE  ? 3
               : (b0 >> 3) == 0x1E ? 4
                                   : 0;
  if (len == 0 || i + len > s.size()) return std::nullopt;
  char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += len;
  return cp;
}

}  // namespace

std::optional<std::string> utf8_to_modified_utf7(std::string_view utf8) {
  static constexpr char kBase64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c >= 0x20 && c <= 0x7E) {
      out += c == '&' ? "&-" : std::string(1, static_cast<char>(c));
      ++i;
      continue;
    }
    // A run of characters outside printable ASCII, as UTF-16BE in modified BASE64.
    std::vector<unsigned char> units;
    while (i < utf8.size()) {
      unsigned char d = static_cast<unsigned char>(utf8[i]);
      if (d >= 0x20 && d <= 0x7E) break;
      auto cp = next_code_point(utf8, i);
      if (!cp) return std::nullopt;
      auto push16 = [&](char32_t u) {
        units.push_back(static_cast<unsigned char>(u >> 8));
        units.push_back(static_cast<unsigned char>(u & 0xFF));
      };
      if (*cp >= 0x10000) {
        char32_t v = *cp - 0x10000;
        push16(0xD800 + (v >> 10));
        push16(0xDC00 + (v & 0x3FF));
      } else {
        push16(*cp);
      }
    }
    out += '&';
    uint32_t bits = 0;
    int nbits = 0;
    for (unsigned char u : units) {
      bits = (bits << 8) | u;
      nbits += 8;
      while (nbits >= 6) {
        nbits -= 6;
        out += kBase64[(bits >> nbits) & 0x3F];
      }
    }
    if (nbits > 0) out += kBase64[(bits << (6 - nbits)) & 0x3F];
    out += '-';
  }
  return out;
}

namespace {

// The message part of an absolute or relative URL, with the absolute URL's user and host.
std::optional<ImapUrl> parse_message_url(std::string_view url) {
  ImapUrl out;
  if (url.size() > 7 && base::iequals(url.substr(0, 7), "imap://")) {
    url.remove_prefix(7);
    size_t slash = url.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view server = url.substr(0, slash);
    out.host = std::string(server);
    if (size_t at = server.rfind('@'); at != std::string_view::npos) {
      std::string_view userinfo = server.substr(0, at);
      userinfo = userinfo.substr(0, userinfo.find(';'));  // ";AUTH=..." does not matter here
      auto name = percent_decode(userinfo);
      if (!name) return std::nullopt;
      out.user = std::move(*name);
      out.host = std::string(server.substr(at + 1));
    }
    if (out.host.empty()) return std::nullopt;
    url.remove_prefix(slash);
  }
  if (url.empty() || url.front() != '/') return std::nullopt;
  url.remove_prefix(1);
  // Pieces separated by "/": mailbox[;UIDVALIDITY=n], ;UID=n, ;SECTION=s, ;PARTIAL=o[.l].
  std::vector<std::string_view> pieces;
  // A mailbox name may itself hold "/" (a hierarchy): it ends at the first "/;".
  size_t mailbox_end = url.find("/;");
  if (mailbox_end == std::string_view::npos) return std::nullopt;
  pieces.push_back(url.substr(0, mailbox_end));
  for (size_t start = mailbox_end + 1;;) {
    size_t slash = url.find('/', start);
    pieces.push_back(url.substr(start, slash == std::string_view::npos ? url.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string_view mailbox = pieces[0];
  if (size_t semi = mailbox.find(';'); semi != std::string_view::npos) {
    auto value = parameter(mailbox.substr(semi + 1), "UIDVALIDITY");
    auto number = value ? digits(*value, UINT32_MAX) : std::nullopt;
    if (!number || *number == 0) return std::nullopt;
    out.uid_validity = static_cast<uint32_t>(*number);
    mailbox = mailbox.substr(0, semi);
  }
  auto decoded = percent_decode(mailbox);
  auto name = decoded && !decoded->empty() ? utf8_to_modified_utf7(*decoded) : std::nullopt;
  if (!name) return std::nullopt;
  out.mailbox = base::iequals(*name, "INBOX") ? "INBOX" : *name;
  bool have_uid = false;
  for (size_t k = 1; k < pieces.size(); ++k) {
    std::string_view piece = pieces[k];
    if (piece.empty() || piece.front() != ';') return std::nullopt;
    piece.remove_prefix(1);
    if (auto v = parameter(piece, "UID"); v && !have_uid && k == 1) {
      auto number = digits(*v, UINT32_MAX);
      if (!number || *number == 0) return std::nullopt;
      out.uid = static_cast<uint32_t>(*number);
      have_uid = true;
    } else if (auto s = parameter(piece, "SECTION");
               s && have_uid && out.section.empty() && !out.partial_offset) {
      auto text = percent_decode(*s);
      if (!text || text->empty()) return std::nullopt;
      out.section = *text;
    } else if (auto p = parameter(piece, "PARTIAL"); p && have_uid && !out.partial_offset) {
      std::string_view range = *p;
      size_t dot = range.find('.');
      auto offset = digits(range.substr(0, dot), UINT32_MAX);
      if (!offset) return std::nullopt;
      out.partial_offset = *offset;
      if (dot != std::string_view::npos) {
        auto length = digits(range.substr(dot + 1), UINT32_MAX);
        if (!length || *length == 0) return std::nullopt;
        out.partial_length = *length;
      }
    } else {
      return std::nullopt;  // URLAUTH, EXPIRE, a search or an unknown piece
    }
  }
  if (!have_uid) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::string> url_percent_decode(std::string_view text) {
  return percent_decode(text);
}

std::optional<ImapUrl> parse_absolute_imap_url(std::string_view url) {
  auto parsed = parse_message_url(url);
  if (!parsed || parsed->host.empty() || parsed->user.empty()) return std::nullopt;
  return parsed;
}

std::optional<ImapUrl> parse_imap_url(std::string_view url, std::string_view user) {
  auto parsed = parse_message_url(url);
  if (!parsed || (!parsed->user.empty() && parsed->user != user)) return std::nullopt;
  return parsed;
}

}  // namespace correio::mail
