// RFC 3501 §7.4.2 ENVELOPE, BODY and BODYSTRUCTURE, printed the way Dovecot prints them.
#include "mail/imap_structure.hpp"

#include "base/strings.hpp"
#include "mail/address.hpp"
#include "mail/header_fields.hpp"

namespace correio::mail {
namespace {

// Dovecot prints this for a multipart without parts and for the body of an embedded
// message that has none, so clients always get a well-formed structure.
constexpr std::string_view kEmptyText =
    "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0";
constexpr std::string_view kEmptyEnvelope = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";

// Text shown to people (subjects, display names): line ends and tabs become spaces, runs of
// whitespace collapse, leading and trailing whitespace go (Dovecot's "for humans" rule).
std::string for_humans(std::string_view s) {
  std::string out;
  bool space = true;  // drops leading whitespace
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
      if (!space) out.push_back(' ');
      space = true;
    } else {
      out.push_back(c == '\0' ? static_cast<char>(0x80) : c);
      space = false;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Line ends removed (folding undone) and surrounding whitespace trimmed.
std::string single_line(std::string_view s) {
  return unfold(s);
}

void append_address_list(std::string& out, const std::vector<Address>& list) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out.push_back('(');
  for (const Address& a : list) {
    if (a.is_group_end) {
      out += "(NIL NIL NIL NIL)";
      continue;
    }
    out.push_back('(');
    out += a.has_name && !for_humans(a.name).empty() ? imap_string(for_humans(a.name)) : "NIL";
    out.push_back(' ');
    out += a.route.empty() ? "NIL" : imap_string(a.route);
    out.push_back(' ');
    out += imap_string(a.mailbox);
    out.push_back(' ');
    out += a.is_group_start ? "NIL" : imap_string(a.host);
    out.push_back(')');
  }
  out.push_back(')');
}

void append_params(std::string& out, const std::vector<MimeParam>& params, bool add_charset) {
  bool has_charset = false;
  for (const MimeParam& p : params) has_charset |= p.name == "charset" && !p.extended;
  if (params.empty() && !add_charset) {
    out += "NIL";
    return;
  }
  out.push_back('(');
  bool first = true;
  for (const MimeParam& p : params) {
    if (!first) out.push_back(' ');
    first = false;
    out += imap_string(p.wire_name) + " " + imap_string(p.wire_value);
  }
  if (add_charset && !has_charset) {
    if (!first) out.push_back(' ');
    out += "\"charset\" \"us-ascii\"";
  }
  out.push_back(')');
}

void append_disposition_language_location(std::string& out, const MimePart& part) {
  out.push_back(' ');
  if (part.disposition.empty()) {
    out += "NIL";
  } else {
    out += "(" + imap_string(part.disposition) + " ";
    append_params(out, part.disposition_params, false);
    out.push_back(')');
  }
  out.push_back(' ');
  if (!part.has_language || part.language.empty()) {
    out += "NIL";
  } else {
    out.push_back('(');
    for (std::size_t i = 0; i < part.language.size(); ++i) {
      if (i) out.push_back(' ');
      out += imap_string(part.language[i]);
    }
    out.push_back(')');
  }
  out.push_back(' ');
  out += imap_nstring(part.location, part.has_location);
}

void append_body(std::string& out, std::string_view raw, const MimePart& part, bool ext);

void append_multipart(std::string& out, std::string_view raw, const MimePart& part, bool ext) {
  out.push_back('(');
  if (part.children.empty()) {
    out += kEmptyText;
    out += ext ? " NIL NIL NIL NIL)" : ")";
  }
  for (const MimePart& child : part.children) append_body(out, raw, child, ext);
  out += " " + imap_string(part.subtype);
  if (ext) {
    out.push_back(' ');
    append_params(out, part.type_params, false);
    append_disposition_language_location(out, part);
  }
  out.push_back(')');
}

void append_body(std::string& out, std::string_view raw, const MimePart& part, bool ext) {
  if (part.is_multipart()) {
    append_multipart(out, raw, part, ext);
    return;
  }
  bool text = part.type == "text";
  out.push_back('(');
  out += imap_string(part.type) + " " + imap_string(part.subtype) + " ";
  append_params(out, part.type_params, text);
  out += " " + imap_nstring(part.id, part.has_id);
  out += " " + imap_nstring(part.description, part.has_description);
  out += " " + imap_string(part.transfer_encoding.empty() ? "7bit" : part.transfer_encoding);
  out += " " + std::to_string(part.body_size_crlf);
  if (part.is_message_rfc822()) {
    if (part.children.size() == 1) {
      const MimePart& inner = part.children[0];
      out += " " + imap_envelope(raw.substr(inner.header_offset, inner.header_size)) + " ";
      append_body(out, raw, inner, ext);
    } else {
      out += " " + std::string(kEmptyEnvelope) + " " + std::string(kEmptyText);
      out += ext ? " NIL NIL NIL NIL)" : ")";
    }
    out += " " + std::to_string(part.body_lines);
  } else if (text) {
    out += " " + std::to_string(part.body_lines);
  }
  if (ext) {
    out += " " + imap_nstring(part.md5, part.has_md5);
    append_disposition_language_location(out, part);
  }
  out.push_back(')');
}

}  // namespace

std::string imap_string(std::string_view value) {
  bool literal = value.size() >= 1024;
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) literal = true;
  }
  std::string out;
  if (literal) {
    out = "{" + std::to_string(value.size()) + "}\r\n";
    size_t start = out.size();
    out.append(value);
    // RFC 9051 §4.3: no NUL in a literal; Dovecot sends 0x80 in its place.
    base::replace_nul(out, start, '\x80');
    return out;
  }
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string imap_nstring(const std::string* value) {
  return value == nullptr ? std::string("NIL") : imap_string(*value);
}

std::string imap_nstring(std::string_view value, bool present) {
  return present ? imap_string(value) : std::string("NIL");
}

std::string imap_envelope(std::string_view header) {
  const std::vector<HeaderField> fields = split_header_fields(header);
  auto find = [&](std::string_view name) -> const HeaderField* {
    for (const HeaderField& f : fields)
      if (f.value.data() != nullptr && header_name_equals(f.name, name)) return &f;
    return nullptr;
  };
  auto nstring = [&](std::string_view name, bool human) {
    const HeaderField* f = find(name);
    if (f == nullptr) return std::string("NIL");
    return imap_string(human ? for_humans(f->value) : single_line(f->value));
  };
  auto addresses = [&](std::string_view name) {
    const HeaderField* f = find(name);
    return f == nullptr ? std::vector<Address>{} : parse_address_list(f->value);
  };
  std::vector<Address> from = addresses("From");
  std::vector<Address> sender = addresses("Sender");
  std::vector<Address> reply_to = addresses("Reply-To");
  // RFC 3501 §7.4.2: sender and reply-to default to from.
  if (sender.empty()) sender = from;
  if (reply_to.empty()) reply_to = from;

  std::string out = "(";
  out += nstring("Date", false) + " " + nstring("Subject", true) + " ";
  append_address_list(out, from);
  out.push_back(' ');
  append_address_list(out, sender);
  out.push_back(' ');
  append_address_list(out, reply_to);
  out.push_back(' ');
  append_address_list(out, addresses("To"));
  out.push_back(' ');
  append_address_list(out, addresses("Cc"));
  out.push_back(' ');
  append_address_list(out, addresses("Bcc"));
  out += " " + nstring("In-Reply-To", false) + " " + nstring("Message-ID", false) + ")";
  return out;
}

std::string imap_body_structure(std::string_view raw, const MimePart& root, bool extensible) {
  std::string out;
  append_body(out, raw, root, extensible);
  return out;
}

std::string imap_body_structure(std::string_view raw, bool extensible) {
  return imap_body_structure(raw, parse_mime(raw), extensible);
}

std::size_t imap_message_size(std::string_view raw) {
  return crlf_size(raw);
}

}  // namespace correio::mail
