// qmgr: the queue manager daemon (Postfix's qmgr(8)), one process per system.
// SECURITY: runs as mail_owner; reads and moves queue files, talks only to the delivery
// agents' UNIX sockets in queue_directory/private; takes no network input.
#include "qmgr/qmgr.hpp"
#include "qmgr/queue_manager.hpp"
#include "service/task_daemon.hpp"

namespace correio::qmgr {

int qmgr_main(const service::DaemonArgs& args) {
  service::TaskDaemon daemon;
  daemon.process_name = "qmgr";
  daemon.run = [](service::Context& ctx) -> asio::awaitable<void> {
    QueueManager manager(ctx.io, QmgrSettings::from_config(ctx.config), Resolver(ctx.config),
                         ctx.log);
    co_await manager.run();
  };
  return service::run_task_daemon(args, daemon);
}

}  // namespace correio::qmgr
