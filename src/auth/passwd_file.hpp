// user_directory type passwd-file: Dovecot's passwd-file format
// (https://doc.dovecot.org/configuration_manual/authentication/passwd_file/):
//
//   user:password:uid:gid:gecos:home:shell:extra_fields
//
// '#' starts a comment line, blank lines are skipped, trailing fields may be left out,
// the user may be "user@domain", extra fields are space-separated key=value words
// ("userdb_quota_rule=*:storage=1G") and are the rest of the line after the 7th ':'.
// Bad lines are skipped with a warning "FILE:LINE: ...": a typo never stops delivery
// to everybody else. The file is re-read when its size, mtime or inode changes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_directory.hpp"
#include "base/result.hpp"

namespace correio::auth {

inline constexpr size_t kMaxPasswdFileSize = 64 * 1024 * 1024;
inline constexpr size_t kMaxPasswdLineLength = 64 * 1024;

struct PasswdFileContents {
  std::vector<UserRecord> users;      // in file order, duplicates removed (first wins)
  std::vector<std::string> warnings;  // "FILE:LINE: reason", one per skipped line
};

// Parses the whole file text; never fails. `filename` only labels the warnings.
// Pure; thread-safe. Fuzzed by fuzz/passwd_file_fuzz.cpp.
PasswdFileContents parse_passwd_file(std::string_view text, std::string_view filename);

// A passwd-file user directory. Owned by its daemon; not thread-safe.
class PasswdFileDirectory : public UserDirectory {
 public:
  struct Options {
    // How often a lookup may stat(2) the file to notice changes.
    std::chrono::steady_clock::duration check_interval = std::chrono::seconds(1);
  };

  // Reads the file now; fails if it cannot be read (missing, too large, not a file).
  static Result<std::unique_ptr<PasswdFileDirectory>> open(std::filesystem::path path,
                                                           Options options);
  static Result<std::unique_ptr<PasswdFileDirectory>> open(std::filesystem::path path) {
    return open(std::move(path), Options{});
  }

  Result<std::optional<UserRecord>> lookup(std::string_view user) override;
  std::vector<std::string> take_warnings() override;
  Result<std::vector<std::string>> list_users() override;  // in file order

  size_t user_count() const { return users_.size(); }
  size_t load_count() const { return load_count_; }  // successful reads so far

 private:
  struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const FileId&) const = default;
  };

  PasswdFileDirectory(std::filesystem::path path, Options options);
  Status load();               // reads and parses the file, replacing the table
  Status reload_if_changed();  // at most once per check_interval

  std::filesystem::path path_;
  Options options_;
  FileId loaded_;
  std::map<std::string, UserRecord, std::less<>> users_;  // key: lowercased user
  std::vector<std::string> order_;                        // the users in file order
  std::vector<std::string> warnings_;
  std::optional<std::string> load_error_;  // the file could not be read last time
  std::chrono::steady_clock::time_point last_check_{};
  size_t load_count_ = 0;
};

}  // namespace correio::auth
