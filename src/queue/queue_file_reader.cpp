// Reading and checking queue files; marking recipients done in place.
#include "queue/queue_file_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "base/file.hpp"
#include "queue/queue_file_format.hpp"
#include "queue/record.hpp"

namespace correio::queue {
namespace {

CheckResult fail(FileState state, std::string reason) {
  return {state, std::move(reason)};
}

std::string at(const Record& r) {
  return " at offset " + std::to_string(r.offset);
}

std::optional<Recipient> decode_recipient(const Record& r) {
  std::string_view in = r.data;
  if (in.empty()) return std::nullopt;
  Recipient rcpt;
  rcpt.notify = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  std::string_view address, original, orcpt;
  if (!take_string(in, address) || !take_string(in, original) || !take_string(in, orcpt) ||
      !in.empty() || (rcpt.notify & ~0x0f) != 0)
    return std::nullopt;
  rcpt.address = address;
  rcpt.original = original;
  rcpt.orcpt = orcpt;
  rcpt.done = r.type == static_cast<char>(RecordType::recipient_done);
  rcpt.offset = r.offset;
  return rcpt;
}

// "name=value" attributes; false on a malformed or repeated known attribute. Unknown
// names are skipped so that a newer minor writer stays readable.
bool apply_attribute(std::string_view data, Envelope& env, uint32_t& seen) {
  size_t eq = data.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  std::string_view name = data.substr(0, eq), value = data.substr(eq + 1);
  struct Field {
    std::string_view name;
    std::string* target;
  };
  const Field strings[] = {
      {"envid", &env.dsn_envid},
      {"client_name", &env.client.name},
      {"client_address", &env.client.address},
      {"helo_name", &env.client.helo},
      {"protocol", &env.client.protocol},
      {"sasl_username", &env.client.sasl_username},
      {"full_name", &env.full_name},
      {"queue_id", &env.queue_id},
  };
  uint32_t bit = 1;
  for (const Field& f : strings) {
    if (name == f.name) {
      if (seen & bit) return false;
      seen |= bit;
      *f.target = value;
      return true;
    }
    bit <<= 1;
  }
  if (name == "ret") {
    if (seen & (1u << 8)) return false;
    seen |= 1u << 8;
    if (value == "FULL")
      env.dsn_ret = DsnRet::full;
    else if (value == "HDRS")
      env.dsn_ret = DsnRet::hdrs;
    else
      return false;
    return true;
  }
  if (name == "internal_source") {
    if (seen & (1u << 10)) return false;
    seen |= 1u << 10;
    env.internal_source = value;
    return true;
  }
  if (name == "line_ending") {
    if (seen & (1u << 9)) return false;
    seen |= 1u << 9;
    // Every writer stores LF line ends; a CRLF queue file was never written.
    return value == "lf";
  }
  return true;
}

}  // namespace

CheckResult check_queue_file(std::string_view bytes, QueueFile* out, bool with_content) {
  QueueFile file;
  RecordCursor cursor(bytes);
  Record r;
  bool have_time = false, have_size = false, have_sender = false, in_content = false;
  bool in_extracted = false, replaced = false;
  size_t extra_recipients = 0;
  uint32_t seen_attrs = 0;
  uint64_t content_total = 0;
  for (bool first = true;; first = false) {
    switch (cursor.next(r)) {
      case RecordCursor::Step::record:
        break;
      case RecordCursor::Step::end_of_input:
        return fail(FileState::incomplete,
                    "no end record (file ends at offset " + std::to_string(cursor.offset()) + ")");
      case RecordCursor::Step::truncated:
        return fail(FileState::incomplete,
                    "truncated record at offset " + std::to_string(cursor.offset()));
      case RecordCursor::Step::too_long:
        return fail(FileState::corrupt,
                    "record length too large at offset " + std::to_string(cursor.offset()));
    }
    auto type = static_cast<RecordType>(r.type);
    if (first) {
      if (type != RecordType::version || r.data.size() != kQueueFileMagic.size() + 1 ||
          r.data.substr(0, 4) != kQueueFileMagic)
        return fail(FileState::corrupt, "not a queue file (bad version record)");
      if (static_cast<uint8_t>(r.data[4]) != kQueueFileVersion)
        return fail(FileState::corrupt, "unsupported queue file version " +
                                            std::to_string(static_cast<uint8_t>(r.data[4])));
      continue;
    }
    if (in_extracted ||
        (in_content && (type == RecordType::attribute || type == RecordType::recipient ||
                        type == RecordType::recipient_done || type == RecordType::filter))) {
      // After the content: what content inspection decided (queue_file_format.hpp).
      in_extracted = true;
      if (type == RecordType::filter) {
        // One filter record, last before the end record; files written before it
        // existed simply have none.
        if (r.data.empty() || !file.envelope.content_filter.empty())
          return fail(FileState::corrupt, "bad filter record" + at(r));
        file.envelope.content_filter = r.data;
        continue;
      }
      if (!file.envelope.content_filter.empty() && type != RecordType::end)
        return fail(FileState::corrupt, "record after the filter record" + at(r));
      if (type == RecordType::attribute && r.data.starts_with(kContentRejected) &&
          file.envelope.content_rejected.empty() && !replaced && extra_recipients == 0) {
        file.envelope.content_rejected = r.data.substr(kContentRejected.size());
        if (file.envelope.content_rejected.empty())
          return fail(FileState::corrupt, "bad extracted attribute" + at(r));
        continue;
      }
      if (type == RecordType::attribute) {
        if (r.data != kReplaceRecipients || replaced || extra_recipients)
          return fail(FileState::corrupt, "bad extracted attribute" + at(r));
        replaced = true;
        file.envelope.recipients.clear();
        continue;
      }
      if (type == RecordType::recipient || type == RecordType::recipient_done) {
        auto rcpt = decode_recipient(r);
        if (!rcpt) return fail(FileState::corrupt, "bad recipient record" + at(r));
        file.envelope.recipients.push_back(std::move(*rcpt));
        ++extra_recipients;
        continue;
      }
      if (type != RecordType::end) return fail(FileState::corrupt, "unexpected record" + at(r));
      if (replaced && extra_recipients == 0)
        return fail(FileState::corrupt, "no recipients after replacement" + at(r));
    }
    if (in_content) {
      if (type == RecordType::content && !in_extracted) {
        content_total += r.data.size();
        file.content.push_back(
            {r.offset + kRecordHeaderSize, static_cast<uint32_t>(r.data.size())});
        if (with_content) file.content_bytes.append(r.data);
        continue;
      }
      if (type != RecordType::end) return fail(FileState::corrupt, "unexpected record" + at(r));
      if (r.data.size() != 8 || load_u64(r.data) != r.offset)
        return fail(FileState::corrupt, "bad end record" + at(r));
      if (cursor.offset() != bytes.size())
        return fail(FileState::corrupt, "data after the end record" + at(r));
      if (content_total != file.message_size)
        return fail(FileState::corrupt, "content size " + std::to_string(content_total) +
                                            " differs from size record " +
                                            std::to_string(file.message_size));
      if (out) *out = std::move(file);
      return {FileState::complete, {}};
    }
    switch (type) {
      case RecordType::arrival_time:
        if (have_time || r.data.size() != 8)
          return fail(FileState::corrupt, "bad time record" + at(r));
        have_time = true;
        file.envelope.arrival_us = static_cast<int64_t>(load_u64(r.data));
        break;
      case RecordType::message_size:
        if (have_size || r.data.size() != 8)
          return fail(FileState::corrupt, "bad size record" + at(r));
        have_size = true;
        file.message_size = load_u64(r.data);
        break;
      case RecordType::sender:
        if (have_sender) return fail(FileState::corrupt, "second sender record" + at(r));
        have_sender = true;
        file.envelope.sender = r.data;
        break;
      case RecordType::attribute:
        if (!apply_attribute(r.data, file.envelope, seen_attrs))
          return fail(FileState::corrupt, "bad attribute record" + at(r));
        break;
      case RecordType::recipient:
      case RecordType::recipient_done: {
        auto rcpt = decode_recipient(r);
        if (!rcpt) return fail(FileState::corrupt, "bad recipient record" + at(r));
        file.envelope.recipients.push_back(std::move(*rcpt));
        break;
      }
      case RecordType::delay_warning:
      case RecordType::delay_warning_sent:
        if (!r.data.empty() || file.delay_warning_offset != 0)
          return fail(FileState::corrupt, "bad delay warning record" + at(r));
        file.delay_warning_offset = r.offset;
        file.delay_warning_sent = type == RecordType::delay_warning_sent;
        break;
      case RecordType::end_of_envelope:
        if (!r.data.empty() || !have_time || !have_size || !have_sender ||
            file.envelope.recipients.empty())
          return fail(FileState::corrupt, "incomplete envelope" + at(r));
        in_content = true;
        break;
      default:
        return fail(FileState::corrupt, "unexpected record" + at(r));
    }
  }
}

Result<QueueFile> parse_queue_file(std::string_view bytes, bool with_content) {
  QueueFile file;
  CheckResult check = check_queue_file(bytes, &file, with_content);
  if (check.state == FileState::complete) return file;
  const char* what = check.state == FileState::incomplete ? "incomplete" : "corrupt";
  return Error{std::string(what) + " queue file: " + check.reason};
}

Result<QueueFile> read_queue_file(const std::filesystem::path& path, bool with_content,
                                  size_t limit) {
  auto bytes = base::read_file(path, limit);
  if (!bytes) return bytes.error();
  auto file = parse_queue_file(*bytes, with_content);
  if (!file) return Error{path.string() + ": " + file.error().message};
  return file;
}

namespace {

// Overwrites the type byte at `offset` with `to` when it is `from` (already `to`: done).
Status flip_record_type(int fd, uint64_t offset, RecordType from, RecordType to,
                        std::string_view what) {
  char type = 0;
  ssize_t n;
  do {
    n = ::pread(fd, &type, 1, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return base::errno_error("read " + std::string(what) + " record", errno);
  if (n == 0)
    return Error{std::string(what) + " offset " + std::to_string(offset) + " is past the end"};
  if (type == static_cast<char>(to)) return {};
  if (type != static_cast<char>(from))
    return Error{"no " + std::string(what) + " record at offset " + std::to_string(offset)};
  const char flipped = static_cast<char>(to);
  if (auto st = base::errno_status(base::pwrite_all(fd, {&flipped, 1}, static_cast<off_t>(offset)),
                                   "mark");
      !st)
    return st;
  return base::errno_status(base::fdatasync_fd(fd), "fdatasync");
}

}  // namespace

Status mark_delay_warning_sent(const std::filesystem::path& path, uint64_t offset) {
  base::Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return base::errno_error(path.string(), errno);
  return flip_record_type(fd.get(), offset, RecordType::delay_warning,
                          RecordType::delay_warning_sent, "delay warning");
}

Status mark_recipient_done(int fd, uint64_t offset) {
  return flip_record_type(fd, offset, RecordType::recipient, RecordType::recipient_done,
                          "recipient");
}

Status mark_recipient_done(const std::filesystem::path& path, uint64_t offset) {
  base::Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return base::errno_error(path.string(), errno);
  return mark_recipient_done(fd.get(), offset);
}

}  // namespace correio::queue
