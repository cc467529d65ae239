// RFC 5256 §2.1 base subject extraction.
#include <string>

#include "mail/encoded_words.hpp"
#include "mail/threading.hpp"

namespace correio::mail {
namespace {

char upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (upper(s[i]) != upper(prefix[i])) return false;
  return true;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && starts_with_ci(s.substr(s.size() - suffix.size()), suffix);
}

std::size_t skip_wsp(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; returns the length matched at s[i], 0 if none.
std::size_t match_blob(std::string_view s, std::size_t i) {
  if (i >= s.size() || s[i] != '[') return 0;
  std::size_t j = i + 1;
  while (j < s.size() && s[j] != '[' && s[j] != ']') ++j;
  if (j >= s.size() || s[j] != ']') return 0;
  return skip_wsp(s, j + 1) - i;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; length at s[i], 0 if none.
std::size_t match_refwd(std::string_view s, std::size_t i) {
  std::string_view t = s.substr(i);
  std::size_t j;
  if (starts_with_ci(t, "re")) {
    j = 2;
  } else if (starts_with_ci(t, "fwd")) {
    j = 3;
  } else if (starts_with_ci(t, "fw")) {
    j = 2;
  } else {
    return 0;
  }
  j = skip_wsp(t, j);
  j += match_blob(t, j);
  if (j >= t.size() || t[j] != ':') return 0;
  return j + 1;
}

// subj-leader = (*subj-blob subj-refwd) / WSP; length matched at the start, 0 if none.
std::size_t match_leader(std::string_view s, bool& refwd) {
  if (!s.empty() && (s[0] == ' ' || s[0] == '\t')) return 1;
  std::size_t i = 0;
  while (std::size_t n = match_blob(s, i)) i += n;
  std::size_t n = match_refwd(s, i);
  if (n == 0) return 0;
  refwd = true;
  return i + n;
}

}  // namespace

std::string base_subject(std::string_view subject, bool& is_reply_or_forward) {
  is_reply_or_forward = false;
  // (1) decode, turn tabs and line breaks into spaces, collapse runs of spaces.
  std::string decoded = decode_encoded_words(subject);
  std::string s;
  for (char c : decoded) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !s.empty() && s.back() == ' ') continue;
    s.push_back(c);
  }
  while (true) {
    // (2) trailers: "(fwd)" and whitespace, repeatedly.
    while (true) {
      if (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.pop_back();
      } else if (ends_with_ci(s, "(fwd)")) {
        s.resize(s.size() - 5);
        is_reply_or_forward = true;
      } else {
        break;
      }
    }
    // (3)-(5) leaders, and a leading blob when something remains after it.
    while (true) {
      bool refwd = false;
      std::size_t n = match_leader(s, refwd);
      if (n > 0) {
        s.erase(0, n);
        is_reply_or_forward |= refwd;
        continue;
      }
      std::size_t blob = match_blob(s, 0);
      if (blob > 0 && blob < s.size()) {
        s.erase(0, blob);
        continue;
      }
      break;
    }
    // (6) "[fwd: ...]" wrapper.
    if (starts_with_ci(s, "[fwd:") && !s.empty() && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      is_reply_or_forward = true;
      continue;
    }
    return s;
  }
}

std::string base_subject(std::string_view subject) {
  bool ignored = false;
  return base_subject(subject, ignored);
}

}  // namespace correio::mail
