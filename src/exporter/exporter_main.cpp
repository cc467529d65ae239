// exporter: one coroutine per HTTP connection, one request each (Connection: close).
// SECURITY: talks to whoever may reach its listener (loopback by default); runs as
// mail_owner; reads only metrics_directory and the names of queue files. The request head
// is bounded (8 KB) and no body is read.
#include <chrono>
#include <memory>

#include "exporter/exporter.hpp"
#include "exporter/queue_sizes.hpp"
#include "http/exchange.hpp"
#include "metrics/exposition.hpp"

namespace correio::exporter {
namespace {

constexpr size_t kMaxHead = 8192;

struct State {
  std::filesystem::path metrics_directory;
  std::filesystem::path queue_directory;
  std::chrono::seconds timeout{30};
};

http::Response scrape(const State& state, base::Logger& log) {
  std::vector<metrics::Sample> samples = metrics::collect(state.metrics_directory, log);
  size_t files = 0;
  {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(state.metrics_directory, ec)) {
      auto name = entry.path().filename().string();
      if (name.ends_with(".counters") || name.ends_with(".gauges")) ++files;
    }
  }
  for (auto& sample : queue_size_samples(state.queue_directory)) samples.push_back(sample);
  samples.push_back({"correio_metrics_files", "", files, true});
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics::render(samples), "no-store"};
}

asio::awaitable<void> serve(const State& state, base::Logger& log, asio::ip::tcp::socket socket) {
  io::Connection conn(std::move(socket));
  conn.set_timeout(state.timeout);
  http::Exchange exchange = co_await http::read_request(conn, kMaxHead, 0, state.timeout);
  http::Response response;
  if (exchange.request) {
    const auto& request = *exchange.request;
    if (request.path != "/metrics")
      response = http::error_response(404, "not found; the metrics are at /metrics");
    else if (request.method != "GET")
      response = http::error_response(405, "method not allowed");
    else
      response = scrape(state, log);
  } else if (exchange.error) {
    response = *exchange.error;
  } else {
    co_return;
  }
  co_await http::write_response(conn, response);
}

}  // namespace

int exporter_main(const service::DaemonArgs& args) {
  auto state = std::make_shared<State>();
  service::StreamDaemon daemon;
  daemon.process_name = "exporter";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->metrics_directory = ctx.config.get("metrics_directory");
    state->queue_directory = ctx.config.get("queue_directory");
    if (!ctx.config.get_bool("metrics_enable"))
      ctx.log.warning(
          "metrics_enable = no: the daemons record nothing; /metrics shows the queue sizes "
          "only");
    return {};
  };
  daemon.session = [state](service::Context& ctx,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(*state, ctx.log, std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::exporter
