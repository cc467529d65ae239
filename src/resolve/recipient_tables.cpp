// Recipient tables per address class (see recipient_tables.hpp).
#include "resolve/recipient_tables.hpp"

#include <set>

#include "base/strings.hpp"

namespace correio::resolve {
namespace {

// A table that could not be opened: every lookup fails, as Postfix's dict_surrogate does,
// so that the tables before it in the list still answer.
class FailedMap final : public maps::Map {
 public:
  FailedMap(std::string spec, std::string error)
      : spec_(std::move(spec)), error_(std::move(error)) {}
  Result<std::optional<std::string>> lookup(std::string_view) override { return Error{error_}; }
  std::string spec() const override { return spec_; }

 private:
  std::string spec_, error_;
};

// Opens each table of `list`; a member that is also in alias_maps is read as an aliases(5)
// source (so that "$alias_maps" inside local_recipient_maps finds "name: value" lines).
// Members that cannot be opened become FailedMaps, their errors appended to `errors`.
std::vector<std::unique_ptr<maps::Map>> open_members(std::string_view parameter,
                                                     std::string_view list,
                                                     std::string_view alias_maps, bool utf8,
                                                     std::vector<std::string>& errors) {
  std::set<std::string> aliases;
  for (auto& spec : maps::split_map_list(alias_maps)) aliases.insert(std::move(spec));
  std::vector<std::unique_ptr<maps::Map>> opened;
  for (const auto& spec : maps::split_map_list(list)) {
    maps::MapOptions options = maps::daemon_map_options(utf8);
    if (aliases.count(spec)) options.syntax = maps::SourceSyntax::kAliases;
    auto map = maps::open_map(spec, options);
    if (map) {
      opened.push_back(std::move(*map));
      continue;
    }
    std::string error = std::string(parameter) + ": " + map.error().message;
    errors.push_back(error);
    opened.push_back(std::make_unique<FailedMap>(spec, std::move(error)));
  }
  return opened;
}

}  // namespace

RecipientTableSettings RecipientTableSettings::from_config(const config::Config& config) {
  RecipientTableSettings s;
  s.local_recipient_maps = config.get("local_recipient_maps");
  s.alias_maps = config.get("alias_maps");
  s.virtual_mailbox_maps = config.get("virtual_mailbox_maps");
  s.relay_recipient_maps = config.get("relay_recipient_maps");
  s.recipient_delimiter = config.get("recipient_delimiter");
  s.smtputf8_enable = config.get_bool("smtputf8_enable");
  return s;
}

RecipientTables RecipientTables::open(const RecipientTableSettings& settings) {
  RecipientTables tables;
  tables.recipient_delimiter_ = settings.recipient_delimiter;
  auto fill = [&](Table& table, std::string_view parameter, std::string_view list,
                  std::string_view alias_maps) {
    table.configured = !base::trim(list).empty();
    if (!table.configured) return;
    auto members =
        open_members(parameter, list, alias_maps, settings.smtputf8_enable, tables.open_errors_);
    if (&table != &tables.local_) {
      table.parts.push_back(
          std::make_shared<maps::MapList>(std::move(members), std::string(base::trim(list))));
      return;
    }
    // Local recipients: each table on its own (see known()).
    for (auto& member : members) {
      std::string spec = member->spec();
      std::vector<std::unique_ptr<maps::Map>> one;
      one.push_back(std::move(member));
      table.parts.push_back(std::make_shared<maps::MapList>(std::move(one), std::move(spec)));
    }
  };
  fill(tables.local_, "local_recipient_maps", settings.local_recipient_maps, settings.alias_maps);
  fill(tables.virtual_, "virtual_mailbox_maps", settings.virtual_mailbox_maps, "");
  fill(tables.relay_, "relay_recipient_maps", settings.relay_recipient_maps, "");
  return tables;
}

RecipientTables::Table* RecipientTables::table_of(AddressClass address_class) {
  switch (address_class) {
    case AddressClass::kLocal:
      return &local_;
    case AddressClass::kVirtualMailbox:
      return &virtual_;
    case AddressClass::kRelay:
      return &relay_;
    default:
      return nullptr;
  }
}

bool RecipientTables::has_table(AddressClass address_class) const {
  switch (address_class) {
    case AddressClass::kLocal:
      return local_.configured;
    case AddressClass::kVirtualMailbox:
      return virtual_.configured;
    case AddressClass::kRelay:
      return relay_.configured;
    default:
      return false;
  }
}

Result<bool> known_local_recipient(maps::Map& map, std::string_view address,
                                   std::string_view delimiters) {
  auto found = maps::lookup_address(map, address, delimiters, maps::AddressForm::kLocalDomain);
  if (!found) return found.error();
  return found->has_value();
}

Result<std::optional<bool>> RecipientTables::known(AddressClass address_class,
                                                   std::string_view address) {
  // smtpd_check.c check_rcpt_maps(): each class searches its own table with
  // mail_addr_find(); a local domain also matches on the bare local part.
  Table* table = table_of(address_class);
  if (!table || !table->configured) return std::optional<bool>();
  if (address_class == AddressClass::kLocal) {
    // Table by table rather than Postfix's key by key: a hit in the passwd table is not
    // hidden by an alias table that cannot be read (Correio's behaviour before tables
    // were configurable); with no hit, a failed table makes the answer temporary.
    std::optional<Error> failure;
    for (const auto& part : table->parts) {
      auto found = known_local_recipient(*part, address, recipient_delimiter_);
      if (!found && !failure) failure = found.error();
      if (found && *found) return std::optional<bool>(true);
    }
    if (failure) return *failure;
    return std::optional<bool>(false);
  }
  auto match = maps::lookup_address(*table->parts.front(), address, recipient_delimiter_);
  if (!match) return match.error();
  return std::optional<bool>(match->has_value());
}

}  // namespace correio::resolve
