"""postconf against Debian's real /usr/sbin/postconf (Postfix 3.7) on the same directory.

Both programs run on copies of one configuration directory; where Correio follows
Postfix the outputs, exit statuses and edited files must agree. Known, documented
differences (docs/admin-guide.md "postconf") are listed and excluded by name.
"""
import os
import pathlib
import shutil
import subprocess

import pytest

BIN = pathlib.Path(os.environ.get("CORREIO_BIN", "build/bin/correio")).resolve()
POSTCONF = BIN.parent / "postconf"
POSTFIX_POSTCONF = pathlib.Path("/usr/sbin/postconf")

pytestmark = pytest.mark.skipif(not POSTFIX_POSTCONF.exists(),
                                reason="the postfix package (make test installs it)")

MAIN_CF = """\
compatibility_level = 3.6
myhostname = mail.example.test
mydestination = $myhostname, localhost
virtual_alias_map = hash:/etc/postfix/virtual
my_list = a.example b.example
relay_domains = $my_list
"""

MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command + args
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
#  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       y       60      1       pickup
qmgr      unix  n       -       n       300     1       qmgr
"""

# Defaults that differ on purpose: Correio's own names and paths, its compatibility
# level (3.6 where Postfix's built-in is 0, hence mynetworks from "host"), the safer 3.9
# defaults, the SASL type, the version, and values of this process or machine.
DEFAULT_DIFFERENCES = {
    "alias_maps", "compatibility_level", "config_directory", "daemon_directory",
    "data_directory", "html_directory", "mail_name", "mail_owner", "mail_version",
    "mynetworks", "process_id", "queue_directory", "readme_directory",
    "sample_directory", "smtpd_forbid_bare_newline", "smtpd_forbid_unauth_pipelining",
    "smtpd_sasl_type", "syslog_name",
    # smtpd asks the auth service at private/auth, the path Postfix's admins write for
    # Dovecot's (Postfix's built-in default "smtpd" names a Cyrus configuration).
    "smtpd_sasl_path",
    # TLS 1.2 and forward-secret AEAD ciphers by default (docs/admin-guide.md, TLS policy);
    # Postfix's values, set in main.cf, are honoured.
    "smtpd_tls_protocols", "smtpd_tls_mandatory_protocols", "tls_high_cipherlist",
    "tls_medium_cipherlist", "smtp_tls_protocols", "smtp_tls_mandatory_protocols",
    "lmtp_tls_protocols", "lmtp_tls_mandatory_protocols",
    # Always on in Correio (Postfix: only under stress), so that clients trickling one
    # byte at a time cannot hold sessions (docs/admin-guide.md, slow clients).
    "smtpd_per_request_deadline",
}


def run(program, confdir, *args):
    env = {k: v for k, v in os.environ.items() if k != "MAIL_CONFIG"}
    proc = subprocess.run([str(program), "-c", str(confdir), *args], env=env,
                          capture_output=True, text=True, timeout=30)
    return proc


def pair(tmp_path):
    dirs = []
    for name in ("postfix", "correio"):
        d = tmp_path / name
        d.mkdir()
        (d / "main.cf").write_text(MAIN_CF)
        (d / "master.cf").write_text(MASTER_CF)
        dirs.append(d)
    return dirs


def parse(text):
    out = {}
    for line in text.splitlines():
        name, sep, value = line.partition(" =")
        assert sep, line
        out[name] = value.strip()
    return out


def test_defaults_agree_including_compatibility_level_expressions(tmp_path):
    pf, co = pair(tmp_path)
    a, b = run(POSTFIX_POSTCONF, pf, "-d"), run(POSTCONF, co, "-d")
    assert a.returncode == b.returncode == 0, b.stderr
    pfd, cod = parse(a.stdout), parse(b.stdout)
    common = set(pfd) & set(cod)
    assert len(common) > 150
    differing = {n for n in common if pfd[n] != cod[n]}
    assert differing == DEFAULT_DIFFERENCES & common
    # Postfix's own expressions, printed as Postfix prints them.
    assert cod["smtpd_relay_restrictions"] == (
        "${{$compatibility_level} <level {1} ? {} : {permit_mynetworks, "
        "permit_sasl_authenticated, defer_unauth_destination}}")
    assert cod["relay_domains"] == pfd["relay_domains"]


def test_expressions_evaluate_like_postfix_at_each_level(tmp_path):
    pf, co = pair(tmp_path)
    names = ["relay_domains", "smtputf8_enable", "append_dot_mydomain",
             "smtpd_relay_restrictions", "mynetworks_style"]
    for level in ("0", "1", "2", "3.6"):
        for d in (pf, co):
            text = MAIN_CF.replace("compatibility_level = 3.6", f"compatibility_level = {level}")
            (d / "main.cf").write_text(text)
        a, b = run(POSTFIX_POSTCONF, pf, "-x", *names), run(POSTCONF, co, "-x", *names)
        assert b.returncode == 0, b.stderr
        assert b.stdout == a.stdout, level


def test_nondefault_shows_config_directory_and_hides_unknown_names(tmp_path):
    pf, co = pair(tmp_path)
    a, b = run(POSTFIX_POSTCONF, pf, "-n"), run(POSTCONF, co, "-n")
    assert a.returncode == b.returncode == 0
    assert b.stdout == a.stdout.replace(str(pf), str(co))
    assert f"config_directory = {co}\n" in b.stdout
    assert "virtual_alias_map" not in b.stdout
    assert "unused parameter: virtual_alias_map=hash:/etc/postfix/virtual" in b.stderr
    # Named, the unknown parameter is warned about and not printed, exit 0 as Postfix.
    a, b = run(POSTFIX_POSTCONF, pf, "virtual_alias_map"), run(POSTCONF, co, "virtual_alias_map")
    assert (a.returncode, a.stdout) == (b.returncode, b.stdout) == (0, "")
    assert "virtual_alias_map: unknown parameter" in b.stderr


@pytest.mark.parametrize("args", [["-T", "run-version"], ["-T", "public-key-algorithms"],
                                  ["-T", "no-such-mode"]])
def test_build_information_agrees(tmp_path, args):
    pf, co = pair(tmp_path)
    a, b = run(POSTFIX_POSTCONF, pf, *args), run(POSTCONF, co, *args)
    assert (b.returncode, b.stdout) == (a.returncode, a.stdout)


def test_build_information_names_what_correio_has(tmp_path):
    _, co = pair(tmp_path)
    tables = run(POSTCONF, co, "-m").stdout.split()
    assert {"hash", "lmdb", "texthash", "inline", "static"} <= set(tables)
    assert tables == sorted(tables)
    assert run(POSTCONF, co, "-a").stdout == "correio\n"
    assert run(POSTCONF, co, "-A").stdout == ""  # no SMTP client SASL (Postfix: cyrus)
    assert run(POSTCONF, co, "-l").stdout == "fcntl\ndotlock\n"
    version = run(POSTCONF, co, "-T", "mail-version")
    assert version.returncode == 0 and version.stdout.strip() == run(
        POSTCONF, co, "-h", "mail_version").stdout.strip()


MASTER_EDITS = [
    ["-Pe", "submission/inet/smtpd_tls_security_level=may",
     "submission/inet/milter_macro_daemon_name=ORIGINATING"],
    ["-PX", "submission/inet/syslog_name"],
    ["-Me", "smtps/inet=smtps inet n - y - - smtpd -o smtpd_tls_wrappermode=yes"],
    ["-Me", "pickup/unix=pickup unix n - n 30 1 pickup"],
    ["-M#", "pickup/unix"],
    ["-MX", "qmgr/unix"],
    ["-P", "smtp/inet/smtpd_banner=hello"],
    ["-Pe", "nosuch/inet/a=b"],
    ["-MX", "nosuch/inet"],
    ["-Pe", "smtp/inet/a"],
    ["-MX", "smtp/inet/x"],
    ["-Pe", "smtp/inet/a=b c"],
    ["-Fe", "pickup/unix/process_limit=2"],
    ["-Fe", "smtp/inet/chroot=n", "submission/inet/private=y"],
    ["-Fe", "submission/inet/command=smtpd -o syslog_name=postfix/sub"],
    ["-Fe", "nosuch/inet/chroot=n"],
    ["-Fe", "smtp/inet/colour=n"],
    ["-Fe", "smtp/inet/chroot"],
]


@pytest.mark.parametrize("args", MASTER_EDITS, ids=lambda a: " ".join(a))
def test_master_cf_edits_agree(tmp_path, args):
    pf, co = pair(tmp_path)
    a, b = run(POSTFIX_POSTCONF, pf, *args), run(POSTCONF, co, *args)
    assert b.returncode == a.returncode, (a.stderr, b.stderr)
    assert (co / "master.cf").read_text() == (pf / "master.cf").read_text()
    if "unmatched" in a.stderr:
        assert "unmatched service_name/type" in b.stderr
    if a.returncode == 0:
        # What Postfix prints of the edited file, Correio prints too.
        m1, m2 = run(POSTFIX_POSTCONF, pf, "-Mf"), run(POSTCONF, co, "-Mf")
        assert m2.stdout == m1.stdout


def test_main_cf_comment_out_and_remove_agree(tmp_path):
    pf, co = pair(tmp_path)
    for args in (["-#", "relay_domains"], ["-X", "my_list"], ["-e", "myorigin=$mydomain"]):
        a, b = run(POSTFIX_POSTCONF, pf, *args), run(POSTCONF, co, *args)
        assert b.returncode == a.returncode == 0, b.stderr
        assert (co / "main.cf").read_text() == (pf / "main.cf").read_text()


def test_version_and_help_exit_zero():
    for flag in ("--version", "--help"):
        proc = subprocess.run([str(BIN), flag], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout
    version = subprocess.run([str(BIN), "--version"], capture_output=True, text=True).stdout
    env = {k: v for k, v in os.environ.items() if k != "MAIL_CONFIG"}
    shown = subprocess.run([str(POSTCONF), "-d", "-h", "mail_version"], capture_output=True,
                           text=True, env=env).stdout.strip()
    assert version.strip() == f"correio {shown}"
    bad = subprocess.run([str(BIN), "--no-such-flag"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr
