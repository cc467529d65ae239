// The `smtp` daemon: settings and the TLS context at start, then one coroutine per qmgr
// connection, its requests delivered one at a time (see smtp_main.hpp). Deliveries wait
// on the network only, so every connection shares the daemon's one event loop.
#include "delivery/smtp/smtp_main.hpp"

#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "delivery/agent_io.hpp"
#include "delivery/smtp/agent.hpp"
#include "delivery/smtp/content_checks.hpp"
#include "delivery/smtp/lmtp_settings.hpp"
#include "tls/peer_verification.hpp"

namespace correio::delivery::smtp_agent {
namespace {

// How long qmgr may take to send a request on a kept connection.
constexpr auto kRequestTimeout = std::chrono::seconds(3600);

using SettingsReader = Result<AgentSettings> (*)(const config::Config&, const std::string&);

// The agent in SMTP or LMTP mode: the same daemon with the settings of its mode.
int run_agent(const service::DaemonArgs& args, const char* process_name, SettingsReader read) {
  std::shared_ptr<AgentContext> context;
  service::StreamDaemon daemon;
  daemon.process_name = process_name;
  daemon.init = [&context, read, process_name](service::Context& ctx) -> Status {
    auto settings = read(ctx.config, ctx.args.service_name);
    if (!settings) return settings.error();
    // The agent's own prefix on the real configuration: errors keep main.cf's file and line.
    std::string prefix = std::string(process_name) + "_";
    auto checks = open_content_checks(ctx.config, prefix, ctx.log);
    if (!checks) return checks.error();
    settings->checks = std::move(*checks);
    context = std::make_shared<AgentContext>(
        AgentContext{std::move(*settings), ctx.log, ctx.io.get_executor(),
                     asio::use_service<dns::SharedLookup>(ctx.io), nullptr});
    context->cache = std::make_unique<ConnectionCache>(
        ctx.io.get_executor(), context->settings.cache_time_limit,
        context->settings.cache_per_nexthop, context->settings.reuse_limits);
    if (context->settings.host_native) context->native = std::make_unique<dns::NativeLookup>();
    if (!context->settings.mta_sts_cache_directory.empty())
      context->sts.persist_in(StsStore(context->settings.mta_sts_cache_directory));
    const TlsSettings& tls_settings = context->settings.tls;
    if (tls_settings.defaults.level != smtp::TlsLevel::none || tls_settings.policy_maps ||
        context->settings.mta_sts) {
      auto tls = tls::make_client_context(tls_settings.trust, tls_settings.dane_digests);
      if (!tls) return Error{"smtp client TLS: " + tls.error().message};
      context->tls = std::move(*tls);
      context->settings.client.tls_context = context->tls.get();
      if (context->settings.tls_session_timeout.count() > 0)
        context->sessions = std::make_unique<tls::ClientSessionCache>(
            context->tls->native_handle(), context->settings.tls_session_timeout);
    }
    if (!tls_settings.refused.empty()) ctx.log.warning("{}", tls_settings.refused);
    return {};
  };
  daemon.local_session = [&context](
                             service::Context& ctx,
                             asio::local::stream_protocol::socket socket) -> asio::awaitable<void> {
    std::shared_ptr<AgentContext> shared = context;
    // A named handler, not a temporary inside the co_await: g++ 12 destroys such a
    // temporary std::function (and the shared_ptr it holds) twice (ASan: use after free).
    std::function<asio::awaitable<std::vector<RecipientResult>>(const DeliveryRequest&)> handler =
        [shared](const DeliveryRequest& request) { return deliver(request, *shared); };
    co_await serve_requests_async(socket, kRequestTimeout, ctx.log, handler);
  };
  // The cached connections' sockets and timers belong to the daemon's io_context.
  daemon.finish = [&context](service::Context&) { context.reset(); };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace

int smtp_main(const service::DaemonArgs& args) {
  return run_agent(args, "smtp", agent_settings_from_config);
}

int lmtp_main(const service::DaemonArgs& args) {
  return run_agent(args, "lmtp", lmtp_agent_settings);
}

}  // namespace correio::delivery::smtp_agent
