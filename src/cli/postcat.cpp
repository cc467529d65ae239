// postcat: shows a queue file as Postfix's postcat(1) does — envelope records, message
// contents, and the end marker. `postcat [-c DIR] [-e] [-h] [-b] -q ID...` finds the file
// in the queue; `postcat FILE...` reads files directly.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "queue/queue.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_id.hpp"

namespace correio::cli {
namespace {

std::string ctime_of(int64_t us) {
  std::time_t t = static_cast<std::time_t>(us / 1000000);
  char buf[64];
  std::tm tm{};
  localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

struct Show {
  bool envelope = true, header = true, body = true;
};

int show(const std::filesystem::path& path, const std::string& label, const Show& what) {
  auto file = queue::read_queue_file(path, true);
  if (!file) {
    std::fprintf(stderr, "postcat: fatal: %s: %s\n", path.c_str(), file.error().message.c_str());
    return 1;
  }
  const auto& e = file->envelope;
  if (what.envelope) {
    std::printf("*** ENVELOPE RECORDS %s ***\n", label.c_str());
    std::printf("message_size: %llu\n", static_cast<unsigned long long>(file->message_size));
    std::printf("message_arrival_time: %s\n", ctime_of(e.arrival_us).c_str());
    std::printf("create_time: %s\n", ctime_of(e.arrival_us).c_str());
    if (!e.client.name.empty())
      std::printf("named_attribute: client_name=%s\n", e.client.name.c_str());
    if (!e.client.address.empty())
      std::printf("named_attribute: client_address=%s\n", e.client.address.c_str());
    if (!e.client.helo.empty())
      std::printf("named_attribute: helo_name=%s\n", e.client.helo.c_str());
    if (!e.client.protocol.empty())
      std::printf("named_attribute: protocol_name=%s\n", e.client.protocol.c_str());
    if (!e.dsn_envid.empty()) std::printf("dsn_envelope_id: %s\n", e.dsn_envid.c_str());
    if (e.dsn_ret != queue::DsnRet::unspecified)
      std::printf("dsn_ret_flags: %s\n", e.dsn_ret == queue::DsnRet::full ? "FULL" : "HDRS");
    std::printf("sender: %s\n", e.sender.c_str());
    for (const auto& r : e.recipients) {
      if (!r.orcpt.empty()) std::printf("dsn_orig_rcpt: %s\n", r.orcpt.c_str());
      if (r.notify) std::printf("dsn_notify_flags: %u\n", r.notify);
      std::printf("original_recipient: %s\n", r.original.c_str());
      std::printf("%s: %s\n", r.done ? "done_recipient" : "recipient", r.address.c_str());
    }
  }
  const std::string& content = file->content_bytes;
  size_t header_end = content.find("\n\n");
  header_end = header_end == std::string::npos ? content.size() : header_end + 1;
  if (what.header || what.body) std::printf("*** MESSAGE CONTENTS %s ***\n", label.c_str());
  if (what.header) std::fwrite(content.data(), 1, header_end, stdout);
  if (what.body && header_end < content.size())
    std::fwrite(content.data() + header_end, 1, content.size() - header_end, stdout);
  if (!content.empty() && content.back() != '\n') std::printf("\n");
  std::printf("*** MESSAGE FILE END %s ***\n", label.c_str());
  return 0;
}

}  // namespace

int postcat_main(int argc, char** argv) {
  const char* dash_c = nullptr;
  bool by_id = false;
  Show what;
  bool selected = false;
  int opt;
  while ((opt = ::getopt(argc, argv, "c:ehbq")) != -1) {
    switch (opt) {
      case 'c':
        dash_c = optarg;
        break;
      case 'q':
        by_id = true;
        break;
      case 'e':
      case 'h':
      case 'b':
        if (!selected) what = {false, false, false};
        selected = true;
        if (opt == 'e') what.envelope = true;
        if (opt == 'h') what.header = true;
        if (opt == 'b') what.body = true;
        break;
      default:
        std::fprintf(stderr, "usage: postcat [-c config_dir] [-ebh] [-q] files...\n");
        return 1;
    }
  }
  if (optind >= argc) {
    std::fprintf(stderr, "usage: postcat [-c config_dir] [-ebh] [-q] files...\n");
    return 1;
  }
  int status = 0;
  if (!by_id) {
    for (int i = optind; i < argc; ++i) status |= show(argv[i], argv[i], what);
    return status;
  }
  auto config = config::Config::load(config::resolve_config_dir(dash_c));
  if (!config) {
    std::fprintf(stderr, "postcat: fatal: %s\n", config.error().message.c_str());
    return 1;
  }
  queue::Queue q(config->get("queue_directory"));
  for (int i = optind; i < argc; ++i) {
    std::string id = argv[i];
    if (!queue::is_valid_queue_id(id)) {
      std::fprintf(stderr, "postcat: warning: invalid queue ID: %s\n", id.c_str());
      status = 1;
      continue;
    }
    bool found = false;
    for (auto name :
         {queue::QueueName::incoming, queue::QueueName::active, queue::QueueName::deferred,
          queue::QueueName::hold, queue::QueueName::corrupt, queue::QueueName::maildrop}) {
      auto path = q.path(id, name);
      if (::access(path.c_str(), F_OK) == 0) {
        status |= show(path, std::string(queue::queue_name(name)) + "/" + id, what);
        found = true;
        break;
      }
    }
    if (!found) {
      std::fprintf(stderr, "postcat: warning: no message %s in the queue\n", id.c_str());
      status = 1;
    }
  }
  return status;
}

}  // namespace correio::cli
