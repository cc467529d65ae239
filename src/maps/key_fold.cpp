// Key folding for lookup tables (see key_fold.hpp): an ASCII fast path, ICU for the rest.
#include "maps/key_fold.hpp"

#include <unicode/uchar.h>
#include <unicode/ucasemap.h>

#include <memory>

#include "base/strings.hpp"

namespace correio::maps {
namespace {

bool all_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629 §4), 0 if none.
size_t utf8_sequence(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n = c >= 0xc2 && c <= 0xdf   ? 2
             : c >= 0xe0 && c <= 0xef ? 3
             : c >= 0xf0 && c <= 0xf4 ? 4
                                      : 0;
  if (n == 0 || s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i)
    if ((b(i) & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && b(1) < 0xa0) return 0;  // overlong
  if (c == 0xed && b(1) > 0x9f) return 0;  // UTF-16 surrogates
  if (c == 0xf0 && b(1) < 0x90) return 0;  // overlong
  if (c == 0xf4 && b(1) > 0x8f) return 0;  // beyond U+10FFFF
  return n;
}

struct CaseMapCloser {
  void operator()(UCaseMap* map) const { ucasemap_close(map); }
};

}  // namespace

bool valid_utf8(std::string_view text) {
  while (!text.empty()) {
    size_t n = utf8_sequence(text);
    if (n == 0) return false;
    text.remove_prefix(n);
  }
  return true;
}

std::string printable(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t n = utf8_sequence(text);
    unsigned char c = static_cast<unsigned char>(text.front());
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f))) {
      out += '?';
      n = 1;
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string fold_key(std::string_view key, bool utf8) {
  if (!utf8 || all_ascii(key) || !valid_utf8(key)) return base::to_lower(key);
  UErrorCode error = U_ZERO_ERROR;
  std::unique_ptr<UCaseMap, CaseMapCloser> map(ucasemap_open("", U_FOLD_CASE_DEFAULT, &error));
  if (U_FAILURE(error)) return base::to_lower(key);
  // Full case folding can grow a string (ß -> ss): three times is more than any folding
  // needs; ICU reports the size it wanted when that is not enough.
  std::string out(key.size() * 3 + 4, '\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    error = U_ZERO_ERROR;
    int32_t n = ucasemap_utf8FoldCase(map.get(), out.data(), static_cast<int32_t>(out.size()),
                                      key.data(), static_cast<int32_t>(key.size()), &error);
    if (error == U_BUFFER_OVERFLOW_ERROR) {
      out.assign(static_cast<size_t>(n) + 1, '\0');
      continue;
    }
    if (U_FAILURE(error)) return base::to_lower(key);
    out.resize(static_cast<size_t>(n));
    return out;
  }
  return base::to_lower(key);
}

}  // namespace correio::maps
