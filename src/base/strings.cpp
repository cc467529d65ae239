// String helpers that know nothing of mail.
#include "base/strings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace correio::base {

std::string_view trim_left(std::string_view s) {
  auto pos = s.find_first_not_of(kWhitespace);
  return pos == std::string_view::npos ? std::string_view{} : s.substr(pos);
}

std::string_view trim_right(std::string_view s) {
  auto pos = s.find_last_not_of(kWhitespace);
  return pos == std::string_view::npos ? std::string_view{} : s.substr(0, pos + 1);
}

std::string_view trim(std::string_view s) {
  return trim_right(trim_left(s));
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string> split_any(std::string_view s, std::string_view separators) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = s.find_first_not_of(separators, pos);
    if (start == std::string_view::npos) break;
    size_t end = s.find_first_of(separators, start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    pos = end;
  }
  return out;
}

std::vector<std::string> split_list(std::string_view s) {
  return split_any(s, ", \t\r\n");
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::optional<long long> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || value < 0) return std::nullopt;
  return value;
}

size_t replace_nul(std::string& s, size_t from, char with) {
  size_t replaced = 0;
  while (from < s.size()) {
    void* hit = std::memchr(s.data() + from, 0, s.size() - from);
    if (hit == nullptr) break;
    char* nul = static_cast<char*>(hit);
    *nul = with;
    ++replaced;
    from = static_cast<size_t>(nul - s.data()) + 1;
  }
  return replaced;
}

}  // namespace correio::base
