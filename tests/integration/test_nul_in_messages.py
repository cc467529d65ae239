"""A message with NUL bytes (accepted over SMTP and stored byte for byte) read back over
IMAP and POP3 (issue 20, item 2). RFC 9051 §4.3 forbids NUL in an ordinary literal: every
FETCH item that sends message text sends 0x80 in its place, as Dovecot's imap does
(BINARY[] sends the NULs unchanged in a literal8). POP3 RETR/TOP do the same substitution
(a decision: Dovecot's pop3 sends the NUL unchanged, see docs/admin-guide.md). Raw sockets,
so that the bytes on the wire are what the test sees."""

import poplib
import re
import smtplib
import socket
import time

from imap_setup import ImapInstance
from test_pop3d import Pop3Setup
from test_smtpd_tls import client_context

MESSAGE = (b"From: a@remote.example\r\nSubject: nul\x00here\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\nX-Part: p\x00q\r\n\r\nbody\x00one\r\n"
           b"--b--\r\n")


class RawImap:
    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.n = 0
        self.until(b"* OK")

    def until(self, marker: bytes) -> bytes:
        while marker not in self.buf:
            chunk = self.sock.recv(65536)
            assert chunk, self.buf
            self.buf += chunk
        end = self.buf.index(marker) + len(marker)
        while b"\r\n" not in self.buf[end:]:
            self.buf += self.sock.recv(65536)
        end = self.buf.index(b"\r\n", end) + 2
        out, self.buf = self.buf[:end], self.buf[end:]
        return out

    def run(self, command: bytes) -> bytes:
        self.n += 1
        tag = b"t%d" % self.n
        self.sock.sendall(tag + b" " + command + b"\r\n")
        self.buf = b"\r\n" + self.buf  # the tagged line may be the first one
        out = self.until(b"\r\n" + tag + b" ")
        assert (b"\r\n" + tag + b" OK") in out, out
        return out


def literal_after(response: bytes, label: bytes) -> tuple[bytes, bytes]:
    """The literal marker ("" or "~") and the n bytes that follow `LABEL {n}`."""
    m = re.search(re.escape(label) + rb" (~?)\{(\d+)\}\r\n", response)
    assert m, (label, response)
    start = m.end()
    return m.group(1), response[start:start + int(m.group(2))]


def test_imap_fetch_sends_0x80_for_nul_and_literal8_for_binary():
    with ImapInstance() as imap:
        with smtplib.SMTP("127.0.0.1", imap.inst.smtp_port, timeout=20) as s:
            s.sendmail("a@remote.example", ["demo@example.test"], MESSAGE)
        for _ in range(100):
            c = RawImap(imap.imap_port)
            c.run(b"LOGIN demo@example.test secret")
            if b"* 1 EXISTS" in c.run(b"SELECT INBOX"):
                break
            c.sock.close()
            time.sleep(0.1)
        # Delivery added Return-Path:, Received: and so on in front of the message.
        marker, on_wire = literal_after(c.run(b"FETCH 1 BODY.PEEK[]"), b"BODY[]")
        # (and cleanup added Message-Id: and Date:).
        body_part = MESSAGE[MESSAGE.index(b"\r\n\r\n"):].replace(b"\x00", b"\x80")
        assert b"\r\nSubject: nul\x80here\r\n" in on_wire and on_wire.endswith(body_part)
        header, text = on_wire.split(b"\r\n\r\n", 1)
        size = int(re.search(rb"RFC822\.SIZE (\d+)", c.run(b"FETCH 1 RFC822.SIZE")).group(1))
        items = {
            b"BODY[]": on_wire,
            b"BODY[HEADER]": header + b"\r\n\r\n",
            b"BODY[TEXT]": text,
            b"BODY[1]": b"body\x80one",
            b"BODY[1.MIME]": b"Content-Type: text/plain\r\nX-Part: p\x80q\r\n\r\n",
            b"RFC822": on_wire,
            b"RFC822.HEADER": header + b"\r\n\r\n",
            b"RFC822.TEXT": text,
            b"BODY[]<20>": on_wire[20:20 + 10],
        }
        for item, expected in items.items():
            fetch = item.replace(b"<20>", b"<20.10>").replace(b"BODY[", b"BODY.PEEK[")
            response = c.run(b"FETCH 1 " + fetch)
            marker, data = literal_after(response, item)
            assert marker == b"", (item, response)
            assert b"\x00" not in data and data == expected, (item, data, expected)
        # One byte for one: the full message has the size RFC822.SIZE announced.
        assert size == len(items[b"BODY[]"])
        # The envelope's subject (a string built from the header) has no NUL either.
        response = c.run(b"FETCH 1 ENVELOPE")
        assert b"\x00" not in response and b"nul\x80here" in response, response
        # BINARY[] was asked for: the client can take NULs, in a literal8 (RFC 3516 §4.2).
        marker, data = literal_after(c.run(b"FETCH 1 BINARY.PEEK[1]"), b"BINARY[1]")
        assert marker == b"~" and data == b"body\x00one", data
        c.run(b"LOGOUT")
        # The Maildir still holds the message byte for byte (LF line ends).
        [path] = [p for p in (imap.inst.base / "mail/example.test/demo").glob("*/*")
                  if p.is_file() and ",S=" in p.name]
        stored = path.read_bytes()
        assert b"\nSubject: nul\x00here\n" in stored
        assert stored.endswith(MESSAGE[MESSAGE.index(b"\r\n\r\n"):].replace(b"\r\n", b"\n"))


def test_pop3_retr_and_top_send_0x80_for_nul():
    setup = Pop3Setup()
    try:
        setup.start()
        setup.deliver("demo@example.test", MESSAGE)
        s = socket.create_connection(("127.0.0.1", setup.pop3_port), timeout=10)
        f = s.makefile("rb")
        assert f.readline().startswith(b"+OK")

        def cmd(line: bytes, multi: bool = False) -> bytes:
            s.sendall(line + b"\r\n")
            first = f.readline()
            assert first.startswith(b"+OK"), (line, first)
            if not multi:
                return first
            body = b""
            while (got := f.readline()) != b".\r\n":
                body += got
            return first + body

        s.close()
        # Plaintext USER/PASS needs TLS by default: poplib over POP3S for the login.
        p = poplib.POP3_SSL("127.0.0.1", setup.pop3s_port, context=client_context(), timeout=10)
        p.user("demo@example.test")
        p.pass_("secret")
        listed = int(p.list(1).split()[2])
        raw = p._shortcmd("RETR 1")
        assert raw.startswith(b"+OK"), raw
        body = b""
        while (line := p._getline()[0]) != b".":
            body += line + b"\r\n"
        assert b"\x00" not in body and b"Subject: nul\x80here\r\n" in body, body
        assert b"body\x80one\r\n" in body
        assert len(body) == listed  # one byte for one: the size LIST announced holds
        top = p.top(1, 0)[1]
        assert b"Subject: nul\x80here" in top and not any(b"\x00" in l for l in top)
        p.quit()
        setup.inst.stop()
    finally:
        setup.inst.cleanup()
