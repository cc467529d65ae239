// Opening a user's mail store by name (see user_store.hpp).
#include "service/user_store.hpp"

#include "store/mailbox_path.hpp"

namespace correio::service {

Result<std::optional<mailbox::MailUser>> open_user_store(auth::UserDirectory& users,
                                                         std::string_view name,
                                                         const UserStoreLocation& where,
                                                         mailbox::MailUserOptions options) {
  auto found = users.lookup(name);
  if (!found) return found.error();
  if (!*found) return std::optional<mailbox::MailUser>();
  const auth::UserRecord& record = **found;
  auto path = store::virtual_maildir_path(where.mailbox_base, record.user, record.home,
                                          where.mail_location);
  if (!path) return path.error();
  auto user = mailbox::MailUser::open(*path, std::move(options));
  if (!user) return user.error();
  return std::optional<mailbox::MailUser>(std::move(*user));
}

}  // namespace correio::service
