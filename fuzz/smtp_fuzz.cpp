// libFuzzer target for what an SMTP client controls: command lines (the server loop's
// split into verb and argument, its NUL/bare-CR check, the neutered HELO name), command
// arguments (paths, their UTF-8, ESMTP parameters, xtext), DATA content framing in
// arbitrary pieces, and the header cleanup the content then goes through.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cleanup/header_cleanup.hpp"
#include "smtp/address.hpp"
#include "smtp/command.hpp"
#include "smtp/data_framer.hpp"
#include "smtp/helo_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (size_t start = 0; start < input.size();) {
    size_t lf = input.find('\n', start);
    size_t end = lf == std::string_view::npos ? input.size() : lf + 1;
    auto line = input.substr(start, end - start);
    correio::smtp::has_forbidden_bytes(line);
    correio::smtp::neuter_helo_name(correio::smtp::parse_command(line).argument);
    start = end;
  }
  for (auto keyword : {"FROM", "TO"}) {
    auto parsed = correio::smtp::parse_path_command(input, keyword);
    if (parsed) {
      correio::smtp::utf8_address_problem(parsed->address, size && (data[0] & 2));
      correio::smtp::valid_mailbox(parsed->address, true);
      correio::smtp::domain_of(parsed->address);
      for (const auto& [key, value] : parsed->parameters) correio::smtp::decode_xtext(value);
    }
  }
  // Feed the input as DATA pieces: whole lines, cut at 3+ bytes like read_segment does.
  size_t cut = 3 + (size ? data[0] % 61 : 0);
  correio::smtp::DataFramer framer(size && (data[0] & 1));
  correio::cleanup::HeaderOptions options;
  options.queue_id = "ABC123";
  options.myhostname = "mx.example";
  options.header_size_limit = 512;
  options.hopcount_limit = 5;
  correio::cleanup::HeaderCleanup cleanup(options);
  std::string content, stored;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t lf = input.find('\n', pos);
    size_t end = lf == std::string_view::npos ? input.size() : lf + 1;
    end = std::min(end, pos + cut);
    auto event = framer.feed(input.substr(pos, end - pos), content);
    pos = end;
    cleanup.feed(content, stored);
    content.clear();
    if (event != correio::smtp::DataFramer::Event::more) break;
  }
  cleanup.finish(stored);
  return 0;
}
