// libFuzzer target for content inspection: the first line of the input is a table's
// action (parse_check_action, as header and as body action), the rest a message fed to
// mail::MimeStream in pieces whose sizes come from the input. Checks that the stream
// hands back every byte (headers and lines rebuild the message) and never crashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cleanup/check_action.hpp"
#include "mail/mime_stream.hpp"

namespace {

using namespace correio;

struct Rebuild final : mail::MimeStreamHandler {
  std::string text;
  void header(mail::HeaderClass, std::string_view h) override {
    text += h;
    text += '\n';
  }
  void body(std::string_view line, bool line_end, uint64_t) override {
    text += line;
    if (line_end) text += '\n';
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t lf = input.find('\n');
  std::string_view action = input.substr(0, lf);
  for (bool header : {true, false}) {
    cleanup::CheckAction a = cleanup::parse_check_action(action, header, "header_checks");
    if (a.verb == cleanup::CheckVerb::invalid && a.problem.empty()) __builtin_trap();
  }
  if (lf == std::string_view::npos) return 0;
  std::string_view message = input.substr(lf + 1);
  mail::MimeStreamOptions options;
  options.header_size_limit = size_t{1} << 30;  // nothing cut: every byte must come back
  options.line_length_limit = 1 + (size % 97);
  options.disable_mime = (size % 5) == 0;
  mail::MimeStream stream(options);
  Rebuild rebuilt;
  size_t step = 1 + (size % 13);
  for (size_t i = 0; i < message.size(); i += step) stream.feed(message.substr(i, step), rebuilt);
  stream.finish(rebuilt);
  // A last header without its LF gets one; nothing else may change.
  if (rebuilt.text != message && rebuilt.text != std::string(message) + "\n") __builtin_trap();
  return 0;
}
