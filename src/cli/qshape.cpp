// qshape(1): the shape of the queue — how many recipients (or senders, -s) per domain
// wait in which age bucket. `qshape [-s] [-p] [-m min] [-b buckets] [-t minutes] [-l]
// [-w width] [-c config_dir] [queue ...]`, default queues incoming and active; a queue is
// a name under queue_directory or an absolute path.
// SECURITY: reads queue files only; needs read access to the queue (root or mail_owner).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/qshape_report.hpp"
#include "config/config.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_id.hpp"

namespace correio::cli {
namespace {

namespace fs = std::filesystem;

int usage() {
  std::fprintf(stderr,
               "usage: qshape [ -s ] [ -p ] [ -m <min_subdomains> ] [ -b <bucket_count> ] "
               "[ -t <bucket_time> ] [ -l ] [ -w <terminal_width> ] [ -c <config_directory> ] "
               "[ <queue_name> ... ]\n");
  return 1;
}

bool positive(const char* text, int& out) {
  auto v = base::parse_int(text);
  if (!v || *v <= 0 || *v > 1000000) return false;
  out = static_cast<int>(*v);
  return true;
}

// Complete queue files of one directory (mode 0700, as qmgr and Postfix's qshape require).
void collect(const fs::path& dir, std::vector<QshapeMessage>& out) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!queue::is_valid_queue_id(name)) continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_mode & 0733) != 0700)
      continue;
    auto file = queue::read_queue_file(entry.path());
    if (!file) continue;
    QshapeMessage m;
    m.arrival_us = file->envelope.arrival_us;
    m.sender = file->envelope.sender;
    for (const auto& r : file->envelope.recipients)
      if (!r.done) m.recipients.push_back(r.address);
    out.push_back(std::move(m));
  }
  if (ec) std::fprintf(stderr, "qshape: %s: %s\n", dir.c_str(), ec.message().c_str());
}

}  // namespace

int qshape_main(int argc, char** argv) {
  QshapeOptions o;
  const char* config_dir = nullptr;
  int opt, ignored = 0;
  ::optind = 1;
  while ((opt = ::getopt(argc, argv, "lhc:psw:b:t:m:n:N:")) != -1) {
    switch (opt) {
      case 'l':
        o.linear = true;
        break;
      case 'c':
        config_dir = optarg;
        break;
      case 'p':
        o.parents = true;
        break;
      case 's':
        o.senders = true;
        break;
      case 'w':  // Postfix: widths below 80 are ignored
        if (!positive(optarg, o.width)) return usage();
        o.width = std::max(o.width, 80);
        break;
      case 'b':
        if (!positive(optarg, o.buckets)) return usage();
        break;
      case 't':
        if (!positive(optarg, o.bucket_minutes)) return usage();
        break;
      case 'm':
        if (!positive(optarg, o.min_subdomains)) return usage();
        break;
      case 'n':
      case 'N':  // batch output to a terminal: Correio prints the final table only
        if (!positive(optarg, ignored)) return usage();
        break;
      default:
        return usage();
    }
  }
  std::vector<std::string> queues(argv + optind, argv + argc);
  if (queues.empty()) queues = {"incoming", "active"};
  auto config = config::Config::load(config::resolve_config_dir(config_dir));
  if (!config) {
    std::fprintf(stderr, "qshape: %s\n", config.error().message.c_str());
    return 1;
  }
  fs::path root = config->get("queue_directory");
  std::vector<QshapeMessage> messages;
  for (const auto& q : queues) {
    fs::path dir = !q.empty() && q.front() == '/' ? fs::path(q) : root / q;
    collect(dir, messages);
  }
  auto now = base::now_us();
  std::string text = qshape_report(messages, o, now);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace correio::cli
