// smtpd: the SMTP server. Receives mail from the network and writes it into the queue.
// SECURITY: talks to untrusted SMTP clients; runs as mail_owner (never root when started
// by a root master); writes only into queue_directory/incoming; reads no mailbox except
// for BURL (imapd_urlauth_host set). SMTP AUTH asks the auth service over smtpd_sasl_path
// (private/auth): smtpd never checks a password hash itself.
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <memory>
#include <optional>

#include "auth/user_directory.hpp"
#include "service/server_tls.hpp"
#include "smtpd/queue_sink.hpp"
#include "smtpd/session.hpp"
#include "smtpd/settings.hpp"
#include "smtpd/smtpd.hpp"

namespace correio::smtpd {

int smtpd_main(const service::DaemonArgs& args) {
  struct State {
    Settings settings;
    std::optional<resolve::Resolver> resolver;  // the domain classes, for both checks below
    std::unique_ptr<QueueSink> sink;
    std::unique_ptr<RecipientCheck> recipients;
    std::unique_ptr<Restrictions> restrictions;
    std::unique_ptr<auth::UserDirectory> burl_users;  // null without BURL
    std::unique_ptr<RateLimits> rates;
    std::unique_ptr<ClientAdmission> admission;
    std::optional<cleanup::AddressRewriter> rewriter;
    std::optional<HeaderRewriteClients> header_clients;
    std::unique_ptr<cleanup::CheckTables> checks;  // null without header/body checks
    std::optional<EtrnService> etrn;
    std::unique_ptr<SessionCounters> counters;
    std::unique_ptr<cleanup::CheckTables> milter_checks;  // milter_header_checks
    std::optional<milter::Settings> milters;              // empty: no smtpd_milters
    // BURL's store reads (RFC 4468); only with imapd_urlauth_host set.
    std::unique_ptr<asio::thread_pool> store_workers;
    std::unique_ptr<Services> services;
    ~State() {
      // The event loop has ended: a read still running finishes before the store goes.
      if (store_workers) {
        store_workers->stop();
        store_workers->join();
      }
    }
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "smtpd";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->settings = Settings::from_config(ctx.config);
    Settings& s = state->settings;
    if (s.tls_level != TlsLevel::none || s.tls_wrappermode) {
      // Postfix: encrypt and wrapper mode use the smtpd_tls_mandatory_* policy.
      bool required = s.tls_level == TlsLevel::encrypt || s.tls_wrappermode;
      auto tls = service::open_server_tls(ctx, "smtpd", required);
      if (!tls) return tls.error();
      s.tls = std::move(*tls);
    }
    state->sink = std::make_unique<QueueSink>(ctx.config.get("queue_directory"),
                                              ctx.config.get_int("queue_minfree"));
    // Postfix refuses to guess who is trusted: a mynetworks it cannot read is fatal.
    if (auto nets = ClientNetworks::parse(ctx.config.get("mynetworks")); !nets)
      return Error{"mynetworks: " + nets.error().message};
    // A domain list that cannot be opened (unknown table type, missing file) is fatal:
    // smtpd would otherwise relay or reject by a guess.
    auto resolver = resolve::Resolver::open(ctx.config);
    if (!resolver) return resolver.error();
    state->resolver.emplace(std::move(*resolver));
    // receive_override_options (this service's -o, FILTER_README's re-injection smtpd):
    // an unknown value is fatal, as in Postfix.
    auto overrides = cleanup::ReceiveOverrides::from_config(ctx.config);
    if (!overrides) return overrides.error();
    RecipientCheck::Options options;
    options.resolver = &*state->resolver;
    options.skip = overrides->no_unknown_recipient_checks;
    options.user_directory = ctx.config.get("user_directory");
    options.default_realm = ctx.config.get("auth_default_realm");
    options.recipient_delimiter = ctx.config.get("recipient_delimiter");
    options.tables = resolve::RecipientTableSettings::from_config(ctx.config);
    options.local_reject_code =
        static_cast<int>(ctx.config.get_int("unknown_local_recipient_reject_code"));
    options.virtual_reject_code =
        static_cast<int>(ctx.config.get_int("unknown_virtual_mailbox_reject_code"));
    options.relay_reject_code =
        static_cast<int>(ctx.config.get_int("unknown_relay_recipient_reject_code"));
    state->recipients = std::make_unique<RecipientCheck>(options, ctx.log);

    Restrictions::Options restriction_settings = restriction_options(ctx.config, &*state->resolver);
    restriction_settings.recipients = state->recipients.get();
    state->restrictions = std::make_unique<Restrictions>(restriction_settings, ctx.log);

    if (s.sasl_auth_enable && !s.urlauth_host.empty()) {
      // BURL finds a URL's mail store through the user's record (RFC 4468); the password
      // checks of AUTH are the auth service's.
      auto users = auth::open_user_directory(ctx.config.get("user_directory"),
                                             ctx.config.get("auth_default_realm"));
      if (!users) return Error{"user_directory: " + users.error().message};
      state->burl_users = std::move(*users);
    }
    // Postfix refuses to guess who is exempt from its limits and checks: a bad list is fatal.
    for (const char* name :
         {"smtpd_client_event_limit_exceptions", "smtpd_forbid_bare_newline_exclusions"})
      if (auto nets = ClientNetworks::parse(ctx.config.get(name)); !nets)
        return Error{std::string(name) + ": " + nets.error().message};
    state->rates = std::make_unique<RateLimits>(
        RateLimitSettings::from_config(ctx.config, ctx.args.service_name), ctx.log);
    state->admission = std::make_unique<ClientAdmission>(
        AdmissionSettings::from_config(ctx.config, ctx.args.service_name), ctx.log, *state->rates);
    // cleanup's address rewriting runs in smtpd (design.md §2); a table it cannot open
    // is fatal, as in Postfix's cleanup.
    auto rewriter = cleanup::AddressRewriter::open(ctx.config, *overrides);
    if (!rewriter) return rewriter.error();
    state->rewriter.emplace(std::move(*rewriter));
    auto header_clients =
        HeaderRewriteClients::parse(ctx.config.get("local_header_rewrite_clients"), s.mynetworks);
    if (!header_clients) return header_clients.error();
    state->header_clients.emplace(std::move(*header_clients));
    // header_checks and friends; a table that cannot be opened or asks for what Correio
    // does not do (FILTER) is fatal, rather than mail passing uninspected.
    if (!overrides->no_header_body_checks) {
      auto checks = cleanup::CheckTables::open(ctx.config, "", ctx.log);
      if (!checks) return checks.error();
      if (checks->any()) state->checks = std::make_unique<cleanup::CheckTables>(std::move(*checks));
    }
    // A fast_flush_domains that cannot be opened is fatal, like the other domain lists.
    auto etrn = EtrnService::open(ctx.config);
    if (!etrn) return etrn.error();
    state->etrn.emplace(std::move(*etrn));
    // smtpd_milters: a list that cannot be parsed is fatal, never mail passing unfiltered.
    auto milters = milter::Settings::from_config(ctx.config, "smtpd_milters");
    if (!milters) return milters.error();
    if (!milters->empty()) state->milters.emplace(std::move(*milters));
    // milter_header_checks: like header_checks, fatal when it does not open.
    if (state->milters && !overrides->no_header_body_checks) {
      auto checks = cleanup::CheckTables::open_milter_header_checks(ctx.config, ctx.log);
      if (!checks) return checks.error();
      if (checks->any())
        state->milter_checks = std::make_unique<cleanup::CheckTables>(std::move(*checks));
    }
    state->services = std::make_unique<Services>(
        Services{*state->sink, *state->recipients, *state->restrictions, state->burl_users.get(),
                 *state->admission, *state->rates, *state->rewriter, *state->header_clients,
                 state->checks.get(), &*state->etrn, state->milters ? &*state->milters : nullptr});
    state->services->milter_checks = state->milter_checks.get();
    if (ctx.metrics.enabled()) {
      state->counters = std::make_unique<SessionCounters>(SessionCounters{
          smtp::reply_counters(ctx.metrics),
          ctx.metrics.counter("correio_smtpd_messages_received_total"), ctx.metrics});
      state->services->counters = state->counters.get();
    }
    if (!s.urlauth_host.empty()) {
      // Two threads: BURL is one command per submitted message, rarely concurrent.
      state->store_workers = std::make_unique<asio::thread_pool>(2);
      state->services->store_workers = state->store_workers.get();
    }
    return {};
  };
  daemon.session = [state](service::Context& ctx,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(state->settings, ctx.log, *state->services, std::move(socket));
  };
  // BURL reads still running on the pool use their sessions: they end before the
  // io_context, and with it every suspended session, is destroyed.
  daemon.finish = [state](service::Context&) {
    if (state->store_workers) {
      state->store_workers->stop();
      state->store_workers->join();
    }
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::smtpd
