"""Hostile bytes in SMTP and LMTP command lines (issue 20, item 1): the HELO/EHLO/LHLO
argument is neutered as Postfix's smtpd does before it reaches the Received: header (read
back from the delivered Maildir file), and a command line with a NUL or a bare CR is
refused with 501 5.5.2 before any handler sees it. Raw sockets: smtplib would refuse to
send such lines."""

import re
import socket

from delivery_setup import pipeline, wait_for_messages
from test_lmtpd import lmtp_instance


class Raw:
    """A line-oriented raw client: sends bytes verbatim, reads whole (multi-line) replies."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def reply(self) -> bytes:
        lines = []
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise ConnectionError(b"closed after " + b"".join(lines))
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            lines.append(line + b"\n")
            if line[3:4] != b"-":
                return b"".join(lines)

    def cmd(self, raw: bytes) -> bytes:
        self.sock.sendall(raw)
        return self.reply()

    def close(self):
        self.sock.close()


def send_message(c: Raw, hello: bytes, verb: bytes = b"EHLO") -> bytes:
    """HELLO, one message to demo@, QUIT; returns the reply to the greeting command."""
    assert c.reply().startswith(b"220 ")
    greeting_reply = c.cmd(verb + b" " + hello + b"\r\n")
    assert greeting_reply.startswith(b"250"), greeting_reply
    assert c.cmd(b"MAIL FROM:<someone@remote.example>\r\n").startswith(b"250")
    assert c.cmd(b"RCPT TO:<demo@example.test>\r\n").startswith(b"250")
    assert c.cmd(b"DATA\r\n").startswith(b"354")
    assert c.cmd(b"Subject: t\r\n\r\nbody\r\n.\r\n").startswith(b"250")
    c.cmd(b"QUIT\r\n")
    return greeting_reply


def received_from(message: bytes) -> bytes:
    match = re.search(rb"\nReceived: from ([^\n]*)\n", b"\n" + message)
    assert match, message
    return match.group(1)


def test_smtp_helo_argument_is_neutered_in_received_header():
    inst = pipeline()
    with inst:
        hellos = [
            # A forged client comment: spaces and brackets become '?'.
            (b"evil (trusted.example [10.0.0.1])", b"evil??trusted.example?[10.0.0.1]?"),
            # Postfix's other neutered characters, and raw 8-bit bytes.
            (b"a<b>\"c\\d;e@f", b"a?b??c?d?e?f"),
            (b"h\xc3\xa9llo.example", b"h??llo.example"),
            (b"[IPv6:2001:db8::1]", b"[IPv6:2001:db8::1]"),
        ]
        for i, (hello, _) in enumerate(hellos):
            c = Raw(inst.smtp_port)
            send_message(c, hello, b"HELO" if i % 2 else b"EHLO")
            c.close()
        files = wait_for_messages(inst, "demo", len(hellos))
        seen = sorted(received_from(p.read_bytes()) for p in files)
        for _, stored in hellos:
            assert any(line.startswith(stored + b" (unknown [127.0.0.1])") for line in seen), \
                (stored, seen)
        for path in files:
            data = path.read_bytes()
            assert b"\r" not in data and b"\0" not in data
            header = data.split(b"\n\n", 1)[0]
            assert not any(b >= 0x80 for b in header), header


def test_smtp_nul_and_bare_cr_in_commands_are_refused_and_nothing_stored():
    inst = pipeline()
    with inst:
        c = Raw(inst.smtp_port)
        assert c.reply().startswith(b"220 ")
        for line in (b"EHLO a\rX-Injected: yes\r\n", b"EHLO a\0b\r\n",
                     b"MAIL FROM:<x@remote.example>\0\r\n", b"NOOP\r\r\n"):
            r = c.cmd(line)
            assert r.startswith(b"501 5.5.2 "), (line, r)
        # The session goes on: a clean command works, and the refusals were counted as
        # errors, not as the commands they looked like.
        assert c.cmd(b"EHLO ok.example\r\n").startswith(b"250")
        assert c.cmd(b"QUIT\r\n").startswith(b"221")
        c.close()
        inst.wait_for_log(r"disconnect from unknown\[127\.0\.0\.1\] unknown=4 ehlo=1 quit=1 "
                          r"commands=6")


def test_lmtp_lhlo_argument_is_neutered_and_bad_bytes_refused():
    inst = lmtp_instance()
    with inst:
        c = Raw(inst.smtp_port)
        assert c.reply().startswith(b"220 ")
        assert c.cmd(b"LHLO a\0b\r\n").startswith(b"501 5.5.2 ")
        assert c.cmd(b"LHLO a\rX-Injected: yes\r\n").startswith(b"501 5.5.2 ")
        c.sock.sendall(b"LHLO evil (trusted.example [10.0.0.1])\r\n")
        assert c.reply().startswith(b"250")
        assert c.cmd(b"MAIL FROM:<someone@remote.example>\r\n").startswith(b"250")
        assert c.cmd(b"RCPT TO:<demo@example.test>\r\n").startswith(b"250")
        assert c.cmd(b"DATA\r\n").startswith(b"354")
        assert c.cmd(b"Subject: t\r\n\r\nbody\r\n.\r\n").startswith(b"250")
        c.cmd(b"QUIT\r\n")
        c.close()
        [path] = wait_for_messages(inst, "demo", 1)
        assert received_from(path.read_bytes()).startswith(
            b"evil??trusted.example?[10.0.0.1]? (unknown [127.0.0.1])")
