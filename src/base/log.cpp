// The mail log in Postfix's format, to syslog or to maillog_file.
#include "base/log.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

namespace correio::base {
namespace {

std::string local_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// "Mmm dd hh:mm:ss", the RFC 3164 timestamp that syslog and Postfix's maillog_file use.
std::string timestamp(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%b %e %H:%M:%S", &tm);
  return buf;
}

constexpr int kSeverityInfo = 6;
constexpr int kSeverityWarning = 4;

}  // namespace

std::optional<int> Logger::facility_code(std::string_view name) {
  // RFC 5424 §6.2.1's numbers under syslog.conf(5)'s names, which Postfix's
  // syslog_facility takes.
  static constexpr std::pair<std::string_view, int> kNames[] = {
      {"kern", 0},      {"user", 1},    {"mail", 2},    {"daemon", 3},  {"auth", 4},
      {"syslog", 5},    {"lpr", 6},     {"news", 7},    {"uucp", 8},    {"cron", 9},
      {"authpriv", 10}, {"ftp", 11},    {"local0", 16}, {"local1", 17}, {"local2", 18},
      {"local3", 19},   {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};
  for (const auto& [known, code] : kNames)
    if (name == known) return code;
  return std::nullopt;
}

std::optional<int> Logger::parse_file_mode(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  int mode = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + (c - '0');
  }
  // A log is data: no execute, set-id or sticky bits.
  if ((mode & ~0666) != 0) return std::nullopt;
  return mode;
}

Logger::Logger(Options options) : options_(std::move(options)), pid_(::getpid()) {
  if (options_.hostname.empty()) options_.hostname = local_hostname();
  open_sink();
}

Logger::~Logger() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

void Logger::open_sink() {
  const std::string& file = options_.maillog_file;
  if (file == "/dev/stdout") {
    fd_ = STDOUT_FILENO;
  } else if (file == "/dev/stderr") {
    fd_ = STDERR_FILENO;
  } else if (!file.empty()) {
    fd_ = open_file();
    owns_fd_ = fd_ >= 0;
    if (fd_ < 0) fd_ = STDERR_FILENO;  // say it somewhere rather than nowhere
  } else {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, "/dev/log", sizeof addr.sun_path - 1);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      owns_fd_ = true;
      syslog_ = true;
    } else {
      // No syslog daemon: fall back to standard error, as Postfix's postlog does.
      if (fd_ >= 0) ::close(fd_);
      fd_ = STDERR_FILENO;
    }
  }
}

int Logger::open_file() const {
  // The umask must not narrow maillog_file_permissions; fchmod only touches a file this
  // open created (an existing one keeps the mode its administrator gave it).
  int fd = ::open(options_.maillog_file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd >= 0 || errno != ENOENT) return fd;
  fd = ::open(options_.maillog_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC,
              static_cast<mode_t>(options_.file_mode));
  if (fd >= 0) {
    (void)!::fchmod(fd, static_cast<mode_t>(options_.file_mode));
    return fd;
  }
  // Another process created it between the two opens.
  return ::open(options_.maillog_file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
}

void Logger::reopen() {
  if (!owns_fd_ || syslog_) return;
  int fresh = open_file();
  if (fresh < 0) return;  // keep writing to the old file rather than lose lines
  // dup3 replaces what fd_ refers to atomically: a thread writing right now finishes its
  // line in the old file, the next line goes to the new one.
  ::dup3(fresh, fd_, O_CLOEXEC);
  ::close(fresh);
}

std::string Logger::tag() const {
  return tag_for(options_.process_name);
}

std::string Logger::tag_for(std::string_view process) const {
  if (!options_.tag_override.empty()) return options_.tag_override;
  if (process.empty()) return options_.syslog_name;
  return options_.syslog_name + "/" + std::string(process);
}

std::string Logger::format_line(std::string_view text,
                                std::chrono::system_clock::time_point when) const {
  return fmt::format("{} {} {}[{}]: {}", timestamp(when), options_.hostname, tag(), pid_, text);
}

void Logger::write_as(std::string_view process, std::string_view level, std::string_view text) {
  std::string message = std::string(level) + std::string(text);
  // A log line is one line: newlines from untrusted input must not forge extra lines.
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  auto now = std::chrono::system_clock::now();
  std::string line;
  if (syslog_) {
    int severity = level.empty() ? kSeverityInfo : kSeverityWarning;
    line = fmt::format("<{}>{} {}[{}]: {}", options_.facility * 8 + severity, timestamp(now),
                       tag_for(process), pid_, message);
  } else {
    line = fmt::format("{} {} {}[{}]: {}\n", timestamp(now), options_.hostname, tag_for(process),
                       pid_, message);
  }
  // Best effort by nature: there is nowhere else to report a failure to log.
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
}

}  // namespace correio::base
