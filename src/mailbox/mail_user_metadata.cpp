// MailUser's METADATA entries (RFC 5464): one file per folder, and one in the Maildir
// root for the account's server entries, changed under a dot-lock like subscriptions.
#include <sys/stat.h>

#include "base/dotlock.hpp"
#include "base/file.hpp"
#include "mailbox/detail/fs_util.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/metadata_file.hpp"

namespace correio::mailbox {
namespace fs = std::filesystem;

namespace {
constexpr const char* kFolderFile = "correio-metadata";
constexpr const char* kServerFile = "correio-server-metadata";

Result<MetadataEntries> read_entries(const fs::path& file) {
  bool missing = false;
  auto text = base::read_file(file, detail::kAnySize, &missing);
  if (!text) return text.error();
  auto entries = parse_metadata(*text);
  if (!entries) return Error{"corrupt metadata file " + file.string()};
  return std::move(*entries);
}
}  // namespace

Result<fs::path> MailUser::metadata_file(std::string_view folder) const {
  if (folder.empty()) return root_ / kServerFile;
  auto dir = folder_path(folder);
  if (!dir) return dir.error();
  struct stat st {};
  if (::stat(dir->c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error{"Mailbox doesn't exist: " + std::string(folder)};
  return *dir / kFolderFile;
}

Result<MetadataEntries> MailUser::metadata(std::string_view folder) const {
  auto file = metadata_file(folder);
  if (!file) return file.error();
  return read_entries(*file);
}

Status MailUser::update_metadata(std::string_view folder,
                                 const std::function<bool(MetadataEntries&)>& edit) {
  auto file = metadata_file(folder);
  if (!file) return file.error();
  base::DotlockOptions how;
  how.timeout = std::chrono::seconds(120);
  how.stale = std::chrono::seconds(30);
  auto lock = base::Dotlock::acquire(*file, how);
  if (!lock) return lock.error();
  auto entries = read_entries(*file);
  if (!entries) return entries.error();
  if (!edit(*entries)) return {};  // the caller refused the change; nothing is written
  return lock->replace(format_metadata(*entries));
}

}  // namespace correio::mailbox
