// postsuper(1): the queue's superintendent. -d delete, -h hold, -H release, -r requeue
// (by ID, "ALL", or IDs on standard input with "-"), -s structure check and repair,
// -p purge temporary files; messages and counts as Postfix prints them.
// SECURITY: needs write access to the queue (root or mail_owner); IDs from the command
// line or standard input are checked by is_valid_queue_id() before they name a file.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "cli/commands.hpp"
#include "config/config.hpp"
#include "queue/maildrop_file.hpp"
#include "queue/queue.hpp"
#include "queue/queue_id.hpp"

namespace correio::cli {
namespace {

namespace fs = std::filesystem;
using queue::QueueName;

constexpr int kExUsage = 64;

struct Action {
  char op;         // d h H r
  std::string id;  // an ID, or "ALL"
};

// The queues each operation looks in by default (Postfix's postsuper(1)).
std::vector<QueueName> default_queues(char op) {
  switch (op) {
    case 'h':
      return {QueueName::incoming, QueueName::active, QueueName::deferred};
    case 'H':
      return {QueueName::hold};
    default:  // d, r
      return {QueueName::hold, QueueName::incoming, QueueName::active, QueueName::deferred};
  }
}

std::string plural(size_t n) {
  return std::to_string(n) + (n == 1 ? " message" : " messages");
}

class Super {
 public:
  // `log` is the mail log; it must outlive the Super.
  Super(queue::Queue q, base::Logger& log) : q_(std::move(q)), log_(log) {}

  // Applies `op` to `id` (or every message) in `queues`; counts what it did.
  void apply(char op, const std::string& id, const std::vector<QueueName>& queues) {
    for (QueueName name : queues) {
      std::vector<std::string> ids;
      if (id == "ALL") {
        auto listed = q_.list(name);
        if (!listed) {
          say("warning: " + listed.error().message);
          failed_ = true;
          continue;
        }
        ids = std::move(*listed);
      } else if (::access(q_.path(id, name).c_str(), F_OK) == 0) {
        ids.push_back(id);
      }
      for (const auto& one : ids) one_message(op, one, name);
    }
  }

  void report() {
    if (deleted_) say("Deleted: " + plural(deleted_));
    if (held_) say("Placed on hold: " + plural(held_));
    if (released_) say("Released from hold: " + plural(released_));
    if (requeued_) say("Requeued: " + plural(requeued_));
  }

  void structure_check();
  void purge_temporary_files();
  bool failed() const { return failed_; }

 private:
  void one_message(char op, const std::string& id, QueueName from) {
    Status st;
    switch (op) {
      case 'd':
        st = q_.remove(id, from);
        if (st) ++deleted_, say(id + ": removed");
        break;
      case 'h':
        if (from == QueueName::hold) return;
        st = q_.move(id, from, QueueName::hold);
        if (st) ++held_, say(id + ": placed on hold");
        break;
      case 'H':
        // Back to deferred with the next attempt now: qmgr's next scan takes it; as in
        // Postfix, a release does not force delivery (postqueue -i does).
        st = q_.move(id, from, QueueName::deferred);
        if (st) st = q_.set_next_attempt(id, QueueName::deferred, std::chrono::system_clock::now());
        if (st) ++released_, say(id + ": released from hold");
        break;
      case 'r':
        // Into incoming/, where qmgr takes it at once and routes every pending recipient
        // anew (Postfix re-runs cleanup via maildrop/; Correio's routing is all in qmgr).
        st = q_.move(id, from, QueueName::incoming);
        if (st) ++requeued_, say(id + ": requeued");
        break;
    }
    // A message that left meanwhile (delivered, moved by qmgr) is not an error.
    if (!st && ::access(q_.path(id, from).c_str(), F_OK) == 0) {
      say("warning: " + id + ": " + st.error().message);
      failed_ = true;
    }
  }

  // Standard error for the operator, the mail log for the record: Postfix's postsuper
  // logs every action ("postfix/postsuper[PID]: ID: removed") and the summary lines.
  void say(const std::string& text) {
    std::fprintf(stderr, "postsuper: %s\n", text.c_str());
    constexpr std::string_view kWarning = "warning: ";
    if (text.rfind(kWarning, 0) == 0)
      log_.warning("{}", text.substr(kWarning.size()));
    else
      log_.info("{}", text);
  }

  queue::Queue q_;
  base::Logger& log_;
  size_t deleted_ = 0, held_ = 0, released_ = 0, requeued_ = 0;
  bool failed_ = false;
};

// -s: queue files named after an inode they no longer have (restored from a backup,
// copied between machines) get their right name, so IDs stay unique; defer and bounce
// logs whose message is gone are removed; strangers are reported.
void Super::structure_check() {
  std::set<std::string> alive;
  for (QueueName name : {QueueName::incoming, QueueName::active, QueueName::deferred,
                         QueueName::hold, QueueName::corrupt}) {
    auto ids = q_.list(name);
    if (!ids) {
      say("warning: " + ids.error().message);
      failed_ = true;
      continue;
    }
    for (const auto& id : *ids) {
      struct stat st {};
      if (::lstat(q_.path(id, name).c_str(), &st) != 0) continue;
      auto parts = queue::parse_queue_id(id);
      std::string right = queue::make_queue_id(parts->microseconds, st.st_ino);
      if (right != id) {
        fs::path from = q_.path(id, name), to = q_.path(right, name);
        if (::access(to.c_str(), F_OK) == 0 || ::rename(from.c_str(), to.c_str()) != 0) {
          say("warning: " + std::string(queue::queue_name(name)) + "/" + id +
              ": cannot rename to " + right);
          failed_ = true;
        } else {
          for (QueueName log : {QueueName::defer, QueueName::bounce})
            ::rename(q_.path(id, log).c_str(), q_.path(right, log).c_str());
          say("warning: " + std::string(queue::queue_name(name)) + "/" + id + ": renamed to " +
              right + " (queue ID does not match the file's inode)");
        }
        alive.insert(right);
      } else {
        alive.insert(id);
      }
    }
  }
  for (QueueName log : {QueueName::defer, QueueName::bounce}) {
    auto ids = q_.list(log);
    if (!ids) continue;
    for (const auto& id : *ids) {
      if (alive.count(id)) continue;
      if (::unlink(q_.path(id, log).c_str()) == 0)
        say("warning: " + std::string(queue::queue_name(log)) + "/" + id +
            ": removed log of a message that is gone");
    }
  }
}

// True if a live writer holds the file's lock (sendmail, smtpd, pickup still writing).
bool in_use(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return busy;
}

// -p: temporary files left by crashed writers: incoming/tmp.*, maildrop/t*, defer/*.tmp.
void Super::purge_temporary_files() {
  auto purge = [&](QueueName name, auto is_temp) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(q_.path(name), ec)) {
      std::string file = entry.path().filename().string();
      if (!is_temp(file) || !entry.is_regular_file(ec) || in_use(entry.path())) continue;
      if (::unlink(entry.path().c_str()) == 0)
        say(std::string(queue::queue_name(name)) + "/" + file + ": removed temporary file");
    }
    if (ec) {
      say("warning: " + q_.path(name).string() + ": " + ec.message());
      failed_ = true;
    }
  };
  purge(QueueName::incoming, [](const std::string& f) { return f.rfind("tmp.", 0) == 0; });
  purge(QueueName::maildrop, [](const std::string& f) { return queue::is_maildrop_temp_name(f); });
  purge(QueueName::defer, [](const std::string& f) {
    return f.size() > 4 && f.compare(f.size() - 4, 4, ".tmp") == 0;
  });
}

int usage() {
  std::fprintf(stderr,
               "usage: postsuper [-c config_dir] [-d queue_id|ALL|-] [-h queue_id|ALL|-] "
               "[-H queue_id|ALL|-] [-p] [-r queue_id|ALL|-] [-s] [-v] [queue...]\n");
  return kExUsage;
}

}  // namespace

int postsuper_main(int argc, char** argv) {
  const char* config_dir = nullptr;
  std::vector<Action> actions;
  bool check = false, purge = false, read_stdin = false;
  int opt;
  ::optind = 1;
  while ((opt = ::getopt(argc, argv, "c:d:h:H:r:spv")) != -1) {
    switch (opt) {
      case 'c':
        config_dir = optarg;
        break;
      case 'd':
      case 'h':
      case 'H':
      case 'r': {
        std::string id = optarg;
        if (id == "-") {
          read_stdin = true;
        } else if (id != "ALL" && !queue::is_valid_queue_id(id)) {
          std::fprintf(stderr, "postsuper: fatal: invalid mail queue id: %s\n", id.c_str());
          return kExUsage;
        }
        actions.push_back({static_cast<char>(opt), id});
        break;
      }
      case 's':
        check = true;
        break;
      case 'p':
        purge = true;
        break;
      case 'v':
        break;
      default:
        return usage();
    }
  }
  std::vector<QueueName> named;
  for (int i = optind; i < argc; ++i) {
    auto q = queue::parse_queue_name(argv[i]);
    bool message_queue = q && (*q == QueueName::incoming || *q == QueueName::active ||
                               *q == QueueName::deferred || *q == QueueName::hold);
    if (!message_queue) {
      std::fprintf(stderr, "postsuper: fatal: invalid directory name: %s\n", argv[i]);
      return kExUsage;
    }
    named.push_back(*q);
  }
  if (actions.empty() && !check && !purge) return usage();

  // "-" reads IDs from standard input, one per line (the first word, as mailq prints
  // them, with its '*' or '!' status mark removed).
  std::vector<std::string> stdin_ids;
  if (read_stdin) {
    std::string line;
    while (std::getline(std::cin, line)) {
      std::string id = line.substr(0, line.find_first_of(" \t"));
      while (!id.empty() && (id.back() == '*' || id.back() == '!')) id.pop_back();
      if (id.empty()) continue;
      if (!queue::is_valid_queue_id(id)) {
        std::fprintf(stderr, "postsuper: warning: invalid mail queue id: %s\n", id.c_str());
        continue;
      }
      stdin_ids.push_back(id);
    }
  }

  auto config = config::Config::load(config::resolve_config_dir(config_dir));
  if (!config) {
    std::fprintf(stderr, "postsuper: fatal: %s\n", config.error().message.c_str());
    return 1;
  }
  base::Logger::Options log_options;
  if (std::string name = config->get("syslog_name"); !name.empty()) log_options.syslog_name = name;
  log_options.process_name = "postsuper";
  log_options.maillog_file = config->get("maillog_file");
  base::Logger log(std::move(log_options));
  Super super(queue::Queue(config->get("queue_directory")), log);
  if (check) super.structure_check();
  if (purge) super.purge_temporary_files();
  for (char op : {'d', 'h', 'H', 'r'}) {
    std::vector<QueueName> queues = named.empty() ? default_queues(op) : named;
    for (const auto& a : actions) {
      if (a.op != op) continue;
      if (a.id == "-") {
        for (const auto& id : stdin_ids) super.apply(op, id, queues);
      } else {
        super.apply(op, a.id, queues);
      }
    }
  }
  super.report();
  return super.failed() ? 1 : 0;
}

}  // namespace correio::cli
