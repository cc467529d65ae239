// libFuzzer target for src/mail: a message (from APPEND, LMTP or a Maildir file) through
// the MIME parser, ENVELOPE/BODYSTRUCTURE, every section of every part, BINARY, the SEARCH
// decoders, PREVIEW and the RFC 5256 helpers. The first line of the input doubles as a section
// spec.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mail/address.hpp"
#include "mail/date.hpp"
#include "mail/encoded_words.hpp"
#include "mail/header_fields.hpp"
#include "mail/imap_section.hpp"
#include "mail/imap_structure.hpp"
#include "mail/message_search.hpp"
#include "mail/preview.hpp"
#include "mail/threading.hpp"

namespace {

using namespace correio::mail;

void visit(std::string_view raw, const MimePart& root, const MimePart& part,
           std::vector<unsigned>& path, int& budget) {
  if (--budget < 0) return;
  for (std::string_view suffix : {"", ".MIME", ".HEADER", ".TEXT", ".HEADER.FIELDS (From To)",
                                  ".HEADER.FIELDS.NOT (Subject)"}) {
    std::string text;
    for (unsigned n : path) text += (text.empty() ? "" : ".") + std::to_string(n);
    if (text.empty() && suffix == ".MIME") continue;
    text += text.empty() && !suffix.empty() ? suffix.substr(1) : suffix;
    std::optional<SectionSpec> spec = parse_section(text);
    if (!spec) __builtin_trap();  // every generated spec is valid
    (void)section_bytes(raw, root, *spec);
    (void)section_to_string(*spec);
    if (spec->kind == SectionSpec::Kind::kFull) (void)binary_section(raw, root, *spec);
  }
  std::size_t count = part.is_multipart() ? part.children.size() : 1;
  if (part.is_message_rfc822() && part.children.size() == 1) {
    const MimePart& inner = part.children[0];
    count = inner.is_multipart() ? inner.children.size() : 1;
  }
  if (path.size() > 20) return;
  for (unsigned i = 1; i <= count && i <= 8; ++i) {
    path.push_back(i);
    const MimePart* child = find_part(root, path);
    if (child != nullptr && child != &part) visit(raw, root, *child, path, budget);
    path.pop_back();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  MimePart root = parse_mime(raw);
  std::string_view header = raw.substr(0, root.header_size);
  (void)imap_envelope(header);
  (void)imap_body_structure(raw, root, true);
  (void)imap_body_structure(raw, root, false);
  (void)imap_message_size(raw);
  std::vector<unsigned> path;
  int budget = 200;
  visit(raw, root, root, path, budget);

  std::string_view first_line = raw.substr(0, raw.find('\n'));
  if (std::optional<SectionSpec> spec = parse_section(first_line)) {
    (void)section_bytes(raw, root, *spec);
    (void)binary_section(raw, root, *spec);
  }
  (void)decoded_header_text(header);
  (void)utf8_casefold(decoded_body_text(raw, root, 1 << 20));
  // PREVIEW must always be valid UTF-8 of at most 200 characters.
  std::string preview = message_preview(raw, root);
  if (sanitize_utf8(preview) != preview) __builtin_trap();
  (void)html_to_text(raw);
  (void)utf8_contains_ci(raw, first_line);
  std::string subject, from, date;
  (void)first_header_value(header, "Subject", subject);
  (void)first_header_value(header, "From", from);
  (void)first_header_value(header, "Date", date);
  (void)sort_key_mailbox(from);
  (void)sort_key_display(from);
  (void)parse_rfc5322_date(date);
  std::vector<ThreadMessage> messages = {
      {1, std::string(first_line), subject, from, subject, 1},
      {2, subject, std::string(first_line), "", "Re: " + subject, 2},
      {3, from, subject + " " + from, std::string(first_line), subject, 0},
  };
  (void)thread_references(messages);
  (void)thread_orderedsubject(messages);
  return 0;
}
