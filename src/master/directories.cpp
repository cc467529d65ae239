// Creating queue_directory and data_directory with Postfix's layout, owners and modes
// (queue subdirectories 0700, maildrop 1733, public 0711; data_directory 0700).
// SECURITY: runs as root in a root master and in `check`; never follows a symlink
// when changing owners or modes of what it created.
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/log_options.hpp"
#include "config/login_sockets.hpp"
#include "master/configuration.hpp"
#include "queue/queue_directories.hpp"

namespace correio::master {
namespace {

struct Wanted {
  mode_t mode;
  long uid = -1;  // -1: leave alone
  long gid = -1;
};

Status ensure_directory(const std::filesystem::path& path, Wanted wanted,
                        std::vector<std::string>* notes) {
  bool created = ::mkdir(path.c_str(), wanted.mode) == 0;
  if (!created && errno != EEXIST)
    return Error{fmt::format("mkdir {}: {}", path.string(), std::strerror(errno))};
  struct stat st {};
  if (::lstat(path.c_str(), &st) < 0)
    return Error{fmt::format("stat {}: {}", path.string(), std::strerror(errno))};
  if (!S_ISDIR(st.st_mode)) return Error{fmt::format("{}: not a directory", path.string())};
  if ((st.st_mode & 07777) != wanted.mode) {
    // mkdir's mode went through the umask; a pre-existing directory may be wrong.
    if (::chmod(path.c_str(), wanted.mode) < 0)
      return Error{fmt::format("chmod {}: {}", path.string(), std::strerror(errno))};
  }
  bool wrong_uid = wanted.uid >= 0 && st.st_uid != static_cast<uid_t>(wanted.uid);
  bool wrong_gid = wanted.gid >= 0 && st.st_gid != static_cast<gid_t>(wanted.gid);
  if (wrong_uid || wrong_gid) {
    if (notes && !created)
      notes->push_back(fmt::format("warning: {}: fixing owner", path.string()));
    if (::lchown(path.c_str(), static_cast<uid_t>(wanted.uid), static_cast<gid_t>(wanted.gid)) < 0)
      return Error{fmt::format("chown {}: {}", path.string(), std::strerror(errno))};
  }
  return {};
}

}  // namespace

Status create_directories(const config::Config& config, const std::optional<Identity>& owner,
                          std::vector<std::string>* notes) {
  std::string queue = config.get("queue_directory");
  std::string data = config.get("data_directory");
  if (queue.empty()) return Error{"queue_directory is not set"};
  if (data.empty()) return Error{"data_directory is not set"};

  long uid = owner ? static_cast<long>(owner->uid) : -1;
  long gid = owner ? static_cast<long>(owner->gid) : -1;
  // maildrop and public are reachable by setgid_group (postdrop) when it exists.
  long drop_gid = gid;
  if (owner) {
    std::string group_name = config.get("setgid_group");
    if (group* g = group_name.empty() ? nullptr : ::getgrnam(group_name.c_str()))
      drop_gid = static_cast<long>(g->gr_gid);
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(queue).parent_path(), ec);
  if (ec) return Error{fmt::format("mkdir {}: {}", queue, ec.message())};
  if (auto st = ensure_directory(queue, {0755, owner ? 0 : -1, owner ? 0 : -1}, notes); !st)
    return st;
  // The layout and modes are the queue library's; the master adds owners and groups.
  for (queue::QueueName q : queue::kAllQueueNames) {
    bool drop_group = q == queue::QueueName::maildrop || q == queue::QueueName::public_;
    Wanted wanted{queue::queue_directory_mode(q), uid, drop_group ? drop_gid : gid};
    std::filesystem::path dir = std::filesystem::path(queue) / queue::queue_name(q);
    if (auto st = ensure_directory(dir, wanted, notes); !st) return st;
  }
  // login/: the pre-login split's sockets (config/login_sockets.hpp). Only root and the
  // login processes (login_user's group) may enter; mail_owner's daemons never connect
  // there (the master passes them the listening sockets).
  long login_gid = owner ? 0 : -1;
  if (owner) {
    std::string login_user = config.get("login_user");
    if (passwd* pw = login_user.empty() ? nullptr : ::getpwnam(login_user.c_str()))
      login_gid = static_cast<long>(pw->pw_gid);
  }
  if (auto st = ensure_directory(config::login_directory(config), {0750, owner ? 0 : -1, login_gid},
                                 notes);
      !st)
    return st;
  std::filesystem::create_directories(std::filesystem::path(data).parent_path(), ec);
  if (ec) return Error{fmt::format("mkdir {}: {}", data, ec.message())};
  if (auto st = ensure_directory(data, {0700, uid, gid}, notes); !st) return st;
  // metrics_directory: mail_owner's daemons and root's (local, spawn) both write counter
  // files there, the exporter (mail_owner) reads them.
  if (config.get_bool("metrics_enable")) {
    std::string metrics = config.get("metrics_directory");
    std::filesystem::create_directories(std::filesystem::path(metrics).parent_path(), ec);
    if (ec) return Error{fmt::format("mkdir {}: {}", metrics, ec.message())};
    if (auto st = ensure_directory(metrics, {0700, uid, gid}, notes); !st) return st;
  }
  return ensure_maillog_file(config, uid, gid);
}

// maillog_file is appended to by every service after it dropped to mail_owner, so the
// master creates it (maillog_file_permissions) owned by mail_owner, as Postfix's postlogd
// owns it. Devices (/dev/stdout) are left alone.
Status ensure_maillog_file(const config::Config& config, long uid, long gid) {
  std::string file = config.get("maillog_file");
  if (file.empty() || file.rfind("/dev/", 0) == 0) return {};
  auto mode = static_cast<mode_t>(config::logger_options_or_default(config, "master").file_mode);
  // Only a file created here gets mail_owner and the mode; an existing one (perhaps shared
  // with syslog, root:adm 0640) keeps what its administrator gave it.
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0 && errno == EEXIST) return {};
  if (fd < 0) return Error{fmt::format("open maillog_file {}: {}", file, std::strerror(errno))};
  int rc = ::fchmod(fd, mode);  // the umask must not narrow maillog_file_permissions
  if (rc == 0 && uid >= 0) rc = ::fchown(fd, static_cast<uid_t>(uid), static_cast<gid_t>(gid));
  int saved = errno;
  ::close(fd);
  if (rc != 0) return Error{fmt::format("chown maillog_file {}: {}", file, std::strerror(saved))};
  return {};
}

}  // namespace correio::master
