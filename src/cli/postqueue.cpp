// postqueue(1) and mailq(1): list the queue (-p, Postfix's format; -j, JSON lines) and
// ask for deferred mail to be retried now (-f all, -i one ID, -s one site).
//
// How a flush reaches qmgr: qmgr watches incoming/ with inotify and takes every complete
// file that appears there, so a flush moves the chosen deferred files back into
// incoming/ (a rename per file, then one sync of both directories). No socket, no qmgr
// change; the cost is that postqueue -f needs write access to the queue (root or
// mail_owner), where Postfix lets any user send the trigger through public/qmgr.
// SECURITY: reads queue files; moves files only between deferred/ and incoming/.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/queue_listing.hpp"
#include "config/config.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_id.hpp"

namespace correio::cli {
namespace {

constexpr int kExUsage = 64, kExUnavailable = 69, kExConfig = 78;

int usage(const char* program) {
  std::fprintf(stderr, "usage: %s [-c config_dir] -f | -i queue_id | -j | -p | -s site\n", program);
  return kExUsage;
}

int list(const char* program, const queue::Queue& q, bool json) {
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

bool has_site(const queue::Queue& q, const std::string& id, const std::string& site) {
  auto file = queue::read_queue_file(q.path(id, queue::QueueName::deferred));
  if (!file) return false;
  for (const auto& r : file->envelope.recipients)
    if (!r.done && address_domain(r.address) == site) return true;
  return false;
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
  if (action == 's') {
    std::string site = base::to_lower(argument);
    return flush(
        program, q, [&](const std::string& id) { return has_site(q, id, site); }, &moved);
  }
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
