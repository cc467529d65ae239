// String helpers that know nothing of mail: trimming, splitting, case, number parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace correio::base {

inline constexpr std::string_view kWhitespace = " \t\r\n\f\v";

std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);
std::string_view trim_right(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool starts_with_icase(std::string_view s, std::string_view prefix);

// Splits on any of `separators`, dropping empty fields (Postfix's mystrtok semantics).
std::vector<std::string> split_any(std::string_view s, std::string_view separators);

// Postfix list syntax: items separated by commas and/or whitespace.
std::vector<std::string> split_list(std::string_view s);

std::string join(const std::vector<std::string>& items, std::string_view separator);

// Parses a non-negative decimal integer that fits in `long long`; nullopt otherwise.
std::optional<long long> parse_int(std::string_view s);

// Replaces every NUL byte of s[from..] by `with`, one byte for one, so sizes stay as they
// were; returns how many it replaced. memchr-driven: text without NULs costs one scan.
size_t replace_nul(std::string& s, size_t from, char with);

}  // namespace correio::base
