// A transcript test harness for imapd (as mox's IMAP tests and Dovecot's imaptest
// scripts): a real Session, served over a loopback TCP listener by its own event loop and
// worker pool, talks to a scripted client. Each client starts where imap-login's hand-off
// does (serve_logged_in): logged in as demo@example.test by a command tagged "l0".
// Scripts are lines
//   C: a1 FETCH 1 (FLAGS)            sent with CRLF ("\r\n" inside is sent as CRLF)
//   S: * 1 FETCH (FLAGS (\Seen))     one server line (a literal's bytes included, with
//                                    their CRLFs written "\r\n"), where {*} matches any text
//   S~ a1 OK [READ-WRITE] {*}        server lines up to the first that matches (the others
//                                    are skipped: SELECT's untagged data, say)
// run() returns "" when the server said exactly that, else what differed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/mailbox.hpp"

namespace correio::imapd::testing {

class Transcript {
 public:
  // A fresh user demo@example.test (password "secret") with an empty Maildir.
  Transcript();
  ~Transcript();

  // Puts a message into a folder directly through the store (as a delivery would).
  // `text` may use LF line ends. Returns the new UID.
  uint32_t deliver(std::string_view text, std::string_view folder = "INBOX",
                   mailbox::Flags flags = {});
  // The user's store, for setting up folders and checking what the commands did.
  mailbox::MailUser& user();

  // Opens a new client connection, logged in as the demo user (it reads the login's
  // "l0 OK"); the previous one stays open (for scripts with several clients, see client()).
  void connect_and_login();
  // Switches the client the script's lines use (0 is the first connect()).
  void client(size_t index) { current_ = index; }

  // Runs a script on the current client; "" on success, else the first difference.
  std::string run(std::string_view script);

 private:
  struct Server;
  struct Client;
  std::string read_unit(Client& c);

  std::filesystem::path dir_;
  std::unique_ptr<Server> server_;
  std::vector<std::unique_ptr<Client>> clients_;
  size_t current_ = 0;
  std::unique_ptr<mailbox::MailUser> user_;
};

// Whether `text` matches `pattern`, where {*} matches any run of characters. Exposed for
// the harness's own test.
bool transcript_match(std::string_view pattern, std::string_view text);

}  // namespace correio::imapd::testing
