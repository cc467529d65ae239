// What a queue file says about a message besides its content: the envelope of
// RFC 5321 with the DSN extensions of RFC 3461, and where the message came from.
// Plain values; copy freely; no thread-safety concerns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace correio::queue {

// RFC 3461 §4.1 NOTIFY=; 0 means the client gave no NOTIFY parameter.
enum NotifyFlag : uint8_t {
  kNotifySuccess = 1,
  kNotifyFailure = 2,
  kNotifyDelay = 4,
  kNotifyNever = 8,
};

struct Recipient {
  std::string address;   // final recipient, after address rewriting
  std::string original;  // as the client gave it, before rewriting (Postfix's "orig_rcpt")
  std::string orcpt;     // RFC 3461 §4.2 ORCPT=, "rfc822;user@example.org", or empty
  uint8_t notify = 0;    // NotifyFlag bits

  // Filled in by the reader, ignored by the writer.
  bool done = false;    // delivered or bounced already
  uint64_t offset = 0;  // file offset of the record's type byte, for mark_recipient_done()

  bool operator==(const Recipient&) const = default;
};

// RFC 3461 §4.3 RET=.
enum class DsnRet : uint8_t { unspecified, full, hdrs };

struct ClientInfo {
  std::string name;           // reverse-DNS name, or "unknown"
  std::string address;        // IP address
  std::string helo;           // HELO/EHLO argument
  std::string protocol;       // "SMTP", "ESMTP", "ESMTPSA", "LMTP", "local", ...
  std::string sasl_username;  // empty if not authenticated

  bool operator==(const ClientInfo&) const = default;
};

struct Envelope {
  int64_t arrival_us = 0;  // arrival time, microseconds since the epoch
  std::string sender;      // empty: the null sender <>
  std::vector<Recipient> recipients;
  DsnRet dsn_ret = DsnRet::unspecified;
  std::string dsn_envid;  // RFC 3461 §4.4 ENVID=, as xtext-decoded by smtpd
  ClientInfo client;
  // The sender's full name for a From: header cleanup adds (sendmail -F, Postfix's
  // REC_TYPE_FULL); only in maildrop files, empty otherwise.
  std::string full_name;
  // The queue ID the file was written under (attribute queue_id), as read back from a
  // queue file; writers pass it to encode_envelope(). Recovery compares it with the
  // file's name to spot a reused file whose new content never reached the disk
  // (recycle_pool.hpp). Empty in files written without it.
  std::string queue_id;

  // Set when content inspection rejected a locally submitted message (header_checks
  // REJECT under pickup): "5.7.1 text". qmgr then returns the message to the sender for
  // every recipient instead of delivering it, as Postfix's cleanup bounces it. Recorded
  // after the content (queue_file_format.hpp, encode_extracted()).
  std::string content_rejected;

  // The after-queue content filter, "transport:destination" (postconf(5) content_filter,
  // access(5) and header_checks(5) FILTER): qmgr sends every recipient there instead of
  // the normal route. Empty: none. Recorded after the content (RecordType::filter).
  std::string content_filter;

  // Mail the mail system itself generated: "forward" for a copy local(8) forwards (an
  // alias, :include: or .forward naming an address outside the local domains). pickup
  // honours it only in maildrop files owned by root or by itself (mail_owner), and then
  // treats the message as Postfix's cleanup treats CLEANUP_FLAG_MASK_INTERNAL mail:
  // address mappings on; header/body checks, the bcc maps and pickup's Received: line off.
  // Empty for everything else. Attribute internal_source.
  std::string internal_source;

  bool operator==(const Envelope&) const = default;
};

}  // namespace correio::queue
