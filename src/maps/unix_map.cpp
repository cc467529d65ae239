// unix:passwd.byname and unix:group.byname — the system's account databases as read-only
// tables (Postfix's dict_unix), for the default local_recipient_maps.
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"

namespace correio::maps::detail {
namespace {

// Large enough for any passwd or group entry glibc's NSS modules return at once; a bigger
// group gives ERANGE and we retry with more.
constexpr size_t kFirstBuffer = 4096;
constexpr size_t kMaxBuffer = 1 << 20;

class UnixMap final : public Map {
 public:
  UnixMap(std::string name, bool groups, bool fold_case)
      : name_(std::move(name)), groups_(groups), fold_case_(fold_case) {}

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    std::string name = fold_case_ ? base::to_lower(key) : std::string(key);
    if (name.empty() || name.find('\0') != std::string::npos) return std::optional<std::string>();
    for (size_t size = kFirstBuffer; size <= kMaxBuffer; size *= 4) {
      std::vector<char> buf(size);
      int rc = groups_ ? group_entry(name, buf) : passwd_entry(name, buf);
      if (rc == ERANGE) continue;
      // getpwnam_r's "not found" is 0 with no result, or ENOENT/ESRCH/EBADF/EPERM on some
      // NSS modules (getpwnam(3)); anything else is a failure to read the database.
      if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) return found_;
      return Error{fmt::format("{}: lookup of \"{}\": {}", spec(), name, std::strerror(rc))};
    }
    return Error{fmt::format("{}: entry for \"{}\" is too large", spec(), name)};
  }
  std::string spec() const override { return "unix:" + name_; }

 private:
  // As Postfix's dict_unix formats them: the passwd(5) and group(5) lines.
  int passwd_entry(const std::string& name, std::vector<char>& buf) {
    passwd pw{};
    passwd* result = nullptr;
    found_.reset();
    int rc = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &result);
    if (rc == 0 && result)
      found_ = fmt::format("{}:{}:{}:{}:{}:{}:{}", pw.pw_name, pw.pw_passwd, pw.pw_uid, pw.pw_gid,
                           pw.pw_gecos, pw.pw_dir, pw.pw_shell);
    return rc;
  }
  int group_entry(const std::string& name, std::vector<char>& buf) {
    group gr{};
    group* result = nullptr;
    found_.reset();
    int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &result);
    if (rc == 0 && result) {
      std::string members;
      for (char** m = gr.gr_mem; m && *m; ++m)
        members += (members.empty() ? "" : ",") + std::string(*m);
      found_ = fmt::format("{}:{}:{}:{}", gr.gr_name, gr.gr_passwd, gr.gr_gid, members);
    }
    return rc;
  }

  std::string name_;
  bool groups_;
  bool fold_case_;
  std::optional<std::string> found_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_unix(std::string_view name, const MapOptions& options) {
  if (name != "passwd.byname" && name != "group.byname")
    return Error{fmt::format("unix:{}: unknown table (passwd.byname or group.byname)", name)};
  return std::unique_ptr<Map>(
      std::make_unique<UnixMap>(std::string(name), name == "group.byname", options.fold_case));
}

}  // namespace correio::maps::detail
