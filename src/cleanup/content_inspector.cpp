// Acting on header_checks/body_checks matches for one message (see the header); the
// order of precedence and the log lines follow Postfix's cleanup_message.c.
#include "cleanup/content_inspector.hpp"

#include <fmt/format.h>

namespace correio::cleanup {
namespace {

// Postfix logs at most 200 bytes of the line, control characters shown as '?'
// (msg_output's printable()): a folded header's line ends included.
std::string printable(std::string_view text, size_t limit) {
  std::string out(text.substr(0, limit));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace

void ContentInspector::feed(std::string_view content, std::string& out) {
  if (stopped()) return;
  out_ = &out;
  stream_.feed(content, *this);
  out_ = nullptr;
}

void ContentInspector::finish(std::string& out) {
  if (stopped()) return;
  out_ = &out;
  stream_.finish(*this);
  out_ = nullptr;
}

void ContentInspector::own_header(std::string_view header, std::string& out) {
  if (!header.empty() && header.back() == '\n') header.remove_suffix(1);
  out_ = &out;
  this->header(mail::HeaderClass::primary, header);
  out_ = nullptr;
}

void ContentInspector::header(mail::HeaderClass header_class, std::string_view text) {
  if (stopped()) return;
  const CheckTable& table = header_class == mail::HeaderClass::primary ? tables_.header
                            : header_class == mail::HeaderClass::mime  ? tables_.mime_header
                                                                       : tables_.nested_header;
  std::optional<std::string> replaced;
  if (!check(table, true, text, replaced)) return;
  *out_ += replaced ? *replaced : text;
  *out_ += '\n';
}

void ContentInspector::body(std::string_view text, bool line_end, uint64_t offset) {
  if (stopped()) return;
  std::optional<std::string> replaced;
  // body_checks_size_limit: only so much of each body segment (attachment) is looked at.
  bool in_limit =
      tables_.body_size_limit <= 0 || offset < static_cast<uint64_t>(tables_.body_size_limit);
  if (in_limit && !check(tables_.body, false, text, replaced)) return;
  *out_ += replaced ? *replaced : text;
  if (line_end) *out_ += '\n';
}

bool ContentInspector::check(const CheckTable& table, bool is_header, std::string_view line,
                             std::optional<std::string>& replaced) {
  if (!checking_ || !table.map) return true;
  auto found = table.map->lookup(line);
  std::string_view context = is_header ? "header" : "body";
  if (!found) {
    // Postfix: the message is not accepted and the client tries again later.
    log_.info_as("cleanup",
                 "warning: {}: {} map lookup problem -- message not accepted, try "
                 "again later",
                 context_.queue_id, table.parameter);
    verdict_.reject = "4.3.0 Error: queue file write error";
    return false;
  }
  if (!*found) return true;
  CheckAction action = parse_check_action(**found, is_header, table.parameter);
  bool delivery = tables_.use == CheckUse::delivery;
  if (!action.problem.empty()) {
    if (delivery)
      log_.warning("{}", action.problem);
    else
      log_.info_as("cleanup", "warning: {}", action.problem);
  }
  if (delivery && !supported_in_delivery(action.verb)) {
    // A table that could not be listed at start (static:, SQL) returned an action the
    // smtp/lmtp client does not perform: the message waits rather than go out with the
    // rule skipped.
    log_.warning(
        "{}: {} map: action {} is not supported by the smtp/lmtp client -- "
        "message deferred",
        context_.queue_id, table.parameter, **found);
    verdict_.reject = "4.3.5 Error: unsupported action in " + table.parameter;
    checking_ = false;
    return false;
  }
  switch (action.verb) {
    case CheckVerb::ignore:
      return false;
    case CheckVerb::strip:
      // header_checks(5) STRIP: IGNORE with a "strip:" log line.
      log_action("strip", context, line, action.text);
      return false;
    case CheckVerb::pass:
      // header_checks(5) PASS: this line stays and nothing after it is checked.
      log_action("pass", context, line, action.text);
      checking_ = false;
      return true;
    case CheckVerb::replace:
      log_action("replace", context, line, action.text);
      replaced = std::move(action.text);
      return true;
    case CheckVerb::prepend:
      // header_checks(5): the text goes on a line of its own before the input, unchecked.
      log_action("prepend", context, line, action.text);
      *out_ += action.text;
      *out_ += '\n';
      return true;
    case CheckVerb::dunno:
    case CheckVerb::invalid:
      return true;
    default:
      act_on_message(action, context, line);
      return true;
  }
}

void ContentInspector::act_on_message(const CheckAction& action, std::string_view context,
                                      std::string_view line) {
  switch (action.verb) {
    case CheckVerb::reject:
    case CheckVerb::defer:
      verdict_.reject = action.text;
      checking_ = false;
      log_action("reject", context, line, action.text);
      break;
    case CheckVerb::warn:
      log_action("warning", context, line, action.text);
      break;
    case CheckVerb::info:
      log_action("info", context, line, action.text);
      break;
    case CheckVerb::discard:
      log_action("discard", context, line, action.text);
      verdict_.discard = true;
      checking_ = false;
      break;
    case CheckVerb::hold:
      if (!verdict_.hold) log_action("hold", context, line, action.text);  // logged once
      verdict_.hold = true;
      break;
    case CheckVerb::redirect:
      log_action("redirect", context, line, action.text);
      verdict_.redirect = action.text;
      checking_ = false;
      break;
    case CheckVerb::bcc:
      log_action("bcc", context, line, action.text);
      verdict_.bcc.push_back(action.text);
      break;
    case CheckVerb::filter:
      // header_checks(5) FILTER: "the last FILTER action wins"; it overrides
      // content_filter and smtpd's access FILTER (the queue file records one filter).
      log_action("filter", context, line, action.text);
      verdict_.filter = action.text;
      break;
    default:
      break;
  }
}

// Postfix's cleanup_act_log(): "QID: ACTION: CONTEXT LINE from ORIGIN; from=<S> to=<R>
// proto=P helo=<H>: TEXT".
void ContentInspector::log_action(std::string_view action, std::string_view context,
                                  std::string_view line, std::string_view text) {
  if (tables_.use == CheckUse::delivery) {
    // Postfix's smtp_hbc_logger(): "QID: ACTION: CONTEXT LINE: TEXT", the line cut at 60.
    std::string entry =
        fmt::format("{}: {}: {} {}", context_.queue_id, action, context, printable(line, 60));
    if (!text.empty()) entry += fmt::format(": {}", printable(text, std::string_view::npos));
    log_.info("{}", entry);
    return;
  }
  std::string entry = fmt::format("{}: {}: {} {} from {};", context_.queue_id, action, context,
                                  printable(line, 200), context_.origin);
  entry += fmt::format(" from=<{}>", context_.sender);
  if (!context_.recipient.empty()) entry += fmt::format(" to=<{}>", context_.recipient);
  if (!context_.protocol.empty()) entry += fmt::format(" proto={}", context_.protocol);
  if (!context_.helo.empty()) entry += fmt::format(" helo=<{}>", context_.helo);
  if (!text.empty()) entry += fmt::format(": {}", printable(text, std::string_view::npos));
  log_.info_as("cleanup", "{}", entry);
}

}  // namespace correio::cleanup
