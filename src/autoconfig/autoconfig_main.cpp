// autoconfig: one coroutine per HTTP(S) connection, one request each (Connection: close).
// SECURITY: talks to untrusted clients; runs as mail_owner; reads no mailbox and no
// password: it parses a bounded request head (8 KB) and body (64 KB) and answers from
// main.cf/master.cf, which it read at start.
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <memory>

#include "autoconfig/autoconfig.hpp"
#include "autoconfig/documents.hpp"
#include "autoconfig/mail_services.hpp"
#include "base/strings.hpp"
#include "config/master_cf.hpp"
#include "http/exchange.hpp"
#include "io/connection.hpp"
#include "resolve/resolver.hpp"
#include "service/server_tls.hpp"

namespace correio::autoconfig {
namespace {

constexpr size_t kMaxHead = 8192;
constexpr size_t kMaxBody = 65536;

struct State {
  std::unique_ptr<tls::ServerCertificates> tls;
  std::vector<MailService> services;
  std::string server;
  bool login_is_localpart = false;
  std::chrono::seconds timeout{30};
  std::unique_ptr<resolve::Resolver> resolver;
};

using http::Response;

Response error(int status, std::string_view text) {
  Response response = http::error_response(status, text);
  response.cache_control = "max-age=3600";
  return response;
}

// The domain a request is about: the address's, else autoconfig.<domain> from Host.
std::string request_domain(const std::string& email, const std::string& host) {
  if (!email.empty()) return base::to_lower(email.substr(email.rfind('@') + 1));
  for (std::string_view prefix : {"autoconfig.", "autodiscover."})
    if (host.starts_with(prefix)) return host.substr(prefix.size());
  return {};
}

Response answer(State& state, base::Logger& log, const http::HttpRequest& request,
                std::string_view body) {
  bool thunderbird = request.path == "/mail/config-v1.1.xml" ||
                     request.path == "/.well-known/autoconfig/mail/config-v1.1.xml";
  bool outlook = base::iequals(request.path, "/autodiscover/autodiscover.xml");
  bool apple = request.path == "/mobileconfig";
  if (!thunderbird && !outlook && !apple) return error(404, "not found");
  if (outlook ? request.method != "POST" && request.method != "GET" : request.method != "GET")
    return error(405, "method not allowed");

  std::string email;
  if (outlook) {
    email = autodiscover_request_address(body);
  } else if (auto it = request.query.find("emailaddress"); it != request.query.end()) {
    email = it->second;
  }
  if (!email.empty() && !plausible_address(email)) return error(400, "bad emailaddress");
  if (apple && email.empty()) return error(400, "emailaddress is required");
  if (outlook && email.empty()) return error(400, "no EMailAddress in the request");
  std::string domain = request_domain(email, request.host);
  if (domain.empty()) return error(400, "no domain: give emailaddress");
  auto klass = state.resolver->classify_domain(domain);
  if (!klass) {
    log.warning("autoconfig: domain lookup for {}: {}", domain, klass.error().message);
    return error(503, "temporary lookup failure");
  }
  // Only the domains whose mail is delivered here have accounts to configure.
  if (*klass == resolve::AddressClass::kRelay || *klass == resolve::AddressClass::kDefault)
    return error(404, "not a domain of this server");

  Account account{email, domain, state.server, state.login_is_localpart};
  if (thunderbird)
    return {200, "application/xml; charset=utf-8", thunderbird_config(account, state.services),
            "max-age=3600"};
  if (outlook)
    return {200, "application/xml; charset=utf-8", outlook_autodiscover(account, state.services),
            "max-age=3600"};
  return {200, "application/x-apple-aspen-config", apple_mobileconfig(account, state.services),
          "max-age=3600"};
}

asio::awaitable<void> serve(State& state, base::Logger& log, asio::ip::tcp::socket socket) {
  io::Connection conn(std::move(socket));
  conn.set_timeout(state.timeout);
  if (state.tls) {
    std::string why;
    auto context = state.tls->context();
    bool secured = co_await conn.start_tls(*context, why);
    if (!secured) co_return;  // scanners and plain-HTTP probes: not worth a log line each
  }
  // The whole request within autoconfig_timeout, however slowly it trickles in.
  http::Exchange exchange = co_await http::read_request(conn, kMaxHead, kMaxBody, state.timeout);
  Response response;
  if (exchange.request) {
    response = answer(state, log, *exchange.request, exchange.body);
    log.info("autoconfig: {} {} from {}: {}", exchange.request->method, exchange.request->path,
             conn.remote_address(), response.status);
  } else if (exchange.error) {
    response = *exchange.error;
    response.cache_control = "max-age=3600";
  } else {
    co_return;
  }
  co_await http::write_response(conn, response);
}

}  // namespace

int autoconfig_main(const service::DaemonArgs& args) {
  auto state = std::make_shared<State>();
  service::StreamDaemon daemon;
  daemon.process_name = "autoconfig";
  daemon.init = [state, &args](service::Context& ctx) -> Status {
    if (ctx.config.get_bool("autoconfig_tls_wrappermode")) {
      auto tls = service::open_server_tls(ctx, "autoconfig", true);
      if (!tls) return tls.error();
      state->tls = std::move(*tls);
    }
    auto master = config::load_master_cf(args.config_dir);
    if (!master) return master.error();
    auto services = client_services(ctx.config, *master);
    if (!services) return services.error();
    state->services = std::move(*services);
    state->server = ctx.config.get("autoconfig_server_name");
    std::string login = ctx.config.get("autoconfig_login_name");
    if (login != "email" && login != "localpart")
      return Error{"autoconfig_login_name = " + login + ": expected email or localpart"};
    state->login_is_localpart = login == "localpart";
    state->timeout =
        std::chrono::duration_cast<std::chrono::seconds>(ctx.config.get_time("autoconfig_timeout"));
    auto resolver = resolve::Resolver::open(ctx.config);
    if (!resolver) return resolver.error();
    state->resolver = std::make_unique<resolve::Resolver>(std::move(*resolver));
    return {};
  };
  daemon.session = [state](service::Context& ctx,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(*state, ctx.log, std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::autoconfig
