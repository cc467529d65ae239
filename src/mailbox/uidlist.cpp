// dovecot-uidlist parsing and formatting (see uidlist.hpp).
#include "mailbox/uidlist.hpp"

#include <fmt/format.h>

#include <charconv>
#include <random>

namespace correio::mailbox {
namespace {

bool parse_u32(std::string_view s, uint32_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits off the next space-separated word.
std::string_view next_word(std::string_view* line) {
  size_t sp = line->find(' ');
  std::string_view word = line->substr(0, sp);
  *line = sp == std::string_view::npos ? std::string_view() : line->substr(sp + 1);
  return word;
}

Status parse_header(std::string_view line, Uidlist* list) {
  std::string_view rest = line;
  if (!parse_u32(next_word(&rest), &list->version))
    return Error{"dovecot-uidlist: bad header line"};
  if (list->version == 1) {
    // "1 <uidvalidity> <nextuid>"
    if (!parse_u32(next_word(&rest), &list->uid_validity) ||
        !parse_u32(next_word(&rest), &list->next_uid) || list->uid_validity == 0)
      return Error{"dovecot-uidlist: bad version 1 header"};
    return {};
  }
  if (list->version != 3) return Error{fmt::format("dovecot-uidlist: version {}", list->version)};
  bool have_v = false, have_n = false;
  while (!rest.empty()) {
    std::string_view field = next_word(&rest);
    if (field.empty()) continue;
    std::string_view value = field.substr(1);
    switch (field[0]) {
      case 'V':
        have_v = parse_u32(value, &list->uid_validity);
        break;
      case 'N':
        have_n = parse_u32(value, &list->next_uid);
        break;
      case 'G':
        list->guid = std::string(value);
        break;
      default:
        if (!list->header_ext.empty()) list->header_ext += ' ';
        list->header_ext += field;
    }
  }
  if (!have_v || !have_n || list->uid_validity == 0)
    return Error{"dovecot-uidlist: header lacks V or N"};
  return {};
}

Status parse_record(std::string_view line, uint32_t version, UidlistRecord* rec) {
  std::string_view rest = line;
  if (!parse_u32(next_word(&rest), &rec->uid) || rec->uid == 0)
    return Error{"dovecot-uidlist: bad uid in line \"" + std::string(line.substr(0, 80)) + "\""};
  if (version == 1) {
    rec->basename = std::string(maildir_basename(rest));
  } else {
    // Extension fields up to the " :" that starts the file name.
    size_t colon = rest.starts_with(':') ? 0 : rest.find(" :");
    if (colon == std::string_view::npos)
      return Error{"dovecot-uidlist: no file name for uid " + std::to_string(rec->uid)};
    rec->ext = std::string(rest.substr(0, colon));
    rec->basename = std::string(maildir_basename(rest.substr(colon == 0 ? 1 : colon + 2)));
  }
  if (rec->basename.empty() || rec->basename.find('/') != std::string::npos)
    return Error{"dovecot-uidlist: bad file name for uid " + std::to_string(rec->uid)};
  return {};
}

}  // namespace

std::string_view maildir_basename(std::string_view filename) {
  return filename.substr(0, filename.find(':'));
}

Result<Uidlist> parse_uidlist(std::string_view text) {
  Uidlist list;
  size_t end = text.find('\n');
  if (end == std::string_view::npos) return Error{"dovecot-uidlist: no header line"};
  if (Status s = parse_header(text.substr(0, end), &list); !s) return s.error();
  size_t pos = end + 1;
  uint32_t last = 0;
  while (pos < text.size()) {
    end = text.find('\n', pos);
    if (end == std::string_view::npos) break;  // torn append: ignored
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    UidlistRecord rec;
    if (Status s = parse_record(line, list.version, &rec); !s) return s.error();
    if (rec.uid <= last)
      return Error{fmt::format("dovecot-uidlist: uid {} after {}", rec.uid, last)};
    last = rec.uid;
    list.records.push_back(std::move(rec));
  }
  list.parsed_bytes = pos;
  // Dovecot appends records without rewriting the header, so N may lag behind.
  if (last >= list.next_uid) list.next_uid = last + 1;
  return list;
}

std::string format_uidlist_header(const Uidlist& list) {
  std::string out = fmt::format("3 V{} N{}", list.uid_validity, list.next_uid);
  if (!list.guid.empty()) out += " G" + list.guid;
  if (!list.header_ext.empty()) out += " " + list.header_ext;
  out += '\n';
  return out;
}

std::string format_uidlist_record(const UidlistRecord& record) {
  if (record.ext.empty()) return fmt::format("{} :{}\n", record.uid, record.basename);
  return fmt::format("{} {} :{}\n", record.uid, record.ext, record.basename);
}

std::string format_uidlist(const Uidlist& list) {
  std::string out = format_uidlist_header(list);
  for (const auto& r : list.records) out += format_uidlist_record(r);
  return out;
}

std::string new_mailbox_guid() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", rd());
  return out;
}

}  // namespace correio::mailbox
