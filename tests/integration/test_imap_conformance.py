"""IMAP behaviours that clients rely on, checked with Python's imaplib against a running
Correio (issue: IMAP conformance). Each test names the RFC section it holds the server to;
where an RFC leaves room, Dovecot's behaviour is the reference."""

from __future__ import annotations

import re

import pytest

from imap_setup import ImapInstance


@pytest.fixture(scope="module")
def server():
    with ImapInstance() as s:
        yield s


def append(c, box: str, date_header: str, subject: str, internal: str | None = None) -> None:
    msg = (f"From: a@example.test\r\nDate: {date_header}\r\nSubject: {subject}\r\n\r\nx\r\n").encode()
    typ, _ = c.append(box, None, internal, msg)
    assert typ == "OK"


def search(c, *criteria: str) -> list[int]:
    typ, data = c.search(None, *criteria)
    assert typ == "OK", data
    return [int(n) for n in data[0].split()]


def test_sent_dates_use_the_date_headers_own_day(server):
    """RFC 3501 §6.4.4: SENTBEFORE/SENTON/SENTSINCE compare the Date: header's date,
    "disregarding time and timezone" — the day as its writer wrote it, not the UTC day."""
    c = server.imap()
    c.create("SentDates")
    # 1: late on 1 Jan in New York (already 2 Jan in UTC).
    append(c, "SentDates", "Mon, 1 Jan 2024 23:30:00 -0500", "late")
    # 2: early on 2 Jan in Tokyo (still 1 Jan in UTC).
    append(c, "SentDates", "Tue, 2 Jan 2024 06:00:00 +0900", "early")
    # 3: noon UTC on 2 Jan.
    append(c, "SentDates", "Tue, 2 Jan 2024 12:00:00 +0000", "noon")
    c.select("SentDates")
    assert search(c, "SENTON", "1-Jan-2024") == [1]
    assert search(c, "SENTON", "2-Jan-2024") == [2, 3]
    assert search(c, "SENTBEFORE", "2-Jan-2024") == [1]
    assert search(c, "SENTSINCE", "2-Jan-2024") == [2, 3]
    assert search(c, "NOT", "SENTSINCE", "1-Jan-2024") == []
    c.logout()


def test_internal_dates_use_before_on_since(server):
    """BEFORE/ON/SINCE use the internal date (APPEND's date-time), not the Date: header."""
    c = server.imap()
    c.create("InternalDates")
    append(c, "InternalDates", "Mon, 1 Jan 2024 12:00:00 +0000", "a",
           internal='"10-Mar-2024 12:00:00 +0000"')
    append(c, "InternalDates", "Mon, 1 Jan 2024 12:00:00 +0000", "b",
           internal='"11-Mar-2024 12:00:00 +0000"')
    c.select("InternalDates")
    assert search(c, "ON", "10-Mar-2024") == [1]
    assert search(c, "BEFORE", "11-Mar-2024") == [1]
    assert search(c, "SINCE", "11-Mar-2024") == [2]
    assert search(c, "SENTON", "1-Jan-2024") == [1, 2]
    c.logout()


def test_address_search_matches_display_names_and_encoded_words(server):
    """FROM/TO/CC/BCC match a substring of the whole header, display names included,
    encoded words decoded, case-insensitively (RFC 3501 §6.4.4)."""
    c = server.imap()
    c.create("Addresses")
    msg = ("From: =?UTF-8?Q?Jos=C3=A9_Ferreira?= <jose@example.test>\r\n"
           "To: \"Team Lead\" <lead@corp.example>,\r\n bob@other.example\r\n"
           "Cc: Carol <carol@example.test>\r\nBcc: Dave <dave@example.test>\r\n"
           "Subject: s\r\n\r\nx\r\n").encode()
    assert c.append("Addresses", None, None, msg)[0] == "OK"
    c.select("Addresses")
    assert search(c, "FROM", "jose@") == [1]
    assert search(c, "FROM", "ferreira") == [1]
    assert search(c, "TO", '"team lead"') == [1]
    assert search(c, "TO", "BOB@OTHER") == [1]
    assert search(c, "CC", "carol") == [1]
    assert search(c, "CC", "lead") == []
    assert search(c, "BCC", "DAVE@") == [1]
    assert search(c, "BCC", "carol") == []
    # Only the decoded display name has "é f" (the raw header has "=C3=A9_F").
    decoded = "é ferr".encode()
    lines = raw_lines(c, b"SEARCH CHARSET UTF-8 FROM {%d+}\r\n%s" % (len(decoded), decoded))
    assert lines[0].strip() == b"* SEARCH 1" and lines[-1].split()[1] == b"OK", lines
    c.logout()


def test_uid_4294967295_is_a_number_not_star(server):
    """RFC 9051 §9: in "n:4294967295" the bound is a number, so a range above every UID
    matches nothing; "n:*" matches the last message."""
    c = server.imap()
    c.create("Sets")
    for i in range(3):
        append(c, "Sets", "Mon, 1 Jan 2024 12:00:00 +0000", f"m{i}")
    c.select("Sets")
    typ, data = c.uid("SEARCH", "UID", "900:4294967295")
    assert typ == "OK" and data[0].split() == []
    typ, data = c.uid("SEARCH", "UID", "900:*")
    assert typ == "OK" and len(data[0].split()) == 1
    typ, data = c.uid("FETCH", "900:4294967295", "(FLAGS)")
    assert typ == "OK" and data == [None]
    c.logout()


def test_copyuid_follows_the_source_set_order_and_the_destination_uidvalidity(server):
    """RFC 4315 §3: COPYUID's source and destination sets correspond element by element,
    and the UIDVALIDITY is the destination's; sets are compressed as ranges."""
    c = server.imap()
    c.create("CopySrc")
    c.create("CopyDst")
    for i in range(4):
        append(c, "CopySrc", "Mon, 1 Jan 2024 12:00:00 +0000", f"c{i}")
    typ, data = c.select("CopyDst")
    dst_validity = int(c.response("UIDVALIDITY")[1][0])
    c.select("CopySrc")
    typ, data = c.uid("SEARCH", "ALL")
    uids = [int(u) for u in data[0].split()]
    typ, data = c.uid("COPY", f"{uids[0]}:{uids[3]}", "CopyDst")
    assert typ == "OK"
    typ, data = c.response("COPYUID")
    m = re.fullmatch(rb"(\d+) (\S+) (\S+)", data[0])
    assert m, data
    assert int(m.group(1)) == dst_validity
    assert m.group(2) == f"{uids[0]}:{uids[3]}".encode()
    assert re.fullmatch(rb"\d+:\d+", m.group(3)), m.group(3)

    # A set with a gap, given out of order: the two sets pair up element by element (the
    # source set in ascending order, which RFC 4315 §3 allows), and each destination UID
    # holds the copy of its source message.
    typ, data = c.uid("COPY", f"{uids[3]},{uids[0]}:{uids[1]}", "CopyDst")
    assert typ == "OK"
    typ, data = c.response("COPYUID")
    m = re.fullmatch(rb"(\d+) (\S+) (\S+)", data[0])
    assert m, data

    def expand(text: bytes) -> list[int]:
        out = []
        for part in text.split(b","):
            lo, _, hi = part.partition(b":")
            out.extend(range(int(lo), int(hi or lo) + 1))
        return out

    sources, targets = expand(m.group(2)), expand(m.group(3))
    assert sources == [uids[0], uids[1], uids[3]], m.group(2)
    assert len(targets) == 3 and targets == sorted(targets), m.group(3)
    bodies = {}
    for uid in sources:
        typ, data = c.uid("FETCH", str(uid), "(BODY.PEEK[TEXT])")
        bodies[uid] = data[0][1]
    c.select("CopyDst")
    for source, target in zip(sources, targets):
        typ, data = c.uid("FETCH", str(target), "(BODY.PEEK[TEXT])")
        assert typ == "OK" and data[0][1] == bodies[source], (source, target, data)
    c.logout()


def test_move_into_the_selected_mailbox_sends_exists_before_expunge(server):
    """RFC 6851 §4.3: moving a message to the mailbox it is in adds a copy first; the
    client sees the new EXISTS before the EXPUNGE of the old copy."""
    c = server.imap()
    c.create("SelfMove")
    append(c, "SelfMove", "Mon, 1 Jan 2024 12:00:00 +0000", "self")
    c.select("SelfMove")
    tag = c._new_tag()
    c.send(tag + b" MOVE 1 SelfMove\r\n")
    lines = []
    while True:
        line = c._get_line()
        lines.append(line)
        if line.startswith(tag):
            break
    assert lines[-1].startswith(tag + b" OK"), lines
    kinds = [l.split()[2] for l in lines[:-1] if l.startswith(b"* ") and l.split()[1].isdigit()]
    assert b"EXISTS" in kinds and b"EXPUNGE" in kinds, lines
    assert kinds.index(b"EXISTS") < kinds.index(b"EXPUNGE"), lines
    c.logout()


def select_codes(c, box: str, examine: bool = False) -> dict[str, bytes]:
    typ, data = c.select(box, readonly=examine)
    assert typ == "OK", data
    out = {}
    for code in ("UIDVALIDITY", "UIDNEXT", "RECENT", "EXISTS"):
        typ, value = c.response(code)
        out[code] = value[0] if value and value[0] is not None else None
    return out


def test_select_reports_uidvalidity_and_recent_once(server):
    """RFC 3501 §6.3.1: every SELECT carries UIDVALIDITY; \\Recent belongs to the first
    session that sees the message (§2.3.2), so a second session counts RECENT 0."""
    first, second = server.imap(), server.imap()
    first.create("Recents")
    append(first, "Recents", "Mon, 1 Jan 2024 12:00:00 +0000", "r1")
    codes = select_codes(first, "Recents")
    assert codes["UIDVALIDITY"] and codes["RECENT"] == b"1" and codes["EXISTS"] == b"1"
    typ, data = first.fetch("1", "(FLAGS)")
    assert b"\\Recent" in data[0]
    codes = select_codes(second, "Recents")
    assert codes["UIDVALIDITY"] and codes["RECENT"] == b"0" and codes["EXISTS"] == b"1"
    typ, data = second.fetch("1", "(FLAGS)")
    assert b"\\Recent" not in data[0]
    first.logout()
    second.logout()


def test_select_of_a_mailbox_created_for_a_copy_has_uidvalidity(server):
    """COPY to a missing mailbox is refused with [TRYCREATE] (RFC 3501 §6.4.7); once the
    client creates it, the copy lands and SELECT reports its UIDVALIDITY and UIDNEXT."""
    c = server.imap()
    c.create("CopyFrom")
    append(c, "CopyFrom", "Mon, 1 Jan 2024 12:00:00 +0000", "x")
    c.select("CopyFrom")
    typ, data = c.copy("1", "NewlyMade")
    assert typ == "NO" and b"TRYCREATE" in data[0]
    assert c.create("NewlyMade")[0] == "OK"
    assert c.copy("1", "NewlyMade")[0] == "OK"
    codes = select_codes(c, "NewlyMade")
    assert codes["UIDVALIDITY"] and codes["UIDNEXT"] == b"2" and codes["EXISTS"] == b"1"
    c.logout()


def raw_lines(c, command: bytes) -> list[bytes]:
    """Sends one command on imaplib's connection and returns every line up to the tagged one."""
    tag = c._new_tag()
    c.send(tag + b" " + command + b"\r\n")
    lines = []
    while True:
        line = c._get_line()
        lines.append(line)
        if line.startswith(tag + b" "):
            return lines


def expunged_behind_a(server, name: str, count: int):
    """Two sessions on a new folder of `count` messages, both selected; b expunges message 2,
    which a still knows as number 2."""
    a, b = server.imap(), server.imap()
    a.create(name)
    for i in range(count):
        append(a, name, "Mon, 1 Jan 2024 12:00:00 +0000", f"{name}{i}")
    a.select(name)
    b.select(name)
    b.store("2", "+FLAGS", "\\Deleted")
    b.expunge()
    return a, b


def test_fetch_after_another_sessions_expunge_returns_what_exists(server):
    """RFC 9051 §7.5.1 forbids EXPUNGE responses during FETCH; messages another session
    expunged meanwhile are skipped and the command still succeeds with [EXPUNGEISSUED]
    (RFC 5530), as Dovecot answers; the EXPUNGE follows at the next NOOP."""
    a, b = expunged_behind_a(server, "Gone", 2)
    lines = raw_lines(a, b"FETCH 1:2 (FLAGS)")
    assert lines[-1].split()[1] == b"OK" and b"[EXPUNGEISSUED]" in lines[-1], lines
    assert any(l.startswith(b"* 1 FETCH") for l in lines), lines
    assert not any(b"EXPUNGE" in l for l in lines[:-1]), lines
    lines = raw_lines(a, b"NOOP")
    assert b"* 2 EXPUNGE" in lines, lines
    a.logout()
    b.logout()


def test_store_and_search_after_another_sessions_expunge(server):
    """RFC 9051 §7.5.1: no EXPUNGE response while answering STORE or SEARCH either; the
    message another session expunged keeps its number until the next command that may
    report it (NOOP here), and the commands do not fail for the messages still there."""
    a, b = expunged_behind_a(server, "Gone2", 3)
    lines = raw_lines(a, b"STORE 1:3 +FLAGS (\\Flagged)")
    assert lines[-1].split()[1] in (b"OK", b"NO"), lines  # never BAD
    assert not any(b"EXPUNGE" in l for l in lines[:-1]), lines
    assert any(l.startswith(b"* 1 FETCH") and b"\\Flagged" in l for l in lines), lines
    assert any(l.startswith(b"* 3 FETCH") and b"\\Flagged" in l for l in lines), lines
    lines = raw_lines(a, b"SEARCH FLAGGED")
    assert lines[-1].split()[1] == b"OK", lines
    assert not any(b"EXPUNGE" in l for l in lines[:-1]), lines
    found = [l for l in lines if l.startswith(b"* SEARCH")]
    assert found and set(found[0].split()[2:]) >= {b"1", b"3"}, lines
    lines = raw_lines(a, b"NOOP")
    assert b"* 2 EXPUNGE" in lines, lines
    typ, data = a.search(None, "FLAGGED")
    assert data[0].split() == [b"1", b"2"], data  # renumbered after the EXPUNGE
    a.logout()
    b.logout()


def test_new_keyword_is_announced_with_flags_before_fetch(server):
    """A keyword new to the mailbox reaches every session that has it selected as a new
    untagged FLAGS (and PERMANENTFLAGS) before any FETCH that shows it (RFC 9051 §7.3.5)."""
    a, b = server.imap(), server.imap()
    a.create("Keywords")
    append(a, "Keywords", "Mon, 1 Jan 2024 12:00:00 +0000", "k")
    a.select("Keywords")
    b.select("Keywords")
    lines = raw_lines(a, b"STORE 1 +FLAGS ($Project)")
    flags_at = [i for i, l in enumerate(lines) if l.startswith(b"* FLAGS") and b"$Project" in l]
    fetch_at = [i for i, l in enumerate(lines) if b"FETCH" in l and b"$Project" in l]
    assert flags_at and fetch_at and flags_at[0] < fetch_at[0], lines
    lines = raw_lines(b, b"NOOP")
    flags_at = [i for i, l in enumerate(lines) if l.startswith(b"* FLAGS") and b"$Project" in l]
    fetch_at = [i for i, l in enumerate(lines) if b"FETCH" in l and b"$Project" in l]
    assert flags_at and fetch_at and flags_at[0] < fetch_at[0], lines
    a.logout()
    b.logout()


def fresh_box(server, name: str, count: int):
    c = server.imap()
    c.create(name)
    for i in range(count):
        append(c, name, "Mon, 1 Jan 2024 12:00:00 +0000", f"{name}{i}")
    return c


def test_condstore_enabled_by_a_modseq_command_tags_store_fetches(server):
    """RFC 7162 §3.1: a command that uses MODSEQ enables CONDSTORE; from then on every
    untagged FETCH a STORE causes carries UID and MODSEQ, in this and in other sessions,
    and so does one a FETCH causes by setting \\Seen."""
    a = fresh_box(server, "Cs1", 2)
    b = server.imap()
    # ENABLE is valid in the authenticated state only (RFC 5161 §3.1).
    assert raw_lines(b, b"ENABLE CONDSTORE")[-1].split()[1] == b"OK"
    a.select("Cs1")
    b.select("Cs1")
    lines = raw_lines(a, b"FETCH 1 (MODSEQ)")
    assert re.search(rb"\* 1 FETCH \(MODSEQ \(\d+\)\)", lines[0]), lines
    lines = raw_lines(a, b"STORE 1 +FLAGS (\\Flagged)")
    assert any(re.search(rb"\* 1 FETCH \(UID \d+ FLAGS \(.*\) MODSEQ \(\d+\)\)", l)
               for l in lines), lines
    raw_lines(a, b"STORE 2 +FLAGS (\\Seen)")
    lines = raw_lines(b, b"NOOP")
    fetch = [l for l in lines if b"FETCH" in l]
    assert fetch and all(b"MODSEQ" in l and b"UID " in l for l in fetch), lines
    raw_lines(a, b"STORE 1 -FLAGS (\\Seen)")
    lines = raw_lines(a, b"FETCH 1 (BODY[TEXT])")  # sets \\Seen
    text = b"".join(lines)  # the items after the literal are on a line of their own
    assert re.search(rb"FLAGS \([^)]*\\Seen[^)]*\) UID \d+ MODSEQ \(\d+\)\)", text), lines
    a.logout()
    b.logout()


def test_condstore_select_search_and_unchangedsince(server):
    """SELECT (CONDSTORE) reports HIGHESTMODSEQ; SEARCH MODSEQ returns the highest
    MODSEQ of the matches (RFC 7162 §3.1.5); STORE UNCHANGEDSINCE below a message's MODSEQ
    fails for it with [MODIFIED] (§3.1.3)."""
    c = fresh_box(server, "Cs2", 3)
    lines = raw_lines(c, b"SELECT Cs2 (CONDSTORE)")
    highest = [re.search(rb"HIGHESTMODSEQ (\d+)", l) for l in lines]
    assert any(highest), lines
    lines = raw_lines(c, b"STORE 2 +FLAGS (\\Answered)")
    modseq = int(re.search(rb"MODSEQ \((\d+)\)", b"".join(lines)).group(1))
    lines = raw_lines(c, f"SEARCH MODSEQ {modseq}".encode())
    assert any(re.fullmatch(rb"\* SEARCH 2 \(MODSEQ %d\)" % modseq, l) for l in lines), lines
    lines = raw_lines(c, b"STORE 1:3 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)")
    assert b"[MODIFIED 2]" in lines[-1] or b"MODIFIED" in lines[-1], lines
    lines = raw_lines(c, b"UID SEARCH RETURN (ALL) MODSEQ 1")
    assert any(l.startswith(b"* ESEARCH") and b"MODSEQ" in l for l in lines), lines
    c.logout()


def test_qresync_expunge_reports_vanished_and_highestmodseq(server):
    """With QRESYNC enabled, expunges are VANISHED responses and EXPUNGE's tagged OK
    carries HIGHESTMODSEQ (RFC 7162 §3.2.10, §3.2.5)."""
    c = fresh_box(server, "Qr1", 3)
    raw_lines(c, b"ENABLE QRESYNC")
    raw_lines(c, b"SELECT Qr1")
    raw_lines(c, b"STORE 2 +FLAGS.SILENT (\\Deleted)")
    lines = raw_lines(c, b"EXPUNGE")
    assert any(l.startswith(b"* VANISHED ") for l in lines), lines
    assert b"HIGHESTMODSEQ" in lines[-1], lines
    c.logout()


def test_append_literal8_into_a_fresh_inbox_has_a_real_uidvalidity():
    """APPEND with a literal8 (RFC 3516 §4.4) into an INBOX that does not exist on disk
    yet: APPENDUID carries a non-zero UIDVALIDITY, the same SELECT reports (RFC 4315 §3),
    and BINARY returns the bytes with their NUL."""
    with ImapInstance() as s:
        c = s.imap()
        msg = (b"Subject: bin\r\nContent-Type: application/octet-stream\r\n"
               b"Content-Transfer-Encoding: binary\r\n\r\n\x00\x01\x02binary\r\n")
        tag = c._new_tag()
        c.send(tag + b" APPEND INBOX ~{%d+}\r\n" % len(msg) + msg + b"\r\n")
        line = c._get_line()
        m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", line)
        assert m and int(m.group(1)) != 0, line
        c.select("INBOX")
        assert c.response("UIDVALIDITY")[1][0] == m.group(1)
        lines = raw_lines(c, b"UID FETCH %s (BINARY.PEEK[1])" % m.group(2))
        assert lines[0].endswith(b"~{11}") and lines[1] == b"\x00\x01\x02binary", lines
        c.logout()


def test_objectid_and_savedate(server):
    """RFC 8474: MAILBOXID on CREATE, SELECT and STATUS, kept by RENAME; EMAILID per
    message, kept when flags change, searchable; THREADID NIL. RFC 8514: SAVEDATE and
    SAVEDON/SAVEDSINCE."""
    c = server.imap()
    lines = raw_lines(c, b"CREATE Objects")
    created = re.search(rb"\[MAILBOXID \(([A-Za-z0-9_-]+)\)\]", lines[-1])
    assert created, lines
    append(c, "Objects", "Mon, 1 Jan 2024 12:00:00 +0000", "o")
    lines = raw_lines(c, b"SELECT Objects")
    assert any(b"[MAILBOXID (" + created.group(1) + b")]" in l for l in lines), lines
    lines = raw_lines(c, b"FETCH 1 (EMAILID THREADID SAVEDATE)")
    m = re.search(rb"EMAILID \(([A-Za-z0-9_-]+)\) THREADID NIL SAVEDATE \"(\d+-\w+-\d+)", lines[0])
    assert m, lines
    raw_lines(c, b"STORE 1 +FLAGS (\\Seen)")
    lines = raw_lines(c, b"FETCH 1 (EMAILID)")
    assert m.group(1) in lines[0], lines
    lines = raw_lines(c, b"SEARCH EMAILID " + m.group(1))
    assert b"* SEARCH 1" in lines, lines
    lines = raw_lines(c, b"SEARCH SAVEDON " + m.group(2) + b" SAVEDATESUPPORTED")
    assert b"* SEARCH 1" in lines, lines
    raw_lines(c, b"UNSELECT")
    assert raw_lines(c, b"RENAME Objects Objects2")[-1].split()[1] == b"OK"
    lines = raw_lines(c, b"STATUS Objects2 (MAILBOXID)")
    assert any(b"MAILBOXID (" + created.group(1) + b")" in l for l in lines), lines
    c.logout()


def test_appenduid_carries_the_mailboxs_uidvalidity(server):
    """RFC 4315 §3: APPENDUID's UIDVALIDITY is the mailbox's, whether or not the mailbox
    was opened before (it was 0 when the APPEND was the first to open it), and the APPEND
    does not take \\Recent from the next SELECT (RFC 3501 §2.3.2)."""
    c = server.imap()
    c.create("AppendUid")
    for _ in range(2):
        lines = raw_lines(c, b"APPEND AppendUid {7+}\r\nSubject")
        m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", lines[-1])
        assert m and m.group(1) != b"0", lines
    codes = select_codes(c, "AppendUid")
    assert codes["UIDVALIDITY"] == m.group(1) and codes["RECENT"] == b"2"
    c.logout()


def test_sequence_numbers_above_exists_are_bad(server):
    """RFC 3501 §9: a message sequence number above the number of messages (or "*" in an
    empty mailbox) gets BAD in FETCH, STORE, COPY and MOVE, as Dovecot answers; SEARCH and
    UID sets may name any number."""
    c = fresh_box(server, "SeqRange", 3)
    c.select("SeqRange")
    for cmd in (b"FETCH 4 (UID)", b"FETCH 2:100 (UID)", b"STORE 9 +FLAGS (\\Seen)",
                b"COPY 50 INBOX", b"MOVE 4:5 INBOX"):
        lines = raw_lines(c, cmd)
        assert lines[-1].split()[1] == b"BAD" and b"Invalid messageset" in lines[-1], lines
    assert raw_lines(c, b"SEARCH 2:100")[0] == b"* SEARCH 2 3"
    assert raw_lines(c, b"UID FETCH 100:200 (UID)")[-1].split()[1] == b"OK"
    c.create("EmptyBox")
    c.select("EmptyBox")
    assert raw_lines(c, b"FETCH * (UID)")[-1].split()[1] == b"BAD"
    assert raw_lines(c, b"UID FETCH * (UID)")[-1].split()[1] == b"OK"
    c.logout()


def test_partial_pages_search_sort_and_uid_fetch(server):
    """RFC 9394: PARTIAL pages SEARCH/SORT results from the start (1:n) or the end
    (-1:-n), echoes the range as written, answers NIL past the end, excludes ALL, and
    pages UID FETCH; SAVE keeps the page (RFC 5182 §2.1 by analogy with MIN/MAX)."""
    c = fresh_box(server, "Paged", 12)
    c.select("Paged")
    assert b"PARTIAL" in raw_lines(c, b"CAPABILITY")[0]
    raw_lines(c, b"STORE 2,4 +FLAGS (\\Deleted)")
    # UNDELETED: UIDs 1,3,5..12 (10 messages).
    lines = raw_lines(c, b"UID SEARCH RETURN (PARTIAL 1:3 COUNT) UNDELETED")
    assert lines[0] == b'* ESEARCH (TAG "' + lines[-1].split()[0] + b'") UID PARTIAL (1:3 1,3,5) COUNT 10', lines
    lines = raw_lines(c, b"UID SEARCH RETURN (PARTIAL -1:-4) UNDELETED")
    assert lines[0].endswith(b" UID PARTIAL (-1:-4 9:12)"), lines
    lines = raw_lines(c, b"UID SEARCH RETURN (PARTIAL 5:2) UNDELETED")
    assert lines[0].endswith(b" UID PARTIAL (5:2 3,5:7)"), lines
    lines = raw_lines(c, b"SEARCH RETURN (PARTIAL 11:20 MIN) UNDELETED")
    assert lines[0].endswith(b" MIN 1 PARTIAL (11:20 NIL)"), lines
    for bad in (b"SEARCH RETURN (PARTIAL 1:5 ALL) ALL", b"SEARCH RETURN (PARTIAL 0:5) ALL",
                b"SEARCH RETURN (PARTIAL 1:*) ALL", b"SEARCH RETURN (PARTIAL -1:5) ALL",
                b"SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:9) ALL", b'SEARCH RETURN (PARTIAL "1:5") ALL',
                b"UID FETCH 1:* FLAGS (PARTIAL)"):
        assert raw_lines(c, bad)[-1].split()[1] == b"BAD", bad
    # SORT pages in sort order: REVERSE SUBJECT puts "Paged9" (UID 10), "Paged8" first.
    lines = raw_lines(c, b"UID SORT RETURN (PARTIAL 1:2) (REVERSE SUBJECT) UTF-8 UNDELETED")
    assert lines[0].endswith(b" UID PARTIAL (1:2 10,9)"), lines
    # UID FETCH counts positions among the messages of the set.
    lines = raw_lines(c, b"UID FETCH 1:* (FLAGS) (PARTIAL -1:-2)")
    uids = sorted(int(m) for m in re.findall(rb"UID (\d+)", b"".join(lines[:-1])))
    assert uids == [11, 12] and lines[-1].split()[1] == b"OK", lines
    lines = raw_lines(c, b"UID FETCH 3:8 (UID) (PARTIAL 2:3)")
    assert sorted(int(m) for m in re.findall(rb"UID (\d+)", b"".join(lines[:-1]))) == [4, 5], lines
    # SAVE with PARTIAL keeps the page: "$" names UIDs 1, 3.
    raw_lines(c, b"UID SEARCH RETURN (SAVE PARTIAL 1:2) UNDELETED")
    assert raw_lines(c, b"UID SEARCH UID $")[0] == b"* SEARCH 1 3"
    c.logout()


def test_catenate_builds_a_message_from_text_and_urls(server):
    """RFC 4469: APPEND ... CATENATE (TEXT literal URL url ...) joins literal text and the
    parts that IMAP URLs (RFC 5092) name; a URL that does not resolve (wrong UIDVALIDITY,
    missing message, another user) fails the whole APPEND with NO [BADURL url]."""
    c = server.imap()
    assert b"CATENATE" in raw_lines(c, b"CAPABILITY")[0]
    c.create("CatSrc")
    c.create("CatDst")
    source = (b"From: a@example.test\r\nSubject: source\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
              b"first part\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond part\r\n--b--\r\n")
    typ, data = c.append("CatSrc", None, None, source)
    m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
    assert typ == "OK" and m, data
    validity, uid = m.group(1), m.group(2)
    head = b"From: b@example.test\r\nSubject: forwarded\r\n\r\nSee: "
    tail = b"\r\n-- \r\nsig\r\n"
    url = b'"/CatSrc;UIDVALIDITY=' + validity + b"/;UID=" + uid + b'/;SECTION=2"'
    cmd = (b"APPEND CatDst CATENATE (TEXT {%d+}\r\n" % len(head) + head + b" URL " + url +
           b" TEXT {%d+}\r\n" % len(tail) + tail + b")")
    lines = raw_lines(c, cmd)
    assert lines[-1].split()[1] == b"OK" and b"APPENDUID" in lines[-1], lines
    c.select("CatDst")
    typ, data = c.fetch("1", "(BODY.PEEK[])")
    assert data[0][1] == head + b"second part" + tail, data
    # A URL for the whole message, with a partial range.
    whole = b'"imap://demo%40example.test@localhost/CatSrc/;UID=' + uid + b'/;PARTIAL=6.14"'
    lines = raw_lines(c, b"APPEND CatDst CATENATE (URL " + whole + b" TEXT {4+}\r\n\r\nx!)")
    assert lines[-1].split()[1] == b"OK", lines
    c.noop()
    typ, data = c.fetch("2", "(BODY.PEEK[])")
    assert data[0][1] == b"a@example.test\r\nx!", data
    for url, why in ((b'"/CatSrc;UIDVALIDITY=1/;UID=' + uid + b'"', "UIDVALIDITY"),
                     (b'"/CatSrc/;UID=999"', "message"), (b'"/NoSuchBox/;UID=1"', "mailbox"),
                     (b'"imap://someone-else@localhost/CatSrc/;UID=' + uid + b'"', "user")):
        lines = raw_lines(c, b"APPEND CatDst CATENATE (TEXT {2+}\r\nhi URL " + url + b")")
        assert lines[-1].split()[1] == b"NO" and b"[BADURL " in lines[-1], (why, lines)
    for bad in (b"APPEND CatDst CATENATE ()", b"APPEND CatDst CATENATE (FOO x)",
                b"APPEND CatDst CATENATE (URL)"):
        assert raw_lines(c, bad)[-1].split()[1] == b"BAD", bad
    typ, data = c.status("CatDst", "(MESSAGES)")
    assert b"MESSAGES 2" in data[0], data  # nothing of the failed APPENDs was saved
    c.logout()


def test_metadata_of_mailboxes_and_the_server(server):
    """RFC 5464: SETMETADATA/GETMETADATA on a mailbox and on the server (""), entries in
    lower case, NIL for a missing entry, DEPTH and MAXSIZE with [METADATA LONGENTRIES],
    NIL deletes, values survive a new session, DELETE takes them along, grammar errors are
    BAD — answers checked against Dovecot 2.3 with imap_metadata = yes."""
    c = server.imap()
    caps = raw_lines(c, b"CAPABILITY")[0]
    assert b" METADATA" in caps and b"METADATA-SERVER" in caps
    c.create("Meta")
    assert raw_lines(c, b'SETMETADATA Meta (/private/Comment "hello" /shared/comment "sh" '
                        b'/private/a/b "deep")')[-1].split()[1] == b"OK"
    assert raw_lines(c, b'SETMETADATA "" (/private/motd {4+}\r\nhi\r\n)')[-1].split()[1] == b"OK"
    d = server.imap()  # another session sees them
    lines = raw_lines(d, b"GETMETADATA Meta (/PRIVATE/COMMENT /shared/comment /private/nothere)")
    assert lines[0] == b'* METADATA Meta (/private/comment "hello" /shared/comment "sh" /private/nothere NIL)', lines
    lines = raw_lines(d, b"GETMETADATA (DEPTH 1) Meta /private")
    assert lines[0] == b'* METADATA Meta (/private/comment "hello")', lines
    lines = raw_lines(d, b"GETMETADATA (DEPTH infinity) Meta /private")
    assert lines[0] == b'* METADATA Meta (/private/a/b "deep" /private/comment "hello")', lines
    lines = raw_lines(d, b"GETMETADATA (MAXSIZE 2) Meta (/private/comment /shared/comment)")
    assert lines[0] == b'* METADATA Meta (/shared/comment "sh")', lines
    assert b"[METADATA LONGENTRIES 5]" in lines[-1], lines
    lines = raw_lines(d, b'GETMETADATA "" /private/motd')
    assert lines[:3] == [b'* METADATA "" (/private/motd {4}', b"hi", b")"], lines
    assert raw_lines(d, b"SETMETADATA Meta (/private/comment NIL)")[-1].split()[1] == b"OK"
    assert raw_lines(c, b"GETMETADATA Meta /private/comment")[0] == b"* METADATA Meta (/private/comment NIL)"
    lines = raw_lines(c, b'SETMETADATA NoBox (/private/comment "x")')
    assert lines[-1].split()[1] == b"NO" and b"Mailbox doesn't exist" in lines[-1], lines
    for bad in (b"GETMETADATA Meta", b"GETMETADATA Meta ()", b"GETMETADATA () Meta /shared/comment",
                b"GETMETADATA Meta (MAXSIZE 10) /shared/comment", b"GETMETADATA (DEPTH 2) Meta /shared",
                b"GETMETADATA Meta shared/comment", b"GETMETADATA Meta /shared//x",
                b'GETMETADATA Meta "/shared/*"', b"GETMETADATA Meta /comment",
                b'SETMETADATA Meta (/shared "x")', b'SETMETADATA Meta (/shared/vendor/vendor.example "x")',
                b'SETMETADATA Meta /shared/comment "x"', b"SETMETADATA Meta ()",
                b"SETMETADATA Meta (/shared/comment value)", b"SETMETADATA Meta (/shared/comment)",
                b"SETMETADATA Meta (/shared/comment {3+}\r\na\nb)"):
        assert raw_lines(c, bad)[-1].split()[1] == b"BAD", bad
    assert raw_lines(c, b'SETMETADATA Meta (/shared/vendor/vendor.example/x "x")')[-1].split()[1] == b"OK"
    assert raw_lines(c, b"SETMETADATA Meta (/shared/comment ~{3+}\r\na\nb)")[-1].split()[1] == b"OK"
    c.delete("Meta")
    c.create("Meta")
    assert raw_lines(c, b"GETMETADATA Meta /shared/comment")[0] == b"* METADATA Meta (/shared/comment NIL)"
    c.logout()
    d.logout()


def test_context_search_updates_follow_the_mailbox(server):
    """RFC 5267 §4 (CONTEXT=SEARCH): SEARCH RETURN (UPDATE) keeps the result up to date:
    ESEARCH ... REMOVEFROM (0 set) ADDTO (0 set) when messages join or leave it (flag
    changes, new mail, another session's expunge — before its EXPUNGE, with the sequence
    numbers the client knows), until CANCELUPDATE; the answers and their order are
    Dovecot 2.3's."""
    c = fresh_box(server, "Ctx", 2)
    other = server.imap()
    c.select("Ctx")
    assert b"CONTEXT=SEARCH" in raw_lines(c, b"CAPABILITY")[0]
    lines = raw_lines(c, b"UID SEARCH RETURN (UPDATE) ALL")
    assert lines[0].endswith(b"\") UID") and lines[0].startswith(b"* ESEARCH (TAG"), lines
    tag_all = lines[-1].split()[0]
    lines = raw_lines(c, b"SEARCH RETURN (UPDATE MIN MAX COUNT) UNSEEN")
    assert lines[0].endswith(b" MIN 1 MAX 2 COUNT 2"), lines
    tag_unseen = lines[-1].split()[0]
    append(other, "Ctx", "Mon, 1 Jan 2024 12:00:00 +0000", "third")
    other.select("Ctx")
    other.store("1", "+FLAGS", "\\Seen")
    lines = raw_lines(c, b"NOOP")
    text = b"\n".join(lines)
    assert b'* ESEARCH (TAG "' + tag_all + b'") UID ADDTO (0 3)' in lines, lines
    assert b'* ESEARCH (TAG "' + tag_unseen + b'") REMOVEFROM (0 1) ADDTO (0 3)' in lines, lines
    assert text.index(b"* 3 EXISTS") < text.index(b"ADDTO"), lines
    # Another session expunges message 2: REMOVEFROM (0 2) comes before "* 2 EXPUNGE".
    other.store("2", "+FLAGS", "\\Deleted")
    other.expunge()
    lines = raw_lines(c, b"NOOP")
    text = b"\n".join(lines)
    assert b'* ESEARCH (TAG "' + tag_unseen + b'") REMOVEFROM (0 2)' in lines, lines
    assert b'* ESEARCH (TAG "' + tag_all + b'") UID REMOVEFROM (0 2)' in lines, lines
    assert text.index(b"REMOVEFROM (0 2)") < text.index(b"* 2 EXPUNGE"), lines
    lines = raw_lines(c, b'CANCELUPDATE "' + tag_all + b'"')
    assert lines[-1].split()[1] == b"OK", lines
    assert raw_lines(c, b'CANCELUPDATE "' + tag_all + b'"')[-1].split()[1] == b"NO"
    assert raw_lines(c, b"CANCELUPDATE " + tag_unseen)[-1].split()[1] == b"BAD"
    assert raw_lines(c, b"CANCELUPDATE")[-1].split()[1] == b"BAD"
    append(other, "Ctx", "Mon, 1 Jan 2024 12:00:00 +0000", "fourth")
    lines = raw_lines(c, b"NOOP")
    assert not any(tag_all in l for l in lines[:-1]), lines  # cancelled: no more updates
    assert any(b'(TAG "' + tag_unseen + b'") ADDTO (0 3)' in l for l in lines), lines
    # CONTEXT alone means ALL; UPDATE alone or with SAVE asks for no data.
    assert raw_lines(c, b"SEARCH RETURN (CONTEXT) ALL")[0].endswith(b" ALL 1:3")
    assert raw_lines(c, b"SEARCH RETURN (UPDATE SAVE) ALL")[0].endswith(b'")')
    raw_lines(c, b"UNSELECT")
    c.select("Ctx")
    append(other, "Ctx", "Mon, 1 Jan 2024 12:00:00 +0000", "fifth")
    lines = raw_lines(c, b"NOOP")
    assert not any(b"ESEARCH" in l for l in lines), lines  # updates end with the mailbox
    c.logout()
    other.logout()


def test_uid_expunge_of_the_saved_search_result(server):
    """RFC 5182: UID EXPUNGE $ expunges the \\Deleted messages of the saved result, and
    only those (it expunged nothing, answering OK)."""
    c = fresh_box(server, "Saved", 4)
    c.select("Saved")
    typ, data = c.uid("SEARCH", "ALL")
    uids = data[0].split()
    assert len(uids) == 4
    c.uid("STORE", b",".join(uids[:3]).decode(), "+FLAGS", "(\\Deleted)")
    typ, _ = c.uid("SEARCH", "RETURN", "(SAVE)", "UID", f"{uids[1].decode()}:{uids[3].decode()}")
    assert typ == "OK"
    typ, data = c.uid("EXPUNGE", "$")
    assert typ == "OK", data
    typ, data = c.uid("SEARCH", "ALL")
    # uids[1] and uids[2] were deleted and saved; uids[0] deleted but not saved; uids[3] not deleted.
    assert data[0].split() == [uids[0], uids[3]], data
    c.logout()
