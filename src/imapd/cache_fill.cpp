// Parallel computation of cache values (see cache_fill.hpp).
#include "imapd/cache_fill.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "mail/imap_structure.hpp"
#include "mail/mime_parser.hpp"

namespace correio::imapd {
namespace {

bool read_whole(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (ok) {
    out.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (ok && got < out.size()) {
      ssize_t n = ::read(fd, out.data() + got, out.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        ok = false;
      else
        got += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return ok;
}

void compute_one(const std::string& path, CacheValues& v) {
  std::string raw;
  if (!read_whole(path, raw)) return;
  mail::MimePart root = mail::parse_mime(raw);
  std::string_view header = std::string_view(raw).substr(0, root.header_size);
  v.envelope = mail::imap_envelope(header);
  v.body_structure = mail::imap_body_structure(raw, root, true);
  v.header = std::string(header);
  v.ok = true;
}

}  // namespace

std::vector<CacheValues> compute_cache_values(const std::vector<std::string>& paths,
                                              unsigned threads) {
  std::vector<CacheValues> out(paths.size());
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(paths.size())));
  auto work = [&](unsigned first) {
    for (size_t i = first; i < paths.size(); i += threads) compute_one(paths[i], out[i]);
  };
  std::vector<std::jthread> helpers;
  for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work, t);
  work(0);
  helpers.clear();  // joins
  return out;
}

}  // namespace correio::imapd
