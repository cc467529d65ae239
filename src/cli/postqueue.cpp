// postqueue(1) and mailq(1): list the queue (-p, Postfix's format; -j, JSON lines) and
// ask for deferred mail to be retried now (-f all, -i one ID, -s one site).
//
// How a flush reaches qmgr: qmgr watches incoming/ with inotify and takes every complete
// file that appears there, so a flush moves the chosen deferred files back into
// incoming/ (a rename per file, then one sync of both directories), after touching
// flush/.revive so that qmgr first gives dead destinations another chance (Postfix's
// QMGR_REQ_FLUSH_DEAD). -s SITE takes the site's fast flush log (queue/flush_log.hpp),
// as ETRN does, and only for fast_flush_domains. No socket; the cost is that a flush
// needs write access to the queue (root or mail_owner), where Postfix lets any user send
// the trigger through public/qmgr.
// Listing: read the queue directly when the caller may (root, mail_owner), else ask the
// showq daemon over public/showq (src/showq/showq_main.cpp), as Postfix's postqueue does.
// SECURITY: runs as the invoking user; reads queue files only when the file modes allow
// it; moves files only between deferred/ and incoming/.
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/queue_listing.hpp"
#include "config/config.hpp"
#include "queue/flush_log.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_id.hpp"
#include "resolve/domain_list.hpp"
#include "showq/showq_protocol.hpp"

namespace correio::cli {
namespace {

constexpr int kExUsage = 64, kExUnavailable = 69, kExConfig = 78;

int usage(const char* program) {
  std::fprintf(stderr, "usage: %s [-c config_dir] -f | -i queue_id | -j | -p | -s site\n", program);
  return kExUsage;
}

// Users who may not read the queue ask the showq daemon, which runs as mail_owner and
// sends only the listing (Postfix's postqueue always asks showq; Correio reads the queue
// itself when it can, so root's mailq also works while the mail system is down).
int list_via_showq(const char* program, const queue::Queue& q, bool json) {
  auto unavailable = [&] {
    std::fprintf(stderr, "%s: fatal: Queue report unavailable - mail system is down\n", program);
    return kExUnavailable;
  };
  std::string path = (q.path(queue::QueueName::public_) / "showq").string();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return unavailable();
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable();
  // A hung daemon must not hang the caller (scripts run mailq from cron).
  timeval timeout{60, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string_view request = json ? showq::kJsonRequest : showq::kMailqRequest;
  std::string reply;
  bool sent = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
              ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                  static_cast<ssize_t>(request.size());
  char buffer[65536];
  ssize_t n = 0;
  while (sent && ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0) reply.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  if (!sent || n < 0 || reply.rfind(showq::kReplyOk, 0) != 0) return unavailable();
  std::fwrite(reply.data() + showq::kReplyOk.size(), 1, reply.size() - showq::kReplyOk.size(),
              stdout);
  return std::fflush(stdout) == 0 ? 0 : kExUnavailable;
}

int list(const char* program, const queue::Queue& q, bool json) {
  // Search and read permission on deferred/ is what listing the queue needs.
  if (::access(q.path(queue::QueueName::deferred).c_str(), R_OK | X_OK) != 0)
    return list_via_showq(program, q, json);
  std::vector<std::string> warnings;
  auto messages = collect_queue(q, listed_queues(), &warnings);
  if (!messages) {
    std::fprintf(stderr, "%s: fatal: %s\n", program, messages.error().message.c_str());
    return kExUnavailable;
  }
  for (const auto& w : warnings) std::fprintf(stderr, "%s: warning: %s\n", program, w.c_str());
  std::string text = json ? format_json(*messages) : format_mailq(*messages);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : kExUnavailable;
}

// Moves deferred messages to incoming/, where qmgr picks them up at once. `want`
// chooses which (all when empty).
int flush(const char* program, const queue::Queue& q,
          const std::function<bool(const std::string& id)>& want, size_t* moved) {
  if (auto st = queue::request_revival(q); !st) {
    std::fprintf(stderr, "%s: fatal: Cannot flush mail queue: %s\n", program,
                 st.error().message.c_str());
    return kExUnavailable;
  }
  auto ids = q.list(queue::QueueName::deferred);
  if (!ids) {
    std::fprintf(stderr, "%s: fatal: Cannot flush mail queue: %s\n", program,
                 ids.error().message.c_str());
    return kExUnavailable;
  }
  for (const auto& id : *ids) {
    if (want && !want(id)) continue;
    auto st = q.move(id, queue::QueueName::deferred, queue::QueueName::incoming);
    if (st) {
      ++*moved;
    } else if (::access(q.path(id, queue::QueueName::deferred).c_str(), F_OK) == 0) {
      // Still there: a real failure (not qmgr taking it meanwhile).
      std::fprintf(stderr, "%s: fatal: Cannot flush mail queue: %s\n", program,
                   st.error().message.c_str());
      return kExUnavailable;
    }
  }
  return 0;
}

// postqueue -s SITE (Postfix's flush_send_site): the site's fast flush log, for sites in
// fast_flush_domains only.
int flush_site(const char* program, const config::Config& config, const queue::Queue& q,
               const std::string& argument) {
  std::string site = queue::flush_site_name(argument);
  if (site.empty()) {
    std::fprintf(stderr, "%s: fatal: Invalid request: \"%s\"\n", program, argument.c_str());
    return kExUsage;
  }
  bool eligible = false;
  if (std::string domains = config.get("fast_flush_domains"); !domains.empty()) {
    bool parent =
        resolve::parent_style(config.get("parent_domain_matches_subdomains"), "fast_flush_domains");
    auto list = resolve::DomainList::open("fast_flush_domains", domains, parent);
    auto listed = list ? list->contains(site) : Result<bool>(list.error());
    if (!listed) {
      std::fprintf(stderr, "%s: fatal: Cannot flush mail queue: %s\n", program,
                   listed.error().message.c_str());
      return kExUnavailable;
    }
    eligible = *listed;
  }
  if (!eligible) {
    std::fprintf(stderr, "%s: fatal: Flush service is not configured for destination \"%s\"\n",
                 program, site.c_str());
    return kExUnavailable;
  }
  if (auto moved = queue::flush_site(q, site); !moved) {
    std::fprintf(stderr, "%s: fatal: Cannot flush mail queue: %s\n", program,
                 moved.error().message.c_str());
    return kExUnavailable;
  }
  return 0;
}

}  // namespace

int postqueue_main(int argc, char** argv) {
  const char* program = "postqueue";
  const char* config_dir = nullptr;
  char action = 0;
  std::string argument;
  int opt;
  ::optind = 1;
  while ((opt = ::getopt(argc, argv, "c:fi:jps:v")) != -1) {
    switch (opt) {
      case 'c':
        config_dir = optarg;
        break;
      case 'f':
      case 'j':
      case 'p':
      case 'i':
      case 's':
        if (action) return usage(program);  // Postfix: one action per run
        action = static_cast<char>(opt);
        if (optarg) argument = optarg;
        break;
      case 'v':
        break;
      default:
        return usage(program);
    }
  }
  if (!action || optind != argc) return usage(program);
  auto config = config::Config::load(config::resolve_config_dir(config_dir));
  if (!config) {
    std::fprintf(stderr, "%s: fatal: %s\n", program, config.error().message.c_str());
    return kExConfig;
  }
  queue::Queue q(config->get("queue_directory"));
  if (action == 'p' || action == 'j') return list(program, q, action == 'j');
  size_t moved = 0;
  if (action == 'f') return flush(program, q, nullptr, &moved);
  if (action == 's') return flush_site(program, *config, q, argument);
  // -i ID
  if (!queue::is_valid_queue_id(argument)) {
    std::fprintf(stderr, "%s: fatal: invalid queue ID: %s\n", program, argument.c_str());
    return kExUsage;
  }
  int status = flush(
      program, q, [&](const std::string& id) { return id == argument; }, &moved);
  if (status == 0 && moved == 0) {
    std::fprintf(stderr, "%s: warning: %s: no such deferred message\n", program, argument.c_str());
    return kExUnavailable;
  }
  return status;
}

int mailq_main(int argc, char** argv) {
  // mailq is postqueue -p; it also takes sendmail's -C and Postfix's -c.
  const char* config_dir = nullptr;
  for (int i = 1; i < argc; ++i) {
    if ((std::strcmp(argv[i], "-c") == 0 || std::strcmp(argv[i], "-C") == 0) && i + 1 < argc)
      config_dir = argv[++i];
    else if (std::strcmp(argv[i], "-v") != 0)
      return (std::fprintf(stderr, "usage: mailq [-c config_dir]\n"), kExUsage);
  }
  auto config = config::Config::load(config::resolve_config_dir(config_dir));
  if (!config) {
    std::fprintf(stderr, "mailq: fatal: %s\n", config.error().message.c_str());
    return kExConfig;
  }
  return list("mailq", queue::Queue(config->get("queue_directory")), false);
}

}  // namespace correio::cli
