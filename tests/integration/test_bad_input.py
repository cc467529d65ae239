"""Bad input on every listener of one instance -- SMTP (with SASL and STARTTLS), SMTPS,
IMAP, IMAPS, POP3 and POP3S: megabyte lines without a newline, NUL and 8-bit garbage,
oversized SASL responses, absurd literal and BDAT sizes, and non-TLS or truncated TLS
bytes on the TLS ports. Each gets a protocol error or a closed connection, never a crash:
afterwards every service still serves a real client (smtplib, imaplib, poplib) and no
process died on a signal or exited with an error."""

import base64
import imaplib
import poplib
import re
import smtplib
import socket
import ssl
import struct
import time

import pytest

from correio_fixture import free_port
from delivery_setup import PIPELINE_MASTER_CF, pipeline
from test_smtpd_tls import make_certificate

MEGABYTE = 1 << 20


def client_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Listeners:
    def __init__(self):
        cert, key = make_certificate()
        self.ports = {name: free_port() for name in ("smtps", "imap", "imaps", "pop3", "pop3s")}
        self.inst = pipeline({
            "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
            "smtpd_tls_security_level": "may", "smtpd_sasl_auth_enable": "yes",
            "imapd_tls_cert_file": cert, "imapd_tls_key_file": key,
            "pop3d_tls_cert_file": cert, "pop3d_tls_key_file": key,
            "auth_failure_delay": "0s"})
        p = self.ports
        self.inst.write_master_cf(
            PIPELINE_MASTER_CF.replace("{listen}", self.inst.listen)
            + f"127.0.0.1:{p['smtps']} inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n"
            + f"127.0.0.1:{p['imap']} inet n - n - - imapd\n  -o auth_allow_cleartext=yes\n"
            + f"127.0.0.1:{p['imaps']} inet n - n - - imapd\n  -o imapd_tls_wrappermode=yes\n"
            + f"127.0.0.1:{p['pop3']} inet n - n - - pop3d\n  -o auth_allow_cleartext=yes\n"
            + f"127.0.0.1:{p['pop3s']} inet n - n - - pop3d\n  -o pop3d_tls_wrappermode=yes\n")
        self.smtp = self.inst.smtp_port


@pytest.fixture(scope="module")
def listeners():
    setup = Listeners()
    try:
        setup.inst.start(wait_ports=[setup.smtp, *setup.ports.values()])
        yield setup
        check_everything_still_serves(setup)
        setup.inst.stop()
        setup.inst.assert_no_sanitizer_report()
    finally:
        setup.inst.cleanup()


def check_everything_still_serves(setup: Listeners) -> None:
    with smtplib.SMTP("127.0.0.1", setup.smtp, timeout=10) as s:
        s.starttls(context=client_context())
        s.login("demo@example.test", "secret")
        s.sendmail("demo@example.test", ["demo@example.test"], b"Subject: after\r\n\r\nok\r\n")
    with smtplib.SMTP_SSL("127.0.0.1", setup.ports["smtps"], context=client_context(),
                          timeout=10) as s:
        assert s.noop()[0] == 250
    for port, cls in ((setup.ports["imap"], None), (setup.ports["imaps"], "ssl")):
        c = (imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=client_context(), timeout=10)
             if cls else imaplib.IMAP4("127.0.0.1", port, timeout=10))
        c.login("demo@example.test", "secret")
        assert c.select("INBOX")[0] == "OK"
        c.logout()
    for port, tls in ((setup.ports["pop3"], False), (setup.ports["pop3s"], True)):
        # The maildrop lock of the previous session may outlive its QUIT reply briefly.
        deadline = time.monotonic() + 10
        while True:
            p = (poplib.POP3_SSL("127.0.0.1", port, context=client_context(), timeout=10)
                 if tls else poplib.POP3("127.0.0.1", port, timeout=10))
            p.user("demo@example.test")
            try:
                p.pass_("secret")
                break
            except poplib.error_proto as e:
                p.close()
                if b"[IN-USE]" not in e.args[0] or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        p.stat()
        p.quit()
    log = setup.inst.log_text()
    assert not re.search(r"killed by signal|exit status [1-9]|panic|fatal:", log), \
        "\n".join(l for l in log.splitlines()
                  if re.search(r"killed by signal|exit status|panic|fatal", l))


class Conn:
    """A raw connection that collects whatever the server sends until it stops."""

    def __init__(self, port: int, tls: bool = False):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock = client_context().wrap_socket(sock) if tls else sock
        self.buf = b""

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed on us; what it said before is in the reply

    def until(self, pattern: bytes, timeout: float = 10) -> bytes:
        """Reads until `pattern` (a regex) matches the received bytes, or the peer closes."""
        self.sock.settimeout(timeout)
        while not re.search(pattern, self.buf):
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError, TimeoutError):
                break
            if not chunk:
                break
            self.buf += chunk
        out, self.buf = self.buf, b""
        return out

    def shutdown_write(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server closed first

    def close(self) -> None:
        self.sock.close()


def smtp_session(port: int) -> Conn:
    c = Conn(port)
    assert c.until(rb"220 .*\r\n").startswith(b"220 ")
    c.send(b"EHLO client.example\r\n")
    assert b"250 " in c.until(rb"250 [^\r\n]*\r\n")
    return c


def test_smtp_long_lines_and_garbage(listeners):
    c = smtp_session(listeners.smtp)
    c.send(b"NOOP " + b"x" * MEGABYTE + b"\r\n")
    reply = c.until(rb"(^|\n)\d{3} [^\r\n]*\r\n$")
    assert re.match(rb"5\d\d ", reply), reply[:200]
    for junk in (b"\x00\x00\x00", b"\xff\xfe\x80 garbage", b"MAIL FROM:<" + b"a" * 100000 + b">",
                 b"RCPT TO:<@:@>"):
        c.send(junk + b"\r\n")
        reply = c.until(rb"(^|\n)\d{3} [^\r\n]*\r\n$")
        assert re.match(rb"[45]\d\d ", reply), (junk[:40], reply[:200])
    # A BDAT whose size cannot be read leaves the rest of the stream unframed: a reply,
    # and the session may end there (each in a session of its own).
    for junk in (b"BDAT 99999999999999999999999", b"BDAT -1 LAST", b"BDAT 1x"):
        b = smtp_session(listeners.smtp)
        b.send(junk + b"\r\n")
        reply = b.until(rb"(^|\n)\d{3} [^\r\n]*\r\n$")
        assert re.match(rb"5\d\d ", reply), (junk, reply)
        b.close()
    c.send(b"QUIT\r\n")
    assert c.until(rb"221 [^\r\n]*\r\n").startswith(b"221")
    c.close()


def test_smtp_huge_header_line_in_data(listeners):
    with smtplib.SMTP("127.0.0.1", listeners.smtp, timeout=30) as s:
        s.ehlo("client.example")
        s.mail("a@remote.example")
        s.rcpt("demo@example.test")
        code, reply = s.data(b"Subject: " + b"y" * MEGABYTE + b"\r\n\r\nbody\r\n")
        # Postfix splits long lines (line_length_limit) and keeps the message.
        assert code in (250, 552), (code, reply)
        assert s.noop()[0] == 250


def test_smtp_sasl_oversized_and_malformed_responses(listeners):
    c = smtp_session(listeners.smtp)
    c.send(b"AUTH PLAIN " + base64.b64encode(b"\0demo@example.test\0" + b"p" * 200000) + b"\r\n")
    reply = c.until(rb"(^|\n)\d{3} [^\r\n]*\r\n$")
    assert re.match(rb"5\d\d ", reply), reply[:200]
    if not reply.startswith(b"421"):
        for line in (b"AUTH PLAIN !!!notbase64", b"AUTH PLAIN =", b"AUTH FROBNICATE"):
            c.send(line + b"\r\n")
            reply = c.until(rb"(^|\n)\d{3} [^\r\n]*\r\n$")
            assert re.match(rb"5\d\d ", reply), (line, reply)
        c.send(b"AUTH LOGIN\r\n")
        assert c.until(rb"334 [^\r\n]*\r\n").startswith(b"334")
        c.send(b"Z" * (4 * MEGABYTE) + b"\r\n")
        reply = c.until(rb"(^|\n)\d{3} [^\r\n]*\r\n$")
        assert re.match(rb"5\d\d ", reply), reply[:200]
    c.close()


def imap_tagged(c: Conn, tag: bytes) -> bytes:
    # An over-long line is answered untagged, as Dovecot does ("* BAD Command line too long").
    return c.until(rb"(^|\n)(" + tag + rb" |\* BYE|\* BAD)[^\r\n]*\r\n$")


def test_imap_long_lines_literals_and_sasl(listeners):
    c = Conn(listeners.ports["imap"])
    assert c.until(rb"\* OK[^\r\n]*\r\n").startswith(b"* OK")
    c.send(b"a1 NOOP " + b"x" * (2 * MEGABYTE) + b"\r\n")
    reply = imap_tagged(c, b"a1")
    assert b"BAD" in reply or b"BYE" in reply, reply[:200]
    if b"BYE" in reply:
        c.close()
        c = Conn(listeners.ports["imap"])
        c.until(rb"\* OK[^\r\n]*\r\n")
    c.send(b"a2 LOGIN {99999999999+}\r\n")
    reply = imap_tagged(c, b"a2")
    assert re.search(rb"a2 (BAD|NO)|\* BYE", reply), reply[:200]
    if b"BYE" not in reply:
        c.send(b"a3 AUTHENTICATE PLAIN\r\n")
        assert c.until(rb"\+[^\r\n]*\r\n").startswith(b"+")
        c.send(base64.b64encode(b"\0demo@example.test\0" + b"p" * 300000) + b"\r\n")
        reply = imap_tagged(c, b"a3")
        assert re.search(rb"a3 (BAD|NO)|\* BYE", reply), reply[:200]
    c.close()
    c = Conn(listeners.ports["imap"])
    c.until(rb"\* OK[^\r\n]*\r\n")
    c.send(b"a1 LOGIN demo@example.test secret\r\n")
    assert b"a1 OK" in imap_tagged(c, b"a1")
    c.send(b"a2 SELECT INBOX\r\n")
    imap_tagged(c, b"a2")
    # Deep nesting: a recursion limit, not a stack overflow.
    c.send(b"a3 SEARCH " + b"(" * 30000 + b"ALL" + b")" * 30000 + b"\r\n")
    reply = imap_tagged(c, b"a3")
    assert re.search(rb"a3 (BAD|NO)|\* BYE", reply), reply[:200]
    c.send(b"a4 FETCH 1:* (" + b"BODY[] " * 6000 + b")\r\n")
    reply = imap_tagged(c, b"a4")
    assert re.search(rb"a4 (OK|BAD|NO)|\* BYE", reply), reply[-200:]
    c.close()


def test_pop3_long_lines_and_sasl(listeners):
    c = Conn(listeners.ports["pop3"])
    assert c.until(rb"\+OK[^\r\n]*\r\n").startswith(b"+OK")
    c.send(b"USER " + b"u" * MEGABYTE + b"\r\n")
    reply = c.until(rb"-ERR[^\r\n]*\r\n")
    assert reply.startswith(b"-ERR"), reply[:200]
    c.send(b"AUTH PLAIN " + base64.b64encode(b"\0demo@example.test\0" + b"p" * 100000) + b"\r\n")
    reply = c.until(rb"-ERR[^\r\n]*\r\n")
    assert reply.startswith(b"-ERR") or reply == b"", reply[:200]
    c.close()


def client_hello_prefix() -> bytes:
    """The first bytes of a real ClientHello (made by Python's ssl), for truncation."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_context().wrap_bio(incoming, outgoing)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


@pytest.mark.parametrize("port_name", ["smtps", "imaps", "pop3s"])
def test_tls_ports_survive_garbage(listeners, port_name):
    port = listeners.ports[port_name]
    hello = client_hello_prefix()
    attempts = [
        b"GET / HTTP/1.0\r\n\r\n",                          # plain text on a TLS port
        hello[: len(hello) // 2],                           # a ClientHello cut in half
        b"\x16\x03\x01" + struct.pack(">H", 0xFFFF) + b"\x01" * 100,  # oversized record
        b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00",        # a handshake of nonsense
        bytes(range(256)) * 256,                            # 64 KB of every byte value
    ]
    for data in attempts:
        c = Conn(port)
        c.send(data)
        c.shutdown_write()
        got = c.until(rb"\Z-never", timeout=10)  # read until the server closes
        assert len(got) < 100000, port_name
        c.close()
    # A real TLS client still gets in.
    c = Conn(port, tls=True)
    assert re.match(rb"(220|\* OK|\+OK)", c.until(rb"\r\n"))
    c.close()


def test_starttls_then_garbage(listeners):
    c = smtp_session(listeners.smtp)
    c.send(b"STARTTLS\r\n")
    assert c.until(rb"220 [^\r\n]*\r\n").startswith(b"220")
    c.send(b"\x00" * 10000 + b"EHLO plain\r\n")
    c.shutdown_write()
    c.until(rb"\Z-never", timeout=10)
    c.close()
