// `postfix status` counts the master's daemons: the children of the master process found
// in /proc, grouped by master.cf service ("correio -c DIR daemon smtpd -n NAME -t TYPE").
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace correio::master {

struct ServiceProcesses {
  std::string service;  // "127.0.0.1:2525/inet"
  std::string command;  // "smtpd"
  int processes = 0;
};

// Sorted by service. Children that are not daemons (a `start` helper) are left out.
std::vector<ServiceProcesses> count_service_processes(pid_t master);

}  // namespace correio::master
