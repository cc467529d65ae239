// RFC 2045 §6.7 quoted-printable and §6.8 base64 decoding, lenient like Dovecot's.
#include "mail/transfer_encoding.hpp"

#include "mail/detail/rfc822_tokens.hpp"

namespace correio::mail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

TransferEncoding classify_transfer_encoding(std::string_view value) {
  detail::Rfc822Lexer lex(value);
  lex.skip_cfws();
  std::string_view token = lex.mime_token();
  if (token.empty() || iequals(token, "7bit") || iequals(token, "8bit") || iequals(token, "binary"))
    return TransferEncoding::kIdentity;
  if (iequals(token, "base64")) return TransferEncoding::kBase64;
  if (iequals(token, "quoted-printable")) return TransferEncoding::kQuotedPrintable;
  return TransferEncoding::kUnknown;
}

std::string decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      // Padding ends a quantum; leftover bits are dropped and decoding restarts, which
      // also handles concatenated base64 blocks.
      buffer = 0;
      bits = 0;
      continue;
    } else {
      continue;  // line breaks and garbage are skipped
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::string decode_quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // Work line by line: trailing whitespace on a line is removed (RFC 2045 §6.7 rule 3).
    std::size_t lf = text.find('\n', i);
    bool has_lf = lf != std::string_view::npos;
    std::size_t end = has_lf ? lf : text.size();
    std::size_t content_end = end;
    if (content_end > i && text[content_end - 1] == '\r') --content_end;
    while (content_end > i && (text[content_end - 1] == ' ' || text[content_end - 1] == '\t'))
      --content_end;
    bool soft_break = false;
    for (std::size_t j = i; j < content_end; ++j) {
      char c = text[j];
      if (c != '=') {
        out.push_back(c);
        continue;
      }
      if (j + 1 == content_end) {
        soft_break = true;  // "=" at the end of a line: soft line break
        break;
      }
      if (j + 2 < content_end && hex_value(text[j + 1]) >= 0 && hex_value(text[j + 2]) >= 0) {
        out.push_back(static_cast<char>(hex_value(text[j + 1]) * 16 + hex_value(text[j + 2])));
        j += 2;
      } else {
        out.push_back('=');  // broken escape: kept literally
      }
    }
    if (has_lf && !soft_break) out.append("\r\n");
    i = has_lf ? lf + 1 : text.size();
  }
  return out;
}

std::optional<std::string> decode_transfer_encoding(std::string_view body, std::string_view cte) {
  switch (classify_transfer_encoding(cte)) {
    case TransferEncoding::kIdentity:
      return std::string(body);
    case TransferEncoding::kBase64:
      return decode_base64(body);
    case TransferEncoding::kQuotedPrintable:
      return decode_quoted_printable(body);
    case TransferEncoding::kUnknown:
      break;
  }
  return std::nullopt;
}

}  // namespace correio::mail
