// The per-message deferral log defer/ID: encoding, parsing, atomic rewrite.
#include "queue/defer_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/file.hpp"
#include "queue/queue_file_format.hpp"
#include "queue/queue_id.hpp"
#include "queue/record.hpp"

namespace correio::queue {
namespace {

constexpr char kFailureRecord = 'F';
constexpr size_t kMaxDeferLogSize = 16 * 1024 * 1024;

}  // namespace

std::string encode_defer_log(const std::vector<RecipientFailure>& failures) {
  std::string out;
  std::string v(kQueueFileMagic);
  v.push_back(static_cast<char>(kQueueFileVersion));
  append_record(out, RecordType::version, v);
  for (const RecipientFailure& f : failures) {
    std::string data;
    append_u64(data, f.recipient_offset);
    append_u64(data, static_cast<uint64_t>(f.time_us));
    // Bound each field so the record always fits; reasons are one-line texts.
    append_string(data, std::string_view(f.recipient).substr(0, 4096));
    append_string(data, std::string_view(f.status).substr(0, 64));
    append_string(data, std::string_view(f.reason).substr(0, 4096));
    out.push_back(kFailureRecord);
    append_u32(out, static_cast<uint32_t>(data.size()));
    out += data;
  }
  append_end_record(out, out.size());
  return out;
}

Result<std::vector<RecipientFailure>> parse_defer_log(std::string_view bytes) {
  std::vector<RecipientFailure> out;
  RecordCursor cursor(bytes);
  Record r;
  if (cursor.next(r) != RecordCursor::Step::record ||
      r.type != static_cast<char>(RecordType::version) || r.data.size() != 5 ||
      r.data.substr(0, 4) != kQueueFileMagic)
    return Error{"not a defer log"};
  while (true) {
    if (cursor.next(r) != RecordCursor::Step::record) return Error{"truncated defer log"};
    if (r.type == static_cast<char>(RecordType::end)) {
      if (r.data.size() != 8 || load_u64(r.data) != r.offset || cursor.offset() != bytes.size())
        return Error{"bad end record in defer log"};
      return out;
    }
    std::string_view in = r.data;
    std::string_view rcpt, status, reason;
    if (r.type != kFailureRecord || in.size() < 16) return Error{"bad defer log record"};
    RecipientFailure f;
    f.recipient_offset = load_u64(in);
    f.time_us = static_cast<int64_t>(load_u64(in.substr(8)));
    in.remove_prefix(16);
    if (!take_string(in, rcpt) || !take_string(in, status) || !take_string(in, reason) ||
        !in.empty())
      return Error{"bad defer log record"};
    f.recipient = rcpt;
    f.status = status;
    f.reason = reason;
    out.push_back(std::move(f));
  }
}

Result<std::vector<RecipientFailure>> read_defer_log(const Queue& queue, std::string_view id) {
  if (!is_valid_queue_id(id)) return Error{"invalid queue ID: " + std::string(id)};
  std::filesystem::path p = queue.path(id, QueueName::defer);
  if (::access(p.c_str(), F_OK) != 0 && errno == ENOENT) return std::vector<RecipientFailure>{};
  auto bytes = base::read_file(p, kMaxDeferLogSize);
  if (!bytes) return bytes.error();
  auto log = parse_defer_log(*bytes);
  if (!log) return Error{p.string() + ": " + log.error().message};
  return log;
}

Status update_defer_log(const Queue& queue, std::string_view id,
                        const std::vector<RecipientFailure>& failures) {
  auto log = read_defer_log(queue, id);
  // An unreadable old log is replaced rather than blocking the new information.
  std::vector<RecipientFailure> merged = log ? std::move(*log) : std::vector<RecipientFailure>{};
  for (const RecipientFailure& f : failures) {
    auto same = [&f](const RecipientFailure& g) {
      return g.recipient_offset == f.recipient_offset;
    };
    if (auto it = std::find_if(merged.begin(), merged.end(), same); it != merged.end())
      *it = f;
    else
      merged.push_back(f);
  }
  std::filesystem::path final_path = queue.path(id, QueueName::defer);
  std::filesystem::path temp_path = final_path;
  temp_path += ".tmp";
  base::Fd fd(
      ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return base::errno_error(temp_path.string(), errno);
  Status s =
      base::errno_status(base::write_all(fd.get(), encode_defer_log(merged)), "write defer log");
  if (s) s = base::errno_status(base::fdatasync_fd(fd.get()), "fdatasync defer log");
  if (s && ::rename(temp_path.c_str(), final_path.c_str()) != 0)
    s = base::errno_error("rename " + temp_path.string(), errno);
  if (!s) ::unlink(temp_path.c_str());
  return s;
}

}  // namespace correio::queue
