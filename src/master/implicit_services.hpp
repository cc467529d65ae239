// Services the master starts although master.cf does not list them as such:
// - the pre-login split (docs/prelogin.md): each inet line running imapd or pop3d runs
//   imap-login or pop3-login instead (as login_user), and gets a post-login service: a
//   unix line named "imapd-NAME" (or "pop3d-NAME") with the same columns and -o
//   overrides, whose socket the master binds in queue_directory/login/ (private column
//   config::kLoginSocketColumn, which only the master sets), plus overrides that turn its
//   TLS off (TLS ends in the login process, so it gets no key). An administrator's
//   `imap inet n - n - - imapd` keeps working, split.
// - the `auth` service (src/authd), as Dovecot always runs its auth process, when an smtpd
//   offers SMTP AUTH through the default smtpd_sasl_path (private/auth) or a login
//   service runs, and no master.cf line runs the command auth. The stock master.cf lists
//   the line, and an administrator who writes one decides its columns.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "config/master_cf.hpp"

namespace correio::master {

// Rewrites and appends the implicit services `services` needs under `config` (line of
// an appended entry: its listener's line, or 0 for auth).
void add_implicit_services(const config::Config& config,
                           std::vector<config::MasterService>& services);

}  // namespace correio::master
