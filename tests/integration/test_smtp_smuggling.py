"""SMTP smuggling (SEC Consult, December 2023; CVE-2023-51764 for Postfix): a DATA stream
holding a fake end-of-data sequence followed by a second transaction must never become two
messages. Every end-of-data variant of the research is tried, for a client outside
mynetworks and for an exempt one, with smtpd_forbid_bare_newline = normalize, reject and no.
Only "<CR><LF>.<CR><LF>" ends DATA (RFC 5321 §4.1.1.4)."""

import re
import socket

import pytest

from correio_fixture import Correio

# The fake end-of-data sequences: bare LF or bare CR on either side of the dot, NUL
# around it, and the proper CRLF on one side only.
FAKE_ENDS = {
    "lf-dot-lf": b"\n.\n",
    "lf-dot-crlf": b"\n.\r\n",
    "crlf-dot-lf": b"\r\n.\n",
    "cr-dot-cr": b"\r.\r",
    "cr-dot-crlf": b"\r.\r\n",
    "crlf-dot-cr": b"\r\n.\r",
    "cr-dot-lf": b"\r.\n",
    "lf-dot-cr": b"\n.\r",
    "crlf-dot-cr-cr-lf": b"\r\n.\r\r\n",
    "crlf-nul-dot-crlf": b"\r\n\x00.\r\n",
    "crlf-dot-nul-crlf": b"\r\n.\x00\r\n",
    "crlf-dot-space-crlf": b"\r\n. \r\n",
}

SMUGGLED = (b"MAIL FROM:<ceo@example.test>\r\nRCPT TO:<demo@example.test>\r\nDATA\r\n"
            b"From: ceo@example.test\r\nSubject: smuggled\r\n\r\npay now\r\n.\r\n")


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return data
        if not chunk:
            return data
        data += chunk


def smuggle(port: int, fake_end: bytes) -> bytes:
    """One session: the smuggling DATA, then QUIT; every reply the server sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        buf = b""

        def wait_for(code: bytes) -> None:
            nonlocal buf
            while not re.search(rb"(^|\r\n)" + code + rb" [^\r\n]*\r\n$", buf):
                chunk = sock.recv(65536)
                assert chunk, buf
                buf += chunk

        wait_for(b"220")
        sock.sendall(b"EHLO client.example\r\n")
        wait_for(b"250")
        # PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write.
        sock.sendall(b"MAIL FROM:<a@remote.example>\r\nRCPT TO:<demo@example.test>\r\nDATA\r\n")
        wait_for(b"354")
        sock.sendall(b"Subject: first\r\n\r\nbody" + fake_end + SMUGGLED)
        sock.sendall(b"QUIT\r\n")
        return buf + read_all(sock)


def queue_files(inst: Correio) -> list:
    incoming = inst.queue_dir / "incoming"
    return sorted(incoming.iterdir()) if incoming.exists() else []


@pytest.mark.parametrize("mode,mynetworks", [
    ("normalize", "192.0.2.0/24"),   # the default, client not exempt
    ("normalize", "127.0.0.0/8"),    # exempt through smtpd_forbid_bare_newline_exclusions
    ("reject", "192.0.2.0/24"),
    ("no", "192.0.2.0/24"),
])
def test_no_variant_smuggles_a_second_message(mode, mynetworks):
    inst = Correio(main_cf={"mydestination": "localhost",
                            "virtual_mailbox_domains": "example.test",
                            "mynetworks": mynetworks, "smtpd_forbid_bare_newline": mode})
    with inst:
        queued = 0
        for name, fake_end in FAKE_ENDS.items():
            replies = smuggle(inst.smtp_port, fake_end)
            ids = re.findall(rb"250 2\.0\.0 Ok: queued as ([0-9A-F]+)", replies)
            # At most one message per session: the smuggled transaction's MAIL, RCPT and
            # DATA were never seen as commands.
            assert len(ids) <= 1, (name, replies)
            assert b"\r\n354 " not in replies.split(b"\r\n354 ", 1)[1], (name, replies)
            if ids:
                queued += 1
            elif mode == "reject":
                assert b"bare <LF> received" in replies or b"bare <CR>" in replies or \
                    re.search(rb"\r\n5\d\d ", replies), (name, replies)
            else:
                raise AssertionError(f"{name}: message refused in mode {mode}: {replies!r}")
        print(f"{mode} {mynetworks}: {queued} of {len(FAKE_ENDS)} sessions queued one message")
        files = queue_files(inst)
        assert len(files) == queued, (len(files), queued)
        # Every queued message holds the smuggled text as its body, never as a message.
        for path in files:
            content = path.read_bytes()
            assert b"Subject: first" in content and b"pay now" in content, content[-400:]
            assert b"Subject: smuggled" in content
        assert "ceo@example.test" not in "".join(inst.log_lines(r"from=<ceo@example\.test>"))
