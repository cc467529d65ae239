// RFC 3501 §6.4.5 FETCH BODY[section] and RFC 3516 BINARY[section], resolved the way
// Dovecot resolves them (a missing part is empty, not an error).
#include "mail/imap_section.hpp"

#include <cstring>

#include "mail/header_fields.hpp"
#include "mail/imap_structure.hpp"
#include "mail/transfer_encoding.hpp"

namespace correio::mail {
namespace {

constexpr std::size_t kMaxPathDepth = 200;
constexpr std::size_t kMaxFields = 1000;

bool iequals_prefix(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != word[i]) return false;
  }
  return true;
}

bool is_atom_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && !std::strchr("(){%*\"\\]", c);
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")"; names are astrings.
bool parse_field_list(std::string_view text, std::vector<std::string>& fields) {
  if (text.empty() || text.front() != '(' || text.back() != ')') return false;
  text = text.substr(1, text.size() - 2);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    std::string name;
    if (text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < text.size()) c = text[i++];
        name.push_back(c);
      }
      if (!closed) return false;
    } else {
      while (i < text.size() && text[i] != ' ') {
        if (!is_atom_char(text[i])) return false;
        name.push_back(text[i++]);
      }
    }
    if (name.empty() || fields.size() >= kMaxFields) return false;
    fields.push_back(std::move(name));
  }
  return !fields.empty();
}

// The message whose HEADER/TEXT a section addresses: the top-level message for an empty
// path, otherwise the message embedded in the message/rfc822 part (nullptr if none).
const MimePart* addressed_message(const MimePart& root, const SectionSpec& spec) {
  if (spec.part.empty()) return &root;
  const MimePart* p = find_part(root, spec.part);
  if (p == nullptr || !p->is_message_rfc822() || p->children.size() != 1) return nullptr;
  return &p->children[0];
}

}  // namespace

std::optional<SectionSpec> parse_section(std::string_view text) {
  SectionSpec spec;
  std::size_t i = 0;
  // section-part: nz-number *("." nz-number)
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    unsigned long n = 0;
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + static_cast<unsigned long>(text[i] - '0');
      if (n > 0xffffffffUL) return std::nullopt;
      ++i;
    }
    if (n == 0 || text[start] == '0' || spec.part.size() >= kMaxPathDepth) return std::nullopt;
    spec.part.push_back(static_cast<unsigned>(n));
    if (i == text.size()) return spec;
    if (text[i] != '.') return std::nullopt;
    ++i;
    if (i == text.size()) return std::nullopt;  // trailing dot
  }
  std::string_view rest = text.substr(i);
  if (rest.empty()) {
    if (!spec.part.empty()) return std::nullopt;
    return spec;  // ""
  }
  if (iequals_prefix(rest, "HEADER.FIELDS")) {
    rest.remove_prefix(13);
    spec.kind = SectionSpec::Kind::kHeaderFields;
    if (iequals_prefix(rest, ".NOT")) {
      rest.remove_prefix(4);
      spec.kind = SectionSpec::Kind::kHeaderFieldsNot;
    }
    if (rest.empty() || rest.front() != ' ') return std::nullopt;
    rest.remove_prefix(1);
    if (!parse_field_list(rest, spec.fields)) return std::nullopt;
    return spec;
  }
  if (rest.size() == 6 && iequals_prefix(rest, "HEADER")) {
    spec.kind = SectionSpec::Kind::kHeader;
  } else if (rest.size() == 4 && iequals_prefix(rest, "TEXT")) {
    spec.kind = SectionSpec::Kind::kText;
  } else if (rest.size() == 4 && iequals_prefix(rest, "MIME") && !spec.part.empty()) {
    spec.kind = SectionSpec::Kind::kMime;
  } else {
    return std::nullopt;
  }
  return spec;
}

std::string section_to_string(const SectionSpec& spec) {
  std::string out;
  for (unsigned n : spec.part) {
    if (!out.empty()) out.push_back('.');
    out += std::to_string(n);
  }
  auto keyword = [&](std::string_view k) {
    if (!out.empty()) out.push_back('.');
    out += k;
  };
  switch (spec.kind) {
    case SectionSpec::Kind::kFull:
      return out;
    case SectionSpec::Kind::kHeader:
      keyword("HEADER");
      return out;
    case SectionSpec::Kind::kText:
      keyword("TEXT");
      return out;
    case SectionSpec::Kind::kMime:
      keyword("MIME");
      return out;
    case SectionSpec::Kind::kHeaderFields:
    case SectionSpec::Kind::kHeaderFieldsNot:
      keyword(spec.kind == SectionSpec::Kind::kHeaderFields ? "HEADER.FIELDS"
                                                            : "HEADER.FIELDS.NOT");
      out += " (";
      for (std::size_t i = 0; i < spec.fields.size(); ++i) {
        if (i) out.push_back(' ');
        // Dovecot echoes field names uppercased.
        std::string name = spec.fields[i];
        bool atom = !name.empty();
        for (char& c : name) {
          atom &= is_atom_char(c);
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        }
        out += atom ? name : imap_string(name);
      }
      out.push_back(')');
      return out;
  }
  return out;
}

std::string section_bytes(std::string_view raw, const MimePart& root, const SectionSpec& spec) {
  using Kind = SectionSpec::Kind;
  switch (spec.kind) {
    case Kind::kFull: {
      if (spec.part.empty()) return to_crlf(raw);
      const MimePart* p = find_part(root, spec.part);
      return p == nullptr ? std::string() : to_crlf(raw.substr(p->body_offset, p->body_size));
    }
    case Kind::kMime: {
      const MimePart* p = find_part(root, spec.part);
      return p == nullptr ? std::string() : to_crlf(raw.substr(p->header_offset, p->header_size));
    }
    case Kind::kHeader: {
      const MimePart* m = addressed_message(root, spec);
      return m == nullptr ? std::string() : to_crlf(raw.substr(m->header_offset, m->header_size));
    }
    case Kind::kText: {
      const MimePart* m = addressed_message(root, spec);
      return m == nullptr ? std::string() : to_crlf(raw.substr(m->body_offset, m->body_size));
    }
    case Kind::kHeaderFields:
    case Kind::kHeaderFieldsNot: {
      const MimePart* m = addressed_message(root, spec);
      if (m == nullptr) return std::string();
      return to_crlf(filter_header_fields(raw.substr(m->header_offset, m->header_size), spec.fields,
                                          spec.kind == Kind::kHeaderFieldsNot));
    }
  }
  return std::string();
}

BinaryContent binary_section(std::string_view raw, const MimePart& root, const SectionSpec& spec) {
  BinaryContent out;
  const MimePart* p = spec.part.empty() ? &root : find_part(root, spec.part);
  if (p == nullptr) {
    out.status = BinaryContent::Status::kNoSuchPart;
    return out;
  }
  if (spec.part.empty()) {
    out.data = to_crlf(raw);
  } else if (p->is_multipart() || p->is_message_rfc822()) {
    // Containers are not transfer-decoded (RFC 2045 §6.4: only identity encodings are
    // allowed on them); their content is sent as is.
    out.data = to_crlf(raw.substr(p->body_offset, p->body_size));
  } else {
    // Dovecot decodes from the CRLF form, so quoted-printable hard line breaks are CRLF.
    std::string body = to_crlf(raw.substr(p->body_offset, p->body_size));
    std::optional<std::string> decoded = decode_transfer_encoding(body, p->transfer_encoding);
    if (!decoded) {
      out.status = BinaryContent::Status::kUnknownCte;
      return out;
    }
    out.data = std::move(*decoded);
  }
  for (char c : out.data) {
    out.has_nul |= c == '\0';
    out.has_8bit |= c == '\0' || static_cast<unsigned char>(c) >= 0x80;
  }
  return out;
}

}  // namespace correio::mail
