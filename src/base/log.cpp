// The mail log in Postfix's format, to syslog or to maillog_file.
#include "base/log.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

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

constexpr int kFacilityMail = 2;
constexpr int kSeverityInfo = 6;
constexpr int kSeverityWarning = 4;

}  // namespace

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
    fd_ = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
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

std::string Logger::tag() const {
  if (options_.process_name.empty()) return options_.syslog_name;
  return options_.syslog_name + "/" + options_.process_name;
}

std::string Logger::format_line(std::string_view text,
                                std::chrono::system_clock::time_point when) const {
  return fmt::format("{} {} {}[{}]: {}", timestamp(when), options_.hostname, tag(), pid_, text);
}

void Logger::write(std::string_view level, std::string_view text) {
  std::string message = std::string(level) + std::string(text);
  // A log line is one line: newlines from untrusted input must not forge extra lines.
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  auto now = std::chrono::system_clock::now();
  std::string line;
  if (syslog_) {
    int severity = level.empty() ? kSeverityInfo : kSeverityWarning;
    line = fmt::format("<{}>{} {}[{}]: {}", kFacilityMail * 8 + severity, timestamp(now), tag(),
                       pid_, message);
  } else {
    line = format_line(message, now) + "\n";
  }
  // Best effort by nature: there is nowhere else to report a failure to log.
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
}

}  // namespace correio::base
