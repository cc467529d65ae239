// See command_wait.hpp.
#include "delivery/command_wait.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string_view>
#include <thread>

#include "base/strings.hpp"

namespace correio::delivery {

CommandOutcome wait_for_command(pid_t pid, int output_fd,
                                std::chrono::steady_clock::time_point deadline) {
  CommandOutcome outcome;
  // Delivery agents run one command at a time per request thread; polling keeps the
  // deadline simple and costs nothing next to the command itself.
  while (::waitpid(pid, &outcome.status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &outcome.status, 0);
      outcome.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  char buf[kMaxCommandOutput];
  ssize_t n = ::pread(output_fd, buf, sizeof buf, 0);
  ::close(output_fd);
  outcome.output = base::trim(std::string_view(buf, n > 0 ? static_cast<size_t>(n) : 0));
  for (char& c : outcome.output)
    if (c == '\n' || c == '\r') c = ' ';
  return outcome;
}

}  // namespace correio::delivery
