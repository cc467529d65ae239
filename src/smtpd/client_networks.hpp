// smtpd's client network lists (mynetworks, smtpd_client_event_limit_exceptions,
// smtpd_forbid_bare_newline_exclusions): Postfix's network match list, which lives with
// the lookup tables it may name (maps/network_list.hpp).
#pragma once

#include "maps/network_list.hpp"

namespace correio::smtpd {

using ClientNetworks = maps::NetworkList;

}  // namespace correio::smtpd
