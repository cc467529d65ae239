"""URLAUTH (RFC 4467) in imapd and BURL (RFC 4468) in the submission smtpd, with Python's
imaplib and smtplib: GENURLAUTH signs a rump URL with the folder's mailbox access key (kept
in the Maildir root, mode 0600), URLFETCH resolves it (NIL for a wrong token, an expired
URL, an access identifier that does not allow the user, a key reset by RESETKEY), and BURL
puts the message the URL names into a submitted message, with RFC 4468's replies when the
URL does not resolve. The GENURLAUTH/URLFETCH/RESETKEY answers follow Dovecot 2.3's
(imap_urlauth_host set), checked by hand with its imap binary."""

from __future__ import annotations

import re
import smtplib
import stat
import time

import pytest

from delivery_setup import maildir_new, wait_for_messages
from imap_setup import ImapInstance
from test_imap_conformance import raw_lines

HOST = "mail.example.test"
DEMO = "demo%40example.test"  # the user name in URLs is percent-encoded (RFC 5092 §3.1)


@pytest.fixture(scope="module")
def server():
    with ImapInstance({"imapd_urlauth_host": HOST, "smtpd_sasl_auth_enable": "yes"}) as s:
        yield s


def draft(c, subject: str, body: str = "The body.\r\nSecond line.\r\n") -> tuple[int, bytes]:
    """Appends a message to Drafts; its UID and bytes."""
    msg = (f"From: demo@example.test\r\nTo: sender@example.test\r\nSubject: {subject}\r\n"
           f"Date: Mon, 1 Jan 2024 12:00:00 +0000\r\nMessage-ID: <{subject}@example.test>\r\n"
           f"\r\n{body}").encode()
    typ, data = c.append("Drafts", None, None, msg)
    assert typ == "OK", data
    uid = int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
    return uid, msg


def genurlauth(c, rump: str, mechanism: str = "INTERNAL") -> list[bytes]:
    return raw_lines(c, f'GENURLAUTH "{rump}" {mechanism}'.encode())


def signed(c, rump: str) -> str:
    lines = genurlauth(c, rump)
    assert lines[-1].split()[1] == b"OK", lines
    return lines[0].split(b" ", 2)[2].strip(b'"').decode()


def urlfetch(c, url: str) -> tuple[bytes | None, list[bytes]]:
    """URLFETCH of one URL: the literal's bytes (None for NIL) and every response line."""
    tag = c._new_tag()
    c.send(tag + f' URLFETCH "{url}"\r\n'.encode())
    data, lines = None, []
    while True:
        line = c._get_line()
        lines.append(line)
        if m := re.match(rb"\* URLFETCH .* \{(\d+)\}$", line):
            data = c.read(int(m.group(1)))
            lines.append(c._get_line())  # the rest of the response line (empty)
        if line.startswith(tag + b" "):
            assert line.split()[1] == b"OK", lines
            return data, lines


def rump_of(uid: int, access: str, folder: str = "Drafts", extra: str = "") -> str:
    return f"imap://{DEMO}@{HOST}/{folder}/;uid={uid}{extra};urlauth={access}"


def test_genurlauth_and_urlfetch(server):
    c = server.imap()
    assert b" URLAUTH" in raw_lines(c, b"CAPABILITY")[0]
    uid, msg = draft(c, "fetch-me")
    url = signed(c, rump_of(uid, f"user+{DEMO}"))
    assert re.fullmatch(re.escape(rump_of(uid, f"user+{DEMO}")) + ":internal:[0-9a-f]{64}", url)
    data, _ = urlfetch(c, url)
    assert data == msg
    # A section, as BURL and CATENATE name parts.
    part = signed(c, rump_of(uid, "authuser", extra="/;section=TEXT"))
    assert urlfetch(c, part)[0] == b"The body.\r\nSecond line.\r\n"
    # One hex digit wrong: NIL with Dovecot's untagged NO.
    wrong = url[:-1] + ("0" if url[-1] != "0" else "1")
    data, lines = urlfetch(c, wrong)
    assert data is None and lines[0].endswith(b" NIL"), lines
    assert b"URLAUTH verification failed" in lines[1], lines
    # Expired (RFC 4467 §3 ";EXPIRE="): signed, but no longer resolved.
    old = signed(c, rump_of(uid, "anonymous", extra=";expire=2020-01-01T00:00:00Z"))
    data, lines = urlfetch(c, old)
    assert data is None and b"expired" in lines[1], lines
    soon = signed(c, rump_of(uid, "anonymous", extra=";expire=2099-01-01T00:00:00+01:00"))
    assert urlfetch(c, soon)[0] == msg
    # "submit+" URLs are for the submission server only.
    submit = signed(c, rump_of(uid, f"submit+{DEMO}"))
    assert urlfetch(c, submit)[0] is None
    # The key file: in the Maildir root, readable by its owner only.
    keys = server.inst.base / "mail" / "example.test" / "demo" / "correio-urlauth-keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    c.logout()


def test_genurlauth_refusals_as_dovecot(server):
    c = server.imap()
    uid, _ = draft(c, "refusals")
    checks = [
        (rump_of(uid, "anonymous", folder="Nope"), "INTERNAL", b"Mailbox doesn't exist"),
        (f"imap://sender%40example.test@{HOST}/INBOX/;uid=1;urlauth=anonymous", "INTERNAL",
         b"Not permitted to generate URLAUTH for user sender@example.test"),
        (f"imap://{DEMO}@other.host/Drafts/;uid={uid};urlauth=anonymous", "INTERNAL",
         b"Inappropriate host name"),
        (f"imap://{DEMO}@{HOST}/Drafts/;uid={uid}", "INTERNAL", b"Must be an URLAUTH rump URL"),
        (rump_of(99999, "anonymous"), "INTERNAL", b"Message not found"),
        (rump_of(uid, "anonymous"), "XSAMPLE", b"Unsupported URLAUTH mechanism: XSAMPLE"),
    ]
    for rump, mechanism, text in checks:
        lines = genurlauth(c, rump, mechanism)
        assert lines[-1].split()[1] == b"BAD" and text in lines[-1], (rump, lines)
    c.logout()


def test_resetkey_kills_old_urls_and_other_users_fetch_by_access(server):
    c = server.imap()
    uid, msg = draft(c, "reset")
    mine = signed(c, rump_of(uid, f"user+{DEMO}"))
    anyone = signed(c, rump_of(uid, "authuser"))
    # Another user: "authuser" lets any logged-in user fetch; "user+demo" does not.
    other = server.imap(login=False)
    other.login("sender@example.test", "secret")
    assert urlfetch(other, anyone)[0] == msg
    assert urlfetch(other, mine)[0] is None
    other.logout()
    lines = raw_lines(c, b"RESETKEY Drafts INTERNAL")
    assert lines[-1].split()[1:4] == [b"OK", b"[URLMECH", b"INTERNAL]"], lines
    assert urlfetch(c, mine)[0] is None and urlfetch(c, anyone)[0] is None
    fresh = signed(c, rump_of(uid, f"user+{DEMO}"))
    assert fresh != mine and urlfetch(c, fresh)[0] == msg
    assert raw_lines(c, b"RESETKEY Nope")[-1].split()[1] == b"NO"
    assert raw_lines(c, b"RESETKEY Drafts XSAMPLE")[-1].split()[1] == b"NO"
    assert raw_lines(c, b"RESETKEY")[-1].split()[1] == b"OK"  # every folder's key
    assert urlfetch(c, fresh)[0] is None
    c.logout()


def submission(server) -> smtplib.SMTP:
    s = smtplib.SMTP("127.0.0.1", server.inst.smtp_port, timeout=20)
    s.ehlo("client.example.test")
    assert not s.has_extn("burl")  # RFC 4468 §3: only once authenticated
    s.login("demo@example.test", "secret")
    s.ehlo("client.example.test")
    return s


def test_burl_submits_the_message_intact(server):
    c = server.imap()
    uid, msg = draft(c, "burl-whole")
    url = signed(c, rump_of(uid, f"submit+{DEMO}"))
    before = len(list(maildir_new(server.inst, "sender").glob("*"))) \
        if maildir_new(server.inst, "sender").exists() else 0
    with submission(server) as s:
        assert s.esmtp_features["burl"] == f"imap imap://{HOST}"
        assert s.mail("demo@example.test")[0] == 250
        assert s.rcpt("sender@example.test")[0] == 250
        code, text = s.docmd("BURL", url + " LAST")
        assert code == 250, text
        # In two chunks: the header section, then the body (RFC 4468 §4 with §3's LAST).
        header = signed(c, rump_of(uid, f"submit+{DEMO}", extra="/;section=HEADER"))
        body = signed(c, rump_of(uid, f"submit+{DEMO}", extra="/;section=TEXT"))
        assert s.mail("demo@example.test")[0] == 250
        assert s.rcpt("sender@example.test")[0] == 250
        code, text = s.docmd("BURL", header)
        assert (code, text[:5]) == (250, b"2.5.0"), text
        code, text = s.docmd("BURL", body + " LAST")
        assert code == 250, text
    files = wait_for_messages(server.inst, "sender", before + 2)
    expected = msg.replace(b"\r\n", b"\n")
    delivered = [f.read_bytes() for f in files[-2:]]
    for data in delivered:
        # Received: and the delivery headers come first; the draft follows byte for byte.
        assert data.endswith(expected[expected.index(b"To:"):]), data
        assert b"From: demo@example.test\n" in data and b"Second line.\n" in data
    c.logout()


def test_burl_refusals(server):
    c = server.imap()
    uid, _ = draft(c, "burl-refused")
    good = signed(c, rump_of(uid, f"submit+{DEMO}"))
    expired = signed(c, rump_of(uid, f"submit+{DEMO}", extra=";expire=2020-01-01T00:00:00Z"))
    user_only = signed(c, rump_of(uid, f"user+{DEMO}"))
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    c.logout()
    with smtplib.SMTP("127.0.0.1", server.inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example.test")
        s.mail("demo@example.test")
        s.rcpt("sender@example.test")
        assert s.docmd("BURL", good + " LAST")[0] == 530  # not authenticated
    with submission(server) as s:
        s.mail("demo@example.test")
        s.rcpt("sender@example.test")
        cases = [
            (wrong, 554, b"5.6.6 IMAP URL resolution failed: URLAUTH verification failed"),
            (expired, 554, b"5.6.6 IMAP URL resolution failed: URLAUTH has expired"),
            (user_only, 554, b"5.6.6"),
            (f"imap://{DEMO}@{HOST}/Drafts/;uid={uid}", 554, b"5.7.14"),  # no URLAUTH
            ("http://example.test/x", 501, b"5.5.4"),
            (good + " NOTLAST", 501, b"5.5.4"),
        ]
        for url, code, text in cases:
            got = s.docmd("BURL", url + (" LAST" if " " not in url else ""))
            assert got[0] == code and got[1].startswith(text), (url, got)
            s.rset()
            s.mail("demo@example.test")
            s.rcpt("sender@example.test")
        # A refused chunk fails the whole message: the next chunk is refused too and
        # nothing is queued.
        assert s.docmd("BURL", wrong)[0] == 554
        assert s.docmd("BURL", good + " LAST")[0] == 554
        assert s.docmd("BURL", "")[0] == 501


def test_off_without_imapd_urlauth_host():
    """Empty imapd_urlauth_host (the default): no URLAUTH capability, the commands are
    unknown, and smtpd neither announces nor accepts BURL."""
    with ImapInstance({"smtpd_sasl_auth_enable": "yes"}) as s:
        c = s.imap()
        assert b"URLAUTH" not in raw_lines(c, b"CAPABILITY")[0]
        for command in (b'GENURLAUTH "imap://x@h/INBOX/;uid=1;urlauth=anonymous" INTERNAL',
                        b"RESETKEY", b'URLFETCH "imap://x@h/INBOX/;uid=1"'):
            lines = raw_lines(c, command)
            assert lines[-1].split()[1] == b"BAD" and b"Unknown command" in lines[-1], lines
        c.logout()
        with smtplib.SMTP("127.0.0.1", s.inst.smtp_port, timeout=20) as smtp:
            smtp.login("demo@example.test", "secret")
            smtp.ehlo("client.example.test")
            assert not smtp.has_extn("burl")
            assert smtp.docmd("BURL", "imap://x@h/INBOX/;uid=1 LAST")[0] == 502
