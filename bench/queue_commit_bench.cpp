// Group-commit benchmark for the queue (src/queue/commit_batcher.hpp): K threads write
// N messages of 2 KB each, committing one by one (a file sync and a directory sync each,
// as Postfix does) or through the CommitBatcher, and print messages/s and syncs.
//   queue_commit_bench [-n messages] [-k threads] [-s size] [-d parent_dir]
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "queue/commit_batcher.hpp"
#include "queue/queue_directories.hpp"
#include "queue/queue_file_writer.hpp"

namespace q = correio::queue;

namespace {

struct Config {
  int messages = 2000;
  int threads = 16;
  size_t size = 2048;
  std::string parent = ".";
};

q::Envelope sample_envelope() {
  q::Envelope env;
  env.arrival_us = 1700000000000000;
  env.sender = "sender@example.org";
  env.recipients.push_back({"rcpt@example.com", "rcpt@example.com", "", 0, false, 0});
  env.client = {"client.example.org", "192.0.2.1", "client.example.org", "ESMTP", ""};
  return env;
}

// Runs one mode; returns messages per second, or a negative number on failure.
double run(const Config& cfg, bool batched, q::CommitBatcher::Stats* stats) {
  std::string tmpl = cfg.parent + "/queue-bench.XXXXXX";
  if (!::mkdtemp(tmpl.data())) return -1;
  std::filesystem::path root = tmpl;
  if (!q::create_queue_directories(root)) return -1;
  const q::Envelope env = sample_envelope();
  const std::string body(cfg.size, 'x');
  std::atomic<int> next{0}, failures{0};
  std::optional<q::CommitBatcher> batcher;
  if (batched) batcher.emplace();

  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < cfg.threads; ++t) {
    // Each thread is one SMTP session: it waits for its 250 before the next message.
    threads.emplace_back([&] {
      while (next.fetch_add(1) < cfg.messages) {
        auto w = q::QueueFileWriter::create(root, env);
        if (!w || !w->append_content(body)) {
          ++failures;
          continue;
        }
        correio::Status s = batched ? batcher->commit(std::move(*w)) : w->commit();
        if (!s) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (batcher) *stats = batcher->stats();
  batcher.reset();
  std::filesystem::remove_all(root);
  if (failures) return -1;
  return cfg.messages / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  for (int opt; (opt = ::getopt(argc, argv, "n:k:s:d:")) != -1;) {
    switch (opt) {
      case 'n':
        cfg.messages = std::atoi(optarg);
        break;
      case 'k':
        cfg.threads = std::atoi(optarg);
        break;
      case 's':
        cfg.size = static_cast<size_t>(std::atol(optarg));
        break;
      case 'd':
        cfg.parent = optarg;
        break;
      default:
        std::fprintf(stderr, "usage: %s [-n messages] [-k threads] [-s size] [-d dir]\n", argv[0]);
        return 2;
    }
  }
  std::printf("%d messages of %zu bytes from %d threads in %s\n", cfg.messages, cfg.size,
              cfg.threads, cfg.parent.c_str());
  q::CommitBatcher::Stats stats;
  double single = run(cfg, false, nullptr);
  if (single < 0) return std::fprintf(stderr, "unbatched run failed\n"), 1;
  std::printf("unbatched: %8.0f msg/s  file syncs %d  directory syncs %d\n", single, cfg.messages,
              cfg.messages);
  double batched = run(cfg, true, &stats);
  if (batched < 0) return std::fprintf(stderr, "batched run failed\n"), 1;
  std::printf("batched:   %8.0f msg/s  file syncs %llu  directory syncs %llu  largest batch %llu\n",
              batched, static_cast<unsigned long long>(stats.files),
              static_cast<unsigned long long>(stats.batches),
              static_cast<unsigned long long>(stats.largest_batch));
  std::printf("speed-up:  %.2fx\n", batched / single);
  return 0;
}
