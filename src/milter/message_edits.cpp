// The message model milters edit, and the header and body edits (see message_edits.hpp).
#include "milter/message_edits.hpp"

#include <cstdint>

#include "base/strings.hpp"

namespace correio::milter {
namespace {

// A field from a milter's name and value: line ends made LF, each continuation line
// starting with a blank so that the value cannot end the header section or start a field.
std::string make_field(std::string_view name, std::string_view value, bool leading_space) {
  std::string field(name);
  field += ':';
  if (!leading_space) field += ' ';
  std::string v = body_from_milter(value);
  for (size_t i = 0; i < v.size(); ++i) {
    field += v[i];
    if (v[i] == '\n' && (i + 1 == v.size() || (v[i + 1] != ' ' && v[i + 1] != '\t'))) field += '\t';
  }
  while (!field.empty() && (field.back() == '\n' || field.back() == '\t')) field.pop_back();
  field += '\n';
  return field;
}

}  // namespace

Message Message::parse(std::string_view content) {
  Message m;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    end = end == std::string_view::npos ? content.size() : end + 1;
    std::string_view line = content.substr(pos, end - pos);
    if (line == "\n") {
      pos = end;
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !m.headers.empty())
      m.headers.back() += line;
    else if (line.find(':') == std::string_view::npos)
      break;  // not a header: the body starts here (no empty line before it)
    else
      m.headers.emplace_back(line);
    pos = end;
  }
  if (!m.headers.empty() && m.headers.back().back() != '\n') m.headers.back() += '\n';
  m.body = std::string(content.substr(pos));
  return m;
}

std::string Message::text() const {
  std::string out;
  for (const auto& h : headers) out += h;
  out += '\n';
  out += body;
  return out;
}

std::string_view header_name(std::string_view field) {
  std::string_view name = field.substr(0, field.find(':'));
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

std::string header_value_for_milter(std::string_view field, bool leading_space) {
  size_t colon = field.find(':');
  std::string_view value = colon == std::string_view::npos ? "" : field.substr(colon + 1);
  if (!leading_space)
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
  if (!value.empty() && value.back() == '\n') value.remove_suffix(1);
  std::string out;
  for (char c : value) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

void add_header(Message& m, std::string_view name, std::string_view value, bool leading_space) {
  m.headers.push_back(make_field(name, value, leading_space));
}

void insert_header(Message& m, uint32_t index, std::string_view name, std::string_view value,
                   bool leading_space) {
  size_t at = std::min<size_t>(index, m.headers.size());
  m.headers.insert(m.headers.begin() + static_cast<std::ptrdiff_t>(at),
                   make_field(name, value, leading_space));
}

void change_header(Message& m, uint32_t index, std::string_view name, std::string_view value,
                   bool leading_space) {
  uint32_t wanted = index == 0 ? 1 : index;
  uint32_t seen = 0;
  for (auto it = m.headers.begin(); it != m.headers.end(); ++it) {
    if (!base::iequals(header_name(*it), name) || ++seen != wanted) continue;
    if (value.empty())
      m.headers.erase(it);
    else
      *it = make_field(name, value, leading_space);
    return;
  }
  if (!value.empty()) add_header(m, name, value, leading_space);
}

std::string body_from_milter(std::string_view crlf) {
  std::string out;
  out.reserve(crlf.size());
  for (size_t i = 0; i < crlf.size(); ++i) {
    if (crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n') continue;
    out += crlf[i];
  }
  return out;
}

std::string body_for_milter(std::string_view lf) {
  std::string out;
  out.reserve(lf.size() + lf.size() / 32);
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string strip_angle_brackets(std::string_view address) {
  while (!address.empty() && address.front() == ' ') address.remove_prefix(1);
  while (!address.empty() && address.back() == ' ') address.remove_suffix(1);
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    address = address.substr(1, address.size() - 2);
  return std::string(address);
}

}  // namespace correio::milter
