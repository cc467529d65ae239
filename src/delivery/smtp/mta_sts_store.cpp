// The MTA-STS policy cache files (see mta_sts_store.hpp).
#include "delivery/smtp/mta_sts_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace correio::delivery::smtp_agent {
namespace {

constexpr size_t kMaxFile = 64 * 1024;  // §3.2 limits a policy to 64 KB; the header is small

}  // namespace

std::string format_sts_cache(const StsCacheRecord& r) {
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(r.fetched.time_since_epoch()).count();
  return fmt::format("id: {}\nfetched: {}\n\n{}", r.id, seconds, r.body);
}

Result<StsCacheRecord> parse_sts_cache(std::string_view text) {
  size_t blank = text.find("\n\n");
  if (blank == std::string_view::npos) return Error{"no blank line after the header"};
  StsCacheRecord r;
  bool have_fetched = false;
  for (const std::string& line : base::split_any(text.substr(0, blank), "\n")) {
    size_t colon = line.find(": ");
    if (colon == std::string::npos) return Error{"malformed header line \"" + line + "\""};
    std::string_view name = std::string_view(line).substr(0, colon);
    std::string_view value = std::string_view(line).substr(colon + 2);
    if (name == "id") {
      // The id as parse_sts_record accepts it.
      auto id = parse_sts_record("v=STSv1; id=" + std::string(value));
      if (!id) return Error{"bad id \"" + std::string(value) + "\""};
      r.id = *id;
    } else if (name == "fetched") {
      auto seconds = base::parse_int(value);
      if (!seconds || *seconds < 0) return Error{"bad fetch time \"" + std::string(value) + "\""};
      r.fetched = std::chrono::system_clock::time_point(std::chrono::seconds(*seconds));
      have_fetched = true;
    }
  }
  if (r.id.empty()) return Error{"no id"};
  if (!have_fetched) return Error{"no fetch time"};
  r.body = std::string(text.substr(blank + 2));
  auto policy = parse_sts_policy(r.body);
  if (!policy) return Error{"policy: " + policy.error().message};
  r.policy = std::move(*policy);
  return r;
}

std::filesystem::path StsStore::file_of(std::string_view domain) const {
  // A domain name only: letters, digits, '-', '_' and inner dots (no "..", no '/').
  if (domain.empty() || domain.size() > 253 || domain.front() == '.' ||
      domain.find("..") != std::string_view::npos)
    return {};
  for (char c : domain)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return {};
  return directory_ / std::string(domain);
}

Result<std::optional<StsCacheRecord>> StsStore::load(std::string_view domain) const {
  std::filesystem::path file = file_of(domain);
  if (file.empty()) return std::optional<StsCacheRecord>();
  if (::access(file.c_str(), F_OK) != 0 && errno == ENOENT) return std::optional<StsCacheRecord>();
  auto text = base::read_file(file, kMaxFile);
  if (!text) return text.error();
  auto record = parse_sts_cache(*text);
  if (!record) return Error{file.string() + ": " + record.error().message};
  return std::optional<StsCacheRecord>(std::move(*record));
}

Status StsStore::save(std::string_view domain, const StsCacheRecord& record) const {
  std::filesystem::path file = file_of(domain);
  if (file.empty()) return Error{"MTA-STS cache: not a domain name: " + std::string(domain)};
  if (::mkdir(directory_.c_str(), 0700) != 0 && errno != EEXIST)
    return base::errno_error("mkdir " + directory_.string(), errno);
  std::filesystem::path temporary = file;
  temporary += fmt::format(".{}.tmp", ::getpid());
  std::string text = format_sts_cache(record);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return base::errno_error("open " + temporary.string(), errno);
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  bool closed = ::close(fd) == 0;
  if (n != static_cast<ssize_t>(text.size()) || !closed) {
    ::unlink(temporary.c_str());
    return base::errno_error("write " + temporary.string(), n < 0 ? err : EIO);
  }
  // A cache, not mail: no fsync; a crash leaves the old file or the new one whole.
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    err = errno;
    ::unlink(temporary.c_str());
    return base::errno_error("rename " + temporary.string(), err);
  }
  return {};
}

}  // namespace correio::delivery::smtp_agent
