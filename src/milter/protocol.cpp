// Encoding and decoding of milter packets (see protocol.hpp).
#include "milter/protocol.hpp"

#include <cctype>

namespace correio::milter {
namespace {

void put_u32(std::string& out, uint32_t v) {
  out += static_cast<char>((v >> 24) & 0xFF);
  out += static_cast<char>((v >> 16) & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}

uint32_t get_u32(std::string_view in) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(in[i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

}  // namespace

std::string encode(char command, std::string_view data) {
  std::string out;
  out.reserve(5 + data.size());
  put_u32(out, static_cast<uint32_t>(data.size() + 1));
  out += command;
  out.append(data);
  return out;
}

Result<std::optional<Packet>> PacketReader::next() {
  if (buffer_.size() < 4) return std::optional<Packet>{};
  uint32_t length = get_u32(buffer_);
  if (length == 0 || length > kMaxPacket)
    return Error{"milter packet length " + std::to_string(length) + " out of range"};
  if (buffer_.size() < 4 + static_cast<size_t>(length)) return std::optional<Packet>{};
  Packet p;
  p.command = buffer_[4];
  p.data = buffer_.substr(5, length - 1);
  buffer_.erase(0, 4 + static_cast<size_t>(length));
  return std::optional<Packet>{std::move(p)};
}

std::string encode_negotiation(const Negotiation& n) {
  std::string out;
  put_u32(out, n.version);
  put_u32(out, n.actions);
  put_u32(out, n.steps);
  return out;
}

Result<Negotiation> decode_negotiation(std::string_view data) {
  if (data.size() < 12) return Error{"short SMFIC_OPTNEG reply"};
  Negotiation n;
  n.version = get_u32(data);
  n.actions = get_u32(data.substr(4));
  n.steps = get_u32(data.substr(8));
  data.remove_prefix(12);
  // Protocol 6: the milter may name the macros it wants per stage (SMFIM_* + list).
  while (!data.empty()) {
    if (data.size() < 5) return Error{"truncated macro list in SMFIC_OPTNEG reply"};
    uint32_t stage = get_u32(data);
    data.remove_prefix(4);
    size_t nul = data.find('\0');
    if (nul == std::string_view::npos) return Error{"unterminated macro list in SMFIC_OPTNEG"};
    if (stage >= static_cast<uint32_t>(kStages))
      return Error{"unknown macro stage " + std::to_string(stage) + " in SMFIC_OPTNEG"};
    n.macros[stage] = std::string(data.substr(0, nul));
    data.remove_prefix(nul + 1);
  }
  return n;
}

std::string encode_macros(char for_command,
                          const std::vector<std::pair<std::string, std::string>>& macros) {
  std::string out(1, for_command);
  for (const auto& [name, value] : macros) {
    out += name;
    out += '\0';
    out += value;
    out += '\0';
  }
  return out;
}

std::string encode_connect(std::string_view host, char family, uint16_t port,
                           std::string_view address) {
  std::string out(host);
  out += '\0';
  out += family;
  if (family == 'U') return out;  // unknown: no port, no address
  out += static_cast<char>((port >> 8) & 0xFF);
  out += static_cast<char>(port & 0xFF);
  out += address;
  out += '\0';
  return out;
}

std::string nul_joined(const std::vector<std::string_view>& parts) {
  std::string out;
  for (std::string_view p : parts) {
    out += p;
    out += '\0';
  }
  return out;
}

Result<std::vector<std::string>> split_nul(std::string_view data) {
  std::vector<std::string> parts;
  while (!data.empty()) {
    size_t nul = data.find('\0');
    if (nul == std::string_view::npos) return Error{"string not NUL-terminated"};
    parts.emplace_back(data.substr(0, nul));
    data.remove_prefix(nul + 1);
  }
  return parts;
}

Result<HeaderEdit> decode_header_edit(char reply, std::string_view data) {
  HeaderEdit edit;
  if (reply == rep::kInsHeader || reply == rep::kChangeHeader) {
    if (data.size() < 4) return Error{"short header edit"};
    edit.index = get_u32(data);
    data.remove_prefix(4);
  }
  auto parts = split_nul(data);
  if (!parts) return parts.error();
  // The value may be absent in SMFIR_CHGHEADER (delete), never the name.
  if (parts->empty() || parts->size() > 2 || (*parts)[0].empty())
    return Error{"malformed header edit"};
  edit.name = (*parts)[0];
  if (parts->size() == 2) edit.value = (*parts)[1];
  for (char c : edit.name)
    if (static_cast<unsigned char>(c) <= ' ' || c == ':' || static_cast<unsigned char>(c) >= 127)
      return Error{"bad header name in header edit"};
  return edit;
}

Result<std::string> decode_reply_code(std::string_view data) {
  if (!data.empty() && data.back() == '\0') data.remove_suffix(1);
  if (data.size() < 4 || (data[0] != '4' && data[0] != '5') || !std::isdigit(data[1]) ||
      !std::isdigit(data[2]) || (data[3] != ' ' && data[3] != '-'))
    return Error{"malformed SMFIR_REPLYCODE"};
  if (data.find('\0') != std::string_view::npos) return Error{"NUL in SMFIR_REPLYCODE"};
  // Every line of a multi-line reply carries the same code (RFC 5321 §4.2.1).
  std::string_view code = data.substr(0, 3);
  for (size_t at = data.find('\n'); at != std::string_view::npos; at = data.find('\n', at + 1))
    if (data.substr(at + 1, 3) != code) return Error{"mixed codes in SMFIR_REPLYCODE"};
  return std::string(data);
}

}  // namespace correio::milter
