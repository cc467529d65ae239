// open_user_editor() and the sqlite: editor (see user_editor.hpp).
#include "auth/user_editor.hpp"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "auth/detail/editors.hpp"
#include "auth/sqlite_directory.hpp"
#include "sql/sqlite_db.hpp"

namespace correio::auth {
namespace detail {
namespace {

class SqliteEditor final : public UserEditor {
 public:
  explicit SqliteEditor(sql::SqliteDb db) : db_(std::move(db)) {}

  Status add(const UserRecord& user) override {
    if (auto ok = check_user_name(user.user); !ok) return ok;
    std::optional<std::string> quota;
    for (const auto& [k, v] : user.extra_fields) {
      if (k != "userdb_quota_rule")
        return Error{
            fmt::format("extra field {}: the sqlite directory has a column only for "
                        "userdb_quota_rule (add one with ALTER TABLE)",
                        k)};
      quota = v;
    }
    auto id = [](const std::optional<uint32_t>& n) {
      return n ? std::optional<std::string>(std::to_string(*n)) : std::nullopt;
    };
    auto text = [](const std::string& s) {
      return s.empty() ? std::nullopt : std::optional<std::string>(s);
    };
    return in_transaction([&]() -> Status {
      auto existing = db_.query("SELECT user FROM users WHERE user = ?1", {user.user});
      if (!existing) return existing.error();
      if (!existing->empty()) return Error{fmt::format("user {} exists already", user.user)};
      auto inserted = db_.query(
          "INSERT INTO users (user, password, uid, gid, home, quota_rule) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
          {user.user, user.password, id(user.uid), id(user.gid), text(user.home), quota});
      if (!inserted) return inserted.error();
      return {};
    });
  }

  Status remove(std::string_view user) override {
    return in_transaction([&]() -> Status {
      auto done = db_.query("DELETE FROM users WHERE user = ?1", {std::string(user)});
      if (!done) return done.error();
      if (db_.changes() == 0) return Error{fmt::format("no such user: {}", user)};
      return {};
    });
  }

  Status set_password(std::string_view user, std::string_view stored) override {
    return in_transaction([&]() -> Status {
      auto done = db_.query("UPDATE users SET password = ?2 WHERE user = ?1",
                            {std::string(user), std::string(stored)});
      if (!done) return done.error();
      if (db_.changes() == 0) return Error{fmt::format("no such user: {}", user)};
      return {};
    });
  }

 private:
  // BEGIN IMMEDIATE takes the write lock first, so two editors wait for each other
  // instead of failing half-way.
  template <typename Body>
  Status in_transaction(const Body& body) {
    if (auto ok = db_.exec("BEGIN IMMEDIATE"); !ok) return ok;
    Status result = body();
    if (!result) {
      (void)db_.exec("ROLLBACK");  // the body's error is the one to report
      return result;
    }
    return db_.exec("COMMIT");
  }

  sql::SqliteDb db_;
};

}  // namespace

Status create_private_file(const std::filesystem::path& path, const EditorOptions& options) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return Error{fmt::format("{}: create: {}", path.string(), std::strerror(errno))};
  Status result;
  if (options.new_file_group && ::fchown(fd, static_cast<uid_t>(-1), *options.new_file_group) != 0)
    result = Error{fmt::format("{}: fchown: {}", path.string(), std::strerror(errno))};
  else if (::fchmod(fd, 0640) != 0)  // whatever the umask
    result = Error{fmt::format("{}: fchmod: {}", path.string(), std::strerror(errno))};
  ::close(fd);
  if (!result) ::unlink(path.c_str());
  return result;
}

Result<std::unique_ptr<UserEditor>> make_sqlite_editor(std::filesystem::path path,
                                                       const EditorOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (auto ok = create_private_file(path, options); !ok) return ok.error();
  }
  auto db = sql::SqliteDb::open(path, sql::SqliteDb::Mode::read_write);
  if (!db) return db.error();
  if (auto ok = db->exec(kSqliteUsersSchema); !ok) return ok.error();
  return std::unique_ptr<UserEditor>(std::make_unique<SqliteEditor>(std::move(db).value()));
}

}  // namespace detail

Status check_user_name(std::string_view user) {
  if (user.empty()) return Error{"empty user name"};
  if (user.size() > 255) return Error{"user name longer than 255 characters"};
  for (char c : user)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == ':')
      return Error{fmt::format("invalid character in user name \"{}\"", user)};
  return {};
}

Result<std::unique_ptr<UserEditor>> open_user_editor(std::string_view spec,
                                                     const EditorOptions& options) {
  size_t colon = spec.find(':');
  std::string_view type = spec.substr(0, colon);
  std::string_view name = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  if (type == "pgsql" || type == "mysql" || type == "unix")
    return Error{fmt::format("{}: users of a {} directory are changed with its own tools "
                             "(psql, mariadb, useradd/passwd)",
                             spec, type)};
  if (colon == std::string_view::npos || name.empty())
    return Error{"user directory: expected TYPE:NAME, got \"" + std::string(spec) + "\""};
  if (type == "passwd-file") return detail::make_passwd_file_editor(std::string(name), options);
  if (type == "sqlite") return detail::make_sqlite_editor(std::string(name), options);
  return Error{fmt::format("user directory: unsupported type \"{}\"", type)};
}

}  // namespace correio::auth
