// The address half of Postfix's cleanup(8) (ADDRESS_REWRITING_README): completing bare
// addresses with $myorigin / .$mydomain, canonical_maps and its sender_/recipient_ kin,
// masquerade_domains, virtual_alias_maps, and the copies of always_bcc, sender_bcc_maps
// and recipient_bcc_maps. smtpd and pickup ask it about each envelope address before the
// queue file is written, and pass address headers through it, so that qmgr sees only
// rewritten recipients. Owned by its daemon; used from one thread at a time (its tables
// are not thread-safe). Every lookup error is returned: callers defer (4.3.0).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "cleanup/address_table.hpp"
#include "cleanup/masquerade.hpp"
#include "cleanup/receive_overrides.hpp"
#include "cleanup/virtual_alias.hpp"
#include "config/config.hpp"
#include "resolve/resolver.hpp"

namespace correio::cleanup {

// Where canonical_classes and masquerade_classes apply.
struct AddressClasses {
  bool envelope_sender = false, envelope_recipient = false;
  bool header_sender = false, header_recipient = false;
};

// How an address header is treated (Postfix's header_opts(3) HDR_OPT_SENDER / _RECIP).
enum class HeaderKind { kNone, kSender, kRecipient };
// From, Sender, Reply-To, Errors-To, Return-Receipt-To, Resent-From, ... -> kSender;
// To, Cc, Bcc, Apparently-To, Resent-To/-Cc/-Bcc -> kRecipient. `name` in any case.
HeaderKind header_kind(std::string_view name);

// Whose header addresses are completed how (trivial-rewrite's rewrite contexts): mail from
// local_header_rewrite_clients and local submissions get $myorigin and .$mydomain; mail
// from other clients gets remote_header_rewrite_domain for both (ADDRESS_REWRITING_README
// "To rewrite message headers or not, or to label as invalid").
enum class HeaderContext { kLocal, kRemote };

// One envelope recipient after cleanup.
struct RecipientRewrite {
  std::vector<std::string> addresses;  // after canonical, masquerade and virtual aliases
  bool virtual_match = false;          // virtual_alias_maps knew the address
  std::vector<std::string> copies;     // recipient_bcc_maps copies, expanded likewise
  std::string limit_error;             // virtual alias limits: do not accept (4.6.0)
};

class AddressRewriter {
 public:
  // Opens every table; errors name the parameter ("canonical_maps: open database
  // /etc/postfix/canonical.lmdb: No such file or directory") and refuse the start. With
  // `overrides.no_address_mappings` (receive_override_options) the canonical, virtual
  // alias and bcc tables, always_bcc and masquerading are left out: only the completion
  // to standard form ($myorigin, append_dot_mydomain) remains.
  static Result<AddressRewriter> open(const config::Config& config,
                                      const ReceiveOverrides& overrides);

  // The envelope sender: bare-address completion, sender_canonical_maps, canonical_maps,
  // masquerading (each where its classes say). "" (the null sender) stays "".
  Result<std::string> sender(std::string_view address);
  // The copies a message from `sender` (already rewritten) gets: always_bcc and
  // sender_bcc_maps, each rewritten as a recipient. Postfix sends them NOTIFY=NEVER.
  Result<std::vector<std::string>> sender_copies(std::string_view sender);
  // One envelope recipient: completion, recipient_canonical_maps, canonical_maps,
  // masquerading, then virtual_alias_maps; and its recipient_bcc_maps copies.
  Result<RecipientRewrite> recipient(std::string_view address);

  // One header line as read ("To: a, b\n", folded or not): the same header with its
  // addresses rewritten for headers (completion, canonical and masquerading as
  // canonical_classes and masquerade_classes say). Headers that are not address headers
  // come back unchanged. Error: a table failed.
  Result<std::string> header(std::string_view header,
                             HeaderContext context = HeaderContext::kLocal);

  // remote_header_rewrite_domain; empty: headers of mail from remote clients are left
  // alone.
  const std::string& remote_header_domain() const { return remote_domain_; }

  bool enable_original_recipient() const { return enable_original_recipient_; }
  // Whether any of the above could change anything; false lets callers skip the work.
  bool active() const;

 private:
  AddressRewriter() = default;
  // Bare-address completion: $myorigin / .$mydomain, or the remote domain for both.
  std::string complete(std::string_view address,
                       HeaderContext context = HeaderContext::kLocal) const;
  Result<std::string> canonical(std::string address, bool sender, bool header);
  Result<std::string> map11(AddressTable& table, std::string address);
  Result<std::vector<std::string>> as_recipients(const std::vector<std::string>& addresses);
  Result<bool> is_local(std::string_view domain);
  LocalDomainTest local_test();
  Completion completion() const;

  std::optional<resolve::Resolver> resolver_;
  std::string myorigin_, mydomain_, delimiter_, remote_domain_;
  bool append_dot_mydomain_ = false;
  bool propagate_canonical_ = true, propagate_virtual_ = true;
  bool enable_original_recipient_ = true;
  AddressClasses canonical_classes_, masquerade_classes_;
  AddressClasses sender_canonical_classes_, recipient_canonical_classes_;
  AddressTable canonical_, sender_canonical_, recipient_canonical_, virtual_;
  AddressTable sender_bcc_, recipient_bcc_;
  std::vector<std::string> always_bcc_;
  std::optional<Masquerade> masquerade_;
  ExpansionLimits limits_;
};

// canonical_classes / masquerade_classes values; Error names an unknown class.
Result<AddressClasses> parse_address_classes(std::string_view parameter,
                                             const std::vector<std::string>& items);

}  // namespace correio::cleanup
