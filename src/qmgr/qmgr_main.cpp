// qmgr: the queue manager daemon (Postfix's qmgr(8)), one process per system.
// SECURITY: runs as mail_owner; reads and moves queue files, talks only to the delivery
// agents' UNIX sockets in queue_directory/private; takes no network input. It reads
// virtual_mailbox_maps (else user_directory) only to tell whether postmaster@/abuse@ a
// virtual domain is a mailbox.
#include <memory>
#include <stdexcept>

#include "auth/user_directory.hpp"
#include "qmgr/qmgr.hpp"
#include "qmgr/queue_manager.hpp"
#include "resolve/recipient_tables.hpp"
#include "service/task_daemon.hpp"

namespace correio::qmgr {
namespace {

// The resolver, with virtual_mailbox_maps or else the user directory as its mailbox probe
// when there is one.
Result<resolve::Resolver> open_resolver(const config::Config& config, base::Logger& log) {
  auto resolver = resolve::Resolver::open(config);
  if (!resolver) return resolver.error();
  if (!config.get("virtual_mailbox_maps").empty()) {
    resolve::RecipientTableSettings settings;
    settings.virtual_mailbox_maps = config.get("virtual_mailbox_maps");
    settings.recipient_delimiter = config.get("recipient_delimiter");
    auto tables =
        std::make_shared<resolve::RecipientTables>(resolve::RecipientTables::open(settings));
    for (const auto& error : tables->open_errors()) log.warning("{}", error);
    resolver->set_mailbox_probe([tables](std::string_view address) -> Result<bool> {
      auto known = tables->known(resolve::AddressClass::kVirtualMailbox, address);
      if (!known) return known.error();
      return known->value_or(true);
    });
    return resolver;
  }
  std::string spec = config.get("user_directory");
  if (spec.empty()) return resolver;
  auto opened = auth::open_user_directory(spec, config.get("auth_default_realm"));
  if (!opened) {
    // Not fatal here: the virtual agent reports it per delivery; role mail then stays
    // with the virtual transport.
    log.warning("user_directory {}: {}", spec, opened.error().message);
    return resolver;
  }
  std::shared_ptr<auth::UserDirectory> users = std::move(*opened);
  resolver->set_mailbox_probe([users, &log](std::string_view address) -> Result<bool> {
    auto found = users->lookup(address);
    for (const auto& w : users->take_warnings()) log.warning("{}", w);
    if (!found) return found.error();
    return found->has_value();
  });
  return resolver;
}

}  // namespace

int qmgr_main(const service::DaemonArgs& args) {
  service::TaskDaemon daemon;
  daemon.process_name = "qmgr";
  daemon.run = [](service::Context& ctx) -> asio::awaitable<void> {
    auto resolver = open_resolver(ctx.config, ctx.log);
    // The skeleton logs the exception as "fatal:" and exits 1; the master backs off.
    if (!resolver) throw std::runtime_error(resolver.error().message);
    QueueManager manager(ctx.io, QmgrSettings::from_config(ctx.config), std::move(*resolver),
                         ctx.log);
    if (ctx.metrics.enabled()) manager.count_in(ctx.metrics);
    co_await manager.run();
  };
  return service::run_task_daemon(args, daemon);
}

}  // namespace correio::qmgr
