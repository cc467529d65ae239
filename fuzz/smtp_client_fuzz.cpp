// libFuzzer target for what a remote SMTP server controls when Correio is the client: its
// reply lines (multi-line replies, enhanced codes) and its EHLO keywords; and the nexthop
// syntax read from transport tables and relayhost (smtp and lmtp forms); and the 8BITMIME downgrade
// of a message (whose bytes come from whoever sent it).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/smtp/nexthop.hpp"
#include "mail/eight_bit_downgrade.hpp"
#include "smtp/client_message.hpp"
#include "smtp/reply_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  correio::smtp::ReplyReader reader;
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    auto state = reader.add_line(line);
    if (state == correio::smtp::ReplyReader::State::done) {
      auto reply = reader.take();
      (void)correio::smtp::reply_text(reply);
      (void)correio::smtp::parse_ehlo_features(reply.lines);
    } else if (state == correio::smtp::ReplyReader::State::bad) {
      reader.reset();
    }
  }
  std::string_view whole(reinterpret_cast<const char*>(data), size);
  (void)correio::delivery::smtp_agent::parse_nexthop(whole);
  (void)correio::delivery::smtp_agent::parse_lmtp_nexthop(whole);
  (void)correio::mail::downgrade_8bit_bodies(whole);
  return 0;
}
