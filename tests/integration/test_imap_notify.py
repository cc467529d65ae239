"""NOTIFY (RFC 5465) with two imaplib sessions: one sets NOTIFY, the other changes
mailboxes; the first gets untagged STATUS for other mailboxes' new and expunged messages
(UNSEEN with FlagChange), LIST for created, deleted and renamed folders and for
subscription changes — at NOOP and while IDLE — and nothing once NOTIFY NONE. The
syntax errors and BADEVENT are checked against Dovecot 2.3's answers (its STATUS items,
MESSAGES UIDNEXT UIDVALIDITY UNSEEN, are the same)."""

from __future__ import annotations

import re
import time

import pytest

from imap_setup import ImapInstance
from test_imap_conformance import raw_lines

ALL_EVENTS = b"(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)"


@pytest.fixture(scope="module")
def server():
    with ImapInstance() as s:
        yield s


def put(c, box: str, subject: str = "n") -> None:
    msg = f"From: a@example.test\r\nSubject: {subject}\r\n\r\nbody\r\n".encode()
    typ, _ = c.append(box, None, None, msg)
    assert typ == "OK"


def status_of(lines: list[bytes], box: bytes) -> dict[str, int] | None:
    for line in lines:
        m = re.match(rb'\* STATUS "?' + re.escape(box) + rb'"? \((.*)\)$', line)
        if m:
            words = m.group(1).split()
            return {words[i].decode(): int(words[i + 1]) for i in range(0, len(words), 2)}
    return None


def test_notify_reports_other_mailboxes(server):
    a, b = server.imap(), server.imap()
    a.create("Watched")
    a.create("Quiet")
    assert b" NOTIFY" in raw_lines(a, b"CAPABILITY")[0]
    lines = raw_lines(a, b"NOTIFY SET STATUS (PERSONAL " + ALL_EVENTS + b")")
    assert lines[-1].split()[1] == b"OK", lines
    first = status_of(lines, b"Watched")  # SET STATUS: every watched mailbox right away
    assert first and first["MESSAGES"] == 0 and set(first) == {
        "MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"}, lines
    assert not any(l.startswith(b"* STATUS") for l in raw_lines(a, b"NOOP")[:-1])

    put(b, "Watched")
    lines = raw_lines(a, b"NOOP")
    now = status_of(lines, b"Watched")
    assert now == {**first, "MESSAGES": 1, "UIDNEXT": first["UIDNEXT"] + 1, "UNSEEN": 1}, lines
    assert status_of(lines, b"Quiet") is None, lines  # only what changed

    # Folders untouched for a while are not read again at each NOOP (their new/ and cur/
    # times tell); a change after that is still seen.
    time.sleep(2.5)
    assert status_of(raw_lines(a, b"NOOP"), b"Watched") is None
    b.select("Watched")
    b.store("1", "+FLAGS", "\\Seen")  # FlagChange: UNSEEN
    assert status_of(raw_lines(a, b"NOOP"), b"Watched")["UNSEEN"] == 0
    b.store("1", "+FLAGS", "\\Deleted")
    b.expunge()  # MessageExpunge
    assert status_of(raw_lines(a, b"NOOP"), b"Watched")["MESSAGES"] == 0
    b.close()

    b.create("NewOne")
    assert b'* LIST () "." NewOne' in raw_lines(a, b"NOOP")
    b.rename("NewOne", "Renamed")
    lines = raw_lines(a, b"NOOP")
    assert b'* LIST (\\NonExistent) "." NewOne' in lines and b'* LIST () "." Renamed' in lines
    b.subscribe("Watched")
    assert b'* LIST (\\Subscribed) "." Watched' in raw_lines(a, b"NOOP")
    b.unsubscribe("Watched")
    assert b'* LIST () "." Watched' in raw_lines(a, b"NOOP")
    b.delete("Renamed")
    assert b'* LIST (\\NonExistent) "." Renamed' in raw_lines(a, b"NOOP")

    # The selected mailbox reports as without NOTIFY: EXISTS, not STATUS.
    a.select("Watched")
    put(b, "Watched")
    lines = raw_lines(a, b"NOOP")
    assert b"* 1 EXISTS" in lines and status_of(lines, b"Watched") is None, lines
    a.close()

    # MAILBOXES limits the report to the mailboxes named.
    assert raw_lines(a, b"NOTIFY SET (MAILBOXES Quiet (MessageNew MessageExpunge))")[-1].split()[1] == b"OK"
    put(b, "Watched")
    assert status_of(raw_lines(a, b"NOOP"), b"Watched") is None
    put(b, "Quiet")
    quiet = status_of(raw_lines(a, b"NOOP"), b"Quiet")
    assert quiet and quiet["MESSAGES"] == 1 and "UNSEEN" not in quiet  # no FlagChange asked

    assert raw_lines(a, b"NOTIFY NONE")[-1].split()[1] == b"OK"
    put(b, "Quiet")
    assert not any(l.startswith(b"* STATUS") for l in raw_lines(a, b"NOOP")[:-1])
    a.logout()
    b.logout()


def test_notify_wakes_idle(server):
    """While IDLE, a watched mailbox's new message arrives as STATUS without any command."""
    a, b = server.imap(), server.imap()
    assert raw_lines(a, b"NOTIFY SET (INBOXES (MessageNew MessageExpunge))")[-1].split()[1] == b"OK"
    tag = a._new_tag()
    a.send(tag + b" IDLE\r\n")
    assert a._get_line().startswith(b"+")
    started = time.monotonic()
    put(b, "INBOX")
    a.sock.settimeout(10)
    line = a._get_line()
    assert line.startswith(b"* STATUS INBOX (MESSAGES "), line
    assert time.monotonic() - started < 5
    a.send(b"DONE\r\n")
    while not (line := a._get_line()).startswith(tag + b" "):
        pass
    assert line.split()[1] == b"OK"
    a.logout()
    b.logout()


def test_notify_errors_as_dovecot(server):
    a = server.imap()
    for args, status in [
        (b"SET (SELECTED (MessageNew))", b"BAD"),  # RFC 5465 §5.2: with MessageExpunge
        (b"SET (SELECTED (FlagChange))", b"BAD"),
        (b"SET (NOWHERE (MessageNew MessageExpunge))", b"BAD"),
        (b"SET", b"BAD"),
        (b"SET (SELECTED (MessageNew MessageExpunge AnnotationChange))", b"NO"),
    ]:
        lines = raw_lines(a, b"NOTIFY " + args)
        assert lines[-1].split()[1] == status, (args, lines)
    assert b"[BADEVENT (" in lines[-1], lines
    a.logout()
