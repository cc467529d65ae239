"""postconf on real configuration directories: Postfix-compatible output and editing.

CORREIO_BIN points at build/bin/correio; the `postconf` link is beside it. Expected
outputs of -n are what Postfix 3.7 prints for the same main.cf (the seed documents).
"""
import os
import pathlib
import subprocess

import pytest

BIN = pathlib.Path(os.environ.get("CORREIO_BIN", "build/bin/correio")).resolve()
POSTCONF = BIN.parent / "postconf"
SOURCE = pathlib.Path(os.environ.get("CORREIO_SOURCE", pathlib.Path(__file__).parents[2]))


def with_config_directory(expected, confdir):
    """-n output of a main.cf without config_directory: Postfix enters the directory named
    by -c into its table, so the line appears, sorted with the others."""
    lines = expected.splitlines(keepends=True) + [f"config_directory = {confdir}\n"]
    return "".join(sorted(lines))


def postconf(confdir, *args, check=True):
    env = {k: v for k, v in os.environ.items() if k != "MAIL_CONFIG"}
    proc = subprocess.run([str(POSTCONF), "-c", str(confdir), *args], env=env,
                          capture_output=True, text=True, timeout=30)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


# The CentOS 7 main.cf of seed 003, as its parameters appear in the stock file
# (debugger_command spread over continuation lines, comments in between).
CENTOS_MAIN_CF = """\
# Global Postfix configuration file.
queue_directory = /var/spool/postfix
command_directory = /usr/sbin
daemon_directory = /usr/libexec/postfix
data_directory = /var/lib/postfix
mail_owner = postfix
inet_interfaces = localhost
inet_protocols = all
mydestination = $myhostname, localhost.$mydomain, localhost
unknown_local_recipient_reject_code = 550
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
debug_peer_level = 2
debugger_command =
\t PATH=/bin:/usr/bin:/usr/local/bin:/usr/X11R6/bin
\t ddd $daemon_directory/$process_name $process_id & sleep 5
sendmail_path = /usr/sbin/sendmail.postfix
newaliases_path = /usr/bin/newaliases.postfix
mailq_path = /usr/bin/mailq.postfix
setgid_group = postdrop
html_directory = no
manpage_directory = /usr/share/man
sample_directory = /usr/share/doc/postfix-2.10.1/samples
readme_directory = /usr/share/doc/postfix-2.10.1/README_FILES
config_directory = /etc/postfix
"""

# `postconf -n` from seed 003, verbatim.
CENTOS_EXPECTED = """\
alias_database = hash:/etc/aliases
alias_maps = hash:/etc/aliases
command_directory = /usr/sbin
config_directory = /etc/postfix
daemon_directory = /usr/libexec/postfix
data_directory = /var/lib/postfix
debug_peer_level = 2
debugger_command = PATH=/bin:/usr/bin:/usr/local/bin:/usr/X11R6/bin ddd $daemon_directory/$process_name $process_id & sleep 5
html_directory = no
inet_interfaces = localhost
inet_protocols = all
mail_owner = postfix
mailq_path = /usr/bin/mailq.postfix
manpage_directory = /usr/share/man
mydestination = $myhostname, localhost.$mydomain, localhost
newaliases_path = /usr/bin/newaliases.postfix
queue_directory = /var/spool/postfix
readme_directory = /usr/share/doc/postfix-2.10.1/README_FILES
sample_directory = /usr/share/doc/postfix-2.10.1/samples
sendmail_path = /usr/sbin/sendmail.postfix
setgid_group = postdrop
unknown_local_recipient_reject_code = 550
"""

# Seed 004, comment [9]: the relay agent main.cf.
RELAY_MAIN_CF = """\
# Cliente SMTP
smtp_sasl_auth_enable = yes
smtp_sasl_security_options =
smtp_sasl_password_maps = hash:/etc/postfix/saslpass

#Suporte a TLS
smtp_use_tls = yes

# Relay Agent
myhostname = localhost
mydomain = localdomain
relayhost = smtp.google.com:587
alias_maps = hash:/etc/postfix/aliases
alias_database = hash:/etc/postfix/aliases
mydestination = localhost, localhost.localdomain
mynetworks = 127.0.0.0/8, 192.168.10.0/24
inet_interfaces = all
inet_protocols = all
"""

RELAY_EXPECTED = """\
alias_database = hash:/etc/postfix/aliases
alias_maps = hash:/etc/postfix/aliases
inet_interfaces = all
inet_protocols = all
mydestination = localhost, localhost.localdomain
mydomain = localdomain
myhostname = localhost
mynetworks = 127.0.0.0/8, 192.168.10.0/24
relayhost = smtp.google.com:587
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:/etc/postfix/saslpass
smtp_sasl_security_options =
smtp_use_tls = yes
"""

# Seed 003's other examples: each line is printed back unchanged by postconf -n.
SEED_EXAMPLES = """\
myhostname = centos7lpi.infralinux.com.br
mydomain = infralinux.com.br
myorigin = $mydomain
disable_vrfy_command = yes
inet_interfaces = all
mydestination = $myhostname, localhost.$mydomain, localhost
relay_domains = $mydestination
relayhost = mailserver.infralinux.com.br
smtpd_use_tls = yes
smtpd_tls_auth_only = yes
smtpd_tls_cert_file = /etc/ssl/certs/mailcert.pem
smtpd_tls_key_file = /etc/ssl/certs/mail.key
virtual_mailbox_domains = mysql:/etc/postfix/vmail-domains.cf
virtual_mailbox_maps = mysql:/etc/postfix/vmail-mailboxes.cf
virtual_alias_maps = mysql:/etc/postfix/vmail-aliases.cf
sender_canonical_maps = hash:/etc/postfix/sender_canonical
"""

STOCK_MASTER_CF = """\
#
# Postfix master process configuration file.
#
# ==========================================================================
# service type  private unpriv  chroot  wakeup  maxproc command + args
#               (yes)   (yes)   (no)    (never) (100)
# ==========================================================================
smtp      inet  n       -       y       -       -       smtpd
#smtp      inet  n       -       y       -       1       postscreen
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
#  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=$mua_client_restrictions
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
pickup    unix  n       -       y       60      1       pickup
cleanup   unix  n       -       y       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       y       1000?   1       tlsmgr
"""


@pytest.fixture
def confdir(tmp_path):
    return tmp_path


def test_seed_003_postconf_n_matches_postfix(confdir):
    (confdir / "main.cf").write_text(CENTOS_MAIN_CF)
    proc = postconf(confdir, "-n")
    assert proc.stdout == CENTOS_EXPECTED
    assert proc.stderr == ""


def test_seed_003_unknown_parameter_is_warned_not_printed(confdir):
    # The seed's typo "virtual_alias_map" (for virtual_alias_maps): Postfix warns and
    # leaves it out of -n.
    (confdir / "main.cf").write_text(CENTOS_MAIN_CF +
                                     "virtual_alias_map = unix:hash:/etc/postfix/virtual\n")
    proc = postconf(confdir, "-n")
    assert proc.stdout == CENTOS_EXPECTED
    assert proc.stderr == (f"postconf: warning: {confdir}/main.cf: unused parameter: "
                           "virtual_alias_map=unix:hash:/etc/postfix/virtual\n")


def test_seed_003_examples_round_trip(confdir):
    (confdir / "main.cf").write_text(SEED_EXAMPLES)
    proc = postconf(confdir, "-n")
    assert proc.stdout == with_config_directory(SEED_EXAMPLES, confdir)
    assert proc.stderr == ""
    proc = postconf(confdir, "-x", "mydestination", "myorigin", "relay_domains")
    assert proc.stdout == (
        "mydestination = centos7lpi.infralinux.com.br, localhost.infralinux.com.br, localhost\n"
        "myorigin = infralinux.com.br\n"
        "relay_domains = centos7lpi.infralinux.com.br, localhost.infralinux.com.br, localhost\n")


def test_seed_004_relay_agent(confdir):
    (confdir / "main.cf").write_text(RELAY_MAIN_CF)
    proc = postconf(confdir, "-n")
    assert proc.stdout == with_config_directory(RELAY_EXPECTED, confdir)
    assert proc.stderr == ""
    assert postconf(confdir, "-h", "smtp_sasl_security_options").stdout == "\n"


def test_defaults(confdir):
    proc = postconf(confdir, "-d", "mail_name", "smtpd_banner", "relay_domains",
                    "message_size_limit", "config_directory", "syslog_name")
    assert proc.stdout == ("mail_name = Correio\n"
                           "smtpd_banner = $myhostname ESMTP $mail_name\n"
                           "relay_domains = ${{$compatibility_level} <level {2} ? "
                           "{$mydestination} : {}}\n"
                           "message_size_limit = 10240000\n"
                           # -d: the compiled-in default, whatever -c says (Postfix)
                           "config_directory = /etc/correio\n"
                           "syslog_name = correio\n")
    every = postconf(confdir, "-d").stdout.splitlines()
    names = [line.split(" =")[0] for line in every]
    assert names == sorted(names)
    assert len(names) > 150


def test_mail_config_environment(confdir):
    (confdir / "main.cf").write_text("relayhost = [gw.example]\n")
    env = dict(os.environ, MAIL_CONFIG=str(confdir))
    proc = subprocess.run([str(POSTCONF), "-h", "relayhost"], env=env, capture_output=True,
                          text=True, timeout=30)
    assert proc.stdout == "[gw.example]\n"
    # And through the multi-call binary.
    proc = subprocess.run([str(BIN), "postconf", "-h", "relayhost"], env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.stdout == "[gw.example]\n"


def test_edit_round_trips_keep_comments(confdir):
    original = "# my notes\n" + RELAY_MAIN_CF
    (confdir / "main.cf").write_text(original)
    postconf(confdir, "-e", "relayhost = [smtp.example.com]:587", "myorigin=$mydomain")
    text = (confdir / "main.cf").read_text()
    assert text == original.replace("relayhost = smtp.google.com:587",
                                    "relayhost = [smtp.example.com]:587") + \
        "myorigin = $mydomain\n"
    postconf(confdir, "-#", "smtp_use_tls")
    assert "#smtp_use_tls = yes\n" in (confdir / "main.cf").read_text()
    postconf(confdir, "-X", "myorigin")
    text = (confdir / "main.cf").read_text()
    assert "myorigin" not in text
    assert text.startswith("# my notes\n# Cliente SMTP\n")
    assert not (confdir / "main.cf.tmp").exists()


def test_edit_replaces_continuation_lines(confdir):
    (confdir / "main.cf").write_text(CENTOS_MAIN_CF)
    postconf(confdir, "debugger_command=gdb")
    text = (confdir / "main.cf").read_text()
    assert "debugger_command = gdb\nsendmail_path" in text
    assert "X11R6" not in text


def test_master_cf(confdir):
    (confdir / "master.cf").write_text(STOCK_MASTER_CF)
    proc = postconf(confdir, "-M")
    assert proc.stdout.splitlines()[:2] == [
        "smtp       inet  n       -       y       -       -       smtpd",
        "submission inet  n       -       y       -       -       smtpd "
        "-o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt "
        "-o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes "
        "-o smtpd_client_restrictions=$mua_client_restrictions "
        "-o smtpd_recipient_restrictions=permit_sasl_authenticated,reject "
        "-o milter_macro_daemon_name=ORIGINATING",
    ]
    assert postconf(confdir, "-M", "tlsmgr/unix").stdout == \
        "tlsmgr     unix  -       -       y       1000?   1       tlsmgr\n"
    proc = postconf(confdir, "-Mf", "submission/inet")
    assert proc.stdout == (
        "submission inet  n       -       y       -       -       smtpd\n"
        "    -o syslog_name=postfix/submission\n"
        "    -o smtpd_tls_security_level=encrypt\n"
        "    -o smtpd_sasl_auth_enable=yes\n"
        "    -o smtpd_tls_auth_only=yes\n"
        "    -o smtpd_client_restrictions=$mua_client_restrictions\n"
        "    -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n"
        "    -o milter_macro_daemon_name=ORIGINATING\n")
    proc = postconf(confdir, "-P", "submission/inet")
    assert proc.stdout == (
        "submission/inet/milter_macro_daemon_name = ORIGINATING\n"
        "submission/inet/smtpd_client_restrictions = $mua_client_restrictions\n"
        "submission/inet/smtpd_recipient_restrictions = permit_sasl_authenticated,reject\n"
        "submission/inet/smtpd_sasl_auth_enable = yes\n"
        "submission/inet/smtpd_tls_auth_only = yes\n"
        "submission/inet/smtpd_tls_security_level = encrypt\n"
        "submission/inet/syslog_name = postfix/submission\n")
    proc = postconf(confdir, "-F", "qmgr/unix")
    assert proc.stdout == ("qmgr/unix/service = qmgr\n"
                           "qmgr/unix/type = unix\n"
                           "qmgr/unix/private = n\n"
                           "qmgr/unix/unprivileged = -\n"
                           "qmgr/unix/chroot = n\n"
                           "qmgr/unix/wakeup = 300\n"
                           "qmgr/unix/process_limit = 1\n"
                           "qmgr/unix/command = qmgr\n")


def test_user_parameter_referenced_from_master_cf_is_not_unused(confdir):
    (confdir / "master.cf").write_text(STOCK_MASTER_CF)
    (confdir / "main.cf").write_text("mua_client_restrictions = permit_sasl_authenticated, reject\n")
    proc = postconf(confdir, "-n")
    assert proc.stdout == with_config_directory(
        "mua_client_restrictions = permit_sasl_authenticated, reject\n", confdir)
    assert proc.stderr == ""


def test_errors_name_file_and_line(confdir):
    (confdir / "main.cf").write_text("# ok\nmyhostname = a.example\nfoo\n")
    proc = postconf(confdir, "-n", check=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (f"postconf: fatal: {confdir}/main.cf:3: missing '=' after "
                           "parameter name: \"foo\"\n")
    (confdir / "main.cf").write_text("  indented = 1\n")
    proc = postconf(confdir, "-n", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"postconf: fatal: {confdir}/main.cf:1: continuation line")
    (confdir / "main.cf").write_text("a = $b\nb = ${a}\n")
    proc = postconf(confdir, "-x", "a", check=False)
    assert proc.returncode == 1
    assert proc.stderr == (f"postconf: fatal: {confdir}/main.cf:1: parameter a: recursion: "
                           "a -> b -> a\n")
    (confdir / "master.cf").write_text(STOCK_MASTER_CF + "bad  tcp  n - n - - smtpd\n")
    proc = postconf(confdir, "-M", check=False)
    assert proc.returncode == 1
    assert proc.stderr == (f"postconf: fatal: {confdir}/master.cf:23: invalid type field "
                           "\"tcp\" (expected inet, unix, unix-dgram, fifo or pass)\n")


def test_unknown_parameter_warning(confdir):
    proc = postconf(confdir, "no_such_thing", "mail_name")
    assert proc.stdout == "mail_name = Correio\n"
    assert proc.stderr == "postconf: warning: no_such_thing: unknown parameter\n"


def test_configuration_reference_is_up_to_date(confdir):
    generated = subprocess.run([str(BIN), "postconf", "--reference-markdown"],
                               capture_output=True, text=True, timeout=30, check=True).stdout
    committed = (SOURCE / "docs" / "configuration.md").read_text()
    assert committed == generated, \
        "docs/configuration.md is stale: run docs/generate-configuration.sh BUILD_DIR"
