// The auth service's master requests (Dovecot's auth master protocol, "REQUEST"): how a
// post-login process (imapd, pop3d running as the mail owner) learns which user a login
// process really logged in, instead of believing the login process's word. A login
// process that got `OK id user=` hands the connection over with its auth request id and
// the auth service's COOKIE; the post-login side asks the auth service, over a socket only
// the mail owner can reach (private/auth), with the login process's pid as the kernel
// reports it (SO_PEERCRED), and gets the user once:
//
//   client: REQUEST id login-pid auth-id cookie-hex
//   server: USER id user          (the login was approved, and is now used up)
//           NOTFOUND id           (no such approved login: forged, replayed or expired)
//           FAIL id reason=...    (the request is malformed: a wrong cookie, say)
//
// Dovecot's REQUEST takes the same four fields; its USER line carries userdb fields,
// which Correio's post-login side looks up itself. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "base/result.hpp"

namespace correio::auth::protocol {

struct MasterRequest {
  unsigned long id = 0;         // the post-login side's own request number
  unsigned long login_pid = 0;  // the login process (SO_PEERCRED of its hand-off)
  unsigned long auth_id = 0;    // the id of the login's AUTH request
  std::string cookie;           // the auth service's COOKIE, hex
};

// Whether `line` (without LF) is a master request rather than an auth client line.
bool is_master_request(std::string_view line);
Result<MasterRequest> parse_master_request(std::string_view line);
std::string format_master_request(const MasterRequest& request);

struct MasterUser {
  unsigned long id = 0;
  std::string user;
};
struct MasterNotFound {
  unsigned long id = 0;
};
struct MasterFailure {
  unsigned long id = 0;
  std::string reason;
};
using MasterReply = std::variant<MasterUser, MasterNotFound, MasterFailure>;

// One server line without its LF; nullopt-like Error for anything else.
Result<MasterReply> parse_master_reply(std::string_view line);
std::string format_master_user(unsigned long id, std::string_view user);
std::string format_master_not_found(unsigned long id);
std::string format_master_failure(unsigned long id, std::string_view reason);

}  // namespace correio::auth::protocol
