// The FETCH item renderers (see fetch_render.hpp). ENVELOPE, BODY and BODYSTRUCTURE come
// from the store, which caches them; the rest from the message's record or its bytes.
#include "imapd/fetch_render.hpp"

#include <fmt/format.h>

#include <array>
#include <iterator>

#include "base/strings.hpp"
#include "imapd/object_ids.hpp"
#include "imapd/response.hpp"
#include "imapd/selected_view.hpp"
#include "mail/imap_section.hpp"
#include "mail/preview.hpp"

namespace correio::imapd {
namespace {

using K = FetchItem::Kind;
using Renderer = void (*)(FetchMessage&, const FetchItem&, std::string&);

void append_partial(std::string& out, const FetchItem& item, std::string_view bytes,
                    bool binary_literal) {
  std::string_view slice = bytes;
  if (item.partial) {
    uint64_t start = item.partial->first;
    slice = start >= bytes.size() ? std::string_view() : bytes.substr(start, item.partial->second);
  }
  out += item.label;
  if (item.partial) out += fmt::format("<{}>", item.partial->first);
  out += ' ';
  if (binary_literal) {
    out += fmt::format("~{{{}}}\r\n", slice.size());
    out += slice;
  } else {
    out += fmt::format("{{{}}}\r\n", slice.size());
    size_t start = out.size();
    out += slice;
    // RFC 9051 §4.3: an ordinary literal carries no NUL. A stored NUL goes out as 0x80,
    // as Dovecot sends it: one byte for one, so <partial> offsets and RFC822.SIZE hold.
    // BINARY[] sends NULs unchanged, in a literal8 (above).
    base::replace_nul(out, start, '\x80');
  }
}

// ENVELOPE, BODY, BODYSTRUCTURE: the store's cached value; NIL when the message cannot be
// read any more (expunged by another session meanwhile).
void append_cached(std::string& out, const Result<std::string_view>& value) {
  if (value)
    out += *value;
  else
    out += "NIL";
}

void render_uid(FetchMessage& m, const FetchItem&, std::string& out) {
  fmt::format_to(std::back_inserter(out), "UID {}", m.info.uid);
}
void render_flags(FetchMessage& m, const FetchItem&, std::string& out) {
  out += "FLAGS ";
  append_flags(out, m.info.flags, m.info.recent);
}
void render_internal_date(FetchMessage& m, const FetchItem&, std::string& out) {
  out += "INTERNALDATE " + format_internal_date(static_cast<time_t>(m.info.internal_date));
}
void render_size(FetchMessage& m, const FetchItem&, std::string& out) {
  fmt::format_to(std::back_inserter(out), "RFC822.SIZE {}", m.info.vsize);
}
void render_modseq(FetchMessage& m, const FetchItem&, std::string& out) {
  fmt::format_to(std::back_inserter(out), "MODSEQ ({})", m.info.modseq);
}
void render_envelope(FetchMessage& m, const FetchItem&, std::string& out) {
  out += "ENVELOPE ";
  append_cached(out, m.box.envelope(m.info.uid, m.raw));
}
void render_body(FetchMessage& m, const FetchItem&, std::string& out) {
  out += "BODY ";
  append_cached(out, m.box.body(m.info.uid, m.raw));
}
void render_body_structure(FetchMessage& m, const FetchItem&, std::string& out) {
  out += "BODYSTRUCTURE ";
  append_cached(out, m.box.body_structure(m.info.uid, m.raw));
}
void render_section(FetchMessage& m, const FetchItem& item, std::string& out) {
  std::string bytes = m.raw ? mail::section_bytes(*m.raw, m.structure(), item.section) : "";
  append_partial(out, item, bytes, false);
}
// BINARY[...] and BINARY.SIZE[...] (RFC 3516): the part decoded from its transfer encoding.
void render_binary(FetchMessage& m, const FetchItem& item, std::string& out) {
  if (m.raw == nullptr) {
    out += item.label + " NIL";
    return;
  }
  auto content = mail::binary_section(*m.raw, m.structure(), item.section);
  if (content.status == mail::BinaryContent::Status::kUnknownCte) {
    m.unknown_cte = true;
    out += item.label + " NIL";
    return;
  }
  if (item.kind == K::binary_size)
    out += fmt::format("{} {}", item.label, content.data.size());
  else
    append_partial(out, item, content.data, content.has_nul);
}
void render_email_id(FetchMessage& m, const FetchItem&, std::string& out) {
  out += "EMAILID (" + email_object_id(m.info.file) + ")";
}
void render_thread_id(FetchMessage&, const FetchItem&, std::string& out) {
  out += "THREADID NIL";  // RFC 8474 §5.2: NIL when the server does not thread
}
void render_save_date(FetchMessage& m, const FetchItem&, std::string& out) {
  auto saved = save_date(m.info.file, m.box.path());
  out += "SAVEDATE " +
         (saved ? format_internal_date(static_cast<time_t>(*saved)) : std::string("NIL"));
}
void render_preview(FetchMessage& m, const FetchItem&, std::string& out) {
  out += "PREVIEW ";
  if (m.raw == nullptr)
    out += "NIL";
  else
    append_string(out, mail::message_preview(*m.raw, m.structure()));
}

// Indexed by FetchItem::Kind, in its declaration order.
constexpr std::array<Renderer, 15> kRenderers = {
    render_uid,             // uid
    render_flags,           // flags
    render_internal_date,   // internal_date
    render_size,            // size
    render_envelope,        // envelope
    render_body,            // body
    render_body_structure,  // body_structure
    render_modseq,          // modseq
    render_section,         // section
    render_binary,          // binary
    render_binary,          // binary_size
    render_email_id,        // email_id
    render_thread_id,       // thread_id
    render_save_date,       // save_date
    render_preview,         // preview
};
static_assert(static_cast<size_t>(K::preview) + 1 == kRenderers.size());

}  // namespace

const mail::MimePart& FetchMessage::structure() {
  if (!root_) root_ = mail::parse_mime(*raw);
  return *root_;
}

void render_fetch_item(FetchMessage& message, const FetchItem& item, std::string& line) {
  kRenderers[static_cast<size_t>(item.kind)](message, item, line);
}

}  // namespace correio::imapd
