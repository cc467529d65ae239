// Streaming header processing: hop count, Message-ID/Date, header_size_limit.
#include "cleanup/header_cleanup.hpp"

#include <fmt/format.h>

#include <ctime>

#include "base/strings.hpp"
#include "mail/date.hpp"

namespace correio::cleanup {
namespace {

// RFC 5322 §2.2: field-name is printable US-ASCII except ':' and space, then ':'.
bool is_header_start(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (size_t i = 0; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

std::string header_name(std::string_view header) {
  return base::to_lower(base::trim(header.substr(0, header.find(':'))));
}

}  // namespace

void HeaderCleanup::feed(std::string_view content, std::string& out) {
  if (in_body_ && partial_line_.empty()) {
    out.append(content);
    return;
  }
  while (!content.empty()) {
    if (in_body_) {
      out.append(content);
      return;
    }
    size_t lf = content.find('\n');
    if (lf == std::string_view::npos) {
      // Keep at most the limit of an unfinished line; the excess of a header is discarded.
      size_t room = static_cast<size_t>(options_.header_size_limit) + 1;
      if (partial_line_.size() < room)
        partial_line_.append(content.substr(0, room - partial_line_.size()));
      return;
    }
    if (partial_line_.empty()) {
      process_line(content.substr(0, lf + 1), out);
    } else {
      partial_line_.append(content.substr(0, lf + 1));
      std::string line = std::move(partial_line_);
      partial_line_.clear();
      process_line(line, out);
    }
    content.remove_prefix(lf + 1);
  }
}

void HeaderCleanup::process_line(std::string_view line, std::string& out) {
  if (in_body_) {
    out.append(line);
    return;
  }
  bool continuation = !line.empty() && (line.front() == ' ' || line.front() == '\t');
  if (continuation && !header_.empty()) {
    if (static_cast<long long>(header_.size() + line.size()) > options_.header_size_limit) {
      header_truncated_ = true;  // Postfix: the excess is discarded
      return;
    }
    header_ += line;
    return;
  }
  flush_header(out);
  if (is_header_start(line)) {
    header_.assign(line.substr(0, static_cast<size_t>(options_.header_size_limit)));
    if (header_.back() != '\n') header_ += '\n';
    return;
  }
  // The blank line, or a line that is not a header: the header section ends here.
  end_headers(out);
  if (line != "\n") out += '\n';  // keep headers and body apart
  out.append(line);
}

void HeaderCleanup::flush_header(std::string& out) {
  if (header_.empty()) return;
  std::string name = header_name(header_);
  if (name == "received") ++received_count_;
  if (name == "date") saw_date_ = true;
  if (name == "from") saw_from_ = true;
  if (name == "message-id" && message_id_.empty())
    message_id_ = std::string(base::trim(std::string_view(header_).substr(header_.find(':') + 1)));
  if (options_.rewrite_header && !rewrite_error_) {
    auto rewritten = options_.rewrite_header(header_);
    if (rewritten)
      header_ = std::move(*rewritten);
    else
      rewrite_error_ = rewritten.error();
  }
  out += header_;
  header_.clear();
  header_truncated_ = false;
}

void HeaderCleanup::end_headers(std::string& out) {
  flush_header(out);
  in_body_ = true;
  if (message_id_.empty()) {
    // Postfix's form: <YYYYMMDDhhmmss.QUEUEID@myhostname>.
    std::time_t t = std::chrono::system_clock::to_time_t(options_.arrival);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
    message_id_ = fmt::format("<{}.{}@{}>", stamp, options_.queue_id, options_.myhostname);
    out += "Message-Id: " + message_id_ + "\n";
  }
  if (!saw_date_) out += "Date: " + mail::rfc5322_date(options_.arrival) + "\n";
  if (!saw_from_ && !options_.missing_from.empty()) out += "From: " + options_.missing_from + "\n";
}

void HeaderCleanup::finish(std::string& out) {
  if (!partial_line_.empty()) {
    std::string line = std::move(partial_line_);
    partial_line_.clear();
    if (in_body_) {
      out += line;
      return;
    }
    process_line(line + "\n", out);
  }
  if (!in_body_) {
    end_headers(out);
  }
}

}  // namespace correio::cleanup
