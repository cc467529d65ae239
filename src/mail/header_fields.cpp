// RFC 5322 §2.2 header fields: splitting, unfolding, lookup, IMAP HEADER.FIELDS filtering.
#include "mail/header_fields.hpp"

#include <algorithm>
#include <cstring>

namespace correio::mail {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// End of the line starting at `pos` (just past its LF, or text.size()).
std::size_t line_end(std::string_view text, std::size_t pos) {
  std::size_t lf = text.find('\n', pos);
  return lf == std::string_view::npos ? text.size() : lf + 1;
}

// Length of the line end at the end of [begin,end): 2 for CRLF, 1 for LF, 0 otherwise.
std::size_t eol_length(std::string_view text, std::size_t end) {
  if (end == 0 || text[end - 1] != '\n') return 0;
  return end >= 2 && text[end - 2] == '\r' ? 2 : 1;
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

HeaderExtent find_header_end(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = line_end(text, pos);
    std::size_t content = end - pos - eol_length(text, end);
    // A blank line ("\n" or "\r\n") ends the header; it belongs to the header.
    if (content == 0 && end > pos && text[end - 1] == '\n') return {end, true};
    pos = end;
  }
  return {text.size(), false};
}

std::vector<HeaderField> split_header_fields(std::string_view header) {
  std::vector<HeaderField> fields;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t start = pos;
    std::size_t end = line_end(header, pos);
    if (end - pos - eol_length(header, end) == 0) break;  // the blank separator line
    // Continuation lines (starting with WSP) belong to this field.
    while (end < header.size() && is_wsp(header[end])) end = line_end(header, end);
    std::string_view raw = header.substr(start, end - start);
    std::string_view logical = raw.substr(0, raw.size() - eol_length(header, end));
    std::size_t colon = logical.find(':');
    HeaderField field;
    field.raw = raw;
    if (colon == std::string_view::npos) {
      field.name = logical;
    } else {
      std::string_view name = logical.substr(0, colon);
      while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
      field.name = name;
      field.value = logical.substr(colon + 1);
    }
    fields.push_back(field);
    pos = end;
  }
  return fields;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  std::size_t b = 0;
  while (b < out.size() && (is_wsp(out[b]))) ++b;
  std::size_t e = out.size();
  while (e > b && is_wsp(out[e - 1])) --e;
  return out.substr(b, e - b);
}

bool first_header_value(std::string_view header, std::string_view name, std::string& out) {
  for (const HeaderField& f : split_header_fields(header)) {
    if (header_name_equals(f.name, name)) {
      out = unfold(f.value);
      return true;
    }
  }
  return false;
}

std::vector<std::string> header_values(std::string_view header, std::string_view name) {
  std::vector<std::string> out;
  for (const HeaderField& f : split_header_fields(header))
    if (header_name_equals(f.name, name)) out.push_back(unfold(f.value));
  return out;
}

std::string filter_header_fields(std::string_view header, const std::vector<std::string>& names,
                                 bool exclude) {
  std::string out;
  for (const HeaderField& f : split_header_fields(header)) {
    if (f.value.data() == nullptr) continue;  // a line without a colon is not a field
    bool listed = std::any_of(names.begin(), names.end(),
                              [&](const std::string& n) { return header_name_equals(f.name, n); });
    if (listed == exclude) continue;
    out.append(f.raw);
    // The last field of a header without a blank line may lack its line end.
    if (out.back() != '\n') out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(crlf_size(text));
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

std::size_t crlf_size(std::string_view text) {
  // memchr from line end to line end: the parser sizes every part of every message.
  std::size_t n = text.size();
  const char* begin = text.data();
  const char* end = begin + text.size();
  for (const char* p = begin; p < end;) {
    const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (hit == nullptr) break;
    const char* lf = static_cast<const char*>(hit);
    if (lf == begin || lf[-1] != '\r') ++n;
    p = lf + 1;
  }
  return n;
}

std::size_t count_lines(std::string_view text) {
  std::size_t n = 0;
  const char* end = text.data() + text.size();
  for (const char* p = text.data(); p < end; ++n) {
    const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (hit == nullptr) break;
    p = static_cast<const char*>(hit) + 1;
  }
  return n;
}

}  // namespace correio::mail
