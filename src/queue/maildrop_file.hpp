// Local submission files in queue_directory/maildrop, written by sendmail(1) and taken
// into the queue by pickup(8). The file has the queue-file layout (record.hpp) so one
// checked parser reads both; pickup trusts none of it except sender, recipients and
// the DSN fields, and takes the submitter's identity from the file's owner.
//
// Why the directory is 1733 (docs/admin-guide.md, "Local submission"): Correio has no
// setgid postdrop helper, so maildrop is world-writable and sticky like Postfix's
// pre-postdrop layout: anyone may drop a file, nobody but its owner or mail_owner may
// remove or rename it, and nobody but mail_owner may list the directory. A file is
// written under a temporary name, synced, made readable (0644) so that pickup, running as
// mail_owner, can read it, and renamed to an unguessable final name (128 random bits):
// without a listing, other users cannot find it.
//
// A MaildropWriter owns its descriptor and, until committed, its file. Move-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/file.hpp"
#include "base/result.hpp"
#include "queue/envelope.hpp"

namespace correio::queue {

// Final names: 32 uppercase hex digits. Temporary names: "t" and 32 hex digits.
bool is_maildrop_name(std::string_view name);
bool is_maildrop_temp_name(std::string_view name);

class MaildropWriter {
 public:
  // Creates a temporary file (O_EXCL, 0600) in `maildrop_directory` and writes the envelope.
  static Result<MaildropWriter> create(const std::filesystem::path& maildrop_directory,
                                       const Envelope& envelope);

  MaildropWriter(MaildropWriter&&) noexcept;
  MaildropWriter& operator=(MaildropWriter&&) noexcept;
  MaildropWriter(const MaildropWriter&) = delete;
  MaildropWriter& operator=(const MaildropWriter&) = delete;
  ~MaildropWriter();

  uint64_t content_size() const { return content_size_; }
  Status append_content(std::string_view bytes);

  // Writes the size and end records, fdatasyncs, chmods 0644, renames to the final
  // name and syncs the directory entry (fsync of the directory, or syncfs(2) when the
  // caller may not read maildrop/). Returns the final name once the file is visible;
  // otherwise the file is gone. A failure to sync the entry after the rename is not an
  // error (the message is queued; a retry would duplicate it): see durability_warning().
  Result<std::string> commit();
  // After commit: why the directory entry may not be on stable storage; "" when it is.
  const std::string& durability_warning() const { return durability_warning_; }

 private:
  MaildropWriter() = default;
  Status flush_chunk();
  Status sync_entry();
  void abandon();

  base::Fd fd_;
  std::filesystem::path directory_;
  std::string temp_name_;
  std::string chunk_;
  uint64_t content_size_ = 0;
  uint64_t file_offset_ = 0;
  bool committed_ = false;
  std::string durability_warning_;
};

}  // namespace correio::queue
