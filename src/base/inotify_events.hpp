// The records read(2) returns from an inotify descriptor (inotify(7)), walked without
// assuming that the buffer is aligned: the daemons read into buffers that live in
// coroutine frames, where GCC 12 ignores alignas (UBSan saw one at an odd address), so
// casting the bytes to inotify_event in place is undefined behaviour.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace correio::base {

struct InotifyEvent {
  int wd = -1;
  uint32_t mask = 0;
  // The file's name inside the watched directory, empty for the directory itself. Points
  // into the bytes given to parse_inotify_events.
  std::string_view name;
};

// The whole records in `bytes`, in order; a record cut short at the end is left out.
std::vector<InotifyEvent> parse_inotify_events(std::string_view bytes);

}  // namespace correio::base
