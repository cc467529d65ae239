// Starting one service process: fork, move the listening sockets to descriptors 3, 4, ...,
// drop privileges, exec /proc/self/exe as `correio -c DIR daemon COMMAND -n NAME -t TYPE
// [-o name=value]...` with CORREIO_LISTEN_FDS=N in the environment.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"
#include "config/master_cf.hpp"

namespace correio::master {

// The identity a child takes before exec. Only a root master changes identity.
struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string user;
};

// mail_owner's identity when the master runs as root; nullopt when it does not (then
// every process runs as the invoking user). Error when mail_owner does not exist.
Result<std::optional<Identity>> master_child_identity(const config::Config& config);

// login_user's identity (its own group only) when the master runs as root; nullopt when
// it does not. Error when login_user does not exist, is root, or is mail_owner.
Result<std::optional<Identity>> login_child_identity(const config::Config& config,
                                                     const std::optional<Identity>& mail_owner);

// The identity for one service: `login` for the login commands (imap-login, pop3-login),
// else mail_owner unless the unpriv column says "n". This is the hook where
// imapd/pop3d/lmtpd will get the mailbox owner (design.md §1).
std::optional<Identity> service_identity(const config::MasterService& service,
                                         const std::optional<Identity>& mail_owner,
                                         const std::optional<Identity>& login);

// argv for the child, after the program name; a session_limit above 0 is passed as -l.
std::vector<std::string> daemon_argv(const std::filesystem::path& config_dir,
                                     const config::MasterService& service, int session_limit = 0);

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] first
  std::vector<int> listen_fds;    // become 3, 4, ... in the child
  // Other descriptors the child keeps, numbered after the listeners (3 + listen_fds.size(),
  // ...), and environment entries (NAME=value) that tell it about them.
  std::vector<int> passed_fds;
  std::vector<std::string> environment;
  std::optional<Identity> identity;
};

// Forks and execs; returns the child's pid. The child dies with SIGTERM if the master
// dies (PR_SET_PDEATHSIG). Exec failures show up as exit status 127.
Result<pid_t> spawn_child(const SpawnRequest& request);

}  // namespace correio::master
