// Walking inotify records (see the header).
#include "base/inotify_events.hpp"

#include <sys/inotify.h>

#include <cstring>

namespace correio::base {

std::vector<InotifyEvent> parse_inotify_events(std::string_view bytes) {
  std::vector<InotifyEvent> events;
  size_t offset = 0;
  while (bytes.size() - offset >= sizeof(inotify_event)) {
    inotify_event header;
    std::memcpy(&header, bytes.data() + offset, sizeof header);
    offset += sizeof header;
    if (header.len > bytes.size() - offset) break;
    // The kernel pads the name with NULs up to an aligned length.
    std::string_view name = bytes.substr(offset, header.len);
    name = name.substr(0, name.find('\0'));
    events.push_back({header.wd, header.mask, name});
    offset += header.len;
  }
  return events;
}

}  // namespace correio::base
