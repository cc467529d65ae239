// URLAUTH URL parsing (see urlauth_url.hpp): the ";URLAUTH=" tail and ";EXPIRE=" are split
// off, the rest is an absolute IMAP URL parsed by imap_url.cpp.
#include "mail/urlauth_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

#include "base/strings.hpp"

namespace correio::mail {
namespace {

constexpr size_t kMaxUrl = 8192;

// The last case-insensitive occurrence of `needle` in `text`, or npos.
size_t rfind_nocase(std::string_view text, std::string_view needle) {
  if (text.size() < needle.size()) return std::string_view::npos;
  for (size_t i = text.size() - needle.size() + 1; i-- > 0;) {
    if (base::iequals(text.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

std::optional<int> fixed_digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// RFC 4467 §3 access identifiers; the keyword lower-cased, the user percent-decoded.
std::optional<std::string> parse_access(std::string_view text) {
  if (base::iequals(text, "authuser") || base::iequals(text, "anonymous")) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
  }
  for (std::string_view keyword : {"submit+", "user+"}) {
    if (text.size() > keyword.size() && base::iequals(text.substr(0, keyword.size()), keyword)) {
      auto user = url_percent_decode(text.substr(keyword.size()));
      if (!user || user->empty()) return std::nullopt;
      return std::string(keyword) + *user;
    }
  }
  return std::nullopt;
}

}  // namespace

bool urlauth_host_matches(std::string_view hostport, std::string_view configured) {
  std::string_view host = hostport;
  if (!host.empty() && host.front() == '[')
    host = host.substr(0, host.find(']') + 1);  // an IPv6 literal keeps its colons
  else
    host = host.substr(0, host.find(':'));
  return !configured.empty() && base::iequals(host, configured);
}

std::optional<int64_t> parse_rfc3339(std::string_view t) {
  // full-date "T" partial-time time-offset (RFC 3339 §5.6)
  auto year = fixed_digits(t, 0, 4), month = fixed_digits(t, 5, 2), day = fixed_digits(t, 8, 2);
  auto hour = fixed_digits(t, 11, 2), minute = fixed_digits(t, 14, 2);
  auto second = fixed_digits(t, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || t[4] != '-' || t[7] != '-' ||
      (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60)
    return std::nullopt;
  size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    size_t start = ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    auto oh = fixed_digits(t, i + 1, 2), om = fixed_digits(t, i + 4, 2);
    if (!oh || !om || i + 3 >= t.size() || t[i + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset = (*oh * 3600 + *om * 60) * (t[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

std::optional<UrlauthUrl> parse_urlauth_url(std::string_view text, bool full) {
  if (text.size() > kMaxUrl) return std::nullopt;
  UrlauthUrl out;
  // RFC 5092 §11: iurlauth-rump = [expire] ";URLAUTH=" access; iua-verifier = ":"
  // uauth-mechanism ":" enc-urlauth.
  size_t urlauth = rfind_nocase(text, ";URLAUTH=");
  if (urlauth == std::string_view::npos) return std::nullopt;
  std::string_view tail = text.substr(urlauth + 9);
  size_t colon = tail.find(':');
  auto access = parse_access(tail.substr(0, colon));
  if (!access) return std::nullopt;
  out.access = std::move(*access);
  if (colon == std::string_view::npos) {
    if (full) return std::nullopt;
    out.rump = std::string(text);
  } else {
    if (!full) return std::nullopt;
    out.rump = std::string(text.substr(0, urlauth + 9 + colon));
    std::string_view verifier = tail.substr(colon + 1);
    size_t second = verifier.find(':');
    if (second == std::string_view::npos) return std::nullopt;
    std::string_view mechanism = verifier.substr(0, second), token = verifier.substr(second + 1);
    // uauth-mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / "."); enc-urlauth = 32*HEXDIG
    if (mechanism.empty() || token.size() < 32) return std::nullopt;
    for (char c : mechanism) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return std::nullopt;
      out.mechanism += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    for (char c : token) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      out.token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  std::string_view head = text.substr(0, urlauth);
  if (size_t expire = rfind_nocase(head, ";EXPIRE="); expire != std::string_view::npos) {
    out.expire = parse_rfc3339(head.substr(expire + 8));
    if (!out.expire) return std::nullopt;
    head = head.substr(0, expire);
  }
  auto url = parse_absolute_imap_url(head);
  if (!url) return std::nullopt;
  out.url = std::move(*url);
  return out;
}

}  // namespace correio::mail
