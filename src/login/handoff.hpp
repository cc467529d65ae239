// The hand-off message of the pre-login split (docs/prelogin.md): what a login process
// (imap-login, pop3-login) tells the post-login daemon (imapd, pop3d) along with the
// client's descriptor (SCM_RIGHTS) once the auth service said OK. One line of
// TAB-separated fields, escaped as the auth protocol's (auth/auth_protocol.hpp):
//
//   HANDOFF 1 auth-id=N cookie=HEX user=NAME rip=ADDR rport=N lip=ADDR lport=N [tls]
//           method=MECH [tag=TAG] [data=BASE64]
//
// The post-login side believes none of it about who logged in: it asks the auth service
// with auth-id, cookie and the sender's pid (auth/auth_master_protocol.hpp). The rest
// (addresses, TLS, the IMAP tag, input the client pipelined after its login command) only
// shapes the session. The answer is "OK\n", or "FAIL reason\n" after which the post-login
// side has closed its copy of the descriptor. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::login {

// Pipelined input is at most a few reads of 16 KiB; base64 and the fields on top.
constexpr size_t kMaxHandoffLine = 256 * 1024;

struct Handoff {
  unsigned long auth_id = 0;  // the login's AUTH request id at the auth service
  std::string cookie;         // the auth service's COOKIE
  std::string user;           // as the login process saw it; for its log lines only
  std::string remote_address, local_address;
  uint16_t remote_port = 0, local_port = 0;
  bool tls = false;       // the login process keeps the TLS session and proxies plaintext
  std::string method;     // "PLAIN", "SCRAM-SHA-256", ... for the log
  std::string tag;        // IMAP: the tag of LOGIN/AUTHENTICATE, answered by the post-login side
  std::string pipelined;  // bytes the client sent after its login command
};

std::string format_handoff(const Handoff& handoff);  // with its LF
// One line without its LF. Errors name the field.
Result<Handoff> parse_handoff(std::string_view line);

}  // namespace correio::login
