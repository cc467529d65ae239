// The queue_directory layout: Postfix's subdirectories and their modes.
// Pure data plus one function that creates them; thread-safe.
#pragma once

#include <sys/types.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string_view>

#include "base/result.hpp"

namespace correio::queue {

// The subdirectories a message file can live in, and the side ones.
enum class QueueName {
  maildrop,  // local submissions (sendmail): world-writable and sticky, see maildrop_file.hpp
  incoming,  // new mail from smtpd/pickup; complete files wait here for qmgr
  active,    // being delivered by qmgr
  deferred,  // waiting for the next attempt (mtime = next attempt time)
  hold,      // held by the administrator (postsuper -h)
  corrupt,   // unreadable queue files, kept for inspection
  bounce,    // per-message bounce logs
  defer,     // per-message deferral logs (last failure per recipient)
  pid,       // master/daemon pid files
  private_,  // private service sockets ("private")
  public_,   // public service sockets ("public")
  recycle,   // finished queue files kept for reuse (recycle_pool.hpp); not Postfix's
  flush,     // fast flush logs, one per site (flush_log.hpp), and qmgr's revive trigger
};

inline constexpr std::array<QueueName, 13> kAllQueueNames = {
    QueueName::maildrop, QueueName::incoming, QueueName::active,  QueueName::deferred,
    QueueName::hold,     QueueName::corrupt,  QueueName::bounce,  QueueName::defer,
    QueueName::pid,      QueueName::private_, QueueName::public_, QueueName::recycle,
    QueueName::flush,
};

// The directory name under queue_directory: "incoming", "private", ...
std::string_view queue_name(QueueName q);

// Parses a directory name as queue_name() spells it.
std::optional<QueueName> parse_queue_name(std::string_view name);

// Postfix's modes: 0700 for all, public 0711 and maildrop 1733 (anyone may drop a file,
// nobody may list). Postfix has public 0710 and lets users in through its setgid postdrop
// programs; Correio has none, so anyone may reach public/showq (mailq for every user,
// src/showq/) and the other public sockets, as Postfix's setgid postqueue lets them.
mode_t queue_directory_mode(QueueName q);

// Creates `queue_directory` (0755 if missing) and every subdirectory with its mode,
// fixing the mode of ones that exist. With `owner`, chowns the subdirectories to
// uid/gid (needs root); otherwise leaves ownership alone. Idempotent.
struct QueueOwner {
  uid_t uid;
  gid_t gid;
};
Status create_queue_directories(const std::filesystem::path& queue_directory,
                                std::optional<QueueOwner> owner = std::nullopt);

}  // namespace correio::queue
