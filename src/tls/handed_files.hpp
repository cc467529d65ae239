// Key and certificate files read by the master (root) and handed to a service process
// that may not read them itself (Dovecot's config process passing ssl_key; Postfix's
// smtpd opening its keys before it drops root). An administrator keeps the key where it
// was for Postfix and Dovecot (0600 root, /etc/letsencrypt/live/...), and neither
// mail_owner nor login_user needs to read it; no other process running as `nobody` can.
//
// The master writes the files' contents into a sealed memfd (write_sealed) and passes it
// open; the child reads it once (read_handed) and key_chain.hpp takes a file's text from
// it instead of opening the path. Changes on disk are the master's to notice
// (master/tls_files.hpp): a process never re-reads a handed file.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/file.hpp"
#include "base/result.hpp"

namespace correio::tls {

// The environment variable naming the passed descriptor.
inline constexpr std::string_view kHandedFilesVariable = "CORREIO_TLS_FILES_FD";

// Bounds: a handful of PEM files of a few kilobytes each; a larger bundle is a mistake.
inline constexpr size_t kMaxHandedFiles = 64;
inline constexpr size_t kMaxHandedBytes = 8 << 20;

class HandedFiles {
 public:
  // Replaces an earlier entry of the same path.
  void add(std::string path, std::string contents) {
    files_[std::move(path)] = std::move(contents);
  }
  // The text of `path` as the master read it; nullptr when it was not handed.
  const std::string* find(std::string_view path) const;
  bool empty() const { return files_.empty(); }
  size_t size() const { return files_.size(); }

  // "correio-handed-files 1\n", then per file "PATH_LENGTH CONTENT_LENGTH\nPATH\nCONTENT\n".
  std::string serialize() const;
  // The inverse; errors say what is wrong ("handed files: bad entry header at byte 23").
  static Result<HandedFiles> parse(std::string_view text);

 private:
  std::map<std::string, std::string, std::less<>> files_;
};

// A memfd holding serialize(), sealed against every change (the child cannot alter what
// its siblings read, and nobody can grow it), positioned at 0, close-on-exec.
Result<base::Fd> write_sealed(const HandedFiles& files);

// The bundle in descriptor `fd` (read from offset 0 with pread; the fd is left open).
Result<HandedFiles> read_handed(int fd);

}  // namespace correio::tls
