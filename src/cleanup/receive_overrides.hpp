// receive_override_options (Postfix's input_transp.c): the processing a receiving service
// skips for the mail it receives, typically the re-injection service behind a content
// filter (FILTER_README). Pure; thread-safe.
#pragma once

#include <string_view>

#include "base/result.hpp"
#include "config/config.hpp"

namespace correio::cleanup {

struct ReceiveOverrides {
  // smtpd: no check for unknown recipients or senders (smtpd_reject_unlisted_recipient,
  // reject_unlisted_recipient, reject_unlisted_sender), nor of what the resolver routes
  // to the error transport (relocated_maps, virtual alias domains).
  bool no_unknown_recipient_checks = false;
  // cleanup: no canonical mapping, virtual alias expansion, masquerading or automatic BCC
  // recipients (always_bcc, sender_bcc_maps, recipient_bcc_maps).
  bool no_address_mappings = false;
  // cleanup: no header_checks, mime_header_checks, nested_header_checks, body_checks.
  bool no_header_body_checks = false;
  // No smtpd_milters (smtpd) and no non_smtpd_milters (pickup).
  bool no_milters = false;

  // A list of the names above, separated by commas or whitespace, case as written (as
  // Postfix's name_mask()). Error: an unknown name, in Postfix's words
  // ("unknown receive_override_options value "x" in "x, y"").
  static Result<ReceiveOverrides> parse(std::string_view value);
  // receive_override_options of `config` (main.cf, or the service's -o), with the
  // setting's location in the error.
  static Result<ReceiveOverrides> from_config(const config::Config& config);
};

}  // namespace correio::cleanup
