// The POP3 maildrop over the mailbox store (see maildrop.hpp).
#include "pop3d/maildrop.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace correio::pop3d {

Result<std::unique_ptr<Maildrop>> Maildrop::open(const std::filesystem::path& maildir,
                                                 const Options& options, Failure* failure) {
  *failure = Failure::error;
  std::unique_ptr<Maildrop> drop(new Maildrop());
  mailbox::MailUserOptions user_options;
  user_options.host_part = options.host_part;
  user_options.special_use_folders = "";  // POP3 sees only INBOX; IMAP creates the rest
  auto user = mailbox::MailUser::open(maildir, user_options);
  if (!user) return Error{user.error().message};
  if (options.lock_session) {
    // flock on the Maildir directory itself: no lock file to leave behind, and the kernel
    // drops it if the process dies.
    drop->lock_fd_ = ::open(maildir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (drop->lock_fd_ < 0)
      return Error{fmt::format("open {}: {}", maildir.string(), std::strerror(errno))};
    if (::flock(drop->lock_fd_, LOCK_EX | LOCK_NB) < 0) {
      if (errno == EWOULDBLOCK) *failure = Failure::in_use;
      return Error{fmt::format("lock {}: {}", maildir.string(), std::strerror(errno))};
    }
  }
  auto inbox = user->open_mailbox("INBOX");
  if (!inbox) return Error{inbox.error().message};
  drop->inbox_ = std::move(inbox.value());
  auto synced = drop->inbox_->sync();
  if (!synced) return Error{synced.error().message};
  drop->uid_validity_ = drop->inbox_->uid_validity();
  for (const auto& info : drop->inbox_->messages())
    drop->messages_.push_back(Message{info.uid, info.vsize, false, false});
  *failure = Failure::none;
  return drop;
}

Maildrop::~Maildrop() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Maildrop::Message* Maildrop::find(uint32_t number) {
  if (number == 0 || number > messages_.size()) return nullptr;
  return &messages_[number - 1];
}

uint32_t Maildrop::live_count() const {
  uint32_t n = 0;
  for (const auto& m : messages_)
    if (!m.deleted) ++n;
  return n;
}

uint64_t Maildrop::live_size() const {
  uint64_t total = 0;
  for (const auto& m : messages_)
    if (!m.deleted) total += m.size;
  return total;
}

std::string Maildrop::uidl(const Message& message) const {
  return fmt::format("{:08x}{:08x}", message.uid, uid_validity_);
}

Result<std::string> Maildrop::read(const Message& message) {
  return inbox_->read_message(message.uid);
}

void Maildrop::undelete_all() {
  for (auto& m : messages_) m.deleted = false;
}

Result<size_t> Maildrop::finish(bool update) {
  std::vector<uint32_t> seen, doomed;
  for (const auto& m : messages_) {
    if (update && m.deleted)
      doomed.push_back(m.uid);
    else if (m.retrieved)
      seen.push_back(m.uid);
  }
  if (!seen.empty()) {
    mailbox::Flags flags;
    flags.system = mailbox::kSeen;
    auto stored = inbox_->store_flags(seen, mailbox::StoreMode::kAdd, flags);
    if (!stored) return Error{stored.error().message};
  }
  size_t removed = 0;
  if (!doomed.empty()) {
    auto expunged = inbox_->expunge(doomed);
    if (!expunged) return Error{expunged.error().message};
    removed = expunged->size();
  }
  return removed;
}

}  // namespace correio::pop3d
