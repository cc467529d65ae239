// Feeds arbitrary bytes to the IMAP command-level parsers: tags, strings, literals,
// sequence sets, flag lists, dates, and whole search programs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imapd/command_reader.hpp"
#include "imapd/list_pattern.hpp"
#include "imapd/parser.hpp"
#include "imapd/search_program.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace correio::imapd;
  LiteralAnnouncement literal;
  (void)parse_literal_announcement(input, literal);
  {
    Parser p(input);
    if (p.tag() && p.space()) (void)parse_search_program(p);
  }
  {
    Parser p(input);
    (void)p.sequence_set();
    (void)p.flag_list(true);
    (void)p.date_time();
    (void)p.astring();
    (void)p.list_mailbox();
  }
  size_t half = size / 2;
  (void)list_pattern_matches(input.substr(0, half), input.substr(half), '.');
  return 0;
}
