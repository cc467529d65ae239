"""NOTIFY (RFC 5465) with two imaplib sessions: one sets NOTIFY, the other changes
mailboxes; the first gets untagged STATUS for other mailboxes' new and expunged messages
(UNSEEN with FlagChange), LIST for created, deleted and renamed folders and for
subscription changes — at NOOP and while IDLE — and nothing once NOTIFY NONE. The
syntax errors and BADEVENT are checked against Dovecot 2.3's answers (its STATUS items,
MESSAGES UIDNEXT UIDVALIDITY UNSEEN, are the same)."""

from __future__ import annotations

import re
import select
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


# ---- events between commands (RFC 5465 §3): the client sends nothing and still hears ----

def read_until(c, predicate, timeout: float = 10.0) -> list[bytes]:
    """Reads untagged lines without sending anything until one satisfies `predicate`."""
    c.sock.settimeout(timeout)
    lines = []
    while True:
        line = c._get_line()
        lines.append(line)
        if predicate(line):
            c.sock.settimeout(20)
            return lines


def quiet_for(c, seconds: float) -> list[bytes]:
    """Whatever arrives unasked within `seconds` (expected: nothing). Waits with select,
    not a socket timeout: once a read through imaplib's file has timed out, Python's
    SocketIO refuses every later read ("cannot read from timed out object"), and the
    session could not be used afterwards."""
    lines = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        # A line imaplib's reader holds already, else one the socket brings in time.
        c.sock.settimeout(0)
        try:
            buffered = c.file.peek(1)
        finally:
            c.sock.settimeout(20)
        if not buffered and not select.select([c.sock], [], [], left)[0]:
            break
        lines.append(c._get_line())
    return lines


def test_other_mailboxes_between_commands(server):
    a, b = server.imap(), server.imap()
    a.create("Between")
    assert raw_lines(a, b"NOTIFY SET (PERSONAL " + ALL_EVENTS + b")")[-1].split()[1] == b"OK"
    started = time.monotonic()
    put(b, "Between")
    lines = read_until(a, lambda l: l.startswith(b"* STATUS Between"))
    assert status_of(lines, b"Between")["MESSAGES"] == 1, lines
    # inotify, not a poll: well under the old one-second period even on a loaded machine.
    assert time.monotonic() - started < 3
    b.subscribe("Between")
    assert b'* LIST (\\Subscribed) "." Between' in read_until(a, lambda l: l.startswith(b"* LIST"))
    b.create("Between.Child")
    assert b'* LIST () "." Between.Child' in read_until(a, lambda l: l.startswith(b"* LIST"))
    # The session still takes commands as usual afterwards.
    assert raw_lines(a, b"NOOP")[-1].split()[1] == b"OK"
    assert raw_lines(a, b"NOTIFY NONE")[-1].split()[1] == b"OK"
    put(b, "Between")
    assert quiet_for(a, 1.5) == []
    a.logout()
    b.logout()


def test_selected_mailbox_between_commands(server):
    """SELECTED with MessageNew's fetch attributes: EXISTS then FETCH (UID FLAGS ENVELOPE)
    (§5.2), FETCH FLAGS for FlagChange (§5.1), EXPUNGE for MessageExpunge (§5.3), all
    without a command from the client."""
    a, b = server.imap(), server.imap()
    a.create("Sel")
    a.select("Sel")
    lines = raw_lines(a, b"NOTIFY SET (SELECTED (MessageNew (UID FLAGS ENVELOPE) "
                         b"MessageExpunge FlagChange))")
    assert lines[-1].split()[1] == b"OK", lines
    put(b, "Sel", subject="hello there")
    lines = read_until(a, lambda l: b" FETCH " in l)
    assert lines[0] == b"* 1 EXISTS", lines
    fetch = lines[-1]
    assert fetch.startswith(b"* 1 FETCH (UID 1 FLAGS (") and b'"hello there"' in fetch, lines
    assert b"ENVELOPE (" in fetch
    b.select("Sel")
    b.store("1", "+FLAGS", "\\Flagged")
    lines = read_until(a, lambda l: b" FETCH " in l)
    assert b"\\Flagged" in lines[-1] and lines[-1].startswith(b"* 1 FETCH ("), lines
    b.store("1", "+FLAGS", "\\Deleted")
    read_until(a, lambda l: b" FETCH " in l)
    b.expunge()
    assert read_until(a, lambda l: l.endswith(b"EXPUNGE"))[-1] == b"* 1 EXPUNGE"
    assert raw_lines(a, b"NOOP")[:-1] == []  # told once, not again at the next command
    a.logout()
    b.logout()


def test_selected_delayed_holds_expunges_back(server):
    """SELECTED-DELAYED (§6): EXISTS arrives at once, EXPUNGE only at the next command
    that allows it (NOOP), so that message sequence numbers stay put meanwhile."""
    a, b = server.imap(), server.imap()
    a.create("Delayed")
    put(b, "Delayed")
    a.select("Delayed")
    assert raw_lines(a, b"NOTIFY SET (SELECTED-DELAYED (MessageNew MessageExpunge))")[-1].split()[1] == b"OK"
    b.select("Delayed")
    b.store("1", "+FLAGS", "\\Deleted")
    b.expunge()
    put(b, "Delayed")
    lines = read_until(a, lambda l: l.endswith(b"EXISTS"))
    assert not any(l.endswith(b"EXPUNGE") for l in lines), lines
    assert not any(l.endswith(b"EXPUNGE") for l in quiet_for(a, 1.5))
    assert b"* 1 EXPUNGE" in raw_lines(a, b"NOOP")
    a.logout()
    b.logout()


def test_metadata_changes_between_commands(server):
    """MailboxMetadataChange and ServerMetadataChange (§5.7, §5.8): untagged METADATA with
    the changed entries' names (RFC 5464 §4.4.2), for additions, changes and removals."""
    a, b = server.imap(), server.imap()
    a.create("Meta2")
    lines = raw_lines(a, b"NOTIFY SET (PERSONAL (MailboxMetadataChange ServerMetadataChange))")
    assert lines[-1].split()[1] == b"OK", lines
    assert raw_lines(b, b'SETMETADATA Meta2 (/private/comment "one")')[-1].split()[1] == b"OK"
    assert read_until(a, lambda l: l.startswith(b"* METADATA"))[-1] == \
        b"* METADATA Meta2 /private/comment"
    assert raw_lines(b, b'SETMETADATA "" (/shared/vendor/vendor.example/x "1")')[-1].split()[1] == b"OK"
    assert read_until(a, lambda l: l.startswith(b"* METADATA"))[-1] == \
        b'* METADATA "" /shared/vendor/vendor.example/x'
    assert raw_lines(b, b"SETMETADATA Meta2 (/private/comment NIL)")[-1].split()[1] == b"OK"
    assert read_until(a, lambda l: l.startswith(b"* METADATA"))[-1] == \
        b"* METADATA Meta2 /private/comment"
    a.logout()
    b.logout()


def test_notification_overflow(server):
    """More new messages than NOTIFY's FETCH limit (1,000) in one report: EXISTS, then
    [NOTIFICATIONOVERFLOW] instead of the FETCHes, and NOTIFY is NONE afterwards (§5.8)."""
    a, b = server.imap(), server.imap()
    a.create("Flood")
    a.select("Flood")
    assert raw_lines(a, b"NOTIFY SET (SELECTED (MessageNew (UID) MessageExpunge))")[-1].split()[1] == b"OK"
    # Half a command: the client is "in the middle of a command", so the server holds its
    # events until the command is complete (§3), and they pile up meanwhile.
    a.send(b"n1 NOO")
    time.sleep(0.3)
    msg = b"Subject: f\r\n\r\nx\r\n"
    command = b"APPEND Flood" + b"".join(b" {%d+}\r\n" % len(msg) + msg for _ in range(1001))
    assert raw_lines(b, command)[-1].split()[1] == b"OK"
    a.send(b"P\r\n")
    lines = []
    while not (line := a._get_line()).startswith(b"n1 "):
        lines.append(line)
    assert b"* 1001 EXISTS" in lines, lines[:5]
    assert any(b"[NOTIFICATIONOVERFLOW]" in l for l in lines), lines[-3:]
    assert not any(b" FETCH " in l for l in lines)
    put(b, "Flood")  # NOTIFY is off now: nothing unasked
    assert quiet_for(a, 1.5) == []
    a.logout()
    b.logout()


def test_idle_notify_session_costs_no_cpu(server):
    """An idle NOTIFY session (many watched mailboxes) waits on inotify: imapd uses next to
    no CPU while nothing changes (no one-second poll of every mailbox, no report loop)."""
    a = server.imap()
    for i in range(20):
        a.create(f"Cpu{i}")
    a.select("INBOX")
    assert raw_lines(a, b"NOTIFY SET (SELECTED (MessageNew (UID) MessageExpunge)) (PERSONAL "
                     + ALL_EVENTS + b")")[-1].split()[1] == b"OK"
    time.sleep(0.5)
    def cpu_ticks() -> int:
        total = 0
        for pid in server.inst.service_pids():
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total
    before = cpu_ticks()
    assert quiet_for(a, 4) == []
    used = cpu_ticks() - before
    assert used <= 5, f"{used} ticks in 4 s"  # a poll loop over 20 folders costs far more
    a.logout()
