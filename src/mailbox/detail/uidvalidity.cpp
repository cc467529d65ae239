// UIDVALIDITY allocation (see uidvalidity.hpp).
#include "mailbox/detail/uidvalidity.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <string>

#include "base/file.hpp"
#include "mailbox/detail/fs_util.hpp"

namespace correio::mailbox::detail {
namespace {

constexpr std::string_view kPrefix = "dovecot-uidvalidity.";

// The value of the companion file, 0 if there is none.
uint32_t current_marker(const std::filesystem::path& root) {
  uint32_t best = 0;
  DIR* d = ::opendir(root.c_str());
  if (!d) return 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (!name.starts_with(kPrefix)) continue;
    std::string_view hex = name.substr(kPrefix.size());
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec == std::errc() && p == hex.data() + hex.size() && v > best) best = v;
  }
  ::closedir(d);
  return best;
}

}  // namespace

uint32_t next_uid_validity(const std::filesystem::path& root) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    uint32_t cur = current_marker(root);
    if (cur == 0) {
      bool missing = false;
      auto text = base::read_file(root / "dovecot-uidvalidity", detail::kAnySize, &missing);
      if (text.ok() && !missing)
        std::from_chars(text->data(), text->data() + text->size(), cur, 16);
    }
    auto now = static_cast<uint32_t>(::time(nullptr));
    uint32_t next = now > cur ? now : cur + 1;
    auto marker = [&](uint32_t v) { return root / fmt::format("{}{:08x}", kPrefix, v); };
    // Claim `next`: rename the old marker (or create the first one) atomically.
    bool claimed = false;
    if (current_marker(root) == 0) {
      int fd = ::open(marker(next).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
      if (fd >= 0) {
        ::close(fd);
        claimed = true;
      }
    } else {
      claimed = ::rename(marker(cur).c_str(), marker(next).c_str()) == 0;
    }
    if (!claimed) continue;  // raced with another creator: read again
    // The plain file for readers that only look at it (best effort, like Dovecot).
    std::string tmp = (root / "dovecot-uidvalidity").string() + fmt::format(".tmp{}", ::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
      bool ok = base::write_all(fd, fmt::format("{:08x}", next)) == 0;
      ::close(fd);
      if (!ok || ::rename(tmp.c_str(), (root / "dovecot-uidvalidity").c_str()) != 0)
        ::unlink(tmp.c_str());
    }
    return next;
  }
  return static_cast<uint32_t>(::time(nullptr));
}

}  // namespace correio::mailbox::detail
