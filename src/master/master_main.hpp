// The master process's entry point, shared by `start-fg` and the detached `start`.
#pragma once

#include <filesystem>

#include "master/master.hpp"

namespace correio::master {

struct MasterOptions {
  std::filesystem::path config_dir;
  const KnownCommands* known = nullptr;
  bool detach = false;  // started by `start`: stdio to /dev/null once running
  int ready_fd = -1;    // one byte is written here once the master runs (then closed)
};

// Runs the master until it is stopped; returns the exit status.
int run_master(const MasterOptions& options);

}  // namespace correio::master
