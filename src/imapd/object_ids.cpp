// OBJECTID and SAVEDATE values (see object_ids.hpp).
#include "imapd/object_ids.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

namespace correio::imapd {
namespace {

// FNV-1a, 64 bits: a stable digest; uniqueness only needs to hold within one user's mail.
uint64_t fnv1a(std::string_view text, uint64_t salt) {
  uint64_t h = 0xcbf29ce484222325ULL ^ salt;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

std::string mailbox_object_id(uint32_t uid_validity) {
  return fmt::format("F{:016x}", fnv1a(fmt::format("{}", uid_validity), 0x4d424f58));
}

std::string email_object_id(std::string_view path) {
  std::string_view name =
      path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  name = name.substr(0, name.find(':'));
  return fmt::format("M{:016x}", fnv1a(name, 0));
}

std::optional<int64_t> save_date(std::string_view file, const std::filesystem::path& folder) {
  // Maildir unique names begin with the time the file was made in tmp/ ("1700000000.M1P2.host"),
  // which is when it was saved into this folder (a COPY makes a new name); the ctime would
  // move with every flag change, which renames the file.
  std::string_view name = file;
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  int64_t seconds = 0;
  size_t digits = 0;
  while (digits < name.size() && digits < 12 && name[digits] >= '0' && name[digits] <= '9')
    seconds = seconds * 10 + (name[digits++] - '0');
  if (digits > 0 && digits < name.size() && name[digits] == '.') return seconds;
  struct stat st {};
  if (::stat((folder / file).c_str(), &st) != 0) return std::nullopt;
  return static_cast<int64_t>(st.st_ctime);
}

}  // namespace correio::imapd
