// The bundle of key and certificate files the master hands down (see handed_files.hpp).
#include "tls/handed_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace correio::tls {
namespace {

constexpr std::string_view kMagic = "correio-handed-files 1\n";

// A decimal number of at most 10 digits ending at `stop`; npos on anything else.
size_t parse_length(std::string_view text, char stop, size_t& pos) {
  size_t value = 0;
  size_t digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (++digits > 10) return std::string_view::npos;
    value = value * 10 + static_cast<size_t>(text[pos++] - '0');
  }
  if (digits == 0 || pos >= text.size() || text[pos] != stop) return std::string_view::npos;
  ++pos;
  return value;
}

}  // namespace

const std::string* HandedFiles::find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

std::string HandedFiles::serialize() const {
  std::string out(kMagic);
  for (const auto& [path, contents] : files_) {
    out += fmt::format("{} {}\n", path.size(), contents.size());
    out += path;
    out += '\n';
    out += contents;
    out += '\n';
  }
  return out;
}

Result<HandedFiles> HandedFiles::parse(std::string_view text) {
  if (text.size() > kMaxHandedBytes) return Error{"handed files: bundle too large"};
  if (!text.starts_with(kMagic)) return Error{"handed files: not a bundle"};
  HandedFiles files;
  size_t pos = kMagic.size();
  while (pos < text.size()) {
    auto bad = [&](std::string_view what) {
      return Error{fmt::format("handed files: {} at byte {}", what, pos)};
    };
    size_t path_length = parse_length(text, ' ', pos);
    size_t length =
        path_length == std::string_view::npos ? path_length : parse_length(text, '\n', pos);
    if (length == std::string_view::npos) return bad("bad entry header");
    if (path_length == 0 || path_length > 4096) return bad("bad path length");
    // PATH \n CONTENT \n, without overflow: both lengths are below 10^10.
    if (text.size() - pos < path_length + length + 2) return bad("truncated entry");
    std::string_view path = text.substr(pos, path_length);
    if (path.find('\0') != std::string_view::npos) return bad("NUL in a path");
    pos += path_length;
    if (text[pos++] != '\n') return bad("missing newline after the path");
    std::string_view contents = text.substr(pos, length);
    pos += length;
    if (text[pos++] != '\n') return bad("missing newline after the contents");
    if (files.find(path) != nullptr) return bad("duplicate path");
    if (files.size() == kMaxHandedFiles) return bad("too many files");
    files.add(std::string(path), std::string(contents));
  }
  return files;
}

Result<base::Fd> write_sealed(const HandedFiles& files) {
  std::string text = files.serialize();
  if (text.size() > kMaxHandedBytes) return Error{"handed files: bundle too large"};
  base::Fd fd(::memfd_create("correio-tls-files", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd.valid()) return base::errno_error("memfd_create", errno);
  if (int err = base::write_all(fd.get(), text); err != 0)
    return base::errno_error("write to memfd", err);
  if (::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
    return base::errno_error("seal memfd", errno);
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) return base::errno_error("lseek memfd", errno);
  return fd;
}

Result<HandedFiles> read_handed(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) return base::errno_error("handed files: fstat", errno);
  if (!S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) > kMaxHandedBytes)
    return Error{fmt::format("handed files: descriptor {} is not a bundle", fd)};
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pread(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::errno_error("handed files: read", errno);
    if (n == 0) return Error{"handed files: bundle shorter than its size"};
    done += static_cast<size_t>(n);
  }
  return HandedFiles::parse(text);
}

}  // namespace correio::tls
