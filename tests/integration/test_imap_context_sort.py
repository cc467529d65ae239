"""CONTEXT=SORT and ESORT (RFC 5267): SORT RETURN (...) answers with ESEARCH, and
SORT RETURN (UPDATE) keeps a sorted result up to date with ADDTO/REMOVEFROM carrying the
position in the sort order, until CANCELUPDATE. Dovecot 2.3 has ESORT but not CONTEXT=SORT
(it accepts UPDATE and sends no updates), so the answers without updates are compared with
Dovecot's and the updates are held to RFC 5267 §4.3 by replaying them on the client side."""

from __future__ import annotations

import re

import pytest

from imap_setup import ImapInstance
from test_imap_conformance import raw_lines


@pytest.fixture(scope="module")
def server():
    with ImapInstance() as s:
        yield s


def add(c, box: str, subject: str, day: int) -> None:
    msg = (f"From: a@example.test\r\nDate: Mon, {day} Jan 2024 12:00:00 +0000\r\n"
           f"Subject: {subject}\r\n\r\nbody\r\n").encode()
    typ, _ = c.append(box, None, None, msg)
    assert typ == "OK"


def numbers(text: bytes) -> list[int]:
    """A sequence-set in written order ("5,3,1:2" -> [5, 3, 1, 2])."""
    out = []
    for part in text.decode().split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out += list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))
        else:
            out.append(int(part))
    return out


def apply_updates(result: list[int], lines: list[bytes], tag: bytes) -> list[int]:
    """Replays the ESEARCH ADDTO/REMOVEFROM items for `tag`, in order, as a client keeping a
    sorted context would (RFC 5267 §4.3: each item's position is that of its first message)."""
    prefix = b'* ESEARCH (TAG "' + tag + b'")'
    for line in lines:
        if not line.startswith(prefix):
            continue
        for name, position, ids in re.findall(rb"(ADDTO|REMOVEFROM) \((\d+) ([0-9:,]+)\)", line):
            at = int(position) - 1
            ids = numbers(ids)
            if name == b"ADDTO":
                result[at:at] = ids
            else:
                assert result[at:at + len(ids)] == ids, (result, line)
                del result[at:at + len(ids)]
    return result


def sort_uids(c, criteria: bytes) -> list[int]:
    line = raw_lines(c, b"UID SORT " + criteria + b" UTF-8 UNDELETED")[0]
    return [int(n) for n in line.split()[2:]]


def test_esort_return_options(server):
    """RFC 5267 §3.2: MIN/MAX are the first/last in sort order, ALL and PARTIAL keep the sort
    order; Dovecot 2.3 answers the same for these commands."""
    c = server.imap()
    c.create("Esort")
    for subject, day in (("b", 3), ("a", 1), ("c", 2)):
        add(c, "Esort", subject, day)
    c.select("Esort")
    lines = raw_lines(c, b"UID SORT RETURN (MIN MAX COUNT) (SUBJECT) UTF-8 ALL")
    assert re.search(rb'\) UID MIN 2 MAX 3 COUNT 3$', lines[0]), lines
    lines = raw_lines(c, b"SORT RETURN (ALL) (DATE) UTF-8 ALL")
    assert lines[0].endswith(b" ALL 2:3,1"), lines  # Dovecot 2.3: the same
    lines = raw_lines(c, b"SORT RETURN (PARTIAL 1:2) (REVERSE DATE) UTF-8 ALL")
    assert lines[0].endswith(b" PARTIAL (1:2 1,3)"), lines
    c.logout()


def test_sort_update_follows_the_mailbox_with_positions(server):
    """RFC 5267 §4: SORT RETURN (UPDATE) sends, at the next command that may, REMOVEFROM
    and ADDTO with the position in the sorted result (before EXPUNGE, in the sequence
    numbers the client knows); replaying them gives exactly a new SORT's answer."""
    c = server.imap()
    other = server.imap()
    c.create("SortCtx")
    for subject, day in (("m", 5), ("c", 9), ("x", 1)):
        add(c, "SortCtx", subject, day)
    c.select("SortCtx")
    assert b"CONTEXT=SORT" in raw_lines(c, b"CAPABILITY")[0]
    lines = raw_lines(c, b"UID SORT RETURN (UPDATE ALL) (SUBJECT) UTF-8 UNDELETED")
    assert lines[0].endswith(b" UID ALL 2,1,3"), lines
    tag_subject = lines[-1].split()[0]
    lines = raw_lines(c, b"SORT RETURN (UPDATE) (REVERSE DATE) UTF-8 UNDELETED")
    assert lines[0].endswith(b'")'), lines  # UPDATE alone asks for no data
    tag_date = lines[-1].split()[0]
    subject_view = [2, 1, 3]
    date_view = [2, 1, 3]  # sequence numbers, newest first: c (9), m (5), x (1)

    # New mail sorts into the middle and the front; a \Deleted message leaves UNDELETED.
    add(other, "SortCtx", "a", 7)  # UID 4: first by subject, second by date
    add(other, "SortCtx", "n", 10)  # UID 5: between m and x; first by date
    other.select("SortCtx")
    other.store("1", "+FLAGS", "\\Deleted")
    lines = raw_lines(c, b"NOOP")
    subject_view = apply_updates(subject_view, lines, tag_subject)
    date_view = apply_updates(date_view, lines, tag_date)
    assert subject_view == sort_uids(c, b"(SUBJECT)"), lines
    # Removals first (at the position the message had), then additions (where it stands).
    assert (b'* ESEARCH (TAG "' + tag_subject + b'") UID REMOVEFROM (2 1) ADDTO (1 4) ADDTO (3 5)'
            in lines), lines
    assert (b'* ESEARCH (TAG "' + tag_date + b'") REMOVEFROM (2 1) ADDTO (1 5) ADDTO (3 4)'
            in lines), lines
    seq_now = [int(n) for n in raw_lines(c, b"SORT (REVERSE DATE) UTF-8 UNDELETED")[0].split()[2:]]
    assert date_view == seq_now, lines

    # Another session expunges messages 1 and 2 (UID 2 "c" is second by subject and by
    # date): REMOVEFROM comes before the EXPUNGEs, in the numbers the client knows.
    other.store("2", "+FLAGS", "\\Deleted")
    other.expunge()
    lines = raw_lines(c, b"NOOP")
    text = b"\n".join(lines)
    assert b'") UID REMOVEFROM (2 2)' in text, lines
    assert b'(TAG "' + tag_date + b'") REMOVEFROM (2 2)' in text, lines
    assert text.index(b"REMOVEFROM (2 2)") < text.index(b"* 2 EXPUNGE"), lines
    subject_view = apply_updates(subject_view, lines, tag_subject)
    assert subject_view == sort_uids(c, b"(SUBJECT)"), lines

    assert raw_lines(c, b'CANCELUPDATE "' + tag_subject + b'"')[-1].split()[1] == b"OK"
    add(other, "SortCtx", "b", 2)
    lines = raw_lines(c, b"NOOP")
    assert not any(tag_subject in l for l in lines[:-1]), lines
    assert any(b'(TAG "' + tag_date + b'") ADDTO' in l for l in lines), lines
    c.logout()
    other.logout()
