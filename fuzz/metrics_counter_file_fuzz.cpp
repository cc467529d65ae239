// Fuzzes read_counter_file() with arbitrary bytes laid over a counter file's first pages
// (the header's record count and the records' unterminated names included): the exporter
// reads whatever it finds in metrics_directory.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "metrics/counter_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("metrics_fuzz." + std::to_string(::getpid()));
  const size_t file_size = 256 * (1 + correio::metrics::CounterFile::kCapacity);
  std::string bytes(reinterpret_cast<const char*>(data), std::min(size, file_size));
  // Half the inputs keep the magic, so the record loop is reached.
  if (!bytes.empty() && (bytes[0] & 1) && bytes.size() >= 8) bytes.replace(0, 8, "CORMET01");
  bytes.resize(size % 2 ? file_size : bytes.size());  // the right size, or a wrong one
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto samples = correio::metrics::read_counter_file(path);
  if (samples) {
    if (samples->size() > correio::metrics::CounterFile::kCapacity) std::abort();
    for (const auto& s : *samples)
      if (s.name.size() >= correio::metrics::CounterFile::kNameSize ||
          s.labels.size() >= correio::metrics::CounterFile::kLabelsSize)
        std::abort();
  }
  return 0;
}
