// Where smtpd puts an accepted message: the queue, behind a small interface so that the
// session's dialogue does not know the queue file format.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::smtpd {

struct Recipient {
  std::string address;
  std::string notify;  // RFC 3461 NOTIFY, as given ("" when absent)
  std::string orcpt;   // RFC 3461 ORCPT, decoded "type;address" ("" when absent)
  // The recipients cleanup's address rewriting made of `address` (canonical, virtual
  // aliases); empty: `address` itself. `address` stays the original recipient.
  std::vector<std::string> rewritten;
};

struct Envelope {
  std::string sender;  // "" for the null sender
  std::vector<Recipient> recipients;
  std::string ret;    // RFC 3461 RET: "FULL", "HDRS" or ""
  std::string envid;  // RFC 3461 ENVID, decoded
  std::string body;   // BODY=7BIT / 8BITMIME / BINARYMIME
  bool smtputf8 = false;
  long long declared_size = 0;  // RFC 1870 SIZE=, 0 when not given
  std::string auth_sender;      // RFC 4954 AUTH=, decoded; "" when absent or "<>"
  std::string client_name, client_address, helo_name, protocol, sasl_username;
  // After cleanup's address rewriting: the sender the queue file gets (unset: `sender`),
  // the copies (always_bcc, sender_bcc_maps, recipient_bcc_maps; NOTIFY=NEVER), and
  // whether duplicates count per original recipient (enable_original_recipient).
  std::optional<std::string> rewritten_sender;
  std::vector<std::string> copies;
  bool duplicates_by_original = true;
};

// One message being written. Destroying it before commit() removes the partial file.
class MessageWriter {
 public:
  virtual ~MessageWriter() = default;
  // The queue ID, known from creation on (logged as "ID: client=...").
  virtual const std::string& queue_id() const = 0;
  // Appends content (LF line endings). An error means the disk refused: answer 452 4.3.1.
  virtual Status append(std::string_view content) = 0;
  // What content inspection decided (cleanup/content_inspector.hpp), before commit():
  // commit into the hold queue; recipients that replace (REDIRECT) or join (BCC) the
  // envelope's. An error means a recipient could not be recorded: answer 4xx.
  virtual void hold() = 0;
  virtual Status add_recipients(const std::vector<std::string>& addresses, bool replace) = 0;
  // Writes `envelope` over the one begin() wrote: a milter changed the sender or the
  // recipients. Only before the first append(); an error means answer 4xx.
  virtual Status replace_envelope(const Envelope& envelope) = 0;
  // The after-queue content filter "transport:destination" (content_filter, FILTER).
  // An error means it could not be recorded: answer 4xx.
  virtual Status filter(std::string_view transport_destination) = 0;
  // Makes the message durable; `done` is called once, on the caller's executor, with the
  // queue ID or an error. Only after done(ID) may the client hear "250 ... queued as ID".
  virtual void commit(std::function<void(Result<std::string>)> done) = 0;
};

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual Result<std::unique_ptr<MessageWriter>> begin(const Envelope& envelope) = 0;
  // Whether the queue can take a message of `bytes` (0: size unknown) and still keep
  // queue_minfree free; MAIL is refused with 452 4.3.1 otherwise.
  virtual bool has_room(long long bytes) const {
    (void)bytes;
    return true;
  }
};

}  // namespace correio::smtpd
