// libFuzzer target for the auth service's line protocol (auth/auth_protocol.hpp): every
// input line is parsed as a client line (what the auth service reads from smtpd and the
// login processes) and as a server line (what they read from it); what parses must format
// and parse back to the same request. The master requests (auth_master_protocol.hpp) too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/auth_master_protocol.hpp"
#include "auth/auth_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace correio::auth::protocol;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    size_t lf = input.find('\n');
    std::string_view line = input.substr(0, lf);
    input = lf == std::string_view::npos ? std::string_view() : input.substr(lf + 1);
    auto client = parse_client_line(line);
    if (client) {
      if (auto* start = std::get_if<AuthStart>(&*client)) {
        std::string again = format_auth(*start);
        again.pop_back();
        auto reparsed = parse_client_line(again);
        if (!reparsed) std::abort();
        auto& back = std::get<AuthStart>(*reparsed);
        if (back.mechanism != start->mechanism ||
            back.initial_response != start->initial_response ||
            back.remote_address != start->remote_address)
          std::abort();
      }
    }
    (void)parse_server_line(line);
    // The master requests (imapd and pop3d redeeming a hand-off) and their replies.
    if (auto request = parse_master_request(line)) {
      std::string again = format_master_request(*request);
      again.pop_back();
      auto back = parse_master_request(again);
      if (!back || back->cookie != request->cookie || back->auth_id != request->auth_id)
        std::abort();
    }
    (void)parse_master_reply(line);
    auto unescaped = tab_unescape(line);
    if (unescaped && tab_unescape(tab_escape(*unescaped)) != unescaped) std::abort();
  }
  return 0;
}
