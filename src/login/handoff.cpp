// The hand-off message (see handoff.hpp): parsing and formatting only.
#include "login/handoff.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "auth/auth_protocol.hpp"
#include "base/base64.hpp"

namespace correio::login {
namespace {

using auth::protocol::tab_escape;
using auth::protocol::tab_unescape;

std::optional<unsigned long> number(std::string_view text, unsigned long max) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > max)
    return std::nullopt;
  return value;
}

Status set_field(Handoff& h, std::string_view key, std::string_view raw) {
  auto text = tab_unescape(raw);
  if (!text) return Error{fmt::format("hand-off: {}: bad escape", key)};
  if (key == "auth-id" || key == "rport" || key == "lport") {
    auto n = number(*text, key == "auth-id" ? ~0UL : 65535);
    if (!n) return Error{fmt::format("hand-off: bad {}", key)};
    if (key == "auth-id") h.auth_id = *n;
    if (key == "rport") h.remote_port = static_cast<uint16_t>(*n);
    if (key == "lport") h.local_port = static_cast<uint16_t>(*n);
  } else if (key == "data") {
    auto bytes = base::base64_decode(*text);
    if (!bytes) return Error{"hand-off: bad data"};
    h.pipelined = std::move(*bytes);
  } else if (key == "cookie") {
    h.cookie = std::move(*text);
  } else if (key == "user") {
    h.user = std::move(*text);
  } else if (key == "rip") {
    h.remote_address = std::move(*text);
  } else if (key == "lip") {
    h.local_address = std::move(*text);
  } else if (key == "method") {
    h.method = std::move(*text);
  } else if (key == "tag") {
    h.tag = std::move(*text);
  }
  return {};  // unknown fields: a later version's
}

}  // namespace

std::string format_handoff(const Handoff& h) {
  std::string line =
      fmt::format("HANDOFF\t1\tauth-id={}\tcookie={}\tuser={}\trip={}\trport={}\tlip={}\tlport={}",
                  h.auth_id, tab_escape(h.cookie), tab_escape(h.user), tab_escape(h.remote_address),
                  h.remote_port, tab_escape(h.local_address), h.local_port);
  if (h.tls) line += "\ttls";
  line += "\tmethod=" + tab_escape(h.method);
  if (!h.tag.empty()) line += "\ttag=" + tab_escape(h.tag);
  if (!h.pipelined.empty()) line += "\tdata=" + base::base64_encode(h.pipelined);
  return line + "\n";
}

Result<Handoff> parse_handoff(std::string_view line) {
  if (line.size() > kMaxHandoffLine) return Error{"hand-off: too long"};
  Handoff h;
  size_t start = 0;
  int index = 0;
  while (start <= line.size()) {
    size_t tab = line.find('\t', start);
    std::string_view field =
        line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    start = tab == std::string_view::npos ? line.size() + 1 : tab + 1;
    if (index == 0 && field != "HANDOFF") return Error{"hand-off: not a hand-off"};
    if (index == 1 && field != "1") return Error{"hand-off: unknown version"};
    if (index++ < 2) continue;
    if (field == "tls") {
      h.tls = true;
      continue;
    }
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    if (auto st = set_field(h, field.substr(0, eq), field.substr(eq + 1)); !st) return st.error();
  }
  if (index < 2) return Error{"hand-off: no version"};
  if (h.auth_id == 0 || h.cookie.empty()) return Error{"hand-off: no auth id or cookie"};
  return h;
}

}  // namespace correio::login
