// The mail log: Postfix's line format, written to syslog (/dev/log) or to maillog_file.
//
//   Mmm dd hh:mm:ss HOST SYSLOG_NAME/SERVICE[PID]: text
//
// Each line is written with one write(2) so that several processes can share one file
// (opened with O_APPEND) or one pipe (/dev/stdout) without interleaving inside a line.
// A Logger is owned by the process's entry point and passed by reference. Writing a line
// only reads the options set at construction and makes one write(2), so threads of one
// process (imapd's workers) may log at once. reopen() (log rotation) may run while other
// threads write: it swaps the file under the same descriptor number with dup3(2), so a
// concurrent line lands whole in either the old or the new file.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <optional>
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
    // The whole tag, replacing SYSLOG_NAME/SERVICE when set: "dovecot" for imapd's lines
    // as Dovecot's own (imapd_syslog_name), which fail2ban's stock filter expects.
    std::string tag_override = {};
    int file_mode = 0600;  // maillog_file_permissions, for a file this process creates
    int facility = 2;      // syslog_facility as its RFC 5424 §6.2.1 code (2: mail)
  };

  // RFC 5424 §6.2.1 (and syslog.conf's names): "mail" -> 2, "local0" -> 16, ...;
  // nullopt for a name syslog does not know.
  static std::optional<int> facility_code(std::string_view name);
  // maillog_file_permissions: an octal mode of at most 0666 ("0600", "0644").
  static std::optional<int> parse_file_mode(std::string_view text);

  explicit Logger(Options options);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) {
    write("", fmt::format(f, std::forward<Args>(args)...));
  }
  // A line tagged as another Postfix process whose work this one does in-process:
  // "cleanup" for smtpd's and pickup's message-id= line (SYSLOG_NAME/cleanup[PID]).
  template <typename... Args>
  void info_as(std::string_view process, fmt::format_string<Args...> f, Args&&... args) {
    write_as(process, "", fmt::format(f, std::forward<Args>(args)...));
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

  // Log rotation: a renamed maillog_file is let go and the path opened again (created
  // with file_mode when missing). No effect on syslog, standard output or error.
  void reopen();

  // The tag: SYSLOG_NAME/SERVICE, e.g. "correio/smtpd" or "correio/submission/smtpd".
  std::string tag() const;

  // One complete line without the trailing newline, as it goes to maillog_file.
  std::string format_line(std::string_view text, std::chrono::system_clock::time_point when) const;

 private:
  void write(std::string_view level, std::string_view text) {
    write_as(options_.process_name, level, text);
  }
  void write_as(std::string_view process, std::string_view level, std::string_view text);
  std::string tag_for(std::string_view process) const;
  void open_sink();
  int open_file() const;  // -1 on failure

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
