"""Debian's fail2ban, with its stock filters, sees every failed login in Correio's log:
filter.d/dovecot.conf for imapd and pop3d (tagged `dovecot` by imapd_syslog_name /
pop3d_syslog_name), filter.d/postfix.conf in mode aggressive for smtpd's SASL failures
(syslog_name = postfix). The filters are the reference for the log lines; the logins are
made with Python's imaplib, poplib and smtplib. Successful logins must not match."""

from __future__ import annotations

import base64
import imaplib
import poplib
import re
import subprocess
from pathlib import Path

from imap_setup import ImapInstance
from test_pop3d import Pop3Setup
from test_submission import Instance as SubmissionInstance, starttls


def fail2ban_matches(log: Path, filter_spec: str) -> int:
    """fail2ban-regex's count of matched lines ("Lines: N lines, I ignored, M matched")."""
    result = subprocess.run(["fail2ban-regex", str(log), filter_spec], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"^Lines: (\d+) lines, (\d+) ignored, (\d+) matched", result.stdout, re.M)
    assert found, result.stdout
    return int(found.group(3))


def test_dovecot_filter_counts_failed_imap_logins():
    server = ImapInstance({"imapd_syslog_name": "dovecot"})
    failures = 0
    with server:
        for user, password in (("demo@example.test", "wrong"), ("nobody@example.test", "x"),
                               ("demo@example.test", "also wrong")):
            client = server.imap(login=False)
            try:
                client.login(user, password)
                raise AssertionError("login accepted")
            except imaplib.IMAP4.error:
                failures += 1
            client.logout()
        with server.imap() as good:          # a successful login is no failure
            good.select("INBOX")
        server.inst.wait_for_log(r"dovecot\[\d+\]: imap-login: Disconnected \(auth failed",
                                 count=failures)
        log = server.inst.log_path
        assert fail2ban_matches(log, "/etc/fail2ban/filter.d/dovecot.conf") == failures, \
            server.inst.log_text()
        assert re.search(r"dovecot\[\d+\]: imap-login: Disconnected \(auth failed, 1 attempts "
                         r"in \d+ secs\): user=<nobody@example\.test>, method=PLAIN, "
                         r"rip=127\.0\.0\.1, lip=127\.0\.0\.1", server.inst.log_text()), \
            server.inst.log_text()


def test_dovecot_filter_counts_failed_pop3_logins():
    setup = Pop3Setup({"pop3d_syslog_name": "dovecot", "auth_failure_delay": "0s"})
    setup.inst.write_master_cf(
        (setup.inst.config_dir / "master.cf").read_text().replace(
            "pop3d\n", "pop3d\n  -o auth_allow_cleartext=yes\n", 1))
    failures = 0
    setup.start()
    try:
        for user in ("demo@example.test", "ghost@example.test"):
            client = poplib.POP3("127.0.0.1", setup.pop3_port, timeout=20)
            client.user(user)
            try:
                client.pass_("wrong")
                raise AssertionError("login accepted")
            except poplib.error_proto:
                failures += 1
            client.quit()
        good = poplib.POP3("127.0.0.1", setup.pop3_port, timeout=20)
        good.user("demo@example.test")
        good.pass_("secret")
        good.quit()
        setup.inst.wait_for_log(r"dovecot\[\d+\]: pop3-login: Disconnected \(auth failed",
                                count=failures)
        assert fail2ban_matches(setup.inst.log_path,
                                "/etc/fail2ban/filter.d/dovecot.conf") == failures, \
            setup.inst.log_text()
        setup.inst.stop()
    finally:
        setup.inst.cleanup()


def test_postfix_filter_counts_failed_smtp_auth():
    server = SubmissionInstance({"auth_failure_delay": "0s",
                                 "auth_failure_limit": "100"})
    # The submission service logs as Postfix's does (the master itself stays "correio").
    master_cf = server.inst.config_dir / "master.cf"
    master_cf.write_text(master_cf.read_text().replace("correio/submission",
                                                       "postfix/submission"))
    failures = 0
    with server:
        for user in ("demo@example.test", "nobody@example.test", "other@example.test"):
            with starttls(server.submission) as s:
                code, _ = s.docmd("AUTH", "PLAIN " + base64.b64encode(
                    f"\0{user}\0wrong".encode()).decode())
                assert code == 535
                failures += 1
        with starttls(server.submission) as s:
            code, _ = s.auth("PLAIN", lambda challenge=None: "\0demo@example.test\0secret")
            assert code == 235
        server.inst.wait_for_log(r"postfix/submission/smtpd\[\d+\]: warning: unknown\[127\.0\.0\.1\]: "
                                 r"SASL PLAIN authentication failed: authentication failure",
                                 count=failures)
        log = server.inst.log_path
        assert fail2ban_matches(log, "postfix[mode=auth]") == failures, server.inst.log_text()
        # Mode aggressive also counts the fixture's port probes ("lost connection after
        # CONNECT", mode ddos), as it would for Postfix.
        probes = len(server.inst.log_lines(r"postfix/\S+\[\d+\]: lost connection after "
                                           r"CONNECT from"))
        assert fail2ban_matches(log, "postfix[mode=aggressive]") == failures + probes, \
            server.inst.log_text()
