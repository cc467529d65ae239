"""No setting is silently ignored. Every parameter of the defaults table (`postconf -d`)
is either read by the code that honours it, or marked in the table as informational or
not yet supported, and then setting it draws a warning or a fatal error naming the file
and line from `postfix check`, `start` and `reload`.

The "read by code" half is proved by running a whole mail system with
$CORREIO_PARAMETER_TRACE set (every process appends the parameters it reads) through
what users do — SMTP, submission with AUTH, SMTPS, sendmail/pickup, local and virtual
delivery, LMTP, IMAP, IMAPS, POP3, POP3S and the administrator's commands — and then
checking that each parameter marked honoured was read by some process.
"""

from __future__ import annotations

import imaplib
import os
import poplib
import re
import smtplib
import ssl
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from correio_fixture import CORREIO_BIN, Correio, free_port, wait_limit
from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages
from test_smtpd_tls import make_certificate


def support_table() -> dict[str, str]:
    """Parameter name -> "honoured", "informational", "not yet (warning)" or
    "not yet (fatal)", from the generated reference (the same table postconf -d uses)."""
    out = subprocess.run([CORREIO_BIN, "postconf", "--reference-markdown"], capture_output=True,
                         text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        m = re.match(r"\| `([A-Za-z0-9_]+)` \| [^|]*(?:\\\|[^|]*)* \| ([a-z ()]+) \|", line)
        if m:
            table[m.group(1)] = m.group(2)
    return table


def test_every_default_parameter_has_a_support_mark():
    defaults = subprocess.run([CORREIO_BIN, "postconf", "-d"], capture_output=True, text=True,
                              check=True).stdout
    names = {line.split(" =")[0] for line in defaults.splitlines() if " =" in line}
    table = support_table()
    assert names, defaults
    assert names == set(table), sorted(names ^ set(table))
    assert set(table.values()) <= {"honoured", "informational", "not yet (warning)",
                                   "not yet (fatal)"}


@contextmanager
def not_started(inst: Correio):
    """The instance's directory, removed afterwards; the test starts it if it wants to."""
    try:
        yield inst
    finally:
        inst.stop()
        inst.cleanup()


# --- the proof that honoured parameters are read --------------------------------------

SSL_CLIENT = ssl.create_default_context()
SSL_CLIENT.check_hostname = False
SSL_CLIENT.verify_mode = ssl.CERT_NONE

# Read only on paths a test cannot reach on one loopback host, each with the reason; the
# list is checked too, so an entry that becomes read must be removed.
NOT_EXERCISED = {
    "maillog_file_compressor": "read by postfix logrotate only (test_log_rotation.py)",
    "maillog_file_rotate_suffix": "read by postfix logrotate only (test_log_rotation.py)",
    "metrics_directory": "read only with metrics_enable = yes (test_metrics.py)",
    "milter_header_checks": "read only when smtpd_milters or non_smtpd_milters are set "
                            "(test_milter.py, test_non_smtpd_milters.py)",
}
# Used by other parameters' values ($mydomain in mydestination's default), never asked for
# by name.
EXPANSION_ONLY = {"mydomain", "compatibility_level", "smtpd_per_record_deadline"}


def run_traced(inst: Correio, trace: Path, *args: str, input: str | None = None):
    env = dict(os.environ, CORREIO_PARAMETER_TRACE=str(trace))
    return subprocess.run([inst.binary, "-c", str(inst.config_dir), *args], input=input,
                          capture_output=True, text=True, env=env, timeout=wait_limit(60))


def test_every_honoured_parameter_is_read_by_some_process(monkeypatch):
    cert, key = make_certificate()
    ports = {name: free_port() for name in
             ("submission", "smtps", "imap", "imaps", "pop3", "pop3s", "lmtp", "autoconfig")}
    inst = pipeline({"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                     "smtpd_use_tls": "yes", "auth_failure_delay": "0s"})
    trace = inst.base / "trace"  # in a directory the daemons (as mail_owner) can reach
    trace.touch()
    trace.chmod(0o666)
    monkeypatch.setenv("CORREIO_PARAMETER_TRACE", str(trace))
    inst.write_master_cf(
        PIPELINE_MASTER_CF.replace("{listen}", inst.listen)
        + "pickup unix n - n 60 1 pickup\n"
        + "smtp unix - - n - - smtp\nlmtp unix - - n - - lmtp\nrelay unix - - n - - smtp\n"
        + "  -o smtp_sasl_auth_enable=yes\n  -o smtp_sasl_security_options=noanonymous\n"
        + "  -o smtp_sasl_password_maps=inline:{relay.example=user:secret}\n"
        + f"127.0.0.1:{ports['submission']} inet n - n - - smtpd\n"
        + "  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n"
        + "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n"
        + f"127.0.0.1:{ports['smtps']} inet n - n - - smtpd\n"
        + "  -o smtpd_tls_wrappermode=yes\n  -o smtpd_sasl_auth_enable=yes\n"
        + f"127.0.0.1:{ports['imap']} inet n - n - - imapd\n  -o auth_allow_cleartext=yes\n"
        + f"127.0.0.1:{ports['imaps']} inet n - n - - imapd\n  -o imapd_tls_wrappermode=yes\n"
        + f"127.0.0.1:{ports['pop3']} inet n - n - - pop3d\n  -o auth_allow_cleartext=yes\n"
        + f"127.0.0.1:{ports['pop3s']} inet n - n - - pop3d\n  -o pop3d_tls_wrappermode=yes\n"
        + f"127.0.0.1:{ports['lmtp']} inet n - n - - lmtpd\n"
        + f"127.0.0.1:{ports['autoconfig']} inet n - n - - autoconfig\n")
    with not_started(inst):
        inst.start(wait_ports=[inst.smtp_port, *ports.values()])
        message = "From: sender@example.test\r\nSubject: t\r\n\r\nbody\r\n"
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.starttls(context=SSL_CLIENT)
            s.sendmail("sender@example.test", ["demo@example.test"], message)
            s.sendmail("sender@example.test", ["postmaster@localhost"], message)
        with smtplib.SMTP("127.0.0.1", ports["submission"], timeout=20) as s:
            s.starttls(context=SSL_CLIENT)
            s.login("sender@example.test", "secret")
            s.sendmail("sender@example.test", ["demo@example.test"], message)
        with smtplib.SMTP_SSL("127.0.0.1", ports["smtps"], context=SSL_CLIENT, timeout=20) as s:
            s.login("sender@example.test", "secret")
            s.sendmail("sender@example.test", ["demo@example.test"], message)
        with smtplib.LMTP("127.0.0.1", ports["lmtp"], timeout=20) as s:
            s.sendmail("sender@example.test", ["demo@example.test"], message)
        sent = run_traced(inst, trace, "sendmail", "-f", "root@example.test", "demo@example.test",
                          input="Subject: from sendmail\n\nhi\n")
        assert sent.returncode == 0, sent.stderr
        wait_for_messages(inst, "demo", 5)
        imap = imaplib.IMAP4("127.0.0.1", ports["imap"], timeout=20)
        imap.login("demo@example.test", "secret")
        imap.select("INBOX")
        imap.fetch("1:*", "(FLAGS BODY.PEEK[])")
        imap.logout()
        imaps = imaplib.IMAP4_SSL("127.0.0.1", ports["imaps"], ssl_context=SSL_CLIENT, timeout=20)
        imaps.login("demo@example.test", "secret")
        imaps.logout()
        pop = poplib.POP3("127.0.0.1", ports["pop3"], timeout=20)
        pop.user("demo@example.test")
        pop.pass_("secret")
        pop.stat()
        pop.quit()
        pops = poplib.POP3_SSL("127.0.0.1", ports["pop3s"], context=SSL_CLIENT, timeout=20)
        pops.user("demo@example.test")
        pops.pass_("secret")
        pops.quit()
        for command in (["postqueue", "-p"], ["postqueue", "-j"], ["mailq"], ["qshape"],
                        ["postsuper", "-r", "ALL"], ["newaliases"], ["check"],
                        ["postalias", "-q", "postmaster", f"texthash:{inst.config_dir}/aliases"]):
            done = run_traced(inst, trace, *command)
            assert done.returncode == 0, (command, done.stderr)
        (inst.config_dir / "extra").write_text("key value\n")
        done = run_traced(inst, trace, "postmap", str(inst.config_dir / "extra"))
        assert done.returncode == 0, done.stderr
        inst.stop()
        # A log file of its own, instead of standard output, is created by check.
        inst.write_main_cf({"maillog_file": str(inst.base / "maillog.file")})
        done = run_traced(inst, trace, "check")
        assert done.returncode == 0, done.stderr
        read = set(trace.read_text().split())

    table = support_table()
    honoured = {name for name, mark in table.items() if mark == "honoured"}
    never_read = sorted(honoured - read - set(NOT_EXERCISED) - EXPANSION_ONLY)
    assert never_read == [], f"honoured but read by no process: {never_read}"
    stale = sorted(set(NOT_EXERCISED) & read)
    assert stale == [], f"read after all, remove from NOT_EXERCISED: {stale}"
    # A parameter marked not yet supported that some process reads is probably honoured
    # now: the mark must be updated with the code.
    unsupported_read = sorted(name for name in read
                              if table.get(name, "").startswith("not yet"))
    assert unsupported_read == [], unsupported_read


# --- the other half: unsupported settings are reported -----------------------------------

def value_that_differs(name: str, default: str) -> str:
    if "{no}}" in default or "{yes}}" in default:  # a boolean chosen by compatibility_level
        return "yes" if "{no}}" in default else "no"
    if default.startswith("$"):
        return "9" if name.endswith("_limit") else "inline:{ a=b }"
    if default in ("yes", "no"):
        return "no" if default == "yes" else "yes"
    if re.fullmatch(r"\d+", default) or name.endswith("_limit"):
        return str(int(default) + 7) if default.isdigit() else "9"
    if re.fullmatch(r"\d+[smhdw]", default):
        return "7" + default[-1]
    return {"relayhost": "[relay.example]:587",
            "content_filter": "smtp-amavis:[127.0.0.1]:10024"}.get(name, "inline:{ x=y }")


def defaults() -> dict[str, str]:
    out = subprocess.run([CORREIO_BIN, "postconf", "-d"], capture_output=True, text=True,
                         check=True).stdout
    pairs = (line.split(" =", 1) for line in out.splitlines() if " =" in line)
    return {name: value.strip() for name, value in pairs}


# Unsupported parameters where every value describes what Correio does anyway.
ALWAYS_ACCEPTED = {"biff"}


@pytest.mark.parametrize("mark,fatal", [("not yet (warning)", False), ("not yet (fatal)", True)])
def test_check_reports_each_unsupported_setting_with_file_and_line(mark, fatal):
    table = support_table()
    values = defaults()
    names = sorted(n for n, m in table.items() if m == mark and n not in ALWAYS_ACCEPTED)
    assert names
    inst = Correio()
    with not_started(inst):
        first_line = len(inst.main_cf) + 1
        inst.write_main_cf({n: value_that_differs(n, values.get(n, "")) for n in names})
        done = inst.command("check")
        main_cf = str(inst.config_dir / "main.cf")
        for i, name in enumerate(names):
            level = "error" if fatal else "warning"
            pattern = rf"{re.escape(main_cf)}:{first_line + i}: {level}: {name} = .*not supported"
            assert re.search(pattern, done.stderr), (name, done.stderr)
        assert done.returncode == (1 if fatal else 0), done.stderr


def test_values_that_describe_what_correio_does_are_not_reported():
    inst = Correio({"biff": "no", "append_dot_mydomain": "no", "syslog_facility": "mail",
                    "smtpd_sasl_type": "dovecot", "compatibility_level": "3.6",
                    "readme_directory": "/usr/share/doc/postfix",
                    })
    with not_started(inst):
        done = inst.command("check")
        assert done.returncode == 0, done.stderr
        assert "not supported" not in done.stderr, done.stderr


def test_start_refuses_a_fatal_setting_and_warns_about_the_rest():
    inst = Correio({"smtpd_proxy_filter": "127.0.0.1:10025",
                    "debug_peer_list": "127.0.0.1"})
    with not_started(inst):
        done = inst.command("start")
        assert done.returncode == 1
        assert re.search(r"main\.cf:\d+: error: smtpd_proxy_filter = 127\.0\.0\.1:10025"
                         r": not supported", done.stderr), done.stderr
        assert inst.command("status").returncode == 1  # nothing is running
        del inst.main_cf["smtpd_proxy_filter"]
        inst.write_main_cf()
        inst.start()
        assert re.search(r"warning: \S*main\.cf:\d+: debug_peer_list = 127\.0\.0\.1: not supported",
                         inst.log_text()), inst.log_text()[-3000:]


def test_reload_keeps_the_running_configuration_and_fails_visibly():
    inst = Correio({"smtpd_banner": "$myhostname ESMTP first"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            assert s.noop()[0] == 250  # the smtpd process is running with the first file
        inst.write_main_cf({"smtpd_banner": "$myhostname ESMTP second",
                            "smtpd_proxy_filter": "127.0.0.1:10025"})
        done = inst.command("reload")
        assert done.returncode == 1
        assert "smtpd_proxy_filter = 127.0.0.1:10025: not supported" in done.stderr, done.stderr
        assert "reload refused: the running configuration is kept" in done.stderr, done.stderr
        # Still serving, and with the old banner: nothing of the refused file was applied.
        with smtplib.SMTP(timeout=20) as s:
            code, banner = s.connect("127.0.0.1", inst.smtp_port)
            assert code == 220 and b"ESMTP first" in banner, banner
            assert s.noop()[0] == 250


def test_master_cf_override_is_checked_with_its_line():
    inst = Correio()
    inst.write_master_cf(f"{inst.listen} inet n - n - - smtpd\n"
                         "  -o smtpd_proxy_filter=127.0.0.1:10025\n"
                         "  -o content_filter=\n")
    with not_started(inst):
        done = inst.command("check")
        assert done.returncode == 1
        master_cf = re.escape(str(inst.config_dir / "master.cf"))
        assert re.search(rf"{master_cf}:1: service {re.escape(inst.listen)}/inet: error: "
                         r"-o smtpd_proxy_filter=127\.0\.0\.1:10025: not supported", done.stderr), \
            done.stderr
        assert "content_filter" not in done.stderr  # empty is the default: nothing ignored


@pytest.mark.parametrize("setting,expected", [
    ({"smtpd_recipient_restrictions": "check_fancy_access hash:/x, reject_unauth_destination"},
     r"main\.cf:\d+: error: smtpd_recipient_restrictions: unknown smtpd restriction"),
    ({"smtpd_recipient_restrictions": "check_client_access hash:/x, reject_unauth_destination"},
     r"main\.cf:\d+: error: smtpd_recipient_restrictions: check_client_access hash:/x: "
     r"open database /x\.lmdb: No such file"),
    ({"smtpd_relay_restrictions": "permit_mynetworks",
      "smtpd_recipient_restrictions": "permit_mynetworks"},
     r"main\.cf:\d+: error: in parameter smtpd_relay_restrictions or "
     r"smtpd_recipient_restrictions, specify at least one working instance"),
    ({"alias_maps": "ldap:/etc/correio/aliases.cf"},
     r"main\.cf:\d+: error: alias_maps: ldap:/etc/correio/aliases\.cf: .*ldap"),
    ({"alias_maps": "hash:/nonexistent/aliases"},
     r"main\.cf:\d+: error: alias_maps: hash:/nonexistent/aliases: .*No such file"),
])
def test_check_refuses_what_cannot_be_evaluated(setting, expected):
    inst = Correio(setting)
    with not_started(inst):
        done = inst.command("check")
        assert done.returncode == 1, done.stderr
        assert re.search(expected, done.stderr), done.stderr
