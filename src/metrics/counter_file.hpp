// A file of named 64-bit values that several processes update at once through a shared
// memory mapping: the daemons count (a connection, a reply, a delivery) with one atomic
// add and no system call, and the metrics service reads every file when it is scraped.
// Layout: a header, then fixed-size records {name, labels, value}. A record is claimed
// under flock() and published by raising the header's record count, so a reader sees
// only whole records; values are read and written with atomic operations.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/file.hpp"
#include "base/result.hpp"

namespace correio::metrics {

// One value as the reader sees it.
struct Sample {
  std::string name;    // "correio_smtpd_replies_total"
  std::string labels;  // Prometheus label pairs without braces: service="smtpd",class="2xx"
  uint64_t value = 0;
  bool is_gauge = false;  // from a gauge file: the value is two's complement, read signed
};

class CounterFile {
 public:
  static constexpr size_t kNameSize = 64;
  static constexpr size_t kLabelsSize = 184;
  static constexpr uint32_t kCapacity = 4096;  // records per file: 1 MB, sparse until used

  // Opens `path`, creating it (mode 0644, inside a 0700 directory: root's daemons create
  // files mail_owner's exporter reads) with an empty header when absent. A file that
  // exists with another layout is an error naming it.
  static Result<CounterFile> open(const std::filesystem::path& path);

  CounterFile(CounterFile&& other) noexcept;
  CounterFile& operator=(CounterFile&& other) noexcept;
  CounterFile(const CounterFile&) = delete;
  CounterFile& operator=(const CounterFile&) = delete;
  ~CounterFile();  // unmaps; the file stays for the reader

  // The value of (name, labels), claimed on first use by any process sharing the file;
  // access it only through std::atomic_ref. The pointer stays valid as long as this object. An
  // error when the name or labels are too long or the file is full (a bug in the caller's label
  // choice, not an input).
  Result<uint64_t*> value(std::string_view name, std::string_view labels);

  // Every published record, in claim order.
  std::vector<Sample> samples() const;

  const std::filesystem::path& path() const { return path_; }

  friend Result<std::vector<Sample>> read_counter_file(const std::filesystem::path& path);

 private:
  struct Header;
  struct Record;
  CounterFile(std::filesystem::path path, base::Fd fd, void* map);
  Header& header() const;
  Record& record(uint32_t index) const;

  std::filesystem::path path_;
  base::Fd fd_;  // kept open for flock() when a record is claimed
  void* map_ = nullptr;
};

// Read-only snapshot of a counter file someone else writes; an error for a file that is
// not one (the metrics service skips and logs it).
Result<std::vector<Sample>> read_counter_file(const std::filesystem::path& path);

}  // namespace correio::metrics
