// The metrics exporter service (master.cf command "exporter"): answers Prometheus scrapes
// of /metrics over HTTP with what the daemons counted in metrics_directory and the queue
// sizes. Not in the default master.cf: an administrator adds a line such as
//   127.0.0.1:9154  inet  n  -  n  -  1  exporter
// (loopback only, as Postfix and Dovecot exporters are usually run).
#pragma once

#include "service/daemon.hpp"

namespace correio::exporter {

int exporter_main(const service::DaemonArgs& args);

}  // namespace correio::exporter
