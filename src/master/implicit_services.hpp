// Services the master starts although master.cf does not list them, as Dovecot always runs
// its auth process: the `auth` service (src/authd) when an smtpd offers SMTP AUTH through
// the default smtpd_sasl_path (private/auth) and no master.cf line runs the command auth.
// A master.cf written before the auth service existed keeps working; the stock master.cf
// lists the line, and an administrator who writes one decides its columns.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "config/master_cf.hpp"

namespace correio::master {

// Appends the implicit services `services` needs under `config` (line 0: not from a file).
void add_implicit_services(const config::Config& config,
                           std::vector<config::MasterService>& services);

}  // namespace correio::master
