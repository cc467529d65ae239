"""smtpd driven by Python's smtplib and raw sockets: commands and extensions, replies
with enhanced status codes, limits, relay control, SMTP smuggling, and the queue file
that stands behind every "250 2.0.0 Ok: queued as ID"."""

import re
import smtplib
import socket
import subprocess
import time
from pathlib import Path

import pytest

from correio_fixture import CORREIO_BIN, Correio

POSTCAT = str(Path(CORREIO_BIN).parent / "postcat")

BASE = {"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
        "mynetworks": "127.0.0.0/8"}


def postcat(inst: Correio, queue_id: str) -> str:
    result = subprocess.run([POSTCAT, "-c", str(inst.config_dir), "-q", queue_id],
                            capture_output=True, text=True, errors="replace")
    assert result.returncode == 0, result.stderr
    return result.stdout


def queued_id(reply: bytes) -> str:
    match = re.search(rb"queued as ([0-9A-F]+)", reply)
    assert match, reply
    return match.group(1).decode()


class Raw:
    """A raw SMTP client for what smtplib will not send."""

    def __init__(self, port: int, read_banner: bool = True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        if read_banner:
            self.banner = self.reply()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> bytes:
        """One complete (possibly multi-line) reply."""
        while True:
            lines = self.buf.split(b"\r\n")
            for i, line in enumerate(lines[:-1]):
                if len(line) >= 4 and line[3:4] == b" ":
                    out = b"\r\n".join(lines[: i + 1])
                    self.buf = b"\r\n".join(lines[i + 1 :])
                    return out
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; buffered {self.buf!r}")
            self.buf += chunk

    def cmd(self, line: str) -> bytes:
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def closed(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except OSError:
            return True


@pytest.fixture
def server():
    inst = Correio(main_cf=BASE)
    try:
        inst.start()
        yield inst
        inst.stop()
    finally:
        inst.cleanup()


def test_ehlo_advertises_extensions(server):
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as s:
        code, text = s.ehlo("client.example")
        assert code == 250
        lines = text.decode().split("\n")
        assert lines[0] == "mail.example.test"
        for keyword in ["PIPELINING", "SIZE 10240000", "VRFY", "ENHANCEDSTATUSCODES", "8BITMIME",
                        "DSN", "SMTPUTF8", "CHUNKING"]:
            assert keyword in lines
        assert s.helo("client.example")[0] == 250
        assert s.noop() == (250, b"2.0.0 Ok")
        assert s.rset() == (250, b"2.0.0 Ok")
        assert s.docmd("HELP")[0] == 214
        assert s.docmd("FROB") == (502, b"5.5.2 Error: command not recognized")
        assert s.verify("demo@example.test")[0] == 252


def test_message_is_queued_with_received_and_missing_headers(server):
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as s:
        s.ehlo("client.example")
        s.mail("sender@remote.example")
        s.rcpt("demo@example.test")
        code, reply = s.data(b"Subject: hello\r\n\r\nline one\r\n.leading dot\r\n")
    assert code == 250 and reply.startswith(b"2.0.0 Ok: queued as ")
    qid = queued_id(reply)
    shown = postcat(server, qid)
    assert "sender: sender@remote.example" in shown
    assert "recipient: demo@example.test" in shown
    assert re.search(r"Received: from client\.example \(unknown \[127\.0\.0\.1\]\)\n"
                     r"\tby mail\.example\.test \(Correio\) with ESMTP id " + qid +
                     r"\n\tfor <demo@example\.test>; ", shown)
    assert "Message-Id: <" in shown and "\nDate: " in shown
    assert "\nline one\n.leading dot\n" in shown
    server.wait_for_log(rf"correio/smtpd\[\d+\]: {qid}: client=unknown\[127\.0\.0\.1\]")
    server.wait_for_log(rf"correio/cleanup\[\d+\]: {qid}: message-id=<")


def test_eight_bit_and_smtputf8_pass_through(server):
    body = "Subject: caf\u00e9\r\n\r\nol\u00e1 \u00e7\u00e3o \xff\r\n".encode("utf-8")
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as s:
        s.ehlo("client.example")
        s.mail("r\u00e9my@remote.example", ["SMTPUTF8", "BODY=8BITMIME"])
        s.rcpt("demo@example.test")
        code, reply = s.data(body)
    assert code == 250
    raw = Path(server.queue_dir / "incoming" / queued_id(reply)).read_bytes()
    assert "caf\u00e9".encode() in raw and "ol\u00e1 \u00e7\u00e3o".encode() in raw
    assert "r\u00e9my@remote.example".encode() in raw


def test_dsn_parameters_are_kept(server):
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as s:
        s.ehlo("client.example")
        assert s.mail("a@remote.example", ["RET=HDRS", "ENVID=abc+2Bdef"])[0] == 250
        assert s.rcpt("demo@example.test",
                      ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;orig+2Bx@example.test"])[0] == 250
        code, reply = s.data(b"Subject: dsn\r\n\r\nx\r\n")
    shown = postcat(server, queued_id(reply))
    assert "dsn_envelope_id: abc+def" in shown
    assert "dsn_ret_flags: HDRS" in shown
    assert "dsn_orig_rcpt: rfc822;orig+x@example.test" in shown
    assert "dsn_notify_flags: 3" in shown


def test_bad_parameters_and_sequence_errors(server):
    raw = Raw(server.smtp_port)
    assert raw.banner.startswith(b"220 mail.example.test ESMTP")
    assert raw.cmd("MAIL FROM:<a@remote.example>") == b"503 5.5.1 Error: send HELO/EHLO first" \
        or raw.cmd("RSET")  # smtpd_helo_required is off by default: MAIL works
    raw.cmd("RSET")
    assert raw.cmd("EHLO client.example").startswith(b"250-mail.example.test")
    assert raw.cmd("RCPT TO:<demo@example.test>") == b"503 5.5.1 Error: need MAIL command"
    assert raw.cmd("DATA") == b"503 5.5.1 Error: need RCPT command"
    assert raw.cmd("MAIL FROM:<a@remote.example> FOO=1") == b"555 5.5.4 Unsupported option: FOO"
    assert raw.cmd("MAIL FROM:<not an address>") == b"501 5.1.7 Bad sender address syntax"
    assert raw.cmd("MAIL FROM:<a@remote.example> SIZE=99999999999") == \
        b"552 5.3.4 Message size exceeds fixed limit"
    assert raw.cmd("MAIL FROM:<a@remote.example>") == b"250 2.1.0 Ok"
    assert raw.cmd("MAIL FROM:<a@remote.example>") == b"503 5.5.1 Error: nested MAIL command"
    assert raw.cmd("RCPT TO:<bad address@example.test>") == b"501 5.1.3 Bad recipient address syntax"
    assert raw.cmd("RCPT TO:<demo@example.test> NOTIFY=NEVER,SUCCESS") == \
        b"501 5.5.4 Bad NOTIFY parameter syntax"
    assert raw.cmd("DATA") == b"554 5.5.1 Error: no valid recipients"
    assert raw.cmd("QUIT") == b"221 2.0.0 Bye"


def test_relay_denied_outside_mynetworks():
    inst = Correio(main_cf={**BASE, "mynetworks": "192.0.2.0/24"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("a@remote.example")
            code, text = s.rcpt("victim@elsewhere.example")
            # Postfix's default smtpd_relay_restrictions ends in defer_unauth_destination.
            assert (code, text) == (454, b"4.7.1 <victim@elsewhere.example>: Relay access denied")
            assert s.rcpt("demo@example.test")[0] == 250     # virtual_mailbox_domains
            assert s.rcpt("root@localhost")[0] == 250         # mydestination
        inst.wait_for_log(r"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.1\]: 454 4\.7\.1 "
                          r"<victim@elsewhere\.example>: Relay access denied; "
                          r"from=<a@remote\.example> to=<victim@elsewhere\.example> "
                          r"proto=ESMTP helo=<client\.example>")


def test_relay_allowed_from_mynetworks(server):
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as s:
        s.ehlo("client.example")
        s.mail("a@remote.example")
        assert s.rcpt("someone@elsewhere.example")[0] == 250


def test_smuggling_attempt_is_one_message(server):
    raw = Raw(server.smtp_port)
    raw.cmd("EHLO client.example")
    raw.cmd("MAIL FROM:<a@remote.example>")
    raw.cmd("RCPT TO:<demo@example.test>")
    assert raw.cmd("DATA").startswith(b"354 ")
    # <LF>.<LF> and <LF>.<CR><LF> must not end the message (CVE-2023-51764).
    raw.send(b"Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@x.example>\r\n"
             b"RCPT TO:<demo@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\n.\r\n"
             b"more\r\n.\r\n")
    reply = raw.reply()
    assert reply.startswith(b"250 2.0.0 Ok: queued as ")
    raw.cmd("QUIT")
    shown = postcat(server, queued_id(reply))
    assert "Subject: smuggled" in shown and "MAIL FROM:<evil@x.example>" in shown
    assert len(list((server.queue_dir / "incoming").iterdir())) == 1


def test_bare_newline_reject_mode():
    inst = Correio(main_cf={**BASE, "smtpd_forbid_bare_newline": "reject",
                            "smtpd_forbid_bare_newline_exclusions": ""})
    with inst:
        raw = Raw(inst.smtp_port)
        raw.cmd("EHLO client.example")
        raw.cmd("MAIL FROM:<a@remote.example>")
        raw.cmd("RCPT TO:<demo@example.test>")
        raw.cmd("DATA")
        raw.send(b"Subject: x\r\n\r\nbare\nline\r\n.\r\n")
        assert raw.reply() == b"521 5.5.2 mail.example.test Error: bare <LF> received"
        assert raw.closed()
        assert list((inst.queue_dir / "incoming").iterdir()) == []


def test_message_size_limit_mid_data():
    inst = Correio(main_cf={**BASE, "message_size_limit": "2000"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            assert "SIZE 2000" in s.ehlo_resp.decode()
            s.mail("a@remote.example")
            s.rcpt("demo@example.test")
            code, text = s.data(b"Subject: big\r\n\r\n" + b"x" * 5000 + b"\r\n")
            assert (code, text) == (552, b"5.3.4 Error: message file too big")
            # The session goes on; a small message still fits.
            s.mail("a@remote.example")
            s.rcpt("demo@example.test")
            assert s.data(b"Subject: small\r\n\r\nok\r\n")[0] == 250
        assert len(list((inst.queue_dir / "incoming").iterdir())) == 1


def test_bdat_chunking(server):
    raw = Raw(server.smtp_port)
    raw.cmd("EHLO client.example")
    raw.cmd("MAIL FROM:<a@remote.example> BODY=8BITMIME")
    raw.cmd("RCPT TO:<demo@example.test>")
    first = b"Subject: chunks\r\n\r\nfirst part\r\n"
    second = b".not stuffed\r\nlast\r\n"
    raw.send(b"BDAT %d\r\n" % len(first) + first)
    assert raw.reply() == b"250 2.0.0 Ok: %d bytes" % len(first)
    raw.send(b"BDAT %d LAST\r\n" % len(second) + second)
    reply = raw.reply()
    assert reply.startswith(b"250 2.0.0 Ok: queued as ")
    shown = postcat(server, queued_id(reply))
    assert "first part\n.not stuffed\nlast\n" in shown
    # BDAT without a transaction: the chunk is read and refused, the session goes on.
    raw.send(b"BDAT 5 LAST\r\nhello")
    assert raw.reply() == b"503 5.5.1 Error: need MAIL command"
    assert raw.cmd("NOOP") == b"250 2.0.0 Ok"


def test_recipient_limit():
    inst = Correio(main_cf={**BASE, "smtpd_recipient_limit": "2"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("a@remote.example")
            assert s.rcpt("a@example.test")[0] == 250
            assert s.rcpt("b@example.test")[0] == 250
            assert s.rcpt("c@example.test") == (452, b"4.5.3 Error: too many recipients")


def test_pipelining_accepted_after_ehlo(server):
    raw = Raw(server.smtp_port)
    raw.cmd("EHLO client.example")
    raw.send(b"MAIL FROM:<a@remote.example>\r\nRCPT TO:<demo@example.test>\r\n"
             b"RCPT TO:<other@example.test>\r\nDATA\r\n")
    assert raw.reply() == b"250 2.1.0 Ok"
    assert raw.reply() == b"250 2.1.5 Ok"
    assert raw.reply() == b"250 2.1.5 Ok"
    assert raw.reply().startswith(b"354 ")
    raw.send(b"Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n")
    assert raw.reply().startswith(b"250 2.0.0 Ok: queued as ")
    assert raw.reply() == b"221 2.0.0 Bye"


def test_unauthorised_pipelining_is_dropped(server):
    # Commands before the greeting, or more input behind EHLO: either way the client did
    # not wait for our replies (RFC 5321 §4.3.1, RFC 2920 §3.1), and is disconnected.
    sock = socket.create_connection(("127.0.0.1", server.smtp_port), timeout=10)
    sock.sendall(b"EHLO spambot.example\r\nMAIL FROM:<spam@x.example>\r\n")
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    assert data.endswith(b"554 5.5.0 Error: SMTP protocol synchronization\r\n")
    assert b"250" not in data
    server.wait_for_log(r"improper command pipelining after (CONNECT|EHLO) from "
                        r"unknown\[127\.0\.0\.1\]")


def test_content_before_354_is_a_pipelining_violation(server):
    raw = Raw(server.smtp_port)
    raw.cmd("EHLO client.example")
    raw.cmd("MAIL FROM:<a@remote.example>")
    raw.cmd("RCPT TO:<demo@example.test>")
    raw.send(b"DATA\r\nSubject: eager\r\n\r\nx\r\n.\r\n")
    assert raw.reply() == b"554 5.5.0 Error: SMTP protocol synchronization"
    assert raw.closed()


def test_error_limits_disconnect():
    inst = Correio(main_cf={**BASE, "smtpd_hard_error_limit": "3", "smtpd_soft_error_limit": "2",
                            "smtpd_error_sleep_time": "0"})
    with inst:
        raw = Raw(inst.smtp_port)
        assert raw.cmd("BOGUS1").startswith(b"502 5.5.2")
        assert raw.cmd("BOGUS2").startswith(b"502 5.5.2")
        raw.send(b"BOGUS3\r\n")
        assert raw.reply().startswith(b"502 5.5.2")
        assert raw.reply() == b"421 4.7.0 mail.example.test Error: too many errors"
        assert raw.closed()
        inst.wait_for_log(r"too many errors after UNKNOWN from unknown\[127\.0\.0\.1\]")


def test_idle_client_times_out():
    inst = Correio(main_cf={**BASE, "smtpd_timeout": "1s"})
    with inst:
        raw = Raw(inst.smtp_port)
        raw.cmd("EHLO client.example")
        assert raw.reply() == b"421 4.4.2 mail.example.test Error: timeout exceeded"
        assert raw.closed()
        inst.wait_for_log(r"timeout after EHLO from unknown\[127\.0\.0\.1\]")


def test_vrfy_disabled_and_long_line():
    inst = Correio(main_cf={**BASE, "disable_vrfy_command": "yes"})
    with inst:
        raw = Raw(inst.smtp_port)
        ehlo = raw.cmd("EHLO client.example")
        assert b"VRFY" not in ehlo
        assert raw.cmd("VRFY demo@example.test") == b"502 5.5.1 VRFY command is disabled"
        assert raw.cmd("NOOP " + "x" * 5000) == b"500 5.5.0 Error: line too long"
        assert raw.cmd("NOOP") == b"250 2.0.0 Ok"


def test_disconnect_summary_logged(server):
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as s:
        s.ehlo("client.example")
        s.mail("a@remote.example")
        s.rcpt("demo@example.test")
        s.data(b"Subject: x\r\n\r\ny\r\n")
    server.wait_for_log(r"correio/smtpd\[\d+\]: disconnect from unknown\[127\.0\.0\.1\] "
                        r"ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")


def raw_command(s: smtplib.SMTP, line: bytes) -> tuple[int, bytes]:
    """Sends LINE as bytes (smtplib encodes str commands as ASCII) and reads the reply."""
    s.send(line + b"\r\n")
    return s.getreply()


def test_invalid_utf8_addresses_are_refused_with_5_6_7(server):
    """RFC 6531 §3.7.4.1: 553 5.6.7 for addresses smtpd may not take; nothing is queued and
    the raw bytes never reach the log."""
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as s:
        s.ehlo("client.example")
        code, text = raw_command(s, b"MAIL FROM:<j\xf6rg@remote.example> SMTPUTF8")
        assert (code, text) == (553, b"5.6.7 Malformed UTF-8 in address")
        # Overlong "/" and a lone continuation byte are not UTF-8 either (RFC 3629 §3).
        for bad in (b"a\xc0\xafb@remote.example", b"x\x80@remote.example"):
            assert raw_command(s, b"MAIL FROM:<" + bad + b"> SMTPUTF8")[0] == 553
        # Without SMTPUTF8 even valid UTF-8 is refused, with Postfix's text.
        code, text = raw_command(s, "MAIL FROM:<j\u00f6rg@remote.example>".encode())
        assert (code, text) == (553, b"5.6.7 Must declare SMTPUTF8 to send unicode address")
        assert s.mail("sender@remote.example")[0] == 250
        code, text = raw_command(s, "RCPT TO:<d\u00e9mo@example.test>".encode())
        assert (code, text) == (553, b"5.6.7 Must declare SMTPUTF8 to send unicode address")
        assert raw_command(s, b"RCPT TO:<d\xe9mo@example.test>") == (
            553, b"5.6.7 Malformed UTF-8 in address")
        assert s.rset()[0] == 250
        # Declared and well-formed: accepted, as before.
        assert raw_command(s, "MAIL FROM:<j\u00f6rg@remote.example> SMTPUTF8".encode())[0] == 250
        assert raw_command(s, b"RCPT TO:<d\xe9mo@example.test>")[0] == 553
        assert s.rcpt("demo@example.test")[0] == 250
    assert not any((server.queue_dir / "incoming").iterdir())
    assert b"\xf6rg" not in server.log_path.read_bytes()
