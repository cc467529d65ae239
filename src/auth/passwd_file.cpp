// Dovecot's passwd-file format: parsing and the reloading directory (see passwd_file.hpp).
#include "auth/passwd_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <limits>
#include <set>

#include "base/strings.hpp"

namespace correio::auth {
namespace {

// A uid or gid: empty means "not set"; otherwise a decimal number below 2^32 - 1
// ((uid_t)-1 means "no change" to chown and friends).
bool parse_id(std::string_view s, std::optional<uint32_t>* out) {
  if (s.empty()) return true;
  auto n = base::parse_int(s);
  if (!n || *n >= std::numeric_limits<uint32_t>::max()) return false;
  *out = static_cast<uint32_t>(*n);
  return true;
}

// One non-comment line; returns the reason it is bad, or "" with `*user` filled.
std::string parse_line(std::string_view line, UserRecord* user) {
  if (line.size() > kMaxPasswdLineLength) return "line too long";
  if (line.find('\0') != std::string_view::npos) return "NUL character in line";
  std::vector<std::string_view> f;
  size_t start = 0;
  while (f.size() < 7) {
    size_t colon = line.find(':', start);
    if (colon == std::string_view::npos) break;
    f.push_back(line.substr(start, colon - start));
    start = colon + 1;
  }
  if (f.empty()) return "missing ':' after the user name";
  f.push_back(line.substr(start));  // the last field (extra fields keep their ':')

  if (f[0].empty()) return "empty user name";
  for (char c : f[0])
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return fmt::format("invalid character in user name \"{}\"", f[0]);
  user->user = std::string(f[0]);
  user->password = std::string(f[1]);
  if (f.size() > 2 && !parse_id(f[2], &user->uid)) return fmt::format("invalid uid \"{}\"", f[2]);
  if (f.size() > 3 && !parse_id(f[3], &user->gid)) return fmt::format("invalid gid \"{}\"", f[3]);
  if (f.size() > 4) user->gecos = std::string(f[4]);
  if (f.size() > 5) user->home = std::string(f[5]);
  if (!user->home.empty() && user->home.front() != '/')
    return fmt::format("home directory is not absolute: \"{}\"", user->home);
  if (f.size() > 6) user->shell = std::string(f[6]);
  if (f.size() > 7) {
    for (const auto& word : base::split_any(f[7], " \t")) {
      size_t eq = word.find('=');
      if (eq == 0) return fmt::format("extra field without a name: \"{}\"", word);
      if (eq == std::string::npos)
        user->extra_fields.emplace_back(word, "");
      else
        user->extra_fields.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
  }
  return "";
}

}  // namespace

PasswdFileContents parse_passwd_file(std::string_view text, std::string_view filename) {
  PasswdFileContents out;
  std::map<std::string, size_t, std::less<>> first_line;  // lowercased user -> line
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view trimmed = base::trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;

    UserRecord user;
    if (auto reason = parse_line(line, &user); !reason.empty()) {
      out.warnings.push_back(fmt::format("{}:{}: {}", filename, line_no, reason));
      continue;
    }
    std::string key = base::to_lower(user.user);
    if (auto it = first_line.find(key); it != first_line.end()) {
      out.warnings.push_back(fmt::format("{}:{}: duplicate user \"{}\" (line {} is used)", filename,
                                         line_no, user.user, it->second));
      continue;
    }
    first_line.emplace(std::move(key), line_no);
    out.users.push_back(std::move(user));
  }
  return out;
}

PasswdFileDirectory::PasswdFileDirectory(std::filesystem::path path, Options options)
    : path_(std::move(path)), options_(options) {}

Result<std::unique_ptr<PasswdFileDirectory>> PasswdFileDirectory::open(std::filesystem::path path,
                                                                       Options options) {
  std::unique_ptr<PasswdFileDirectory> dir(new PasswdFileDirectory(std::move(path), options));
  if (auto loaded = dir->load(); !loaded) return loaded.error();
  dir->last_check_ = std::chrono::steady_clock::now();
  return dir;
}

Status PasswdFileDirectory::load() {
  const std::string name = path_.string();
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Error{fmt::format("passwd-file {}: open: {}", name, std::strerror(errno))};
  struct stat st {};
  std::string text;
  std::string failure;
  if (::fstat(fd, &st) != 0) {
    failure = fmt::format("fstat: {}", std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    failure = "not a regular file";
  } else if (static_cast<uint64_t>(st.st_size) > kMaxPasswdFileSize) {
    failure = fmt::format("file larger than {} bytes", kMaxPasswdFileSize);
  } else {
    text.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < text.size()) {
      ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        failure = fmt::format("read: {}", std::strerror(errno));
        break;
      }
      if (n == 0) break;  // shrank while we read: take what is there
      got += static_cast<size_t>(n);
    }
    text.resize(got);
  }
  ::close(fd);
  if (!failure.empty()) return Error{fmt::format("passwd-file {}: {}", name, failure)};

  auto contents = parse_passwd_file(text, name);
  users_.clear();
  order_.clear();
  for (auto& user : contents.users) {
    order_.push_back(user.user);
    std::string key = base::to_lower(user.user);
    users_.emplace(std::move(key), std::move(user));
  }
  for (auto& w : contents.warnings) warnings_.push_back(std::move(w));
  loaded_ = {st.st_dev, st.st_ino, st.st_size,
             int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
  load_error_.reset();
  ++load_count_;
  return {};
}

Status PasswdFileDirectory::reload_if_changed() {
  auto now = std::chrono::steady_clock::now();
  if (!load_error_ && now - last_check_ < options_.check_interval) return {};
  last_check_ = now;
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    load_error_ = fmt::format("passwd-file {}: stat: {}", path_.string(), std::strerror(errno));
    return Error{*load_error_};
  }
  FileId id{st.st_dev, st.st_ino, st.st_size,
            int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
  if (id == loaded_ && !load_error_) return {};
  if (auto loaded = load(); !loaded) {
    load_error_ = loaded.error().message;
    return loaded;
  }
  return {};
}

Result<std::optional<UserRecord>> PasswdFileDirectory::lookup(std::string_view user) {
  if (auto fresh = reload_if_changed(); !fresh) return fresh.error();
  auto it = users_.find(base::to_lower(user));
  if (it == users_.end()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(it->second);
}

Result<std::vector<std::string>> PasswdFileDirectory::list_users() {
  if (auto fresh = reload_if_changed(); !fresh) return fresh.error();
  std::vector<std::string> names;
  for (const auto& user : order_) names.push_back(user);
  return names;
}

std::vector<std::string> PasswdFileDirectory::take_warnings() {
  return std::exchange(warnings_, {});
}

}  // namespace correio::auth
