// A main() for a libFuzzer harness built without libFuzzer (g++, the normal build): feeds
// every file named on the command line, or found in a directory named there, to
// LLVMFuzzerTestOneInput once, like LLVM's StandaloneFuzzTargetMain.c. ctest runs it on
// fuzz/seeds/NAME so that a harness that no longer builds, or a known crash input that
// crashes again (the harness aborts on a broken property), fails the normal test run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// The files of one argument, sorted so that a failing run is the same on every machine.
bool collect(const fs::path& arg, std::vector<fs::path>& files) {
  std::error_code ec;
  if (fs::is_directory(arg, ec)) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(arg, ec))
      if (entry.is_regular_file()) found.push_back(entry.path());
    if (ec) {
      std::fprintf(stderr, "%s: %s\n", arg.c_str(), ec.message().c_str());
      return false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
    return true;
  }
  if (!fs::is_regular_file(arg, ec)) {
    std::fprintf(stderr, "%s: not a file or directory\n", arg.c_str());
    return false;
  }
  files.push_back(arg);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i)
    if (!collect(argv[i], files)) return 2;
  // An empty seed corpus would make the test pass without testing anything.
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...: no input files found\n", argv[0]);
    return 2;
  }
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes;
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
      std::fprintf(stderr, "%s: read error\n", file.c_str());
      return 2;
    }
    // Printed before the run: when the harness aborts, the last line names the input.
    std::fprintf(stderr, "running %s (%zu bytes)\n", file.c_str(), bytes.size());
    std::fflush(stderr);
    // A copy of exactly `size` bytes on the heap, so that ASan sees an over-read (never a
    // null pointer, as libFuzzer passes none either).
    auto data = std::make_unique<uint8_t[]>(std::max<size_t>(bytes.size(), 1));
    std::copy(bytes.begin(), bytes.end(), data.get());
    LLVMFuzzerTestOneInput(data.get(), bytes.size());
  }
  std::fprintf(stderr, "%zu inputs ran without a failure\n", files.size());
  return 0;
}
