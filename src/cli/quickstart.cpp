// `correio quickstart [DIR]`: writes the embedded quick-start configuration (unprivileged
// loopback ports, domain example.test, user demo@example.test with a generated password,
// a self-signed certificate) into DIR, default var/quickstart — only what is absent, so
// an administrator's edits survive. Then prints how to send and read mail.
#include <openssl/rand.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "auth/password.hpp"
#include "base/file.hpp"
#include "cli/commands.hpp"
#include "cli/self_signed.hpp"

namespace correio::cli {
namespace {

namespace fs = std::filesystem;

// The services that exist in this build, on the quick start's loopback ports: SMTP,
// submission(s), IMAP(S), POP3(S) and LMTP, then the internal ones. Submission (2587) and
// submissions (2465) carry Postfix's stock master.cf -o overrides: TLS, SMTP AUTH, and only
// authenticated clients may send. imapd and pop3d find their certificates through
// imapd_/pop3d_tls_cert_file = $smtpd_tls_cert_file.
constexpr const char* kMasterCf = R"(# Correio quick start master.cf — Postfix's columns:
# service          type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:2525     inet  n       -       n       -       -       smtpd
127.0.0.1:2587     inet  n       -       n       -       -       smtpd
  -o syslog_name=correio/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:2465     inet  n       -       n       -       -       smtpd
  -o syslog_name=correio/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:2143     inet  n       -       n       -       -       imapd
  -o auth_allow_cleartext=yes
127.0.0.1:2993     inet  n       -       n       -       -       imapd
  -o imapd_tls_wrappermode=yes
127.0.0.1:2110     inet  n       -       n       -       -       pop3d
  -o auth_allow_cleartext=yes
127.0.0.1:2995     inet  n       -       n       -       -       pop3d
  -o syslog_name=correio/pop3s
  -o pop3d_tls_wrappermode=yes
127.0.0.1:2424     inet  n       -       n       -       -       lmtpd
# SMTP AUTH's passwords: the only process that reads the users' hashes (Dovecot's auth)
auth               unix  -       n       n       -       1       auth
qmgr               unix  n       -       n       300     1       qmgr
pickup             unix  n       -       n       60      1       pickup
# mailq and postqueue -p for users who cannot read the queue (Postfix's showq)
showq              unix  n       -       n       -       -       showq
# virtual runs as mail_owner here (with virtual_uid_maps, set its unpriv to n so it can
# write as the mapped owners); local keeps root (unpriv = n) to deliver as each
# recipient, as in Postfix.
virtual            unix  -       -       n       -       -       virtual
local              unix  -       n       n       -       -       local
)";

std::string main_cf(const fs::path& dir) {
  std::string d = dir.string();
  return "# Correio quick start main.cf — written once by `correio quickstart`; edit freely.\n"
         "# Everything lives under this directory and runs as the invoking user.\n"
         "myhostname = mail.example.test\n"
         "mydomain = example.test\n"
         "myorigin = $mydomain\n"
         "mydestination = localhost\n"
         "mynetworks = 127.0.0.0/8 [::1]/128\n"
         "virtual_mailbox_domains = example.test\n"
         "virtual_mailbox_base = " +
         d +
         "/mail\n"
         "user_directory = passwd-file:" +
         d +
         "/users\n"
         "queue_directory = " +
         d +
         "/queue\n"
         "data_directory = " +
         d +
         "/data\n"
         "mail_spool_directory = " +
         d +
         "/spool\n"
         "alias_maps = texthash:" +
         d +
         "/aliases\n"
         "alias_database = texthash:" +
         d +
         "/aliases\n"
         "maillog_file = /dev/stdout\n"
         "smtpd_tls_cert_file = " +
         d +
         "/tls/cert.pem\n"
         "smtpd_tls_key_file = " +
         d +
         "/tls/key.pem\n"
         "smtpd_tls_security_level = may\n"
         "# Plain-text logins are allowed because every listener is on 127.0.0.1 only.\n"
         "auth_allow_cleartext = yes\n";
}

// Writes `content` to `path` unless it exists; returns false on a write error.
bool write_if_absent(const fs::path& path, const std::string& content, mode_t mode) {
  if (fs::exists(path)) return true;
  base::ReplaceOptions how;
  how.mode = mode;
  if (auto written = base::replace_file_atomically(path, content, how); !written) {
    std::fprintf(stderr, "correio quickstart: cannot create %s: %s\n", path.c_str(),
                 written.error().message.c_str());
    return false;
  }
  return true;
}

std::string random_password() {
  static constexpr char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  unsigned char bytes[14];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  std::string out;
  for (unsigned char b : bytes) out += alphabet[b % (sizeof alphabet - 1)];
  return out;
}

// When run by root, the daemons run as mail_owner (correio): they must be able to read the
// users file and the TLS key, and write the mailboxes.
bool give_to_mail_owner(const fs::path& dir) {
  if (::geteuid() != 0) return true;
  passwd* pw = ::getpwnam("correio");
  if (!pw) {
    std::fprintf(stderr, "correio quickstart: user correio missing (make deps creates it)\n");
    return false;
  }
  std::error_code ec;
  // The key too: services load certificates after dropping to mail_owner.
  for (const fs::path& p : {dir / "users", dir / "mail", dir / "spool", dir / "tls",
                            dir / "tls/key.pem", dir / "tls/cert.pem"}) {
    if (::chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      std::fprintf(stderr, "correio quickstart: cannot chown %s\n", p.c_str());
      return false;
    }
  }
  for (auto it = fs::recursive_directory_iterator(dir / "mail", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (::lchown(it->path().c_str(), pw->pw_uid, pw->pw_gid) != 0) return false;
  return !ec;
}

// The screen after set-up: every example is a command to paste as is, with the real
// password, this directory, and the path of the binaries (and their links) in use.
void print_screen(const fs::path& dir, const std::string& password, bool password_known) {
  std::error_code ec;
  fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec || bin.empty()) bin = "build/bin";
  // Without the password file the examples keep a placeholder the reader must replace.
  std::string pw = password_known ? password : "PASSWORD";
  const std::string d = dir.string(), b = bin.string();
  std::string text = "\nCorreio quick start — configuration in " + d + "\n";
  text += "  domain example.test, user demo@example.test, password " +
          (password_known ? password : "(see " + d + "/demo-password)") + "\n";
  text +=
      "  SMTP         127.0.0.1:2525 (STARTTLS offered; mail for example.test)\n"
      "  submission   127.0.0.1:2587 (STARTTLS required, then AUTH as demo@example.test)\n"
      "  submissions  127.0.0.1:2465 (implicit TLS, then AUTH as demo@example.test)\n"
      "  IMAP         127.0.0.1:2143 (STARTTLS offered; plaintext login allowed on loopback)\n"
      "  IMAPS        127.0.0.1:2993 (implicit TLS)\n"
      "  POP3         127.0.0.1:2110 (STLS offered; plaintext login allowed on loopback)\n"
      "  POP3S        127.0.0.1:2995 (implicit TLS)\n"
      "  LMTP         127.0.0.1:2424 (for another MTA: virtual_transport = "
      "lmtp:inet:127.0.0.1:2424)\n";
  text += "  TLS certificate (self-signed, for mail.example.test): " + d + "/tls/cert.pem, key " +
          d + "/tls/key.pem\n";
  text += "\nSend a message (swaks, or Python's smtplib):\n";
  text += "  swaks --server 127.0.0.1:2525 --to demo@example.test --from you@example.test\n";
  text +=
      "  swaks --server 127.0.0.1:2587 --tls --auth PLAIN --auth-user demo@example.test "
      "--auth-password " +
      pw + " --to demo@example.test\n";
  text +=
      "  swaks --server 127.0.0.1:2465 --tlsc --auth PLAIN --auth-user demo@example.test "
      "--auth-password " +
      pw + " --to demo@example.test\n";
  text +=
      "  python3 -c \"import smtplib; s=smtplib.SMTP('127.0.0.1',2525); "
      "s.sendmail('you@example.test',['demo@example.test'],'Subject: hi\\n\\nhello'); "
      "s.quit()\"\n";
  text +=
      "Check the certificate: openssl s_client -connect 127.0.0.1:2587 -starttls smtp "
      "-CAfile " +
      d + "/tls/cert.pem -verify_hostname mail.example.test\n";
  text += "Post locally and look at the queue (-C/-c or MAIL_CONFIG name this directory):\n";
  text +=
      "  printf 'Subject: hi\\n\\nhello\\n' | " + b + "/sendmail -C " + d + " demo@example.test\n";
  text += "  MAIL_CONFIG=" + d + " " + b + "/mailq\n";
  text += "Delivered mail lands in the Maildir " + d + "/mail/example.test/demo/.\n";
  text += "Read it over IMAP or POP3:\n";
  text +=
      "  python3 -c \"import imaplib; i=imaplib.IMAP4('127.0.0.1',2143); "
      "i.login('demo@example.test','" +
      pw + "'); print(i.select('INBOX')); i.logout()\"\n";
  text +=
      "  python3 -c \"import poplib; p=poplib.POP3('127.0.0.1',2110); "
      "p.user('demo@example.test'); p.pass_('" +
      pw + "'); print(p.stat()); p.quit()\"\n";
  text += "Inspect the configuration: " + b + "/postconf -c " + d + " -n\n";
  text += "The mail log follows on this terminal; Ctrl-C stops Correio.\n\n";
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

int quickstart_main(int argc, char** argv) {
  fs::path dir = argc >= 2 ? fs::path(argv[1]) : fs::path("var/quickstart");
  std::error_code ec;
  fs::create_directories(dir, ec);
  dir = fs::absolute(dir).lexically_normal();
  if (dir.has_filename() == false) dir = dir.parent_path();
  for (const char* sub : {"tls", "mail", "queue", "data", "spool"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) {
      std::fprintf(stderr, "correio quickstart: cannot create %s: %s\n", (dir / sub).c_str(),
                   ec.message().c_str());
      return 1;
    }
  }
  fs::permissions(dir / "tls", fs::perms::owner_all, ec);
  if (!write_if_absent(dir / "main.cf", main_cf(dir), 0644)) return 1;
  if (!write_if_absent(dir / "master.cf", kMasterCf, 0644)) return 1;
  if (!write_if_absent(dir / "aliases",
                       "# aliases(5): local names and where their mail goes.\n"
                       "postmaster: root\nMAILER-DAEMON: postmaster\nabuse: postmaster\n",
                       0644))
    return 1;

  if (!fs::exists(dir / "users")) {
    std::string password = random_password();
    // {SCRAM-SHA-256} (Dovecot's format) serves every mechanism: PLAIN, LOGIN and SCRAM.
    auto scram = auth::hash_password("SCRAM-SHA-256", password);
    std::string hashed = scram ? *scram : std::string();
    if (password.empty() || hashed.empty()) {
      std::fprintf(stderr, "correio quickstart: cannot generate the demo password\n");
      return 1;
    }
    // Dovecot passwd-file: user:password:uid:gid:gecos:home:shell:extra_fields
    if (!write_if_absent(dir / "demo-password", password + "\n", 0600)) return 1;
    if (!write_if_absent(dir / "users", "demo@example.test:" + hashed + "::::::\n", 0600)) return 1;
  }
  std::ifstream saved(dir / "demo-password");
  std::string password;
  bool password_known = static_cast<bool>(std::getline(saved, password)) && !password.empty();

  if (!fs::exists(dir / "tls/cert.pem") || !fs::exists(dir / "tls/key.pem")) {
    auto made = write_self_signed_certificate(dir / "tls/cert.pem", dir / "tls/key.pem",
                                              "mail.example.test");
    if (!made) {
      std::fprintf(stderr, "correio quickstart: %s\n", made.error().message.c_str());
      return 1;
    }
  }
  if (!give_to_mail_owner(dir)) return 1;
  print_screen(dir, password, password_known);
  return 0;
}

}  // namespace correio::cli
