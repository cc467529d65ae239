// open_user_directory(): the TYPE:NAME dispatch of user_directory (see user_directory.hpp).
#include "auth/user_directory.hpp"

#include "auth/passwd_file.hpp"
#include "auth/sql_directory.hpp"
#include "auth/sqlite_directory.hpp"
#include "auth/unix_directory.hpp"
#include "base/strings.hpp"

namespace correio::auth {
namespace {

// auth_default_realm around any directory (see open_user_directory()).
class RealmDirectory final : public UserDirectory {
 public:
  RealmDirectory(std::unique_ptr<UserDirectory> inner, std::string realm)
      : inner_(std::move(inner)), realm_(std::move(realm)) {}

  Result<std::optional<UserRecord>> lookup(std::string_view name) override {
    std::string full(name);
    if (full.find('@') == std::string::npos) full += "@" + realm_;
    auto found = inner_->lookup(full);
    if (!found || *found) return found;
    size_t at = full.rfind('@');
    if (!base::iequals(std::string_view(full).substr(at + 1), realm_)) return found;
    // The realm's users may be written without it, as in Dovecot passwd-files.
    found = inner_->lookup(std::string_view(full).substr(0, at));
    if (found && *found && (*found)->user.find('@') == std::string::npos)
      (*found)->user += "@" + realm_;
    return found;
  }
  std::vector<std::string> take_warnings() override { return inner_->take_warnings(); }
  Result<std::vector<std::string>> list_users() override { return inner_->list_users(); }

 private:
  std::unique_ptr<UserDirectory> inner_;
  std::string realm_;
};

Result<std::unique_ptr<UserDirectory>> open_plain(std::string_view spec);

}  // namespace

Result<std::unique_ptr<UserDirectory>> open_user_directory(std::string_view spec,
                                                           std::string_view default_realm) {
  auto dir = open_plain(spec);
  if (!dir || default_realm.empty()) return dir;
  return std::unique_ptr<UserDirectory>(
      std::make_unique<RealmDirectory>(std::move(*dir), base::to_lower(default_realm)));
}

std::optional<std::string_view> UserRecord::extra(std::string_view key) const {
  for (const auto& [k, v] : extra_fields)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

namespace {

Result<std::unique_ptr<UserDirectory>> open_plain(std::string_view spec) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos)
    return Error{"user_directory: expected TYPE:NAME, got \"" + std::string(spec) + "\""};
  std::string_view type = spec.substr(0, colon);
  std::string_view name = spec.substr(colon + 1);
  if (type == "passwd-file") {
    auto dir = PasswdFileDirectory::open(std::string(name));
    if (!dir) return dir.error();
    return std::unique_ptr<UserDirectory>(std::move(dir).value());
  }
  if (type == "sqlite") {
    auto dir = SqliteDirectory::open(std::string(name));
    if (!dir) return dir.error();
    return std::unique_ptr<UserDirectory>(std::move(dir).value());
  }
  if (type == "pgsql" || type == "mysql") {
    auto kind = type == "pgsql" ? SqlDirectory::Kind::pgsql : SqlDirectory::Kind::mysql;
    auto dir = SqlDirectory::open(kind, std::string(name));
    if (!dir) return dir.error();
    return std::unique_ptr<UserDirectory>(std::move(dir).value());
  }
  if (type == "unix") return std::unique_ptr<UserDirectory>(std::make_unique<UnixDirectory>());
  return Error{"user_directory: unsupported type \"" + std::string(type) + "\" in \"" +
               std::string(spec) + "\""};
}

}  // namespace

}  // namespace correio::auth
