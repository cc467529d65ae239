// The auth master requests (see auth_master_protocol.hpp): parsing and formatting only.
#include "auth/auth_master_protocol.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "auth/auth_protocol.hpp"

namespace correio::auth::protocol {
namespace {

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

std::optional<unsigned long> number(std::string_view text) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool is_hex(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

}  // namespace

bool is_master_request(std::string_view line) {
  return line.starts_with("REQUEST\t") || line == "REQUEST";
}

Result<MasterRequest> parse_master_request(std::string_view line) {
  auto f = fields(line);
  if (f[0] != "REQUEST") return Error{"REQUEST: not a request"};
  if (f.size() < 5) return Error{"REQUEST: want id, pid, auth id and cookie"};
  auto id = number(f[1]), pid = number(f[2]), auth_id = number(f[3]);
  if (!id || !pid || !auth_id) return Error{"REQUEST: bad number"};
  if (!is_hex(f[4])) return Error{"REQUEST: bad cookie"};
  return MasterRequest{*id, *pid, *auth_id, std::string(f[4])};
}

std::string format_master_request(const MasterRequest& r) {
  return fmt::format("REQUEST\t{}\t{}\t{}\t{}\n", r.id, r.login_pid, r.auth_id, r.cookie);
}

Result<MasterReply> parse_master_reply(std::string_view line) {
  auto f = fields(line);
  if (f.size() < 2) return Error{"master reply: missing id"};
  auto id = number(f[1]);
  if (!id) return Error{"master reply: bad id"};
  if (f[0] == "USER") {
    if (f.size() < 3 || f[2].empty()) return Error{"USER: missing user"};
    auto user = tab_unescape(f[2]);
    if (!user || user->empty()) return Error{"USER: bad user"};
    return MasterReply{MasterUser{*id, std::move(*user)}};
  }
  if (f[0] == "NOTFOUND") return MasterReply{MasterNotFound{*id}};
  if (f[0] == "FAIL") {
    MasterFailure failure{*id, {}};
    for (size_t i = 2; i < f.size(); ++i) {
      if (!f[i].starts_with("reason=")) continue;
      auto reason = tab_unescape(f[i].substr(7));
      if (!reason) return Error{"FAIL: bad escape"};
      failure.reason = std::move(*reason);
    }
    return MasterReply{std::move(failure)};
  }
  return Error{fmt::format("master reply: unknown reply ({} bytes)", f[0].size())};
}

std::string format_master_user(unsigned long id, std::string_view user) {
  return fmt::format("USER\t{}\t{}\n", id, tab_escape(user));
}

std::string format_master_not_found(unsigned long id) {
  return fmt::format("NOTFOUND\t{}\n", id);
}

std::string format_master_failure(unsigned long id, std::string_view reason) {
  return fmt::format("FAIL\t{}\treason={}\n", id, tab_escape(reason));
}

}  // namespace correio::auth::protocol
