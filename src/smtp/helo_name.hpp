// The HELO/EHLO/LHLO argument made safe to keep: it ends up in Received: headers, log
// lines and restriction lookups, so what a client can put there is narrowed the way
// Postfix's smtpd narrows it. No I/O, so that the fuzz target can feed it.
#pragma once

#include <string>
#include <string_view>

namespace correio::smtp {

// Postfix's smtpd: printable() turns every byte outside printable ASCII (controls, DEL,
// 8-bit bytes) into '?', then neuter() turns each of NEUTER_CHARACTERS, " <>()\";@" in
// Postfix 2.x and later, into '?'. A HELO argument can then neither forge the
// "(name [address])" comment of a Received: header nor start a new header line.
// ':' is kept, as current Postfix does, for IPv6 address literals ("[IPv6:2001:db8::1]").
std::string neuter_helo_name(std::string_view argument);

}  // namespace correio::smtp
