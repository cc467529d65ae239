// Unknown-recipient rejection for local and virtual mailbox domains.
#include "smtpd/recipient_check.hpp"

#include <pwd.h>

#include "base/strings.hpp"
#include "smtp/address.hpp"

namespace correio::smtpd {
namespace {

bool listed(const std::vector<std::string>& domains, std::string_view domain) {
  for (const auto& d : domains)
    if (base::iequals(d, domain)) return true;
  return false;
}

}  // namespace

RecipientCheck::RecipientCheck(Options options, base::Logger& log)
    : options_(std::move(options)), log_(log) {
  if (!options_.alias_maps.empty()) {
    maps::MapOptions map_options;
    map_options.syntax = maps::SourceSyntax::kAliases;
    map_options.warn = [this](const std::string& w) { log_.warning("{}", w); };
    auto aliases = maps::open_maps(options_.alias_maps, map_options);
    if (aliases) {
      aliases_ = std::move(aliases.value());
    } else {
      log_.warning("alias_maps {}: {}", options_.alias_maps, aliases.error().message);
      aliases_failed_ = true;
    }
  }
  if (options_.user_directory.empty()) return;
  auto directory = auth::open_user_directory(options_.user_directory);
  if (!directory) {
    log_.warning("user_directory {}: {}", options_.user_directory, directory.error().message);
    directory_failed_ = true;
    return;
  }
  directory_ = std::move(directory.value());
}

std::string RecipientCheck::strip_extension(std::string_view local) const {
  if (options_.recipient_delimiter.empty()) return std::string(local);
  size_t cut = local.find_first_of(options_.recipient_delimiter);
  return std::string(local.substr(0, cut));
}

std::optional<smtp::Reply> RecipientCheck::check(std::string_view recipient) {
  std::string domain = smtp::domain_of(recipient);
  std::string local = strip_extension(smtp::local_part_of(recipient));
  if (listed(options_.virtual_domains, domain)) {
    if (!directory_) {
      if (!directory_failed_) return std::nullopt;  // no directory configured: accept
      return smtp::Reply(451, "4.3.0",
                         "<" + std::string(recipient) + ">: Temporary lookup failure");
    }
    auto found = directory_->lookup(local + "@" + domain);
    for (const auto& w : directory_->take_warnings()) log_.warning("{}", w);
    if (!found)
      return smtp::Reply(451, "4.3.0",
                         "<" + std::string(recipient) + ">: Temporary lookup failure");
    if (!*found)
      return smtp::Reply(
          550, "5.1.1",
          "<" + std::string(recipient) +
              ">: Recipient address rejected: User unknown in virtual mailbox table");
    return std::nullopt;
  }
  if (listed(options_.local_domains, domain) && options_.check_local) {
    // local_recipient_maps' passwd part: the local part must be a system account.
    std::string user = base::to_lower(local);
    passwd pw{};
    passwd* result = nullptr;
    char buf[4096];
    if (getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &result) == 0 && result) return std::nullopt;
    if (aliases_failed_)
      return smtp::Reply(451, "4.3.0",
                         "<" + std::string(recipient) + ">: Temporary lookup failure");
    if (aliases_) {
      auto alias = aliases_->lookup(user);
      if (!alias)
        return smtp::Reply(451, "4.3.0",
                           "<" + std::string(recipient) + ">: Temporary lookup failure");
      if (*alias) return std::nullopt;
    }
    // Every Postfix system has these; RFC 5321 §4.5.1 requires postmaster.
    if (user == "postmaster" || user == "mailer-daemon" || user == "abuse") return std::nullopt;
    return smtp::Reply(550, "5.1.1",
                       "<" + std::string(recipient) +
                           ">: Recipient address rejected: User unknown in local recipient table");
  }
  return std::nullopt;
}

}  // namespace correio::smtpd
