// The state of one restriction check (Postfix's smtpd_check_* call): what the lists look
// at (Facts), what accepted mail must have done to it (Effects), and the per-check flags
// of access(5)/postconf(5) — warn_if_reject, DEFER_IF_PERMIT, DEFER_IF_REJECT — with
// Postfix's smtpd_check_reject() rules for turning a rejection into a reply.
// One Evaluation lives for one check on one session's coroutine; not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtp/reply.hpp"

namespace correio::smtpd {
class Restrictions;
}

namespace correio::smtpd::access {

// The lists, in the order Postfix evaluates them at RCPT TO with smtpd_delay_reject = yes,
// then the ETRN command's own (smtpd_etrn_restrictions).
enum class Stage { client, helo, sender, relay, recipient, data, end_of_data, etrn };
inline constexpr int kStages = 8;

enum class Verdict { dunno, permit, reject };

// What the restrictions look at. Views: the caller keeps the strings alive for the check.
struct Facts {
  std::string_view client_address;
  std::string_view client_name = "unknown";   // verified (forward-confirmed) name
  std::string_view reverse_name = "unknown";  // the PTR name, confirmed or not
  std::string_view helo;                      // "" before HELO/EHLO
  std::string_view sender;                    // "" for the null sender
  std::string_view recipient;                 // "" outside RCPT TO; what tables are asked
  // The recipient as the client wrote it, for reply texts and the log, when it differs
  // from `recipient` ("bob@example.com." has its trailing dot; Postfix's reply_name).
  std::string_view recipient_as_given;
  std::string_view etrn_domain;    // the ETRN site; "" outside ETRN
  std::string_view sasl_username;  // "" unless the client authenticated
  std::string_view sasl_method;    // "PLAIN", ... ("" without AUTH)
  std::string_view sasl_sender;    // MAIL FROM's AUTH= (RFC 4954 §5), "" without one
  // The policy protocol's other attributes (SMTPD_POLICY_README): the message size (SIZE=
  // at MAIL and RCPT, the received size at END-OF-MESSAGE), the TLS session, the ports
  // and the server's address, and an ID that one mail transaction keeps throughout.
  long long size = 0;
  std::string_view encryption_protocol, encryption_cipher;
  int encryption_keysize = 0;
  unsigned short client_port = 0;
  std::string_view server_address;
  unsigned short server_port = 0;
  std::string_view instance;
  bool has_sender = false;  // after MAIL FROM
  bool pipelined = false;   // input waiting that the client may not send yet
  int recipient_count = 0;
  // For the log line (Postfix's log_whatsup): "RCPT", "CONNECT", "EHLO", "MAIL", "DATA",
  // "END-OF-MESSAGE", "ETRN"; the client as NAME[ADDR]; the queue ID or "" (NOQUEUE).
  std::string_view where;
  std::string_view client_label;
  std::string_view queue_id;
  std::string_view protocol = "SMTP";

  std::string_view shown_recipient() const {
    return recipient_as_given.empty() ? recipient : recipient_as_given;
  }
};

// access(5) actions that change what happens to accepted mail (DISCARD, HOLD, REDIRECT,
// BCC, FILTER, PREPEND); they last for the mail transaction (the session resets them with it).
struct Effects {
  bool discard = false;
  bool hold = false;
  std::string redirect;              // REDIRECT: the only recipient the queue file gets
  std::string bcc;                   // BCC: one more recipient (access(5): the last one)
  std::string filter;                // FILTER transport:destination (the last one)
  std::vector<std::string> prepend;  // PREPEND: headers, in order, before Received:
  // DEFER_IF_PERMIT met at connect, HELO or MAIL with smtpd_delay_reject = no: Postfix
  // answers it at RCPT TO, when the recipient lists permit. The client's and HELO's
  // outlive a mail transaction.
  std::optional<smtp::Reply> pending_client, pending_helo, pending_sender;

  // What RSET and the end of a transaction forget.
  void reset_transaction() {
    discard = hold = false;
    redirect.clear();
    bcc.clear();
    filter.clear();
    prepend.clear();
    pending_sender.reset();
  }
};

// Postfix's log_whatsup(): "NOQUEUE: reject: RCPT from host[addr]: TEXT; from=<s> to=<r>
// proto=ESMTP helo=<h>", from= only after MAIL, to= only with a recipient, helo= only
// after HELO.
std::string whatsup_line(const Facts& facts, std::string_view whatsup, std::string_view text);

class Evaluation {
 public:
  Evaluation(Restrictions& engine, const Facts& facts, Effects& effects)
      : engine(engine), facts(facts), effects(effects) {}

  Restrictions& engine;
  const Facts& facts;
  Effects& effects;
  Stage stage = Stage::client;
  smtp::Reply reply;       // set when a list ends with Verdict::reject
  int depth = 0;           // nesting of restriction classes and table results
  int warn_if_reject = 0;  // the depth at which warn_if_reject applies, 0: off
  std::optional<smtp::Reply> defer_if_permit, defer_if_reject;
  // A table result that is a restriction list speaks of the table's subject (Postfix's
  // generic_checks() gets the lookup's reply name and class); empty: the stage's.
  std::optional<std::pair<std::string, std::string>> nested_subject;

  // The subject and class of the stage's generic replies: "<unknown[10.0.0.1]>" with
  // "Client host", the HELO name with "Helo command", ... (Postfix's reply_name/class).
  std::string subject() const;
  std::string_view subject_class() const;

  // Postfix's smtpd_check_reject(): under warn_if_reject logs "reject_warning" and goes
  // on (dunno); a 5xx becomes the pending DEFER_IF_REJECT reply; else logs "reject".
  Verdict reject(int code, std::string_view enhanced, std::string text);
  // reject() with "<subject>: Class rejected: text".
  Verdict reject_as(std::string_view subject, std::string_view klass, int code,
                    std::string_view enhanced, std::string_view text);
  // A table or configuration problem: logged as a warning, "451 4.3.5 Server
  // configuration error" (Postfix's reply), never a silent permit.
  Verdict configuration_error(std::string_view problem);
  // A table that failed now: "451 4.3.0 <subject>: Temporary lookup failure".
  Verdict lookup_failure(std::string_view subject, std::string_view problem);
  void log(std::string_view whatsup, std::string_view text) const;
};

}  // namespace correio::smtpd::access
