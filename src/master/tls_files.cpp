// Reading a service's key and certificate files as root (see tls_files.hpp).
#include "master/tls_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "config/server_tls_files.hpp"
#include "tls/key_chain.hpp"
#include "tls/server_context.hpp"

namespace correio::master {
namespace {

// The file's text and the stamp of the version read. An error names the file.
Result<std::pair<std::string, base::FileStamp>> read_pem(const std::string& path) {
  // Symlinks are followed: certbot's live/ names are links into archive/.
  base::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return base::errno_error("cannot open " + path, errno);
  base::FileStamp stamp = base::file_stamp(fd.get());
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return base::errno_error("cannot stat " + path, errno);
  if (!S_ISREG(st.st_mode)) return Error{path + ": not a regular file"};
  if (static_cast<size_t>(st.st_size) > tls::kMaxPemFileSize)
    return Error{path + ": file too large"};
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::errno_error("cannot read " + path, errno);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > tls::kMaxPemFileSize) return Error{path + ": file too large"};
  }
  return std::make_pair(std::move(text), stamp);
}

}  // namespace

std::optional<TlsHandout> prepare_tls_handout(const config::Config& effective,
                                              const std::string& command) {
  std::string_view prefix = config::server_tls_prefix(command);
  if (prefix.empty()) return std::nullopt;
  auto names = config::server_tls_files(effective, prefix).all();
  if (names.empty() || names.size() > tls::kMaxHandedFiles) return std::nullopt;
  TlsHandout handout;
  tls::HandedFiles files;
  for (const auto& name : names) {
    auto read = read_pem(name);
    if (!read) {
      handout.problems.push_back(read.error().message);
      handout.stamps.emplace_back(name, base::file_stamp(name));
      continue;
    }
    files.add(name, std::move(read->first));
    handout.stamps.emplace_back(name, read->second);
  }
  if (files.empty()) return std::nullopt;
  auto bundle = tls::write_sealed(files);
  if (!bundle) return std::nullopt;  // out of memory: the process reads the files itself
  handout.bundle = std::move(*bundle);
  handout.files = std::make_shared<const tls::HandedFiles>(std::move(files));
  return handout;
}

bool tls_files_changed(const TlsHandout& handout) {
  for (const auto& [path, stamp] : handout.stamps)
    if (base::file_stamp(path) != stamp) return true;
  return false;
}

Status check_tls_handout(const TlsHandout& handout, const config::Config& effective,
                         const std::string& command) {
  if (!handout.problems.empty()) return Error{handout.problems.front()};
  config::ServerTlsFiles names =
      config::server_tls_files(effective, config::server_tls_prefix(command));
  tls::ServerOptions options;
  options.chain_files = std::move(names.chain_files);
  options.cert_file = std::move(names.cert_file);
  options.key_file = std::move(names.key_file);
  options.handed = handout.files;
  auto chains = tls::read_key_chains(options);
  if (!chains) return chains.error();
  return {};
}

}  // namespace correio::master
