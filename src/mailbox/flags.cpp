// IMAP flags and keywords (see flags.hpp).
#include "mailbox/flags.hpp"

#include <algorithm>

namespace correio::mailbox {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

bool Flags::has_keyword(std::string_view name) const {
  return std::any_of(keywords.begin(), keywords.end(),
                     [&](const std::string& k) { return iequal(k, name); });
}

bool Flags::same_as(const Flags& other) const {
  if (system != other.system || keywords.size() != other.keywords.size()) return false;
  return std::all_of(keywords.begin(), keywords.end(),
                     [&](const std::string& k) { return other.has_keyword(k); });
}

uint8_t system_flag_from_name(std::string_view name) {
  if (iequal(name, "\\Seen")) return kSeen;
  if (iequal(name, "\\Answered")) return kAnswered;
  if (iequal(name, "\\Flagged")) return kFlagged;
  if (iequal(name, "\\Deleted")) return kDeleted;
  if (iequal(name, "\\Draft")) return kDraft;
  return 0;
}

std::string_view system_flag_name(SystemFlag flag) {
  switch (flag) {
    case kSeen:
      return "\\Seen";
    case kAnswered:
      return "\\Answered";
    case kFlagged:
      return "\\Flagged";
    case kDeleted:
      return "\\Deleted";
    case kDraft:
      return "\\Draft";
  }
  return "";
}

bool valid_keyword(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(c) != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace correio::mailbox
