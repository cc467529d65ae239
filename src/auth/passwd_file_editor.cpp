// Editing a passwd-file in place, safely: lock, read, change the one line, write a
// temporary file with the old mode and owner, fsync, rename over, fsync the directory.
// Readers (the daemons) never see a half-written file; a crash leaves the old or the new.
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "auth/detail/editors.hpp"
#include "auth/passwd_file.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"

namespace correio::auth::detail {
namespace {

using base::Fd;

Error sys_error(const std::string& what, const std::filesystem::path& path) {
  return Error{fmt::format("{}: {}: {}", path.string(), what, std::strerror(errno))};
}

// The user name a passwd-file line defines; "" for comments and blank lines.
std::string_view line_user(std::string_view line) {
  std::string_view trimmed = base::trim(line);
  if (trimmed.empty() || trimmed.front() == '#') return "";
  return line.substr(0, line.find(':'));
}

Status check_field(std::string_view value, std::string_view what, bool colon_ok) {
  for (char c : value)
    if (c == '\n' || c == '\r' || c == '\0' || (!colon_ok && c == ':'))
      return Error{fmt::format("{} must not contain ':' or line breaks", what)};
  return {};
}

class PasswdFileEditor final : public UserEditor {
 public:
  PasswdFileEditor(std::filesystem::path path, const EditorOptions& options)
      : path_(std::move(path)), options_(options) {}

  Status add(const UserRecord& user) override {
    if (auto ok = check_user_name(user.user); !ok) return ok;
    for (auto [value, what] : {std::pair{std::string_view(user.password), "password"},
                               {user.gecos, "gecos"},
                               {user.home, "home"},
                               {user.shell, "shell"}})
      if (auto ok = check_field(value, what, false); !ok) return ok;
    std::string extra;
    for (const auto& [k, v] : user.extra_fields) {
      if (!extra.empty()) extra += ' ';
      extra += v.empty() ? k : k + "=" + v;
    }
    if (auto ok = check_field(extra, "extra fields", true); !ok) return ok;
    auto id = [](const std::optional<uint32_t>& n) { return n ? std::to_string(*n) : ""; };
    std::string line =
        fmt::format("{}:{}:{}:{}:{}:{}:{}:{}\n", user.user, user.password, id(user.uid),
                    id(user.gid), user.gecos, user.home, user.shell, extra);
    return edit([&](std::string& text) -> Status {
      for (std::string_view l : lines(text))
        if (base::iequals(line_user(l), user.user))
          return Error{fmt::format("user {} exists already", user.user)};
      if (!text.empty() && text.back() != '\n') text += '\n';
      text += line;
      return {};
    });
  }

  Status remove(std::string_view user) override {
    return change_line(user, [](std::string_view) { return std::string(); });
  }

  Status set_password(std::string_view user, std::string_view stored) override {
    if (auto ok = check_field(stored, "password", false); !ok) return ok;
    return change_line(user, [&](std::string_view line) {
      size_t first = line.find(':');
      if (first == std::string_view::npos) return std::string(line) + ":" + std::string(stored);
      size_t second = line.find(':', first + 1);
      std::string rest = second == std::string_view::npos ? "" : std::string(line.substr(second));
      return std::string(line.substr(0, first + 1)) + std::string(stored) + rest;
    });
  }

 private:
  // The lines of `text`, each with its '\n' (so that they concatenate back to `text`).
  static std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      size_t len = nl == std::string_view::npos ? text.size() : nl + 1;
      out.push_back(text.substr(0, len));
      text.remove_prefix(len);
    }
    return out;
  }

  // Replaces the line of `user` (without its line end) by `replace(line)`; an empty
  // replacement removes the line.
  Status change_line(std::string_view user,
                     const std::function<std::string(std::string_view)>& replace) {
    return edit([&](std::string& text) -> Status {
      std::string out;
      bool found = false;
      for (std::string_view l : lines(text)) {
        std::string_view body = l.substr(0, l.find('\n'));
        if (!found && base::iequals(line_user(body), user)) {
          found = true;
          std::string changed = replace(body);
          if (!changed.empty()) out += changed + "\n";
          continue;
        }
        out += l;
      }
      if (!found) return Error{fmt::format("no such user: {}", user)};
      text = std::move(out);
      return {};
    });
  }

  // Lock, read (a missing file is empty), change, replace atomically.
  Status edit(const std::function<Status(std::string&)>& change) {
    std::filesystem::path lock_path = path_.string() + ".lock";
    Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (lock.get() < 0) return sys_error("open", lock_path);
    while (::flock(lock.get(), LOCK_EX) != 0)
      if (errno != EINTR) return sys_error("flock", lock_path);

    std::string text;
    struct stat st {};
    bool exists = false;
    Fd in(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (in.get() >= 0) {
      exists = true;
      if (::fstat(in.get(), &st) != 0) return sys_error("fstat", path_);
      if (!S_ISREG(st.st_mode)) return Error{path_.string() + ": not a regular file"};
      if (static_cast<uint64_t>(st.st_size) > kMaxPasswdFileSize)
        return Error{path_.string() + ": file too large"};
      char buf[65536];
      for (;;) {
        ssize_t n = ::read(in.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("read", path_);
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
      }
    } else if (errno != ENOENT) {
      return sys_error("open", path_);
    }
    if (auto ok = change(text); !ok) return ok;

    base::ReplaceOptions how;
    how.mode = exists ? (st.st_mode & 07777) : 0640;
    if (exists) {
      how.owner = st.st_uid;
      how.group = st.st_gid;
    } else {
      how.group = options_.new_file_group.value_or(static_cast<gid_t>(-1));
    }
    // Leave the ids alone when they are ours: an unprivileged editor cannot fchown.
    if (how.owner == ::geteuid() && how.group == ::getegid()) {
      how.owner = static_cast<uid_t>(-1);
      how.group = static_cast<gid_t>(-1);
    }
    return base::replace_file_atomically(path_, text, how);
  }

  std::filesystem::path path_;
  EditorOptions options_;
};

}  // namespace

std::unique_ptr<UserEditor> make_passwd_file_editor(std::filesystem::path path,
                                                    const EditorOptions& options) {
  return std::make_unique<PasswdFileEditor>(std::move(path), options);
}

}  // namespace correio::auth::detail
