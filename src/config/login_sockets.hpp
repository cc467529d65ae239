// Where the pre-login split's sockets live (docs/prelogin.md), named once for the master
// (which binds them), the auth service, the login processes and the post-login daemons.
// queue_directory/login/ (mode 0750, group of login_user) is the only part of the queue
// a login process can reach: the auth service's login socket (login/auth) and one hand-off
// socket per IMAP or POP3 listener (login/imapd-NAME, login/pop3d-NAME). The auth
// service's socket for mail_owner's daemons stays private/auth.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/master_cf.hpp"

namespace correio::config {

// The subdirectory of queue_directory.
inline constexpr std::string_view kLoginDirectory = "login";
// The private column of a master.cf entry whose socket the master binds in login/ (only
// the master's implicit post-login services have it; see master/implicit_services.hpp).
inline constexpr std::string_view kLoginSocketColumn = "login";

std::filesystem::path login_directory(const Config& config);
// login/auth: the auth service's socket for login processes (AUTH only).
std::filesystem::path login_auth_socket(const Config& config);
// private/auth: the auth service's socket for mail_owner's daemons (AUTH and REQUEST).
std::filesystem::path private_auth_socket(const Config& config);

// The login command that serves `command`'s listeners before login ("imapd" gives
// "imap-login", "pop3d" "pop3-login"); empty for any other command.
std::string login_command_for(std::string_view command);
// The post-login command of a login command ("imap-login" gives "imapd"); empty otherwise.
std::string postlogin_command_for(std::string_view login_command);
// The name of the implicit post-login service of listener `service_name` of a login
// command: "imapd-imaps" for imap-login's "imaps".
std::string postlogin_service_name(std::string_view login_command, std::string_view service_name);
// Its socket: queue_directory/login/NAME.
std::filesystem::path handoff_socket(const Config& config, std::string_view login_command,
                                     std::string_view service_name);

}  // namespace correio::config
