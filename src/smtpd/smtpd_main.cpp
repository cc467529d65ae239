// smtpd: the SMTP server. Receives mail from the network and writes it into the queue.
// SECURITY: talks to untrusted SMTP clients; runs as mail_owner (never root when started
// by a root master); writes only into queue_directory/incoming; reads no mailbox.
#include <asio/use_awaitable.hpp>
#include <memory>

#include "smtpd/queue_sink.hpp"
#include "smtpd/session.hpp"
#include "smtpd/settings.hpp"
#include "smtpd/smtpd.hpp"
#include "tls/server_context.hpp"

namespace correio::smtpd {

int smtpd_main(const service::DaemonArgs& args) {
  struct State {
    Settings settings;
    std::unique_ptr<QueueSink> sink;
    std::unique_ptr<RecipientCheck> recipients;
    std::unique_ptr<ClientAdmission> admission;
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "smtpd";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->settings = Settings::from_config(ctx.config);
    Settings& s = state->settings;
    if (s.tls_level != TlsLevel::none || s.tls_wrappermode) {
      auto tls = tls::make_server_context({s.tls_cert_file, s.tls_key_file});
      if (tls) {
        s.tls = *tls;
      } else if (s.tls_level == TlsLevel::encrypt || s.tls_wrappermode) {
        return Error{"TLS is required here but unavailable: " + tls.error().message};
      } else {
        ctx.log.warning("TLS library problem: {}; TLS is not offered", tls.error().message);
      }
    }
    state->sink = std::make_unique<QueueSink>(ctx.config.get("queue_directory"),
                                              ctx.config.get_int("queue_minfree"));
    RecipientCheck::Options options;
    options.local_domains = state->settings.local_domains;
    options.virtual_domains = state->settings.virtual_mailbox_domains;
    options.user_directory = ctx.config.get("user_directory");
    options.recipient_delimiter = ctx.config.get("recipient_delimiter");
    options.check_local = !ctx.config.get("local_recipient_maps").empty();
    options.alias_maps = ctx.config.get("alias_maps");
    state->recipients = std::make_unique<RecipientCheck>(options, ctx.log);
    state->admission = std::make_unique<ClientAdmission>(
        AdmissionSettings::from_config(ctx.config, ctx.args.service_name), ctx.log);
    return {};
  };
  daemon.session = [state](service::Context& ctx,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(state->settings, ctx.log, *state->sink, *state->recipients, *state->admission,
                   std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::smtpd
