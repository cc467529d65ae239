// postmap -b, -h and -m (Postfix's postmap_queries() with its MIME engine): a message read
// from standard input becomes lookup keys, one per logical header and per body line, as
// header_checks(5) and body_checks(5) see them (mail::MimeStream). Single-threaded.
#include <istream>

#include "cli/postmap_tool.hpp"
#include "mail/mime_stream.hpp"

namespace correio::cli::postmap_tool {
namespace {

class KeyHandler final : public mail::MimeStreamHandler {
 public:
  KeyHandler(const MessageKeys& which, const KeyCallback& key) : which_(which), key_(key) {}

  bool stopped() const { return stopped_; }

  void header(mail::HeaderClass, std::string_view text) override {
    if (!stopped_ && which_.headers) stopped_ = !key_(std::string(text));
  }
  void body(std::string_view text, bool, uint64_t) override {
    // postmap_head_end(): with -h alone the body is not read at all.
    if (!which_.body && !which_.mime) stopped_ = true;
    if (!stopped_ && which_.body) stopped_ = !key_(std::string(text));
  }

 private:
  const MessageKeys& which_;
  const KeyCallback& key_;
  bool stopped_ = false;
};

}  // namespace

void message_keys(std::istream& in, const MessageKeys& which, const KeyCallback& key) {
  mail::MimeStreamOptions options;
  // Without -m, MIME_OPT_DISABLE_MIME: everything after the primary headers is body.
  options.disable_mime = !which.mime;
  mail::MimeStream stream(options);
  KeyHandler handler(which, key);
  // vstring_get_nonl(): lines without their LF (a CR stays part of the line).
  for (std::string line; !handler.stopped() && std::getline(in, line);) {
    line += '\n';
    stream.feed(line, handler);
  }
  if (!handler.stopped()) stream.finish(handler);
}

}  // namespace correio::cli::postmap_tool
