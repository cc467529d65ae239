// cleanup, the library smtpd and pickup pass every message through on its way into the
// queue (design.md §2): counts hops, adds Message-ID: and Date: when missing, enforces
// header_size_limit, adds From: to local submissions without one, and records the
// Message-ID for the log. It streams: only the header
// being read is held (at most header_size_limit bytes), never the whole message.
// One instance per message; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::cleanup {

struct HeaderOptions {
  std::string queue_id;
  std::string myhostname;  // for a generated Message-ID
  long long header_size_limit = 102400;
  int hopcount_limit = 50;
  std::chrono::system_clock::time_point arrival = std::chrono::system_clock::now();
  // Local submission (pickup): the From: header to add when the message has none, e.g.
  // "Jane Doe <jane@example.org>"; empty: add none (smtpd, as Postfix's
  // local_header_rewrite_clients leaves remote mail alone).
  std::string missing_from;
  // Address rewriting of each complete header (AddressRewriter::header); empty: none
  // (mail from clients outside local_header_rewrite_clients). Its first error is kept.
  std::function<Result<std::string>(std::string_view header)> rewrite_header;
};

class HeaderCleanup {
 public:
  explicit HeaderCleanup(HeaderOptions options) : options_(std::move(options)) {}

  // Content with LF line endings, in any pieces. What should be stored is appended to `out`.
  void feed(std::string_view content, std::string& out);
  // End of the message: flushes a header section that never ended.
  void finish(std::string& out);

  // RFC 5321 §6.3: more Received: headers than hopcount_limit means a mail loop.
  bool too_many_hops() const { return received_count_ > options_.hopcount_limit; }
  // The Message-ID as found or generated ("<...>"); empty before the headers ended.
  const std::string& message_id() const { return message_id_; }
  bool headers_done() const { return in_body_; }
  // feed() would append its input unchanged (the body, no partial line held): the caller
  // may store the input itself and skip the copy.
  bool passes_through() const { return in_body_ && partial_line_.empty(); }
  // A table failed while rewriting a header: the message must not be accepted now.
  const std::optional<Error>& rewrite_error() const { return rewrite_error_; }

 private:
  void process_line(std::string_view line, std::string& out);  // one line with its LF
  void flush_header(std::string& out);
  void end_headers(std::string& out);

  HeaderOptions options_;
  bool in_body_ = false;
  bool at_line_start_ = true;
  std::string partial_line_;  // a line not yet ended by LF (bounded by the size limit)
  std::string header_;        // the logical header being collected, with folding
  bool header_truncated_ = false;
  int received_count_ = 0;
  bool saw_date_ = false;
  bool saw_from_ = false;
  std::string message_id_;
  std::optional<Error> rewrite_error_;
};

}  // namespace correio::cleanup
