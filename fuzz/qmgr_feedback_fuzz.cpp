// libFuzzer target for the words qmgr and smtpd take from main.cf and from the network for
// concurrency feedback and fast flush: parse_feedback() (main.cf) and flush_site_name()
// (ETRN's argument, postqueue -s). Neither may crash; what they accept must be sane.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "qmgr/concurrency_window.hpp"
#include "queue/flush_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto fb = correio::qmgr::parse_feedback(input)) {
    if (!(fb->base >= 0 && fb->base <= 1)) std::abort();
    correio::qmgr::WindowSettings settings;
    settings.positive = settings.negative = *fb;
    correio::qmgr::ConcurrencyWindow window(settings);
    for (int i = 0; i < 64; ++i) {
      (i % 3 == 0) ? window.failure() : window.success();
      if (window.window() < 0 || window.window() > settings.limit) std::abort();
    }
  }
  std::string site = correio::queue::flush_site_name(input);
  // A site is a file name in flush/: never a path, never hidden, never "..".
  if (!site.empty() && (site.find('/') != std::string::npos || site.front() == '.' ||
                        site.find("..") != std::string::npos))
    std::abort();
  return 0;
}
