// `postfix logrotate` (Postfix 3.4+'s postfix-script): rename maillog_file to
// maillog_file.SUFFIX (strftime of maillog_file_rotate_suffix), make every process reopen
// the log (SIGHUP to the master, which forwards it), then compress the old file with
// maillog_file_compressor.
// SECURITY: run by the administrator; renames one file, signals only the pid of a master
// that holds its pid-file lock, and runs the configured compressor without a shell.
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

#include "base/strings.hpp"
#include "master/configuration.hpp"
#include "master/pid_file.hpp"
#include "master/verbs.hpp"

extern char** environ;

namespace correio::master {
namespace {

// Processes reopen within milliseconds of the signal; Postfix's script waits one second
// before compressing, and so do we, so that no late line is written to a file gzip
// already read.
constexpr auto kReopenGrace = std::chrono::seconds(1);

Result<std::string> rotated_name(const std::string& file, const std::string& suffix_format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[256];
  size_t n = std::strftime(buf, sizeof buf, suffix_format.c_str(), &tm);
  if (n == 0 || std::strchr(buf, '/') != nullptr)
    return Error{fmt::format("bad maillog_file_rotate_suffix: {}", suffix_format)};
  return file + "." + std::string(buf, n);
}

Status compress(const std::string& compressor, const std::string& file) {
  std::vector<std::string> words = base::split_any(compressor, " \t");
  if (words.empty()) return {};  // maillog_file_compressor empty: keep the file as it is
  words.push_back(file);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (rc != 0) return Error{fmt::format("{}: {}", words.front(), std::strerror(rc))};
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return Error{fmt::format("waitpid: {}", std::strerror(errno))};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error{fmt::format("{} {} failed (status {})", words.front(), file, status)};
  return {};
}

}  // namespace

Status rotate_maillog(const config::Config& config) {
  std::string file = config.get("maillog_file");
  if (file.empty()) return Error{"no $maillog_file setting"};
  if (file.rfind("/dev/", 0) == 0) return Error{fmt::format("not rotating '{}'", file)};
  struct stat st {};
  if (::stat(file.c_str(), &st) < 0) return Error{fmt::format("no file: {}", file)};
  auto rotated = rotated_name(file, config.get("maillog_file_rotate_suffix"));
  if (!rotated) return rotated.error();
  if (::rename(file.c_str(), rotated->c_str()) < 0)
    return Error{fmt::format("could not rotate file: {}: {}", file, std::strerror(errno))};
  if (auto pid = running_master(pid_file_path(config))) {
    if (::kill(*pid, SIGHUP) < 0)
      return Error{fmt::format("could not rotate file: {}: kill: {}", file, std::strerror(errno))};
    std::this_thread::sleep_for(kReopenGrace);
  }
  if (auto st = compress(config.get("maillog_file_compressor"), *rotated); !st)
    return Error{fmt::format("could not rotate file: {}: {}", file, st.error().message)};
  return {};
}

}  // namespace correio::master
