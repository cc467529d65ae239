// LIST's and LSUB's response lines (RFC 9051 §7.3.1 LIST, RFC 3501 §7.2.3 LSUB, RFC 5258
// §3.5 CHILDINFO): pure renderers of the entries list_selection.cpp chose. Private to
// imapd.
#pragma once

#include <string>

#include "imapd/list_selection.hpp"

namespace correio::imapd {

// "LIST (attributes) "." name [(CHILDINFO ("SUBSCRIBED"))]" (no "* ").
std::string list_response(const ListEntry& entry);
// "LSUB (attributes) "." name" (no "* ").
std::string lsub_response(const LsubEntry& entry);
// LIST "" "": the hierarchy delimiter and root (RFC 9051 §6.3.9).
std::string list_root_response();

}  // namespace correio::imapd
