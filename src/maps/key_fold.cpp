// Key folding for lookup tables (see key_fold.hpp): an ASCII fast path, ICU for the rest.
#include "maps/key_fold.hpp"

#include <unicode/ucasemap.h>
#include <unicode/uchar.h>

#include <memory>

#include "base/strings.hpp"
#include "base/utf8.hpp"

namespace correio::maps {
namespace {

struct CaseMapCloser {
  void operator()(UCaseMap* map) const { ucasemap_close(map); }
};

}  // namespace

bool valid_utf8(std::string_view text) {
  return base::is_valid_utf8(text);
}

std::string printable(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t n = base::utf8_sequence_length(text, 0);
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
  if (!utf8 || !base::has_8bit(key) || !valid_utf8(key)) return base::to_lower(key);
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
