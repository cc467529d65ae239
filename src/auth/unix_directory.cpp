// The unix: user directory: passwd + shadow (see unix_directory.hpp).
#include "auth/unix_directory.hpp"

#include <errno.h>
#include <fmt/format.h>
#include <pwd.h>
#include <shadow.h>

#include <cstring>
#include <vector>

#include "base/strings.hpp"

namespace correio::auth {
namespace {

// A stored hash a login can match: not a lock marker ("!", "*", "!!", "!$6$..."), not
// the "x" that says "see the shadow file".
bool usable_hash(std::string_view hash) {
  return !hash.empty() && hash != "x" && hash.front() != '!' && hash.front() != '*';
}

}  // namespace

Result<std::optional<UserRecord>> UnixDirectory::lookup(std::string_view key) {
  std::string name = base::to_lower(key.substr(0, key.rfind('@')));
  if (name.empty()) return std::optional<UserRecord>();
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  int rc = 0;
  while ((rc = getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found)) == ERANGE &&
         buffer.size() < (1u << 20))
    buffer.resize(buffer.size() * 2);
  // getpwnam_r reports "no such user" as rc 0 (or, on some NSS modules, ENOENT/ESRCH).
  if (found == nullptr) {
    if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
      return std::optional<UserRecord>();
    return Error{fmt::format("getpwnam({}): {}", name, std::strerror(rc))};
  }
  UserRecord user;
  user.user = pw.pw_name;
  user.uid = pw.pw_uid;
  user.gid = pw.pw_gid;
  user.gecos = pw.pw_gecos ? pw.pw_gecos : "";
  user.home = pw.pw_dir ? pw.pw_dir : "";
  user.shell = pw.pw_shell ? pw.pw_shell : "";
  std::string hash = pw.pw_passwd ? pw.pw_passwd : "";
  // The shadow entry wins when we may read it (root); otherwise no password is known.
  spwd sp{};
  spwd* shadow = nullptr;
  std::vector<char> sbuffer(16384);
  if (getspnam_r(name.c_str(), &sp, sbuffer.data(), sbuffer.size(), &shadow) == 0 &&
      shadow != nullptr)
    hash = sp.sp_pwdp ? sp.sp_pwdp : "";
  if (usable_hash(hash)) user.password = "{CRYPT}" + hash;
  std::memset(sbuffer.data(), 0, sbuffer.size());  // the hash should not linger
  return std::optional<UserRecord>(std::move(user));
}

Result<std::vector<std::string>> UnixDirectory::list_users() {
  std::vector<std::string> users;
  setpwent();
  errno = 0;
  while (passwd* pw = getpwent()) users.emplace_back(pw->pw_name);
  int err = errno;
  endpwent();
  if (err != 0 && err != ENOENT) return Error{fmt::format("getpwent: {}", std::strerror(err))};
  return users;
}

}  // namespace correio::auth
