"""The login side that smtpd (AUTH), imapd and pop3d build one way (service/login_services):
every one honours auth_failure_* (shown here for pop3d with poplib; smtpd's in
test_submission.py), and a daemon that offers logins without a user directory is a
configuration error at check and start, never a silently missing AUTH or a failing login."""

import poplib
import re
import smtplib
import socket
import time

import pytest

from correio_fixture import Correio, free_port
from test_pop3d import Pop3Setup
from test_smtpd_tls import client_context


def test_pop3d_honours_auth_failure_parameters():
    setup = Pop3Setup({"auth_failure_delay": "1s", "auth_failure_max_delay": "1s",
                       "auth_failure_limit": "2"})
    try:
        setup.start()
        p = poplib.POP3_SSL("127.0.0.1", setup.pop3s_port, context=client_context(), timeout=20)
        timings = []
        for _ in range(2):
            p.user("demo@example.test")
            started = time.monotonic()
            with pytest.raises(poplib.error_proto) as failed:
                p.pass_("wrong")
            timings.append(time.monotonic() - started)
            assert failed.value.args[0] == b"-ERR [AUTH] Authentication failed."
        # auth_failure_delay = 1s, and auth_failure_max_delay = 1s caps the growing delay
        # (the defaults would wait 2s, then 4s).
        assert all(0.9 <= t < 1.9 for t in timings), timings
        # auth_failure_limit = 2: the third attempt is refused, the right password too.
        p.user("demo@example.test")
        with pytest.raises(poplib.error_proto) as refused:
            p.pass_("secret")
        assert refused.value.args[0].startswith(b"-ERR [SYS/TEMP] "), refused.value.args
        p.quit()
        setup.inst.stop()
    finally:
        setup.inst.cleanup()


@pytest.mark.parametrize("daemon,options,why", [
    ("imapd", "", "imapd serves logins"),
    ("pop3d", "", "pop3d serves logins"),
    ("smtpd", "  -o smtpd_sasl_auth_enable=yes\n", "smtpd_sasl_auth_enable = yes"),
])
def test_check_refuses_logins_without_user_directory(daemon, options, why):
    inst = Correio(master_cf="{listen} inet n - n - - smtpd\n"
                             f"127.0.0.1:{free_port()} inet n - n - - {daemon}\n" + options)
    try:
        result = inst.command("check")
        assert result.returncode == 1, result.stderr
        assert re.search(re.escape(why) + r", but user_directory is empty", result.stderr), \
            result.stderr
        # start refuses too, before any daemon runs.
        started = inst.command("start")
        assert started.returncode != 0
        assert "user_directory is empty" in started.stderr, started.stderr
    finally:
        inst.cleanup()


def test_smtpd_without_auth_needs_no_user_directory():
    inst = Correio(master_cf="{listen} inet n - n - - smtpd\n")
    try:
        result = inst.command("check")
        assert result.returncode == 0, result.stderr
        assert "user_directory" not in result.stderr
    finally:
        inst.cleanup()


def test_smtpd_auth_with_an_unreadable_user_directory_does_not_start():
    # Before: smtpd started and silently left AUTH out of EHLO. The directory is the auth
    # service's (it alone reads the hashes): it does not start, naming the directory, as
    # Dovecot's auth dies on a passdb it cannot open; smtpd's AUTH then fails temporarily
    # (454), never a silent success or a missing AUTH.
    missing = "/nonexistent/correio-users"
    inst = Correio(main_cf={"user_directory": f"passwd-file:{missing}",
                            "smtpd_sasl_auth_enable": "yes"})
    try:
        inst.start()
        inst.wait_for_log(r"correio/auth\[\d+\]: fatal: user_directory passwd-file:"
                          + re.escape(missing) + ": ")
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            s.ehlo("client.example")
            assert s.docmd("AUTH", "PLAIN AGRlbW8Ac2VjcmV0")[0] == 454
        inst.stop()
    finally:
        inst.cleanup()


def test_auth_mechanisms_is_honoured_by_imapd_and_pop3d():
    """auth_mechanisms (Dovecot's setting) limits what imapd and pop3d offer and accept,
    as it already did for smtpd: with "scram-sha-256" alone no AUTH=PLAIN is advertised,
    AUTHENTICATE PLAIN is refused, and LOGIN / USER+PASS (PLAIN logins to Dovecot's auth)
    are disabled; SCRAM-SHA-256 still works."""
    from imap_setup import ImapInstance
    import imaplib
    with ImapInstance({"auth_mechanisms": "scram-sha-256"}) as s:
        c = s.imap(login=False)
        caps = c.capabilities
        assert "AUTH=SCRAM-SHA-256" in caps and "AUTH=PLAIN" not in caps, caps
        assert "LOGINDISABLED" in caps, caps
        with pytest.raises(imaplib.IMAP4.error):
            c.login("demo@example.test", "secret")
        typ, data = c._simple_command("AUTHENTICATE", "PLAIN", "AGRlbW9AZXhhbXBsZS50ZXN0AHNlY3JldA==")
        assert typ == "NO", (typ, data)
        c.logout()
    setup = Pop3Setup({"auth_mechanisms": "scram-sha-256"})
    try:
        setup.start()
        p = poplib.POP3_SSL("127.0.0.1", setup.pop3s_port, context=client_context(), timeout=20)
        capa = p.capa()
        assert capa.get("SASL") == ["SCRAM-SHA-256"], capa
        assert "USER" not in capa, capa
        with pytest.raises(poplib.error_proto):
            p.user("demo@example.test")
            p.pass_("secret")
        p.quit()
        setup.inst.stop()
    finally:
        setup.inst.cleanup()


def test_check_refuses_an_unknown_auth_mechanism():
    inst = Correio(master_cf="{listen} inet n - n - - smtpd\n"
                             f"127.0.0.1:{free_port()} inet n - n - - imapd\n",
                   main_cf={"auth_mechanisms": "plain gssapi",
                            "user_directory": "passwd-file:/dev/null"})
    try:
        result = inst.command("check")
        assert result.returncode == 1, result.stderr
        assert "auth_mechanisms: unknown or unsupported mechanism: gssapi" in result.stderr, \
            result.stderr
    finally:
        inst.cleanup()
