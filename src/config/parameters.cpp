// The defaults table. Defaults are Postfix 3.7's (postconf(5)) unless the description says
// otherwise; Correio's own names and paths are documented in docs/configuration.md.
#include "config/parameters.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace correio::config {
namespace {

constexpr auto S = ParameterType::kString;
constexpr auto B = ParameterType::kBool;
constexpr auto I = ParameterType::kInt;
constexpr auto T = ParameterType::kTime;

// Correio's TLS 1.2 suites by default: forward secrecy and AEAD only, what testssl.sh and
// Mozilla's "intermediate" profile accept without complaint (Postfix's grades would add
// anonymous, static-RSA and CBC suites; tests/integration/test_tls_scan.py holds us to it).
constexpr const char* kForwardSecretAead =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

// Unsorted here for readability (grouped by concern); parameter_table() sorts once.
constexpr ParameterInfo kParameters[] = {
    // Identity and naming.
    {"myhostname", "(the machine's FQDN)",
     "The Internet hostname of this mail system; default: gethostname(), made fully qualified "
     "through the resolver, with \".localdomain\" appended when it has no dot.",
     S, true},
    {"mydomain", "(myhostname minus its first label)",
     "The Internet domain name of this mail system; default: $myhostname minus its first "
     "label, or \"localdomain\".",
     S, true},
    {"myorigin", "$myhostname", "The domain that locally-posted mail appears to come from.", S},
    {"mydestination", "$myhostname, localhost.$mydomain, localhost",
     "The domains this machine delivers locally (local_transport).", S},
    {"mynetworks", "(from mynetworks_style)",
     "The trusted remote SMTP clients; default: computed from mynetworks_style from the "
     "machine's own interface addresses, plus 127.0.0.0/8 and [::1]/128.",
     S, true},
    {"mynetworks_style", "${{$compatibility_level} <level {2} ? {subnet} : {host}}",
     "How to compute the mynetworks default: host (own addresses), subnet or class.", S},
    {"mail_name", "Correio", "The mail system name shown in smtpd_banner and in bounces.", S},
    {"mail_version", "(the Correio version)", "The version of the mail system (read-only).", S,
     true},
    {"config_directory", "/etc/correio",
     "The directory with main.cf and master.cf; default: the directory in use (-c DIR, "
     "$MAIL_CONFIG, else /etc/correio).",
     S, true},
    {"process_name", "(the running program's name)",
     "The name of the running program, e.g. smtpd (read-only; for debugger_command).", S, true},
    {"process_id", "(the running process's ID)",
     "The process ID of the running program (read-only; for debugger_command).", S, true},
    // Postfix's built-in level is 0 (legacy defaults plus warnings); Correio starts at 3.6,
    // the level Debian's stock main.cf sets, so that an empty main.cf gets safe defaults.
    {"compatibility_level", "3.6",
     "The backwards-compatibility level: the defaults Postfix changed at levels 1, 2 and 3.6 "
     "are Postfix's own ${{$compatibility_level} <level {N} ? {old} : {new}} expressions and "
     "follow it. Correio's default is 3.6, the level Debian's main.cf sets (Postfix: 0).",
     S},

    // Files and directories.
    {"queue_directory", "/var/spool/correio", "The root of the mail queue.", S},
    {"data_directory", "/var/lib/correio",
     "Writable data files: caches, random seeds, the mailbox index.", S},
    {"daemon_directory", "/usr/lib/correio",
     "Directory of daemon programs (Correio's daemons live in one binary).", S},
    {"command_directory", "/usr/sbin", "Directory of the administrative commands.", S},
    {"process_id_directory", "pid", "Lock files and process ID files, relative to queue_directory.",
     S},
    {"html_directory", "no", "Location of the HTML documentation, or no.", S},
    {"manpage_directory", "/usr/share/man", "Location of the manual pages.", S},
    {"readme_directory", "no", "Location of the README files, or no.", S},
    {"sample_directory", "/etc/correio", "Location of sample configuration files (obsolete).", S},
    {"mailq_path", "/usr/bin/mailq", "Sendmail-compatible mailq command.", S},
    {"newaliases_path", "/usr/bin/newaliases", "Sendmail-compatible newaliases command.", S},
    {"sendmail_path", "/usr/sbin/sendmail", "Sendmail-compatible mail posting command.", S},
    {"mail_owner", "correio",
     "The UNIX user that owns the queue and runs most daemons (Postfix: postfix).", S},
    {"login_user", "nobody",
     "The UNIX user of the imap-login and pop3-login processes, which speak to IMAP and POP3 "
     "clients until they have logged in (Dovecot's default_login_user, dovenull): it must be "
     "neither root nor mail_owner, and should own no files (docs/prelogin.md).",
     S},
    {"setgid_group", "postdrop", "The group of the maildrop directory and of postqueue.", S},
    {"default_privs", "nobody", "The rights used by local delivery to external files/commands.", S},
    {"default_database_type", "hash",
     "The table type postmap, postalias and newaliases use by default.", S},

    // Logging and debugging.
    {"syslog_name", "correio", "The tag of every log line (syslog_name/process[pid]).", S},
    {"syslog_facility", "mail", "The syslog facility of the mail log.", S},
    {"maillog_file", "", "Log to this file instead of syslog; /dev/stdout logs to standard output.",
     S},
    {"maillog_file_permissions", "0600", "Permissions of a newly created maillog_file.", S},
    {"maillog_file_compressor", "gzip",
     "The program `postfix logrotate` runs on the rotated maillog_file (empty: none).", S},
    {"maillog_file_rotate_suffix", "%Y%m%d-%H%M%S",
     "strftime(3) format of the suffix `postfix logrotate` gives the rotated maillog_file.", S},
    {"imapd_syslog_name", "",
     "The whole tag of imapd's log lines (e.g. dovecot, for fail2ban's stock filter); "
     "empty: $syslog_name/imapd.",
     S},
    {"pop3d_syslog_name", "",
     "The whole tag of pop3d's log lines (e.g. dovecot); empty: $syslog_name/pop3d.", S},
    {"auth_verbose", "no",
     "Log each failed IMAP/POP3 login as Dovecot's auth process does (\"auth: "
     "passwd-file(user,ip): unknown user\"), as Dovecot's auth_verbose.",
     B},
    {"debug_peer_level", "2", "Extra verbose logging level for debug_peer_list hosts.", I},
    {"debug_peer_list", "", "Hosts or networks that get debug_peer_level extra logging.", S},
    {"debugger_command", "", "Command run when a daemon is started with -D.", S},

    // Network and protocols.
    {"inet_interfaces", "all", "The network interfaces the SMTP and other inet services use.", S},
    {"proxy_interfaces", "",
     "Addresses a proxy or NAT receives mail on for this host; the SMTP client counts them as "
     "its own when it looks for mail that loops back.",
     S},
    {"inet_protocols", "all", "The IP protocols used: ipv4, ipv6 or all.", S},
    {"smtp_host_lookup", "dns",
     "How the SMTP client finds server addresses: dns (never the hosts file), native "
     "(getaddrinfo), or both in order.",
     S},
    {"disable_dns_lookups", "no", "Disable DNS lookups in the SMTP and LMTP clients.", B},
    {"smtputf8_enable", "${{$compatibility_level} <level {1} ? {no} : {yes}}",
     "Enable SMTPUTF8 (RFC 6531) support.", B},

    // SMTP server.
    {"smtpd_banner", "$myhostname ESMTP $mail_name", "The text after 220 in the greeting.", S},
    {"smtpd_timeout", "${stress?{10}:{300}}s", "Time limit to send a reply or receive a request.",
     T},
    // Postfix's default is ${stress?{yes}:{no}}; Correio always bounds a whole request, so
    // that one-byte-per-second clients cannot hold sessions (docs/admin-guide.md).
    // The name Postfix 2.9-3.6 used stays valid, as in Postfix 3.7: when it is set, the
    // new name takes its value.
    {"smtpd_per_request_deadline",
     "${smtpd_per_record_deadline?{$smtpd_per_record_deadline}:{yes}}",
     "smtpd_timeout limits a whole command line or message content, not each read.", B},
    {"smtpd_per_record_deadline", "",
     "The Postfix 2.9-3.6 name of smtpd_per_request_deadline; when set, it is that "
     "setting's value.",
     S},
    {"smtpd_min_data_rate", "500",
     "Bytes per second of DATA/BDAT content that extend the request deadline.", I},
    {"smtpd_greet_wait", "0s",
     "Delay before the 220 banner during which client input counts as pregreet (like "
     "postscreen_greet_wait); 0: the banner goes out at once.",
     T},
    {"smtpd_recipient_limit", "1000", "Maximal number of recipients per message.", I},
    {"smtpd_soft_error_limit", "10",
     "Error count after which each reply is delayed by smtpd_error_sleep_time.", I},
    {"smtpd_hard_error_limit", "${stress?{1}:{20}}",
     "Error count after which the session is disconnected.", I},
    {"smtpd_error_sleep_time", "1s", "Delay before a reply after an error.", T},
    {"disable_vrfy_command", "no", "Disable the SMTP VRFY command.", B},
    {"smtpd_helo_required", "no", "Require HELO or EHLO before MAIL FROM.", B},
    {"smtpd_client_connection_count_limit", "50",
     "Simultaneous connections one client address may make to this smtpd service; 0: no limit.", I},
    {"smtpd_client_event_limit_exceptions",
     "${smtpd_client_connection_limit_exceptions:$mynetworks}",
     "Clients exempt from the smtpd_client_*_limit connection count and rate limits, and from "
     "the failed-login lockout of SMTP AUTH (a mynetworks-style list).",
     S},
    {"smtpd_client_connection_rate_limit", "0",
     "Connections one client address may make to this smtpd service per anvil_rate_time_unit; "
     "0: no limit.",
     I},
    {"smtpd_client_message_rate_limit", "0",
     "MAIL commands one client address may send to this smtpd service per "
     "anvil_rate_time_unit; 0: no limit.",
     I},
    {"smtpd_client_recipient_rate_limit", "0",
     "RCPT commands one client address may send to this smtpd service per "
     "anvil_rate_time_unit; 0: no limit.",
     I},
    {"smtpd_client_new_tls_session_rate_limit", "0",
     "New (not resumed) TLS sessions one client address may start with this smtpd service per "
     "anvil_rate_time_unit; 0: no limit.",
     I},
    {"smtpd_client_auth_rate_limit", "0",
     "AUTH commands one client address may send to this smtpd service per "
     "anvil_rate_time_unit; 0: no limit.",
     I},
    {"anvil_rate_time_unit", "60s", "The time unit of the smtpd_client_*_rate_limit counters.", T},
    {"anvil_status_update_time", "600s",
     "How often smtpd logs the highest client rates seen (anvil's statistics lines).", T},
    {"smtpd_junk_command_limit", "${stress?{1}:{100}}",
     "NOOP, VRFY and RSET commands a client may send before each one counts as an error.", I},
    {"queue_minfree", "0",
     "Free bytes the queue file system must keep: smtpd refuses MAIL (452 4.3.1) when less "
     "than this plus the message's SIZE= is free.",
     I},
    {"smtpd_peername_lookup", "yes",
     "Look up the client's host name (reverse DNS, forward-confirmed); no: every client is "
     "\"unknown\".",
     B},
    {"dns_resolver_servers", "",
     "Correio: name servers (ADDR or ADDR:PORT, [v6addr]:PORT) for smtpd's client name lookups; "
     "empty: those of /etc/resolv.conf.",
     S},
    {"dns_resolver_timeout", "10s",
     "Correio: time limit for one DNS lookup (reverse, then forward) of a client's name.", T},
    {"smtpd_client_port_logging", "no", "Log the client port with the client address.", B},
    {"smtpd_delay_reject", "yes",
     "Wait until RCPT TO before evaluating client, HELO and sender restrictions.", B},
    {"smtpd_client_restrictions", "", "Restrictions applied at connect time.", S},
    {"smtpd_helo_restrictions", "", "Restrictions applied to HELO/EHLO.", S},
    {"smtpd_etrn_restrictions", "", "Restrictions applied to the ETRN command (RFC 1985).", S},
    {"smtpd_sender_restrictions", "", "Restrictions applied to MAIL FROM.", S},
    {"smtpd_relay_restrictions",
     "${{$compatibility_level} <level {1} ? {} : {permit_mynetworks, permit_sasl_authenticated, "
     "defer_unauth_destination}}",
     "Relay control, evaluated before smtpd_recipient_restrictions.", S},
    {"smtpd_recipient_restrictions", "", "Restrictions applied to RCPT TO.", S},
    {"smtpd_data_restrictions", "", "Restrictions applied to DATA (and the first BDAT).", S},
    {"smtpd_end_of_data_restrictions", "",
     "Restrictions applied after the message content, before it is queued.", S},
    {"smtpd_restriction_classes", "",
     "Names of parameters that hold restriction lists, usable as restrictions or as "
     "access table results.",
     S},
    {"smtpd_null_access_lookup_key", "<>",
     "The key check_sender_access looks up for the null sender.", S},
    {"reject_code", "554", "Reply code of the reject restriction.", I},
    {"defer_code", "450", "Reply code of defer and defer_if_permit/defer_if_reject.", I},
    {"access_map_reject_code", "554", "Reply code of an access table REJECT.", I},
    {"access_map_defer_code", "450", "Reply code of an access table DEFER.", I},
    {"relay_domains_reject_code", "554", "Reply code of reject_unauth_destination.", I},
    {"non_fqdn_reject_code", "504", "Reply code of the reject_non_fqdn_* restrictions.", I},
    {"invalid_hostname_reject_code", "501", "Reply code of reject_invalid_helo_hostname.", I},
    {"unknown_hostname_reject_code", "450", "Reply code of reject_unknown_helo_hostname.", I},
    {"unknown_address_reject_code", "450",
     "Reply code of reject_unknown_sender_domain and reject_unknown_recipient_domain.", I},
    {"unknown_client_reject_code", "450",
     "Reply code of reject_unknown_client_hostname and reject_unknown_reverse_client_hostname.", I},
    {"maps_rbl_reject_code", "554", "Reply code ($rbl_code) of a DNS list rejection.", I},
    {"default_rbl_reply",
     "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using "
     "$rbl_domain${rbl_reason?; $rbl_reason}",
     "Reply template of a DNS list rejection.", S},
    {"rbl_reply_maps", "", "Reply templates by DNS list domain.", S},
    {"smtpd_policy_service_timeout", "100s",
     "Time limit to connect to, write to and read from a check_policy_service server.", T},
    {"smtpd_policy_service_try_limit", "2", "Attempts to ask a policy server.", I},
    {"smtpd_policy_service_retry_delay", "1s", "Delay between attempts to ask a policy server.", T},
    {"smtpd_policy_service_default_action", "451 4.3.5 Server configuration problem",
     "The access(5) action when no policy server answered.", S},
    {"smtpd_policy_service_policy_context", "", "Sent to policy servers as policy_context.", S},
    {"smtpd_policy_service_max_idle", "300s", "Time a policy server connection may stay idle.", T},
    {"smtpd_policy_service_max_ttl", "1000s", "Time a policy server connection may be reused.", T},
    {"smtpd_policy_service_request_limit", "0",
     "Requests per policy server connection; 0: no limit.", I},
    {"smtpd_discard_ehlo_keywords", "", "EHLO keywords not announced or not accepted.", S},
    {"smtpd_reject_unlisted_recipient", "yes",
     "Reject RCPT TO for unknown recipients in domains we serve.", B},
    {"smtpd_reject_unlisted_sender", "no",
     "Reject MAIL FROM for unknown senders in domains we serve.", B},
    {"smtpd_forbid_bare_newline", "normalize",
     "Handling of bare <LF> in SMTP input: normalize, yes (reject), no (Postfix 3.9 default).", S},
    {"smtpd_forbid_bare_newline_exclusions", "$mynetworks",
     "Clients exempt from smtpd_forbid_bare_newline.", S},
    {"smtpd_forbid_unauth_pipelining", "yes",
     "Disconnect clients that pipeline before EHLO allows it (Postfix 3.9 default).", B},
    {"smtpd_proxy_filter", "", "A before-queue content filter (host:port).", S},
    {"smtpd_milters", "",
     "Milter applications for mail received over SMTP: inet:host:port, unix:/path, or "
     "{ address, default_action=..., connect_timeout=..., command_timeout=..., "
     "content_timeout=..., protocol=... } (Postfix 3.0), consulted in order.",
     S},
    {"non_smtpd_milters", "", "Milter applications for mail not received over SMTP.", S},
    // The milter client (src/milter/); macros without a value are not sent, as in Postfix.
    {"milter_protocol", "6", "The milter protocol version offered: 2, 3, 4 or 6.", S},
    {"milter_default_action", "tempfail",
     "What a milter that cannot be reached or breaks the protocol gives: accept, reject, "
     "tempfail or quarantine (hold).",
     S},
    {"milter_connect_timeout", "30s", "Time limit for connecting to a milter and negotiating.", T},
    {"milter_command_timeout", "30s",
     "Time limit for a milter's reply to a connect, HELO, MAIL, RCPT or DATA event.", T},
    {"milter_content_timeout", "300s",
     "Time limit for a milter's replies to the message content and end of message.", T},
    {"milter_connect_macros", "j {daemon_name} {daemon_addr} v _",
     "Macros sent to milters with the connect event.", S},
    {"milter_helo_macros", "{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
     "Macros sent to milters with HELO/EHLO.", S},
    {"milter_mail_macros",
     "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}",
     "Macros sent to milters with MAIL FROM.", S},
    {"milter_rcpt_macros", "i {rcpt_addr} {rcpt_host} {rcpt_mailer}",
     "Macros sent to milters with RCPT TO.", S},
    {"milter_data_macros", "i", "Macros sent to milters with DATA.", S},
    {"milter_end_of_header_macros", "i", "Macros sent to milters at the end of the headers.", S},
    {"milter_end_of_data_macros", "i", "Macros sent to milters at the end of the message.", S},
    {"milter_macro_daemon_name", "$myhostname", "The {daemon_name} macro's value.", S},
    {"milter_macro_v", "$mail_name $mail_version", "The v macro's value.", S},
    {"milter_macro_defaults", "", "Default values of macros the milters ask for (name=value).", S},
    {"milter_unknown_command_macros", "", "Macros sent to milters with unknown SMTP commands.", S},
    {"milter_header_checks", "", "header_checks for the headers milters add.", S},
    {"smtpd_sasl_auth_enable", "no", "Enable SMTP AUTH in the SMTP server.", B},
    {"smtpd_sasl_security_options", "noanonymous", "SASL mechanism restrictions.", S},
    {"smtpd_sasl_tls_security_options", "$smtpd_sasl_security_options",
     "SASL mechanism restrictions when the session is encrypted with TLS.", S},
    {"smtpd_sasl_authenticated_header", "no",
     "Report the SASL login name in the Received: header (\"Authenticated sender:\").", B},
    {"smtpd_sasl_type", "correio",
     "The SASL implementation: Correio's built-in one (Postfix: cyrus).", S},
    {"smtpd_sasl_path", "private/auth",
     "The auth service's socket that SMTP AUTH asks (master.cf service auth); relative to "
     "queue_directory, as Postfix's private/auth for Dovecot.",
     S},
    {"smtpd_sender_login_maps", "", "Which SASL login names may use which MAIL FROM.", S},
    {"smtpd_use_tls", "no", "Obsolete: announce STARTTLS (use smtpd_tls_security_level).", B},
    {"smtpd_tls_security_level", "", "SMTP server TLS: empty/none, may or encrypt.", S},
    {"smtpd_tls_auth_only", "no",
     "Offer SMTP AUTH only after STARTTLS (always so with smtpd_tls_security_level = encrypt).", B},
    {"smtpd_tls_wrappermode", "no", "Use TLS from the first byte (SMTPS, port 465).", B},
    {"smtpd_tls_cert_file", "", "The SMTP server's PEM certificate.", S},
    {"smtpd_tls_key_file", "$smtpd_tls_cert_file", "The SMTP server's PEM private key.", S},
    {"smtpd_tls_chain_files", "", "PEM files with keys and certificate chains.", S},
    {"smtpd_tls_CAfile", "", "CA certificates for client certificate verification.", S},
    {"smtpd_tls_CApath", "", "Directory of CA certificates.", S},
    {"smtpd_tls_loglevel", "0", "SMTP server TLS logging: 0 to 4.", I},
    {"smtpd_tls_protocols", ">=TLSv1.2",
     "TLS protocols accepted with opportunistic TLS (level may): \">=TLSv1.2\", \"<=TLSv1.3\", "
     "\"!SSLv2, !SSLv3\" or \"TLSv1.2 TLSv1.3\" (Correio's default; Postfix: >=TLSv1).",
     S},
    {"smtpd_tls_mandatory_protocols", ">=TLSv1.2",
     "TLS protocols accepted with mandatory TLS (level encrypt, and smtpd_tls_wrappermode); "
     "Correio's default (Postfix: >=TLSv1).",
     S},
    {"smtpd_tls_ciphers", "medium",
     "Cipher grade with opportunistic TLS: high, medium (low and export: as medium) or null.", S},
    {"smtpd_tls_mandatory_ciphers", "medium", "Cipher grade with mandatory TLS.", S},
    {"smtpd_tls_exclude_ciphers", "",
     "OpenSSL cipher names or aliases excluded from every grade (appended as :!NAME); TLS 1.3 "
     "suites are OpenSSL's defaults and not affected.",
     S},
    {"smtpd_tls_mandatory_exclude_ciphers", "",
     "Ciphers excluded, in addition, with mandatory TLS.", S},
    {"smtpd_tls_received_header", "no", "Record TLS protocol and cipher in Received:.", B},
    {"smtpd_tls_session_cache_database", "", "TLS session cache (unused by Correio).", S},
    {"tls_high_cipherlist", kForwardSecretAead,
     "OpenSSL ciphers (TLS 1.2 and older) of grade high; Correio's default: forward-secret "
     "AEAD suites only (Postfix: aNULL:-aNULL:HIGH:@STRENGTH).",
     S},
    {"tls_medium_cipherlist", kForwardSecretAead,
     "OpenSSL ciphers (TLS 1.2 and older) of grade medium; Correio's default: as high "
     "(Postfix: aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH).",
     S},
    {"tls_null_cipherlist", "eNULL:!aNULL", "OpenSSL ciphers of grade null (no encryption).", S},
    {"tls_server_sni_maps", "", "Per-SNI-name key and certificate chain files.", S},
    {"tls_certificate_check_interval", "60s",
     "How often renewed key and certificate files are looked for (Correio).", T},
    {"message_size_limit", "10240000", "Maximal size of a message, envelope included.", I},
    {"line_length_limit", "2048", "Longer lines are split into pieces of this length.", I},
    {"header_size_limit", "102400", "Maximal size of one message header.", I},
    {"hopcount_limit", "50", "Maximal number of Received: headers.", I},
    {"in_flow_delay", "1s", "Time to pause before accepting a new message when busy.", T},

    // SMTP client.
    {"relayhost", "", "The next-hop destination of non-local mail; empty: direct delivery.", S},
    {"smtp_use_tls", "no", "Obsolete: opportunistic TLS in the SMTP client.", B},
    {"smtp_tls_security_level", "",
     "SMTP client TLS: empty/none, may, encrypt, verify, secure, dane or dane-only (RFC 7672, "
     "needs smtp_dns_support_level = dnssec); fingerprint is refused: mail stays queued.",
     S},
    {"smtp_dns_support_level", "",
     "DNS features of the SMTP client: empty (disable_dns_lookups decides), disabled, enabled "
     "or dnssec (trust the AD bit of a local validating resolver; needed by dane).",
     S},
    {"smtp_tls_mta_sts_enable", "no",
     "Correio's own: MTA-STS (RFC 8461) in the SMTP client, policies fetched over HTTPS and "
     "cached for max_age (Postfix needs an external policy server for this).",
     B},
    {"smtp_tls_mta_sts_cache_directory", "$data_directory/mta-sts",
     "Correio's own: where the SMTP client keeps MTA-STS policies (one file per domain) so "
     "that they outlive a restart; empty: in memory only.",
     S},
    {"smtp_tls_dane_insecure_mx_policy", "${{$smtp_tls_security_level} == {dane} ? {dane} : {may}}",
     "At level dane, an MX host from an insecure MX answer: dane (its own secure TLSA records "
     "count) or may (opportunistic TLS).",
     S},
    {"smtp_tls_force_insecure_host_tlsa_lookup", "no",
     "At the dane levels, look up TLSA records even for a host whose address records are "
     "not DNSSEC-validated (they still count only when validated themselves).",
     B},
    {"tls_dane_digests", "sha512 sha256",
     "Digests for DANE TLSA matching types 2 (sha512) and 1 (sha256), most preferred first; "
     "records of a digest not listed are unusable.",
     S},
    {"smtp_tls_policy_maps", "",
     "Per-destination TLS policy: nexthop (then .parent domains) -> level [match=, protocols=, "
     "ciphers=, exclude=, servername=].",
     S},
    {"smtp_tls_CAfile", "",
     "CA certificates for server certificate verification (empty with smtp_tls_CApath: the "
     "system store).",
     S},
    {"smtp_tls_CApath", "", "Directory of CA certificates (c_rehash layout).", S},
    {"smtp_tls_verify_cert_match", "hostname",
     "Certificate names accepted at level verify: hostname, nexthop, dot-nexthop or names.", S},
    {"smtp_tls_secure_cert_match", "nexthop, dot-nexthop",
     "Certificate names accepted at level secure: hostname, nexthop, dot-nexthop or names; "
     "with smtp_dns_support_level = dnssec, also the MX host of a validated MX answer.",
     S},
    {"smtp_tls_servername", "",
     "SNI the SMTP client sends: empty (none), hostname, nexthop or a name.", S},
    {"smtp_tls_protocols", ">=TLSv1.2",
     "TLS protocols with opportunistic TLS (level may); Correio's default (Postfix: >=TLSv1).", S},
    {"smtp_tls_mandatory_protocols", ">=TLSv1.2",
     "TLS protocols from level encrypt up; Correio's default (Postfix: >=TLSv1).", S},
    {"smtp_tls_ciphers", "medium", "Cipher grade with opportunistic TLS.", S},
    {"smtp_tls_mandatory_ciphers", "medium", "Cipher grade from level encrypt up.", S},
    {"smtp_tls_exclude_ciphers", "", "Ciphers excluded at every level.", S},
    {"smtp_tls_mandatory_exclude_ciphers", "", "Ciphers excluded, in addition, from encrypt up.",
     S},
    {"smtp_tls_loglevel", "0",
     "SMTP client TLS logging: 0 (verification failures at verify/secure only), 1 and up "
     "(\"Verified/Trusted/Untrusted TLS connection established\").",
     I},
    {"smtp_tls_session_cache_database", "",
     "TLS session cache file (Correio keeps client sessions in memory instead).", S},
    {"smtp_tls_session_cache_timeout", "3600s",
     "How long the SMTP client keeps a TLS session for resumption (in memory, per smtp "
     "process); 0 disables it.",
     T},
    {"smtp_sasl_auth_enable", "no", "Enable SMTP AUTH in the SMTP client.", B},
    {"smtp_sasl_security_options", "noplaintext, noanonymous",
     "SASL mechanism restrictions of the SMTP client: noplaintext, noanonymous, mutual_auth.", S},
    {"smtp_sasl_password_maps", "", "Per-host or per-sender username:password.", S},
    {"smtp_generic_maps", "",
     "Address rewriting by the SMTP client on the way out (generic(5)): envelope and headers.", S},
    {"smtp_sasl_tls_security_options", "$smtp_sasl_security_options",
     "SASL mechanism restrictions of the SMTP client over TLS.", S},
    {"smtp_sasl_mechanism_filter", "",
     "Mechanism names the SMTP client may use among those offered (SCRAM-SHA-256, PLAIN, "
     "LOGIN); empty: all.",
     S},
    {"smtp_sender_dependent_authentication", "no",
     "Look up SASL credentials by sender address first (sender, @domain), then by server.", B},
    {"sender_dependent_relayhost_maps", "",
     "Per-sender override of relayhost (sender, @domain, then the null-sender key).", S},
    {"empty_address_relayhost_maps_lookup_key", "<>",
     "The sender_dependent_relayhost_maps key of the null sender.", S},
    {"sender_dependent_default_transport_maps", "",
     "Per-sender override of default_transport (sender, @domain, then the null-sender key).", S},
    {"empty_address_default_transport_maps_lookup_key", "<>",
     "The sender_dependent_default_transport_maps key of the null sender.", S},
    {"smtp_address_preference", "any",
     "Address family the SMTP client tries first among equal MX preferences: ipv4, ipv6, any.", S},
    {"smtp_randomize_addresses", "yes",
     "Shuffle the server addresses of equal MX preference before trying them.", B},
    {"smtp_mx_address_limit", "5",
     "Most server addresses tried for one delivery, over all MX hosts (0: no limit).", I},
    {"smtp_mx_session_limit", "2",
     "Most sessions per delivery that get past greeting, EHLO and TLS before the rest "
     "is deferred (0: no limit).",
     I},
    {"smtp_helo_name", "$myhostname", "The host name the SMTP client sends in EHLO/HELO.", S},
    {"smtp_bind_address", "", "Local IPv4 address of the SMTP client's connections.", S},
    {"smtp_bind_address6", "", "Local IPv6 address of the SMTP client's connections.", S},
    {"smtp_connect_timeout", "30s", "Time limit to connect to a server.", T},
    {"smtp_helo_timeout", "300s", "Time limit for the greeting and the EHLO/HELO reply.", T},
    {"smtp_starttls_timeout", "300s", "Time limit for the STARTTLS reply and TLS handshake.", T},
    {"smtp_mail_timeout", "300s", "Time limit for the MAIL FROM reply.", T},
    {"smtp_rcpt_timeout", "300s", "Time limit for each RCPT TO reply.", T},
    {"smtp_data_init_timeout", "120s", "Time limit for the DATA command's reply.", T},
    {"smtp_data_xfer_timeout", "180s", "Time limit to send each part of the message.", T},
    {"smtp_data_done_timeout", "600s", "Time limit for the reply to the end of the message.", T},
    {"smtp_quit_timeout", "300s", "Time limit for the QUIT reply.", T},
    {"smtp_rset_timeout", "20s",
     "Time limit for the RSET reply (ending a refused transaction, reusing a kept session).", T},
    {"smtp_connection_cache_time_limit", "2s",
     "How long an idle SMTP client session is kept for the next message to its nexthop.", T},
    {"smtp_connection_reuse_count_limit", "0",
     "How many times a kept SMTP client session is reused before it is closed (0: no limit).", I},
    {"smtp_connection_reuse_time_limit", "300s",
     "How long after it was opened a kept SMTP client session may still be reused.", T},
    {"default_destination_recipient_limit", "50",
     "Maximal recipients per delivery; transports without their own limit use it.", I},
    {"smtp_destination_recipient_limit", "$default_destination_recipient_limit",
     "Maximal recipients per transaction of the smtp transport.", I},

    // The LMTP client (lmtp(8)): the smtp agent in LMTP mode reads these in place of
    // their smtp_* twins (delivery/smtp/lmtp_settings.cpp).
    {"lmtp_lhlo_name", "$myhostname", "The host name the LMTP client sends in LHLO.", S},
    {"lmtp_tcp_port", "24", "The LMTP client's port for inet: nexthops without a port.", I},
    {"lmtp_bind_address", "", "Local IPv4 address of the LMTP client's TCP connections.", S},
    {"lmtp_bind_address6", "", "Local IPv6 address of the LMTP client's TCP connections.", S},
    {"lmtp_host_lookup", "dns", "How the LMTP client finds server addresses: dns, native.", S},
    {"lmtp_connect_timeout", "0s", "Time limit to connect to an LMTP server (0: no limit).", T},
    {"lmtp_lhlo_timeout", "300s", "Time limit for the greeting and the LHLO reply.", T},
    {"lmtp_starttls_timeout", "300s", "Time limit for the LMTP STARTTLS reply and handshake.", T},
    {"lmtp_mail_timeout", "300s", "Time limit for the LMTP MAIL FROM reply.", T},
    {"lmtp_rcpt_timeout", "300s", "Time limit for each LMTP RCPT TO reply.", T},
    {"lmtp_data_init_timeout", "120s", "Time limit for the LMTP DATA command's reply.", T},
    {"lmtp_data_xfer_timeout", "180s", "Time limit to send each part of the message (LMTP).", T},
    {"lmtp_data_done_timeout", "600s", "Time limit for each reply after the message (LMTP).", T},
    {"lmtp_quit_timeout", "300s", "Time limit for the LMTP QUIT reply.", T},
    {"lmtp_rset_timeout", "20s", "Time limit for the LMTP RSET reply.", T},
    {"lmtp_connection_cache_time_limit", "2s",
     "How long an idle LMTP client session is kept for the next message to its nexthop.", T},
    {"lmtp_connection_reuse_count_limit", "0",
     "How many times a kept LMTP client session is reused before it is closed (0: no limit).", I},
    {"lmtp_connection_reuse_time_limit", "300s",
     "How long after it was opened a kept LMTP client session may still be reused.", T},
    {"lmtp_tls_security_level", "", "LMTP client TLS: empty/none, may, encrypt.", S},
    {"lmtp_use_tls", "no", "Obsolete: opportunistic TLS in the LMTP client.", B},
    {"lmtp_tls_loglevel", "0", "LMTP client TLS logging: 0 to 4.", I},
    {"lmtp_sasl_auth_enable", "no", "Enable SMTP AUTH in the LMTP client.", B},
    {"lmtp_sasl_password_maps", "", "Per-host username:password for the LMTP client.", S},
    {"lmtp_sasl_security_options", "noplaintext, noanonymous",
     "LMTP client SASL mechanism restrictions (noplaintext honoured).", S},
    {"lmtp_sasl_tls_security_options", "$lmtp_sasl_security_options",
     "LMTP client SASL restrictions under TLS.", S},
    {"lmtp_dns_support_level", "", "DNS features of the LMTP client (as smtp_dns_support_level).",
     S},
    {"lmtp_tls_policy_maps", "", "Per-destination TLS policy of the LMTP client.", S},
    {"lmtp_tls_CAfile", "", "CA certificates for LMTP server certificate verification.", S},
    {"lmtp_tls_CApath", "", "Directory of CA certificates for the LMTP client.", S},
    {"lmtp_tls_verify_cert_match", "hostname", "LMTP certificate names accepted at verify.", S},
    {"lmtp_tls_secure_cert_match", "nexthop",
     "LMTP certificate names accepted at secure (Postfix's default, without dot-nexthop).", S},
    {"lmtp_tls_servername", "", "SNI the LMTP client sends: empty, hostname, nexthop or a name.",
     S},
    {"lmtp_tls_protocols", ">=TLSv1.2",
     "LMTP TLS protocols at level may; Correio's default (Postfix: >=TLSv1).", S},
    {"lmtp_tls_mandatory_protocols", ">=TLSv1.2",
     "LMTP TLS protocols from level encrypt up; Correio's default (Postfix: >=TLSv1).", S},
    {"lmtp_tls_ciphers", "medium", "LMTP cipher grade with opportunistic TLS.", S},
    {"lmtp_tls_mandatory_ciphers", "medium", "LMTP cipher grade from level encrypt up.", S},
    {"lmtp_tls_exclude_ciphers", "", "Ciphers the LMTP client excludes at every level.", S},
    {"lmtp_tls_mandatory_exclude_ciphers", "",
     "Ciphers the LMTP client excludes, in addition, from encrypt up.", S},
    {"lmtp_tls_session_cache_database", "",
     "LMTP TLS session cache file (Correio keeps client sessions in memory instead).", S},
    {"lmtp_tls_session_cache_timeout", "3600s",
     "How long the LMTP client keeps a TLS session for resumption (in memory).", T},
    {"lmtp_generic_maps", "", "Address rewriting by the LMTP client (generic(5)).", S},
    {"lmtp_sasl_mechanism_filter", "", "Mechanism names the LMTP client may use; empty: all.", S},
    {"lmtp_sender_dependent_authentication", "no",
     "Look up LMTP SASL credentials by sender address first.", B},
    {"lmtp_header_checks", "", "lmtp agent: table for the primary headers of mail sent out.", S},
    {"lmtp_mime_header_checks", "", "lmtp agent: table for MIME headers of mail sent out.", S},
    {"lmtp_nested_header_checks", "", "lmtp agent: table for attached message headers.", S},
    {"lmtp_body_checks", "", "lmtp agent: table for body lines of mail sent out.", S},
    {"lmtp_address_preference", "any",
     "Address family the LMTP client tries first among equal preferences: ipv4, ipv6, any.", S},
    {"lmtp_randomize_addresses", "yes", "Shuffle the LMTP server addresses of equal preference.",
     B},
    {"lmtp_mx_address_limit", "5",
     "Most LMTP server addresses tried for one delivery (0: no limit).", I},
    {"lmtp_mx_session_limit", "2",
     "Most LMTP sessions per delivery past greeting and LHLO (0: no limit).", I},
    {"lmtp_assume_final", "no",
     "Report an LMTP success to a server without DSN as \"delivered\", not \"relayed\".", B},
    {"lmtp_destination_recipient_limit", "$default_destination_recipient_limit",
     "Maximal recipients per transaction of the lmtp transport.", I},
    {"lmtp_destination_concurrency_limit", "$default_destination_concurrency_limit",
     "Parallel deliveries to the same destination via the lmtp transport.", I},

    // Queue manager and delivery scheduling.
    {"default_destination_concurrency_limit", "20", "Parallel deliveries to the same destination.",
     I},
    {"initial_destination_concurrency", "5",
     "First concurrency of a destination; feedback moves it up to its limit (qmgr(8)).", I},
    {"default_destination_concurrency_failed_cohort_limit", "1",
     "Failed cohorts in a row before a destination is declared dead (0: never).", I},
    {"default_destination_concurrency_positive_feedback", "1",
     "Concurrency growth per delivery that reached the site: 0..1, N/M or N/concurrency.", S},
    {"default_destination_concurrency_negative_feedback", "1",
     "Concurrency reduction per connection or handshake failure: 0..1, N/M or "
     "N/concurrency.",
     S},
    {"default_destination_rate_delay", "0s",
     "Pause between deliveries to one destination; non-zero means one delivery at a time.", T},
    {"smtp_destination_concurrency_limit", "$default_destination_concurrency_limit",
     "Parallel deliveries to the same destination via the smtp transport.", I},
    {"smtp_destination_rate_delay", "$default_destination_rate_delay",
     "Pause between deliveries to one destination via the smtp transport.", T},
    {"local_destination_concurrency_limit", "2", "Parallel deliveries to the same local recipient.",
     I},
    {"virtual_destination_concurrency_limit", "$default_destination_concurrency_limit",
     "Parallel deliveries to the same virtual domain.", I},
    {"minimal_backoff_time", "300s", "Minimal time between attempts for deferred mail.", T},
    {"maximal_backoff_time", "4000s", "Maximal time between attempts for deferred mail.", T},
    {"queue_run_delay", "300s", "Time between deferred queue scans.", T},
    {"maximal_queue_lifetime", "5d", "How long undeliverable mail stays queued.", T},
    {"bounce_queue_lifetime", "5d", "How long undeliverable bounces stay queued.", T},
    {"delay_warning_time", "0h", "Send a delay warning after this time; 0: never.", T},
    {"default_transport", "smtp", "Transport for domains not otherwise matched.", S},
    {"local_transport", "local:$myhostname", "Transport for mydestination domains.", S},
    {"virtual_transport", "virtual", "Transport for virtual_mailbox_domains.", S},
    {"transport_maps", "", "Per-recipient or per-domain transport and nexthop.", S},
    {"content_filter", "",
     "After-queue content filter transport:destination (FILTER_README); empty on the "
     "re-injection service.",
     S},
    {"receive_override_options", "",
     "Processing to skip for mail received by this service (re-injection after a filter): "
     "no_unknown_recipient_checks, no_address_mappings, no_header_body_checks, no_milters "
     "(nothing to skip: Correio runs no milters yet).",
     S},
    {"soft_bounce", "no", "Turn permanent errors into temporary ones (testing).", B},
    {"always_bcc", "", "Address that receives a copy of every message.", S},
    // Content inspection (header_checks(5)), in smtpd and pickup.
    {"header_checks", "", "Table of patterns and actions for the primary message headers.", S},
    {"mime_header_checks", "$header_checks",
     "Table for MIME-Version, Content-* and all headers of multipart parts.", S},
    {"nested_header_checks", "$header_checks",
     "Table for the headers of attached message/rfc822 parts.", S},
    {"body_checks", "", "Table of patterns and actions for body lines.", S},
    {"body_checks_size_limit", "51200",
     "Bytes of each body segment (attachment) that body_checks look at; 0: all.", I},
    {"disable_mime_input_processing", "no",
     "Treat everything after the primary headers as body (no MIME part headers).", B},
    {"mime_nesting_limit", "100", "Multipart levels content inspection follows.", I},
    {"smtp_header_checks", "", "smtp agent: table for the primary headers of mail sent out.", S},
    {"smtp_mime_header_checks", "", "smtp agent: table for MIME headers of mail sent out.", S},
    {"smtp_nested_header_checks", "", "smtp agent: table for attached message headers.", S},
    {"smtp_body_checks", "", "smtp agent: table for body lines of mail sent out.", S},

    // Address rewriting and lookup tables.
    {"canonical_maps", "", "Sender and recipient address rewriting.", S},
    {"sender_canonical_maps", "", "Sender address rewriting.", S},
    {"recipient_canonical_maps", "", "Recipient address rewriting.", S},
    {"canonical_classes", "envelope_sender, envelope_recipient, header_sender, header_recipient",
     "Addresses canonical_maps applies to.", S},
    {"sender_canonical_classes", "envelope_sender, header_sender",
     "Addresses sender_canonical_maps applies to (envelope_sender, header_sender).", S},
    {"recipient_canonical_classes", "envelope_recipient, header_recipient",
     "Addresses recipient_canonical_maps applies to (envelope_recipient, header_recipient).", S},
    {"masquerade_domains", "", "Domains whose subdomains are stripped in addresses.", S},
    {"masquerade_classes", "envelope_sender, header_sender, header_recipient",
     "Addresses masquerade_domains applies to.", S},
    {"masquerade_exceptions", "", "Local parts that are never masqueraded (e.g. root).", S},
    {"relocated_maps", "", "Addresses that have moved: mail to them bounces with the new one.", S},
    {"sender_bcc_maps", "", "Per-sender address that gets a copy of each message.", S},
    {"recipient_bcc_maps", "", "Per-recipient address that gets a copy of each message.", S},
    {"local_header_rewrite_clients", "permit_inet_interfaces",
     "SMTP clients whose message headers get address rewriting (permit_inet_interfaces, "
     "permit_mynetworks, permit_sasl_authenticated, static:all).",
     S},
    {"remote_header_rewrite_domain", "",
     "Rewrite headers of mail from other clients, completing incomplete addresses with this "
     "domain; empty: leave their headers alone.",
     S},
    {"propagate_unmatched_extensions", "canonical, virtual",
     "Lookups that propagate an unmatched address extension.", S},
    {"recipient_delimiter", "", "Separator(s) between user name and address extension.", S},
    {"append_dot_mydomain", "${{$compatibility_level} <level {1} ? {yes} : {no}}",
     "Append .$mydomain to user@host addresses.", B},
    {"fast_flush_domains", "$relay_domains",
     "Sites whose deferred mail is logged for ETRN and postqueue -s (fast flush).", S},
    {"fast_flush_refresh_time", "12h",
     "Age after which a non-empty, unread fast flush log is refreshed (its mail is retried "
     "and the log rebuilt from what is deferred again).",
     T},
    {"fast_flush_purge_time", "7d",
     "Age after which an empty, unchanged fast flush log is deleted.", T},
    {"relay_domains", "${{$compatibility_level} <level {2} ? {$mydestination} : {}}",
     "Domains this machine relays mail to (besides mydestination).", S},
    {"swap_bangpath", "yes", "Rewrite \"site!user\" into \"user@site\" (RFC 976 UUCP paths).", B},
    {"allow_percent_hack", "yes", "Rewrite \"user%domain\" in a local domain into \"user@domain\".",
     B},
    {"resolve_dequoted_address", "yes",
     "Resolve \"user@domain\"@localdomain by its dequoted form (user@domain).", B},
    {"parent_domain_matches_subdomains",
     // Postfix 3.7's default (postconf -d), whatever the compatibility_level.
     "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
     "qmqpd_authorized_clients,relay_domains,smtpd_access_maps",
     "Lists where \"example.com\" also matches its subdomains (else write \".example.com\").", S},
    {"relay_recipient_maps", "",
     "Valid recipients in relay_domains (user@domain or @domain keys); empty: all are valid.", S},
    {"relay_transport", "relay", "Default transport for mail to relay_domains.", S},
    {"local_recipient_maps", "proxy:unix:passwd.byname $alias_maps",
     "Valid recipients in mydestination domains (any table list; user, user@domain or "
     "@domain keys); empty: no check.",
     S},
    {"unknown_local_recipient_reject_code", "550", "Reply code for unknown local recipients.", I},
    {"unknown_relay_recipient_reject_code", "550", "Reply code for unknown relay recipients.", I},
    {"unknown_virtual_mailbox_reject_code", "550",
     "Reply code for unknown virtual mailbox recipients.", I},

    // Aliases and local delivery.
    {"alias_maps", "hash:/etc/aliases", "Alias tables used by local delivery.", S},
    {"alias_database", "hash:/etc/aliases", "Alias tables built by newaliases.", S},
    {"mail_spool_directory", "/var/mail", "Directory of UNIX-style mbox mailboxes.", S},
    {"home_mailbox", "", "Mailbox relative to the home directory (e.g. Maildir/).", S},
    {"mailbox_command", "",
     "External command for local mailbox delivery (procmail, maildrop); not $-expanded by "
     "main.cf, run by /bin/sh as the recipient.",
     S},
    {"mailbox_command_maps", "",
     "Per-user mailbox commands, looked up by login name; before mailbox_command.", S},
    {"mailbox_transport", "",
     "Transport for local mailbox delivery (lmtp:unix:private/dovecot-lmtp), also for users "
     "the system does not know.",
     S},
    {"fallback_transport", "",
     "Transport for local users the system does not know (after any mailbox transport).", S},
    {"fallback_transport_maps", "",
     "Per-user fallback transports, looked up by login name; before fallback_transport.", S},
    {"luser_relay", "",
     "Catch-all address for unknown local users ($user, $local, $domain, $extension, "
     "$recipient expanded); transports for unknown users come first.",
     S},
    {"mailbox_transport_maps", "",
     "Per-user mailbox transports, looked up by login name; before mailbox_transport.", S},
    {"mailbox_size_limit", "51200000", "Maximal size of a mailbox or maildir file.", I},
    {"allow_mail_to_commands", "alias, forward", "Where |command destinations are allowed.", S},
    {"allow_mail_to_files", "alias, forward", "Where /file destinations are allowed.", S},
    {"command_time_limit", "1000s",
     "Time limit for commands run by local, and the default of pipe and spawn services.", T},
    {"forward_path", "$home/.forward${recipient_delimiter}${extension}, $home/.forward",
     "Locations of .forward files; the first that exists is used ($user, $home, $shell, "
     "$recipient, $extension, $domain, $local, $recipient_delimiter).",
     S},
    {"forward_expansion_filter",
     "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
     "Characters allowed in $name expansions of forward_path; others become underscores.", S},
    {"biff", "yes", "Notify the local biff service of new mail.", B},
    {"enable_original_recipient", "yes", "Record the original recipient address.", B},

    // Virtual mailbox domains.
    {"virtual_alias_domains", "$virtual_alias_maps", "Domains with only aliases.", S},
    {"quota_grace", "10%",
     "How far the last message may take a user over the quota (Dovecot's quota_grace).", S},
    {"quota_full_tempfail", "yes",
     "Whether mail to a user over quota is deferred (4.2.2) rather than bounced (5.2.2).", B},
    {"quota_exceeded_message", "Quota exceeded (mailbox for user is full)",
     "The text mail over a user's quota is refused with.", S},
    {"virtual_alias_maps", "$virtual_maps", "Address aliases for any domain.", S},
    {"virtual_maps", "", "Obsolete name of virtual_alias_maps.", S},
    {"virtual_alias_expansion_limit", "1000",
     "Most addresses one virtual alias expansion may produce.", I},
    {"virtual_alias_recursion_limit", "1000", "Deepest nesting of virtual alias expansion.", I},
    {"virtual_mailbox_domains", "$virtual_mailbox_maps", "Domains of virtual mailboxes.", S},
    {"virtual_mailbox_maps", "",
     "Virtual recipients and their mailbox paths under virtual_mailbox_base (\"dir/\" is a "
     "Maildir, else an mbox file); when set it replaces user_directory for delivery and "
     "recipient validation.",
     S},
    {"virtual_mailbox_base", "", "Directory prefix of virtual mailboxes.", S},
    {"virtual_mailbox_limit", "51200000", "Maximal size of a virtual mailbox file.", I},
    {"virtual_uid_maps", "",
     "Tables giving the user ID the virtual agent writes a recipient's Maildir as (e.g. "
     "static:5000); empty: the agent's own.",
     S},
    {"virtual_gid_maps", "",
     "Tables giving the group ID for the recipient's Maildir; needed with virtual_uid_maps.", S},
    {"virtual_minimum_uid", "100",
     "Smallest user ID virtual_uid_maps may return; a smaller one defers the recipient.", I},

    // Notifications.
    {"notify_classes", "resource, software", "Problems reported to the postmaster.", S},
    {"bounce_notice_recipient", "postmaster", "Recipient of bounce notices.", S},
    {"2bounce_notice_recipient", "postmaster", "Recipient of undeliverable bounces.", S},
    {"delay_notice_recipient", "postmaster", "Recipient of delay notices.", S},
    {"error_notice_recipient", "postmaster", "Recipient of error notices.", S},
    {"double_bounce_sender", "double-bounce", "Sender of bounces that must not bounce.", S},
    {"empty_address_recipient", "MAILER-DAEMON", "Recipient of mail to <>.", S},

    // Processes.
    {"default_process_limit", "100", "Default maxproc of master.cf services.", I},
    {"max_idle", "100s", "Time an idle daemon process waits for work before exiting.", T},
    {"max_use", "100", "Requests a daemon process serves before exiting.", I},
    {"ipc_timeout", "3600s", "Time limit of internal communication.", T},
    {"daemon_timeout", "18000s",
     "Time limit of one delivery request: qmgr waits that long, the smtp/lmtp agent stops at 90%.",
     T},
    {"master_service_disable", "", "master.cf services to disable (name/type).", S},
    {"service_throttle_time", "60s", "Pause after a service fails to start.", T},
    {"stress", "", "Set to yes by the master when a service is overloaded.", S},
    {"import_environment",
     "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE "
     "POSTLOG_HOSTNAME",
     "Environment variables passed to daemon processes.", S},
    {"export_environment", "TZ MAIL_CONFIG LANG",
     "Environment variables passed to external commands.", S},

    // Mailbox side (Correio's own, in Postfix's style).
    {"user_directory", "",
     "The mailbox users: passwd-file:, sqlite:, pgsql:, mysql: (query file) or unix:.", S},
    {"auth_default_realm", "",
     "Domain appended to login names without @ (Dovecot's auth_default_realm); a passwd-file "
     "line \"name\" is then the user name@realm.",
     S},
    {"mail_location", "",
     "Where a user's Maildir is (Dovecot's mail_location): a template with ~ (home), %u, %n, "
     "%d, %h, optionally after \"maildir:\"; empty: HOME/Maildir when the user has a home, "
     "else $virtual_mailbox_base/%d/%n.",
     S},
    {"auth_allow_cleartext", "no", "Allow plaintext IMAP/POP3 authentication without TLS.", B},
    {"auth_mechanisms", "plain login scram-sha-256 scram-sha-256-plus",
     "SASL mechanisms offered by smtpd, imapd and pop3d (Dovecot's name; cram-md5 is "
     "available but off by default; an unknown name is an error). IMAP LOGIN and POP3 "
     "USER/PASS are PLAIN logins, as in Dovecot: without plain they are disabled.",
     S},
    {"auth_failure_delay", "2s",
     "Delay before a failed-login reply (Dovecot's name); doubles with each recent failure "
     "from the same client address, up to auth_failure_max_delay.",
     T},
    {"login_trusted_networks", "",
     "Dovecot's login_trusted_networks, for the failed-login lockout only: IMAP and POP3 "
     "clients in this mynetworks-style list are never locked out (smtpd uses "
     "smtpd_client_event_limit_exceptions).",
     S},
    {"auth_failure_max_delay", "15s", "The longest failed-login delay.", T},
    {"auth_failure_limit", "10",
     "Failed logins from one client address within auth_failure_window after which its "
     "logins are refused (421 4.7.0 / NO [UNAVAILABLE] / -ERR [SYS/TEMP]); 0: never.",
     I},
    {"auth_failure_window", "300s",
     "How long failed logins from an address are remembered after its last failure.", T},
    {"imapd_tls_cert_file", "$smtpd_tls_cert_file", "The IMAP server's PEM certificate.", S},
    {"imapd_tls_key_file", "$smtpd_tls_key_file", "The IMAP server's PEM private key.", S},
    {"imapd_tls_chain_files", "$smtpd_tls_chain_files",
     "The IMAP server's PEM files with keys and certificate chains.", S},
    {"imapd_tls_wrappermode", "no", "Use TLS from the first byte (IMAPS, port 993).", B},
    {"imapd_tls_protocols", "$smtpd_tls_mandatory_protocols",
     "TLS protocols the IMAP server accepts (Dovecot: ssl_min_protocol).", S},
    {"imapd_tls_ciphers", "$smtpd_tls_mandatory_ciphers",
     "Cipher grade of the IMAP server (Dovecot: ssl_cipher_list).", S},
    {"imapd_tls_exclude_ciphers", "$smtpd_tls_exclude_ciphers",
     "Ciphers the IMAP server excludes from its grade.", S},
    {"imapd_timeout", "1800s", "Idle time before an IMAP session is closed (RFC 3501).", T},
    {"imapd_login_timeout", "60s",
     "Time from connect within which an IMAP client must log in (Dovecot: 3 minutes, "
     "fixed).",
     T},
    {"imapd_idle_timeout", "1800s", "Time an IMAP IDLE command may last.", T},
    {"imapd_max_line_length", "65536", "Maximal length of one IMAP command line.", I},
    {"imapd_urlauth_host", "",
     "The host name in IMAP URLs that URLAUTH (RFC 4467) and the submission server's BURL "
     "(RFC 4468) accept, as in imap://user@HOST/... (Dovecot's imap_urlauth_host); empty: "
     "URLAUTH and BURL are off.",
     S},
    {"imapd_worker_threads", "0",
     "Threads of each imapd process that run mailbox commands (reads, searches, fsync) while "
     "the event loop serves the other sessions; 0: four per CPU core.",
     I},
    {"imapd_literal_size_limit", "$message_size_limit", "Maximal size of an IMAP literal.", I},
    // The client autoconfiguration service (master.cf command "autoconfig"): Correio's own.
    {"autoconfig_server_name", "$myhostname",
     "The host name the autoconfiguration documents tell mail clients to connect to.", S},
    {"autoconfig_login_name", "email",
     "What the documents give clients as their login name: email (the whole address, as "
     "user_directory logins are) or localpart (system accounts).",
     S},
    {"autoconfig_tls_cert_file", "$smtpd_tls_cert_file",
     "The autoconfiguration service's PEM certificate.", S},
    {"autoconfig_tls_key_file", "$smtpd_tls_key_file",
     "The autoconfiguration service's PEM private key.", S},
    {"autoconfig_tls_chain_files", "$smtpd_tls_chain_files",
     "The autoconfiguration service's PEM files with keys and certificate chains.", S},
    {"autoconfig_tls_wrappermode", "yes",
     "Serve HTTPS (yes) or plain HTTP (no, behind a TLS-terminating proxy).", B},
    {"autoconfig_tls_protocols", "$smtpd_tls_mandatory_protocols",
     "TLS protocols the autoconfiguration service accepts.", S},
    {"autoconfig_tls_ciphers", "$smtpd_tls_mandatory_ciphers",
     "Cipher grade of the autoconfiguration service.", S},
    {"autoconfig_tls_exclude_ciphers", "$smtpd_tls_exclude_ciphers",
     "Ciphers the autoconfiguration service excludes from its grade.", S},
    {"autoconfig_timeout", "30s", "Time for a whole HTTP request to arrive.", T},
    // Metrics (Correio's own): the daemons count into metrics_directory, and the
    // "exporter" service (not in the default master.cf) serves them to Prometheus.
    {"metrics_enable", "no",
     "Whether the daemons record metrics (connections, replies, logins, TLS, deliveries, "
     "IMAP command latency) for the exporter service's /metrics.",
     B},
    {"metrics_directory", "$data_directory/metrics",
     "Where the daemons keep their shared-memory counter files; created by the master, owned "
     "by mail_owner.",
     S},
    {"pop3d_tls_cert_file", "$smtpd_tls_cert_file", "The POP3 server's PEM certificate.", S},
    {"pop3d_tls_key_file", "$smtpd_tls_key_file", "The POP3 server's PEM private key.", S},
    {"pop3d_tls_chain_files", "$smtpd_tls_chain_files",
     "The POP3 server's PEM files with keys and certificate chains.", S},
    {"pop3d_tls_wrappermode", "no", "Use TLS from the first byte (POP3S, port 995).", B},
    {"pop3d_tls_protocols", "$smtpd_tls_mandatory_protocols",
     "TLS protocols the POP3 server accepts (Dovecot: ssl_min_protocol).", S},
    {"pop3d_tls_ciphers", "$smtpd_tls_mandatory_ciphers",
     "Cipher grade of the POP3 server (Dovecot: ssl_cipher_list).", S},
    {"pop3d_tls_exclude_ciphers", "$smtpd_tls_exclude_ciphers",
     "Ciphers the POP3 server excludes from its grade.", S},
    {"pop3d_timeout", "600s", "Idle time before a POP3 session is closed.", T},
    {"pop3d_login_timeout", "60s",
     "Time from connect within which a POP3 client must log in (Dovecot: 3 minutes, fixed).", T},
    {"pop3d_lock_session", "yes",
     "Allow one POP3 session per maildrop at a time (Dovecot's pop3_lock_session).", B},
    {"pop3d_max_bad_commands", "20", "POP3 errors after which the session is closed.", I},
    {"lmtpd_timeout", "300s", "Time limit to receive an LMTP request.", T},
    {"lmtpd_banner", "$myhostname LMTP $mail_name", "The text after 220 in the LMTP greeting.", S},
    {"lmtpd_recipient_limit", "1000", "Maximal number of recipients per LMTP transaction.", I},
    {"lmtpd_hard_error_limit", "20", "LMTP errors after which the session is closed.", I},
    {"mailbox_special_use_folders",
     "Drafts=\\Drafts, Sent=\\Sent, Trash=\\Trash, Junk=\\Junk, Archive=\\Archive",
     "Folders created for new mailboxes, with their RFC 6154 special-use flag.", S},
};

std::string gethostname_string() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

std::string compute_myhostname() {
  std::string name = gethostname_string();
  if (name.find('.') == std::string::npos) {
    // Ask the resolver (usually /etc/hosts) for the canonical name, as hostname -f does.
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_CANONNAME;
    addrinfo* result = nullptr;
    if (::getaddrinfo(name.c_str(), nullptr, &hints, &result) == 0 && result) {
      if (result->ai_canonname && std::strchr(result->ai_canonname, '.'))
        name = result->ai_canonname;
      ::freeaddrinfo(result);
    }
  }
  // Postfix's check_myhostname(): a name without a dot gets ".localdomain".
  if (name.find('.') == std::string::npos) name += ".localdomain";
  return name;
}

std::string format_network(int family, const void* addr, const void* mask, bool host,
                           bool by_class) {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) {
    in_addr a = *static_cast<const in_addr*>(addr);
    int bits = 32;
    uint32_t first = ntohl(a.s_addr) >> 24;
    if (by_class && first < 224) {
      // postconf(5) mynetworks_style = class: the whole class A (/8), B (/16) or C (/24)
      // network; class D and E addresses fall back to their subnet, as Postfix's do.
      bits = first < 128 ? 8 : first < 192 ? 16 : 24;
      a.s_addr &= htonl(0xffffffffu << (32 - bits));
    } else if (!host && mask) {
      uint32_t m = ntohl(static_cast<const in_addr*>(mask)->s_addr);
      bits = 0;
      while (bits < 32 && (m & (0x80000000u >> bits))) ++bits;
      a.s_addr &= static_cast<const in_addr*>(mask)->s_addr;
    }
    ::inet_ntop(AF_INET, &a, text, sizeof text);
    return std::string(text) + "/" + std::to_string(bits);
  }
  in6_addr a = *static_cast<const in6_addr*>(addr);
  int bits = 128;
  if (!host && mask) {
    const auto* m = static_cast<const in6_addr*>(mask);
    bits = 0;
    for (int i = 0; i < 16; ++i) {
      a.s6_addr[i] &= m->s6_addr[i];
      for (int b = 7; b >= 0; --b)
        if (m->s6_addr[i] & (1 << b)) ++bits;
    }
  }
  ::inet_ntop(AF_INET6, &a, text, sizeof text);
  return "[" + std::string(text) + "]/" + std::to_string(bits);
}

}  // namespace

std::span<const ParameterInfo> parameter_table() {
  static const std::vector<ParameterInfo> sorted = [] {
    std::vector<ParameterInfo> v(std::begin(kParameters), std::end(kParameters));
    std::sort(v.begin(), v.end(),
              [](const ParameterInfo& a, const ParameterInfo& b) { return a.name < b.name; });
    return v;
  }();
  return sorted;
}

const ParameterInfo* find_parameter(std::string_view name) {
  auto table = parameter_table();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const ParameterInfo& p, std::string_view n) { return p.name < n; });
  if (it == table.end() || it->name != name) return nullptr;
  return &*it;
}

std::string default_myhostname() {
  static const std::string name = compute_myhostname();
  return name;
}

std::string domain_of_hostname(std::string_view hostname) {
  // Postfix's check_mydomainname(): the hostname minus its first label, unless that
  // leaves nothing useful.
  size_t dot = hostname.find('.');
  if (dot == std::string_view::npos || dot + 1 >= hostname.size()) return "localdomain";
  return std::string(hostname.substr(dot + 1));
}

std::string own_networks(std::string_view mynetworks_style) {
  bool host = mynetworks_style != "subnet" && mynetworks_style != "class";
  // IPv6 has no address classes: Postfix uses the subnet there.
  bool by_class = mynetworks_style == "class";
  std::vector<std::string> out = {"127.0.0.0/8", "[::1]/128"};
  std::set<std::string> seen(out.begin(), out.end());
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
      if (!ifa->ifa_addr || (ifa->ifa_flags & IFF_LOOPBACK)) continue;
      int family = ifa->ifa_addr->sa_family;
      const void* addr = nullptr;
      const void* mask = nullptr;
      if (family == AF_INET) {
        addr = &reinterpret_cast<sockaddr_in*>(ifa->ifa_addr)->sin_addr;
        if (ifa->ifa_netmask) mask = &reinterpret_cast<sockaddr_in*>(ifa->ifa_netmask)->sin_addr;
      } else if (family == AF_INET6) {
        const auto* a6 = &reinterpret_cast<sockaddr_in6*>(ifa->ifa_addr)->sin6_addr;
        if (IN6_IS_ADDR_LINKLOCAL(a6)) continue;  // needs a scope; Postfix skips them too
        addr = a6;
        if (ifa->ifa_netmask) mask = &reinterpret_cast<sockaddr_in6*>(ifa->ifa_netmask)->sin6_addr;
      } else {
        continue;
      }
      std::string net = format_network(family, addr, mask, host, by_class && family == AF_INET);
      if (seen.insert(net).second) out.push_back(net);
    }
    ::freeifaddrs(list);
  }
  std::string joined;
  for (const auto& n : out) {
    if (!joined.empty()) joined += ' ';
    joined += n;
  }
  return joined;
}

std::string default_value(const ParameterInfo& info, std::string_view config_dir) {
  if (!info.dynamic) return std::string(info.default_value);
  if (info.name == "myhostname") return default_myhostname();
  if (info.name == "mydomain") return domain_of_hostname(default_myhostname());
  if (info.name == "mynetworks") {
    static const std::string networks = own_networks("host");
    return networks;
  }
  if (info.name == "config_directory")
    return config_dir.empty() ? std::string(kDefaultConfigDir) : std::string(config_dir);
  if (info.name == "mail_version") return CORREIO_VERSION;
  if (info.name == "process_name") return program_invocation_short_name;
  if (info.name == "process_id") return std::to_string(::getpid());
  return std::string(info.default_value);
}

}  // namespace correio::config
