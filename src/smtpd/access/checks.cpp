// Restriction name -> implementation (checks.hpp). Kept sorted by family, as postconf(5)
// lists them; adding a restriction is one line here and a function in its family file.
#include "smtpd/access/checks.hpp"

namespace correio::smtpd::access {
namespace {

constexpr Check kChecks[] = {
    // Generic (postconf(5) "Generic restrictions").
    {"permit", check_permit},
    {"reject", check_reject},
    {"defer", check_defer},
    {"defer_if_permit", check_defer_if_permit},
    {"defer_if_reject", check_defer_if_reject},
    {"warn_if_reject", check_warn_if_reject},
    {"reject_unauth_pipelining", check_unauth_pipelining},
    {"sleep", nullptr, check_sleep},
    {"check_policy_service", nullptr, check_policy_service},
    // Client.
    {"permit_mynetworks", check_permit_mynetworks},
    {"permit_sasl_authenticated", check_permit_sasl_authenticated},
    {"check_client_access", nullptr, check_access, true},
    {"check_reverse_client_hostname_access", nullptr, check_access, true},
    {"check_client_a_access", nullptr, check_a_access, true},
    {"check_reverse_client_hostname_a_access", nullptr, check_a_access, true},
    {"reject_unknown_client_hostname", check_unknown_client_hostname},
    {"reject_unknown_client", check_unknown_client_hostname},  // Postfix < 2.3 name
    {"reject_unknown_reverse_client_hostname", check_unknown_reverse_client_hostname},
    {"reject_rbl_client", nullptr, check_dns_list},
    {"permit_dnswl_client", nullptr, check_dns_list},
    {"check_client_mx_access", nullptr, check_mx_ns_access, true},
    {"check_client_ns_access", nullptr, check_mx_ns_access, true},
    {"reject_rhsbl_client", nullptr, check_dns_list},
    {"reject_rhsbl_reverse_client", nullptr, check_dns_list},
    {"permit_rhswl_client", nullptr, check_dns_list},
    // HELO.
    {"check_helo_access", nullptr, check_access, true},
    {"check_helo_mx_access", nullptr, check_mx_ns_access, true},
    {"check_helo_ns_access", nullptr, check_mx_ns_access, true},
    {"reject_invalid_helo_hostname", check_invalid_helo_hostname},
    {"reject_invalid_hostname", check_invalid_helo_hostname},  // Postfix < 2.3 name
    {"reject_non_fqdn_helo_hostname", check_non_fqdn},
    {"reject_non_fqdn_hostname", check_non_fqdn},  // Postfix < 2.3 name
    {"reject_unknown_helo_hostname", nullptr, check_unknown_domain},
    {"reject_unknown_hostname", nullptr, check_unknown_domain},  // Postfix < 2.3 name
    {"reject_rhsbl_helo", nullptr, check_dns_list},
    // Sender.
    {"check_sender_access", nullptr, check_access, true},
    {"check_sender_mx_access", nullptr, check_mx_ns_access, true},
    {"check_sender_ns_access", nullptr, check_mx_ns_access, true},
    {"reject_non_fqdn_sender", check_non_fqdn},
    {"reject_unknown_sender_domain", nullptr, check_unknown_domain},
    {"reject_unlisted_sender", check_unlisted},
    {"reject_rhsbl_sender", nullptr, check_dns_list},
    {"reject_sender_login_mismatch", check_sender_login_mismatch},
    {"reject_authenticated_sender_login_mismatch", check_sender_login_mismatch},
    {"reject_unauthenticated_sender_login_mismatch", check_sender_login_mismatch},
    // Recipient.
    {"check_recipient_access", nullptr, check_access, true},
    {"check_recipient_mx_access", nullptr, check_mx_ns_access, true},
    {"check_recipient_ns_access", nullptr, check_mx_ns_access, true},
    {"reject_unauth_destination", check_unauth_destination},
    {"defer_unauth_destination", check_unauth_destination},
    {"permit_auth_destination", check_permit_auth_destination},
    {"reject_non_fqdn_recipient", check_non_fqdn},
    {"reject_unknown_recipient_domain", nullptr, check_unknown_domain},
    {"reject_unlisted_recipient", check_unlisted},
    {"reject_rhsbl_recipient", nullptr, check_dns_list},
    // ETRN (postconf(5) smtpd_etrn_restrictions).
    {"check_etrn_access", nullptr, check_access, true},
};

}  // namespace

const Check* find_check(std::string_view name) {
  for (const Check& c : kChecks)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace correio::smtpd::access
