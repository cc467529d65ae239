// libFuzzer target: master.cf parsing; every parsed entry must print (postconf -M) as a
// line that parses again to the same entry, every column, override and argument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/master_cf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto services = correio::config::parse_master_cf(text, "master.cf");
  if (!services) return 0;
  for (const auto& s : *services) {
    (void)s.format(true);
    auto again = correio::config::parse_master_cf(s.to_line() + "\n", "master.cf");
    if (!again || again->size() != 1) std::abort();
    const auto& r = again->front();
    if (r.name != s.name || r.type != s.type || r.private_ != s.private_ || r.unpriv != s.unpriv ||
        r.chroot != s.chroot || r.wakeup != s.wakeup || r.maxproc != s.maxproc ||
        r.command != s.command || r.overrides != s.overrides || r.args != s.args)
      std::abort();
  }
  return 0;
}
