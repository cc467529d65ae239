// Dovecot's failed-login log lines (see login_log.hpp).
#include "auth/login_log.hpp"

#include <fmt/format.h>

namespace correio::auth {

std::string_view passdb_driver(std::string_view user_directory) {
  return user_directory.substr(0, user_directory.find(':'));
}

std::string passdb_failure_line(std::string_view driver, std::string_view user,
                                std::string_view remote_ip, std::string_view reason) {
  return fmt::format("auth: {}({},{}): {}", driver.empty() ? "passdb" : driver, user, remote_ip,
                     reason == "unknown user" ? "unknown user" : "Password mismatch");
}

std::string login_disconnect_line(std::string_view protocol, const UnauthenticatedEnd& end,
                                  std::string_view client) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(end.took).count();
  std::string what = end.attempts == 0
                         ? fmt::format("no auth attempts in {} secs", secs)
                         : fmt::format("auth failed, {} attempts in {} secs", end.attempts, secs);
  std::string method = end.method.empty() ? "" : fmt::format(" method={},", end.method);
  return fmt::format("{}-login: Disconnected ({}): user=<{}>,{} {}", protocol, what, end.user,
                     method, client);
}

}  // namespace correio::auth
