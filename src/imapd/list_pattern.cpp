#include "imapd/list_pattern.hpp"

#include <string>
#include <vector>

#include "imapd/parser.hpp"

namespace correio::imapd {

bool list_pattern_matches(std::string_view pattern, std::string_view name, char separator) {
  // INBOX is case-insensitive: compare with the name's INBOX prefix upper-cased.
  std::string n(name);
  if (n.size() >= 5 && iequals(n.substr(0, 5), "INBOX") && (n.size() == 5 || n[5] == separator)) {
    for (size_t i = 0; i < 5; ++i) n[i] = static_cast<char>(std::toupper(n[i]));
  }
  std::string pat(pattern);
  if (pat.size() >= 5 && iequals(pat.substr(0, 5), "INBOX") &&
      (pat.size() == 5 || pat[5] == separator || pat[5] == '*' || pat[5] == '%')) {
    for (size_t i = 0; i < 5; ++i) pat[i] = static_cast<char>(std::toupper(pat[i]));
  }
  // Dynamic programming over (pattern position, name position): linear memory, no
  // exponential backtracking whatever the number of wildcards.
  const size_t m = pat.size(), len = n.size();
  std::vector<char> row(len + 1, 0), next(len + 1, 0);
  row[0] = 1;
  for (size_t i = 0; i < m; ++i) {
    std::fill(next.begin(), next.end(), 0);
    char pc = pat[i];
    if (pc == '*' || pc == '%') {
      // next[j] = exists k <= j with row[k] and n[k..j) free of the separator for '%'.
      bool reach = false;
      for (size_t j = 0; j <= len; ++j) {
        if (row[j]) reach = true;
        next[j] = reach ? 1 : 0;
        if (j < len && pc == '%' && n[j] == separator) reach = false;
      }
    } else {
      for (size_t j = 0; j < len; ++j) {
        if (row[j] && n[j] == pc) next[j + 1] = 1;
      }
    }
    row.swap(next);
  }
  return row[len] != 0;
}

}  // namespace correio::imapd
