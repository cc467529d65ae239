// The mail log: Postfix's line format, written to syslog (/dev/log) or to maillog_file.
//
//   Mmm dd hh:mm:ss HOST SYSLOG_NAME/SERVICE[PID]: text
//
// Each line is written with one write(2) so that several processes can share one file
// (opened with O_APPEND) or one pipe (/dev/stdout) without interleaving inside a line.
// A Logger is owned by the process's entry point and passed by reference. Writing a line
// only reads the options set at construction and makes one write(2), so threads of one
// process (imapd's workers) may log at once.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <string_view>

namespace correio::base {

class Logger {
 public:
  struct Options {
    std::string syslog_name = "correio";  // main.cf syslog_name (may be overridden by -o)
    std::string process_name;             // "master", "smtpd", "postconf", ...
    std::string maillog_file;             // empty: syslog; else a path or /dev/stdout
    std::string hostname;                 // empty: gethostname()
  };

  explicit Logger(Options options);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) {
    write("", fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void warning(fmt::format_string<Args...> f, Args&&... args) {
    write("warning: ", fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void error(fmt::format_string<Args...> f, Args&&... args) {
    write("error: ", fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void fatal(fmt::format_string<Args...> f, Args&&... args) {
    write("fatal: ", fmt::format(f, std::forward<Args>(args)...));
  }

  // The tag: SYSLOG_NAME/SERVICE, e.g. "correio/smtpd" or "correio/submission/smtpd".
  std::string tag() const;

  // One complete line without the trailing newline, as it goes to maillog_file.
  std::string format_line(std::string_view text, std::chrono::system_clock::time_point when) const;

 private:
  void write(std::string_view level, std::string_view text);
  void open_sink();

  Options options_;
  int fd_ = -1;
  // Read once: getpid() is a system call, and each costs about a microsecond on a VM. A
  // child forked to deliver as another user (local's run_as) logs its parent's pid, as
  // Postfix's local(8), which delivers in its own process, would.
  long pid_ = 0;
  bool owns_fd_ = false;
  bool syslog_ = false;
};

}  // namespace correio::base
