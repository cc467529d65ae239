// RFC 2047 encoded-word decoding and charset conversion to UTF-8 through iconv(3).
#include "mail/encoded_words.hpp"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "base/utf8.hpp"
#include "mail/transfer_encoding.hpp"

namespace correio::mail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

// How many ASCII bytes start at s[i], eight at a time while it can.
std::size_t ascii_run(std::string_view s, std::size_t i) {
  std::size_t start = i;
  while (i + 8 <= s.size()) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ull) break;
    i += 8;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i - start;
}

// RAII for an iconv descriptor.
class Iconv {
 public:
  Iconv(const std::string& to, const std::string& from)
      : cd_(iconv_open(to.c_str(), from.c_str())) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    // Mail text is mostly ASCII: copy runs of it at once (SEARCH BODY decodes every
    // message of a folder through here).
    std::size_t run = ascii_run(text, i);
    if (run > 0) {
      out.append(text.substr(i, run));
      i += run;
      continue;
    }
    std::size_t n = base::utf8_sequence_length(text, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string charset_to_utf8(std::string_view text, std::string_view charset) {
  // RFC 2231 §5: "charset*language" in encoded words.
  std::string name = lower(charset.substr(0, charset.find('*')));
  if (name.empty() || name == "us-ascii" || name == "ascii" || name == "utf-8" || name == "utf8")
    return sanitize_utf8(text);
  // Latin-1 labels are Windows-1252 in practice (WHATWG encoding standard).
  if (name == "iso-8859-1" || name == "latin1" || name == "iso8859-1") name = "windows-1252";
  Iconv cd("UTF-8", name);
  if (!cd.ok()) return sanitize_utf8(text);
  std::string out;
  out.reserve(text.size() * 2);
  std::string input(text);
  char* in = input.data();
  std::size_t in_left = input.size();
  char buffer[4096];
  while (in_left > 0) {
    char* o = buffer;
    std::size_t o_left = sizeof buffer;
    std::size_t r = iconv(cd.get(), &in, &in_left, &o, &o_left);
    out.append(buffer, static_cast<std::size_t>(o - buffer));
    if (r == static_cast<std::size_t>(-1)) {
      if (errno == E2BIG) continue;
      // EILSEQ or EINVAL (truncated input): one replacement character, skip one byte.
      out.append("\xEF\xBF\xBD");
      ++in;
      --in_left;
      iconv(cd.get(), nullptr, nullptr, nullptr, nullptr);
    }
  }
  // Flush any shift state (stateful encodings such as ISO-2022-JP).
  char* o = buffer;
  std::size_t o_left = sizeof buffer;
  iconv(cd.get(), nullptr, nullptr, &o, &o_left);
  out.append(buffer, static_cast<std::size_t>(o - buffer));
  return sanitize_utf8(out);
}

namespace {

// Parses an encoded word at text[pos] ("=?cs?E?data?="); on success returns its decoded
// UTF-8 and sets `end` past it.
bool parse_encoded_word(std::string_view text, std::size_t pos, std::string& decoded,
                        std::size_t& end) {
  if (text.substr(pos, 2) != "=?") return false;
  // Bounded searches keep hostile headers ("=?a?q?=?a?q?...") linear. RFC 2047 §2 allows
  // 75 characters per word; real mailers exceed that, so the bounds are generous.
  constexpr std::size_t kMaxCharset = 80, kMaxWord = 8192;
  std::size_t q1 = text.substr(0, std::min(text.size(), pos + 2 + kMaxCharset)).find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= text.size() || text[q1 + 2] != '?') return false;
  char enc = text[q1 + 1];
  std::size_t data_start = q1 + 3;
  std::size_t close =
      text.substr(0, std::min(text.size(), data_start + kMaxWord)).find("?=", data_start);
  if (close == std::string_view::npos) return false;
  std::string_view charset = text.substr(pos + 2, q1 - pos - 2);
  std::string_view data = text.substr(data_start, close - data_start);
  if (charset.empty() || data.find_first_of(" \t") != std::string_view::npos) return false;
  std::string bytes;
  if (enc == 'B' || enc == 'b') {
    bytes = decode_base64(data);
  } else if (enc == 'Q' || enc == 'q') {
    // RFC 2047 §4.2: "_" is space; =XX escapes as in quoted-printable.
    std::string qp(data);
    std::replace(qp.begin(), qp.end(), '_', ' ');
    bytes = decode_quoted_printable(qp);
  } else {
    return false;
  }
  decoded = charset_to_utf8(bytes, charset);
  end = close + 2;
  return true;
}

}  // namespace

std::string decode_encoded_words(std::string_view value) {
  std::string out;
  bool last_was_word = false;
  std::size_t i = 0;
  std::size_t plain_start = 0;
  auto flush_plain = [&](std::size_t upto) {
    if (upto > plain_start) out += sanitize_utf8(value.substr(plain_start, upto - plain_start));
  };
  while (i < value.size()) {
    std::string decoded;
    std::size_t end = 0;
    if (value[i] == '=' && parse_encoded_word(value, i, decoded, end)) {
      // Whitespace between two encoded words is not displayed (§6.2).
      std::string_view between = value.substr(plain_start, i - plain_start);
      bool only_space =
          last_was_word && between.find_first_not_of(" \t\r\n") == std::string_view::npos;
      if (!only_space) flush_plain(i);
      out += decoded;
      i = plain_start = end;
      last_was_word = true;
      continue;
    }
    if (value[i] != ' ' && value[i] != '\t' && value[i] != '\r' && value[i] != '\n')
      last_was_word = false;
    ++i;
  }
  flush_plain(value.size());
  return out;
}

}  // namespace correio::mail
