// Counter files passed to a child (see child_files.hpp).
#include "metrics/child_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics/counter_file.hpp"
#include "metrics/registry.hpp"

namespace correio::metrics {
namespace {

// The file at `path`, owned by uid:gid, open for reading and writing and set up as a
// counter file. The master is root and metrics_directory is mail_owner's: no symlink or
// extra hard link is followed or given away, and the set-up goes through the descriptor
// (/proc/self/fd), not the name, which mail_owner could swap meanwhile.
Result<base::Fd> prepared(const std::filesystem::path& path, uid_t uid, gid_t gid) {
  base::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return base::errno_error("cannot open " + path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return base::errno_error("fstat " + path.string(), errno);
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
    return Error{path.string() + ": not a plain file with one link"};
  if (::fchown(fd.get(), uid, gid) != 0)
    return base::errno_error("cannot chown " + path.string(), errno);
  if (auto file = CounterFile::open("/proc/self/fd/" + std::to_string(fd.get())); !file)
    return Error{path.string() + ": " + file.error().message};
  return fd;
}

}  // namespace

Result<ChildFiles> prepare_child_files(const config::Config& config, std::string_view service,
                                       uid_t uid, gid_t gid) {
  std::filesystem::path dir = config.get("metrics_directory");
  ChildFiles files;
  auto counters = prepared(dir / counter_file_name(service), uid, gid);
  if (!counters) return counters.error();
  // One pending name per master: children of a service are spawned one at a time.
  files.pending_gauges = dir / (counter_file_name(service) + ".pending-gauges");
  std::error_code ec;
  std::filesystem::remove(files.pending_gauges, ec);  // a fresh file: no old gauges
  auto gauges = prepared(files.pending_gauges, uid, gid);
  if (!gauges) return gauges.error();
  files.counters = std::move(*counters);
  files.gauges = std::move(*gauges);
  return files;
}

Status name_child_gauges(const ChildFiles& files, const config::Config& config,
                         std::string_view service, long pid) {
  std::filesystem::path target =
      std::filesystem::path(config.get("metrics_directory")) / gauge_file_name(service, pid);
  std::error_code ec;
  std::filesystem::rename(files.pending_gauges, target, ec);
  if (ec) return Error{"rename " + files.pending_gauges.string() + ": " + ec.message()};
  return {};
}

}  // namespace correio::metrics
