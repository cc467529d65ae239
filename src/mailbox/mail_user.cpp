// MailUser: one user's Maildir++ folders and subscriptions (see mailbox.hpp). Folder
// "A.b" is the directory ".A.b" in the root, as Dovecot's Maildir++ layout; INBOX is the
// root itself. Parents need not exist: ".A.b" alone lists "A" as \NonExistent.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/dotlock.hpp"
#include "mailbox/detail/fs_util.hpp"
#include "mailbox/detail/mailbox_impl.hpp"
#include "mailbox/detail/uidvalidity.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/subscriptions_file.hpp"
#include "store/maildir.hpp"
#include "store/maildir_name.hpp"

namespace correio::mailbox {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "inbox" -> "INBOX", "inbox.x" -> "INBOX.x": INBOX is case-insensitive (RFC 9051 §5.1).
std::string canonical(std::string_view name) {
  if (is_inbox(name)) return "INBOX";
  if (name.size() > 6 && lower(name.substr(0, 6)) == "inbox.")
    return "INBOX" + std::string(name.substr(5));
  return std::string(name);
}

// The folder names present in the root: every directory ".X" with a cur/ in it.
Result<std::set<std::string>> folder_dirs(const fs::path& root) {
  std::set<std::string> out;
  DIR* d = ::opendir(root.c_str());
  if (!d) return detail::sys_error("opendir", root, errno);
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n.size() < 2 || n[0] != '.' || n == "..") continue;
    struct stat st {};
    if (::stat((root / n / "cur").c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      out.insert(std::string(n.substr(1)));
  }
  ::closedir(d);
  return out;
}

Status create_folder_dir(const fs::path& root, const fs::path& dir) {
  if (Status s = store::ensure_maildir(dir); !s) return s;
  // Marks a Maildir++ subfolder (Courier, Dovecot, maildrop).
  int fd = ::open((dir / "maildirfolder").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return detail::sys_error("create", dir / "maildirfolder", errno);
  ::close(fd);
  // A dovecot-uidlist right away, so that Dovecot and Correio agree on UIDVALIDITY
  // whichever opens the folder first.
  Uidlist list;
  list.uid_validity = detail::next_uid_validity(root);
  list.guid = new_mailbox_guid();
  auto lock = base::Dotlock::acquire(dir / "dovecot-uidlist");
  if (!lock) return lock.error();
  struct stat st {};
  if (::stat((dir / "dovecot-uidlist").c_str(), &st) == 0) return {};
  return lock->replace(format_uidlist(list));
}

}  // namespace

bool is_inbox(std::string_view name) {
  return lower(name) == "inbox";
}

Status validate_folder_name(std::string_view name) {
  if (name.empty()) return Error{"empty mailbox name"};
  if (name.size() > 255) return Error{"mailbox name too long"};
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/') return Error{"mailbox name contains '/'"};
    if (u < 0x20 || u == 0x7f) return Error{"mailbox name contains a control character"};
  }
  if (name.front() == kHierarchySeparator || name.back() == kHierarchySeparator ||
      name.find("..") != std::string_view::npos)
    return Error{"mailbox name has an empty level: " + std::string(name)};
  if (name.front() == '~') return Error{"mailbox name starts with '~'"};
  return {};
}

Result<MailUser> MailUser::open(fs::path root, MailUserOptions options) {
  if (!root.is_absolute()) return Error{"mail root is not an absolute path: " + root.string()};
  if (Status s = store::ensure_maildir(root); !s) return s.error();
  MailUser user(std::move(root), std::move(options));
  // Dovecot's "auto = create" for the special-use folders.
  auto existing = folder_dirs(user.root_);
  if (!existing) return existing.error();
  std::string spec = user.options_.special_use_folders;
  for (char& c : spec)
    if (c == ',') c = ' ';
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t start = spec.find_first_not_of(" \t", pos);
    if (start == std::string::npos) break;
    size_t end = spec.find_first_of(" \t", start);
    std::string item = spec.substr(start, end - start);
    pos = end == std::string::npos ? spec.size() : end;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error{"mailbox_special_use_folders: bad entry \"" + item + "\""};
    std::string name = item.substr(0, eq);
    if (Status s = validate_folder_name(name); !s) return s.error();
    if (is_inbox(name) || existing->count(name)) continue;
    if (Status s = create_folder_dir(user.root_, user.root_ / ("." + name)); !s) return s.error();
  }
  return user;
}

std::string MailUser::special_use_of(std::string_view name) const {
  std::string spec = options_.special_use_folders;
  for (char& c : spec)
    if (c == ',') c = ' ';
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t start = spec.find_first_not_of(" \t", pos);
    if (start == std::string::npos) break;
    size_t end = spec.find_first_of(" \t", start);
    std::string item = spec.substr(start, end - start);
    pos = end == std::string::npos ? spec.size() : end;
    size_t eq = item.find('=');
    if (eq != std::string::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
  }
  return "";
}

Result<fs::path> MailUser::folder_path(std::string_view name) const {
  if (Status s = validate_folder_name(name); !s) return s.error();
  std::string c = canonical(name);
  if (c == "INBOX") return root_;
  return root_ / ("." + c);
}

Result<std::vector<FolderInfo>> MailUser::list_folders() const {
  auto dirs = folder_dirs(root_);
  if (!dirs) return dirs.error();
  std::map<std::string, FolderInfo> all;
  all["INBOX"] = FolderInfo{"INBOX", true, false, ""};
  for (const auto& n : *dirs) {
    FolderInfo& f = all[n];
    f.name = n;
    f.exists = true;
    f.special_use = special_use_of(n);
    // Every parent level is listed too, \NonExistent unless it is a folder itself.
    for (size_t dot = n.rfind(kHierarchySeparator); dot != std::string::npos && dot > 0;
         dot = n.rfind(kHierarchySeparator, dot - 1)) {
      std::string parent = n.substr(0, dot);
      auto [it, inserted] = all.try_emplace(parent);
      if (inserted) it->second = FolderInfo{parent, false, true, ""};
      it->second.has_children = true;
      if (dot == 0) break;
    }
  }
  std::vector<FolderInfo> out;
  out.push_back(all["INBOX"]);
  for (auto& [n, f] : all)
    if (n != "INBOX") out.push_back(std::move(f));
  return out;
}

Status MailUser::create_folder(std::string_view name) {
  auto dir = folder_path(name);
  if (!dir) return dir.error();
  if (*dir == root_) return Error{"mailbox INBOX already exists"};
  struct stat st {};
  if (::stat(dir->c_str(), &st) == 0) return Error{"mailbox already exists: " + std::string(name)};
  return create_folder_dir(root_, *dir);
}

Status MailUser::delete_folder(std::string_view name) {
  auto dir = folder_path(name);
  if (!dir) return dir.error();
  if (*dir == root_) return Error{"INBOX cannot be deleted"};
  struct stat st {};
  if (::stat(dir->c_str(), &st) != 0) return Error{"mailbox does not exist: " + std::string(name)};
  // Rename out of the folder namespace first (one atomic step for other readers), then
  // remove at leisure; the name starts without '.', so no one lists it as a folder.
  fs::path trash = root_ / ("correio-deleted." + store::maildir_unique_name("x"));
  if (::rename(dir->c_str(), trash.c_str()) != 0) return detail::sys_error("rename", *dir, errno);
  std::error_code ec;
  fs::remove_all(trash, ec);
  if (ec) return Error{"remove " + trash.string() + ": " + ec.message()};
  return {};
}

Status MailUser::rename_folder(std::string_view from, std::string_view to) {
  auto from_dir = folder_path(from);
  if (!from_dir) return from_dir.error();
  auto to_dir = folder_path(to);
  if (!to_dir) return to_dir.error();
  if (*to_dir == root_) return Error{"mailbox INBOX already exists"};
  struct stat st {};
  if (::stat(to_dir->c_str(), &st) == 0) return Error{"mailbox already exists: " + std::string(to)};
  std::string f = canonical(from), t = canonical(to);
  if (t.starts_with(f + kHierarchySeparator)) return Error{"cannot rename a mailbox under itself"};

  if (*from_dir == root_) {
    // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name, INBOX stays.
    if (Status s = create_folder_dir(root_, *to_dir); !s) return s;
    auto src = open_mailbox("INBOX");
    if (!src) return src.error();
    auto dst = open_mailbox(t);
    if (!dst) return dst.error();
    if (auto s = (*src)->sync(); !s) return s.error();
    std::vector<uint32_t> uids;
    for (const auto& m : (*src)->messages()) uids.push_back(m.uid);
    if (auto moved = (*src)->move_to(uids, **dst); !moved) return moved.error();
    return {};
  }
  auto dirs = folder_dirs(root_);
  if (!dirs) return dirs.error();
  // A name that only holds children (LIST's \Noselect parent) renames its children, as
  // Dovecot does: RFC 9051 §6.3.6 renames the inferior names with the name.
  bool has_folder = ::stat(from_dir->c_str(), &st) == 0;
  bool has_children = std::any_of(dirs->begin(), dirs->end(), [&](const std::string& n) {
    return n.starts_with(f + kHierarchySeparator);
  });
  if (!has_folder && !has_children) return Error{"mailbox does not exist: " + std::string(from)};
  if (has_folder && ::rename(from_dir->c_str(), to_dir->c_str()) != 0)
    return detail::sys_error("rename", *from_dir, errno);
  // The children go along: ".From.x" -> ".To.x".
  for (const auto& n : *dirs) {
    if (!n.starts_with(f + kHierarchySeparator)) continue;
    fs::path a = root_ / ("." + n), b = root_ / ("." + t + n.substr(f.size()));
    if (::rename(a.c_str(), b.c_str()) != 0) return detail::sys_error("rename", a, errno);
  }
  return {};
}

namespace {
Status change_subscription(const fs::path& root, std::string name, bool subscribe) {
  fs::path file = root / "subscriptions";
  base::DotlockOptions how;
  how.timeout = std::chrono::seconds(120);
  how.stale = std::chrono::seconds(30);
  auto lock = base::Dotlock::acquire(file, how);
  if (!lock) return lock.error();
  bool missing = false;
  auto text = base::read_file(file, detail::kAnySize, &missing);
  if (!text) return text.error();
  std::vector<std::string> names = parse_subscriptions(*text, kHierarchySeparator);
  auto it = std::find(names.begin(), names.end(), name);
  if (subscribe == (it != names.end())) return {};  // nothing to change; lock released
  if (subscribe)
    names.push_back(std::move(name));
  else
    names.erase(it);
  return lock->replace(format_subscriptions(names, kHierarchySeparator));
}
}  // namespace

Status MailUser::subscribe(std::string_view name) {
  if (Status s = validate_folder_name(name); !s) return s;
  return change_subscription(root_, canonical(name), true);
}

Status MailUser::unsubscribe(std::string_view name) {
  if (Status s = validate_folder_name(name); !s) return s;
  return change_subscription(root_, canonical(name), false);
}

Result<std::vector<std::string>> MailUser::subscriptions() const {
  bool missing = false;
  auto text = base::read_file(root_ / "subscriptions", detail::kAnySize, &missing);
  if (!text) return text.error();
  return parse_subscriptions(*text, kHierarchySeparator);
}

Result<std::unique_ptr<Mailbox>> MailUser::open_mailbox(std::string_view name, bool read_only) {
  auto dir = folder_path(name);
  if (!dir) return dir.error();
  struct stat st {};
  if (::stat((*dir / "cur").c_str(), &st) != 0)
    return Error{"mailbox does not exist: " + std::string(name)};
  auto index = detail::Index::open(*dir);
  if (!index) return index.error();
  auto impl = std::unique_ptr<Mailbox::Impl>(new Mailbox::Impl(
      canonical(name), *dir, root_, options_.host_part, read_only, std::move(*index)));
  impl->work_pool = options_.work_pool;
  impl->log = options_.log;
  return std::unique_ptr<Mailbox>(new Mailbox(std::move(impl)));
}

Result<FolderStatus> MailUser::status(std::string_view name) {
  auto box = open_mailbox(name, true);
  if (!box) return box.error();
  auto changes = (*box)->sync();
  if (!changes) return changes.error();
  FolderStatus s;
  s.uid_next = (*box)->uid_next();
  s.uid_validity = (*box)->uid_validity();
  s.highest_modseq = (*box)->highest_modseq();
  auto meta = (*box)->impl_->index.meta();
  if (!meta) return meta.error();
  for (const auto& m : (*box)->messages()) {
    ++s.messages;
    if (!m.flags.has(kSeen)) ++s.unseen;
    if (m.uid >= meta->first_recent_uid) ++s.recent;
    s.vsize += m.vsize;
  }
  return s;
}

}  // namespace correio::mailbox
