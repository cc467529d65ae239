"""smtpd_milters (Postfix's MILTER_README) against real milters: Debian's opendkim signing
(the signature then verified by python3-dkim) and a test milter on Debian's python3-milter
(libmilter) that rejects at each stage with its own reply, tempfails, discards,
quarantines (-> hold queue, shown by mailq) and edits headers, body, sender and
recipients; a milter that is down or hangs gives milter_default_action after the
timeouts."""

import email
import re
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from correio_fixture import free_port, wait_for_port
from delivery_setup import maildir_new, wait_for_messages
from test_admin_tools import instance, tool

HERE = Path(__file__).resolve().parent


@pytest.fixture
def milter_app(request):
    """Starts milter_app.py (options by indirect parametrization); yields its address."""
    options = list(getattr(request, "param", []))
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "milter_app.py"),
                             f"inet:{port}@127.0.0.1", *options],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for_port(port)
    yield f"inet:127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def milter_instance(milters, **extra):
    inst = instance({"smtpd_milters": milters, **extra})
    with open(inst.config_dir / "users", "a") as users:
        for user in ("added", "reject-rcpt", "discard-rcpt"):
            users.write(f"{user}@example.test:{{PLAIN}}secret::::::\n")
    return inst


def message(subject, extra_headers=""):
    return (f"From: sender@example.test\r\nTo: demo@example.test\r\nSubject: {subject}\r\n"
            f"{extra_headers}\r\nfirst body line\r\n").encode()


def send(inst, subject, rcpts=("demo@example.test",), sender="sender@example.test",
         extra_headers=""):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=60) as s:
        s.ehlo("client.example")
        assert s.mail(sender)[0] == 250
        for r in rcpts:
            assert s.rcpt(r)[0] == 250
        return s.data(message(subject, extra_headers))


def delivered(inst, user, count=1):
    return [email.message_from_bytes(p.read_bytes())
            for p in wait_for_messages(inst, user, count)]


def test_each_stage_rejects_with_the_milters_reply(milter_app):
    inst = milter_instance(milter_app)
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            assert s.ehlo("reject.helo") == (550, b"5.7.0 HELO name not welcome")
            assert s.ehlo("client.example")[0] == 250
            assert s.mail("reject-mail@example.test") == (553, b"5.7.1 sender refused by milter")
            code, text = s.mail("tempfail@example.test")
            assert (code, text) == (451, b"4.7.1 Service unavailable - try again later")
            assert s.mail("sender@example.test")[0] == 250
            assert s.rcpt("reject-rcpt@example.test") == (550, b"5.7.1 recipient refused by milter")
            assert s.rcpt("demo@example.test")[0] == 250  # only that recipient was refused
            code, text = s.data(message("fine", "X-Reject-Header: yes\r\n"))
            assert (code, text) == (550, b"5.7.1 header refused by milter")
            s.mail("sender@example.test")
            s.rcpt("demo@example.test")
            assert s.data(message("reject-eom")) == (554, b"5.7.1 content refused by milter")
            s.mail("sender@example.test")
            s.rcpt("demo@example.test")
            assert s.data(message("tempfail-eom")) == (451, b"4.7.1 try the content later")
        inst.wait_for_log(r"NOQUEUE: milter-reject: RCPT from \S+\[127\.0\.0\.1\]: 550 5\.7\.1 "
                          r"recipient refused by milter; from=<sender@example\.test> "
                          r"to=<reject-rcpt@example\.test> proto=ESMTP helo=<client\.example>")
        inst.wait_for_log(r"[0-9A-F]+: milter-reject: END-OF-MESSAGE from \S+: 554 5\.7\.1 content")
        assert not maildir_new(inst, "demo").exists() or not list(maildir_new(inst, "demo").iterdir())


@pytest.mark.parametrize("milter_app", [["--reject-connect"]], indirect=True)
def test_a_refused_connection_refuses_every_transaction(milter_app):
    inst = milter_instance(milter_app)
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            assert s.ehlo("client.example")[0] == 250
            assert s.mail("sender@example.test") == (554, b"5.7.1 connections from you are refused")
            assert s.mail("sender@example.test")[0] == 554


def test_edits_reach_the_mailbox_and_macros_are_sent(milter_app):
    inst = milter_instance(milter_app)
    with inst:
        code, text = send(inst, "edit", rcpts=("demo@example.test", "sender@example.test"),
                          extra_headers="X-Remove: me\r\n")
        assert code == 250, text
        queue_id = text.decode().rsplit(" ", 1)[1]
        [added] = delivered(inst, "added")
        [kept] = delivered(inst, "sender")
        raw = wait_for_messages(inst, "added", 1)[0].read_text()
        assert not maildir_new(inst, "demo").exists() or not list(maildir_new(inst, "demo").iterdir())
        assert added["Subject"] == "edited subject"
        assert added["X-Added"] == "by milter"
        assert "X-Remove" not in added
        assert added.get_payload() == "replaced body\nsecond line\n"
        assert added["Return-Path"] == "<changed-sender@example.test>"
        # X-First was inserted at index 0: above every other header but the delivery
        # agent's own (Return-Path, Delivered-To).
        headers = [line.split(":")[0] for line in raw.split("\n\n")[0].splitlines()
                   if line and not line[0].isspace()]
        assert headers.index("X-First") < headers.index("Received"), headers
        macros = added["X-Milter-Macros"]
        for expected in ("j=mail.example.test", "{daemon_name}=mail.example.test",
                         f"i={queue_id}", "{rcpt_addr}=sender@example.test",
                         "{mail_addr}=sender@example.test", "mail_args=<sender@example.test>",
                         "{daemon_addr}=127.0.0.1", "_=unknown [127.0.0.1]"):
            assert expected in macros, macros
        assert kept["Subject"] == "edited subject"


def test_discard_at_end_of_message_and_at_rcpt(milter_app):
    inst = milter_instance(milter_app)
    with inst:
        code, text = send(inst, "discard")
        assert code == 250
        code, text = send(inst, "fine", rcpts=("discard-rcpt@example.test", "demo@example.test"))
        assert code == 250
        inst.wait_for_log(r"milter-discard: END-OF-MESSAGE")
        inst.wait_for_log(r"milter-discard: RCPT")
        code, text = send(inst, "kept")  # the session-independent path still delivers
        [kept] = delivered(inst, "demo")
        assert kept["Subject"] == "kept"


def test_quarantine_puts_the_message_on_hold(milter_app):
    inst = milter_instance(milter_app)
    with inst:
        code, text = send(inst, "quarantine")
        assert code == 250
        queue_id = text.decode().rsplit(" ", 1)[1]
        assert (inst.queue_dir / "hold" / queue_id).exists()
        inst.wait_for_log(rf"{queue_id}: milter-hold: END-OF-MESSAGE from \S+: suspicious content")
        listing = tool(inst, "mailq").stdout.decode()
        assert re.search(rf"^{queue_id}!\s", listing, re.M), listing


@pytest.mark.parametrize("action, mail_reply", [
    ("tempfail", (451, b"4.7.1 Service unavailable - try again later")),
    ("reject", (550, b"5.7.1 Command rejected")),
    ("accept", None),
    ("quarantine", None),
])
def test_a_milter_that_is_down_gives_the_default_action(action, mail_reply):
    down = f"inet:127.0.0.1:{free_port()}"
    inst = milter_instance(down, milter_default_action=action)
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            s.ehlo("client.example")
            if mail_reply:
                assert s.mail("sender@example.test") == mail_reply
                return
            assert s.mail("sender@example.test")[0] == 250
            s.rcpt("demo@example.test")
            code, text = s.data(message(action))
            assert code == 250
        queue_id = text.decode().rsplit(" ", 1)[1]
        inst.wait_for_log(rf"warning: milter {down}: connect: Connection refused")
        if action == "quarantine":
            assert (inst.queue_dir / "hold" / queue_id).exists()
        else:
            [kept] = delivered(inst, "demo")
            assert kept["Subject"] == "accept"


def test_per_milter_settings_and_several_milters_in_order(milter_app):
    down = f"inet:127.0.0.1:{free_port()}"
    inst = milter_instance(f"{{ {down}, default_action=accept, connect_timeout=2s }}, {milter_app}")
    with inst:
        code, text = send(inst, "edit", extra_headers="X-Remove: me\r\n")
        assert code == 250
        [added] = delivered(inst, "added")
        assert added["Subject"] == "edited subject"


@pytest.mark.parametrize("milter_app", [["--hang-eom"]], indirect=True)
def test_a_hanging_milter_times_out_into_the_default_action(milter_app):
    inst = milter_instance(milter_app, milter_content_timeout="2s", milter_default_action="accept")
    with inst:
        started = time.monotonic()
        code, text = send(inst, "slow")
        elapsed = time.monotonic() - started
        assert code == 250
        assert 1.5 < elapsed < 20, elapsed
        inst.wait_for_log(rf"warning: milter {milter_app}: read timeout")
        [kept] = delivered(inst, "demo")
        assert "X-Milter-Macros" not in kept  # the milter's edits never came


@pytest.mark.parametrize("milter_app", [["--hang-connect"]], indirect=True)
def test_a_milter_hanging_at_connect_tempfails_after_the_command_timeout(milter_app):
    inst = milter_instance(milter_app, milter_command_timeout="1s")
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            s.ehlo("client.example")
            assert s.mail("sender@example.test")[0] == 451


def test_bad_milter_settings_are_refused():
    inst = milter_instance("inet:127.0.0.1")
    result = inst.command("check")
    assert result.returncode != 0
    assert "smtpd_milters" in result.stdout + result.stderr
    inst.write_main_cf({"smtpd_milters": "inet:127.0.0.1:1", "milter_default_action": "bounce"})
    result = inst.command("check")
    assert "milter_default_action" in result.stdout + result.stderr
    inst.cleanup()


@pytest.fixture
def opendkim(tmp_path):
    """Debian's opendkim signing for example.test with a fresh key; yields (address, TXT)."""
    keys = tmp_path / "keys"
    keys.mkdir()
    subprocess.run(["opendkim-genkey", "-D", str(keys), "-d", "example.test", "-s", "test"],
                   check=True)
    port = free_port()
    conf = tmp_path / "opendkim.conf"
    conf.write_text(f"Domain example.test\nSelector test\nKeyFile {keys}/test.private\n"
                    f"Socket inet:{port}@127.0.0.1\nMode sv\nInternalHosts 127.0.0.1\n"
                    f"Canonicalization relaxed/simple\nBackground no\nSyslog no\n"
                    f"PidFile {tmp_path}/opendkim.pid\nUserID root\n"
                    # the key sits under /tmp, which opendkim calls unsafe
                    "RequireSafeKeys false\n")
    proc = subprocess.Popen(["opendkim", "-f", "-x", str(conf)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    wait_for_port(port)
    txt = (keys / "test.txt").read_text()
    record = "".join(re.findall(r'"([^"]*)"', txt))
    yield f"inet:127.0.0.1:{port}", record
    proc.terminate()
    proc.wait(timeout=10)


def assert_dkim_verifies(raw: bytes, record: str) -> None:
    """python3-dkim checks the DKIM-Signature of a delivered message against the TXT
    record opendkim made for test._domainkey.example.test."""
    import dkim
    assert b"DKIM-Signature:" in raw, raw
    # What was signed is what was queued: drop the delivery agent's own headers.
    signed = re.sub(rb"^(Return-Path|Delivered-To|X-Original-To):.*\n", b"", raw, flags=re.M)
    signed = signed.replace(b"\n", b"\r\n")

    def dns(name, timeout=5):
        assert name == b"test._domainkey.example.test."
        return record.encode()
    assert dkim.verify(signed, dnsfunc=dns), raw.decode()


def test_opendkim_signs_and_the_signature_verifies(opendkim):
    address, record = opendkim
    inst = milter_instance(address)
    with inst:
        code, text = send(inst, "signed message")
        assert code == 250, text
        [path] = wait_for_messages(inst, "demo", 1)
        assert_dkim_verifies(path.read_bytes(), record)


def test_milter_header_checks_see_only_what_milters_added(milter_app):
    """milter_header_checks (Postfix 2.7+): the fields milters add or change go through
    their own table; header_checks' actions apply (IGNORE, REPLACE, REJECT here)."""
    inst = milter_instance(milter_app)
    table = inst.config_dir / "milter_header_checks"
    table.write_text("/^X-Added:/ IGNORE\n"
                     "/^X-First: on top/ REPLACE X-First: replaced\n"
                     "/^X-Milter-Macros:.*mail_args=<reject-me@/ REJECT 5.7.1 not after this milter\n"
                     # the client's own Subject is not a milter's: never looked at here
                     "/^Subject: edit$/ REJECT 5.7.1 must not match\n")
    inst.write_main_cf({"milter_header_checks": f"regexp:{table}"})
    with inst:
        code, text = send(inst, "edit")
        assert code == 250, text
        [added] = delivered(inst, "added")
        assert "X-Added" not in added
        assert added["X-First"] == "replaced"
        assert added["Subject"] == "edited subject"
        code, text = send(inst, "edit", sender="reject-me@example.test")
        assert (code, text) == (550, b"5.7.1 not after this milter"), (code, text)
        inst.wait_for_log(r"reject: header X-Milter-Macros: .* from [^;]+; "
                          r"from=<reject-me@example\.test>")
