// The pre-login split's socket names (see login_sockets.hpp).
#include "config/login_sockets.hpp"

namespace correio::config {

std::filesystem::path login_directory(const Config& config) {
  return std::filesystem::path(config.get("queue_directory")) / kLoginDirectory;
}

std::filesystem::path login_auth_socket(const Config& config) {
  return login_directory(config) / "auth";
}

std::filesystem::path private_auth_socket(const Config& config) {
  return std::filesystem::path(config.get("queue_directory")) / "private" / "auth";
}

std::string login_command_for(std::string_view command) {
  if (command == "imapd") return "imap-login";
  if (command == "pop3d") return "pop3-login";
  return {};
}

std::string postlogin_command_for(std::string_view login_command) {
  if (login_command == "imap-login") return "imapd";
  if (login_command == "pop3-login") return "pop3d";
  return {};
}

std::string postlogin_service_name(std::string_view login_command, std::string_view service_name) {
  return postlogin_command_for(login_command) + "-" + std::string(service_name);
}

std::filesystem::path handoff_socket(const Config& config, std::string_view login_command,
                                     std::string_view service_name) {
  return login_directory(config) / postlogin_service_name(login_command, service_name);
}

}  // namespace correio::config
