"""SEARCH, SORT and THREAD answered by Correio and by a real Dovecot (Debian's
dovecot-imapd in PREAUTH mode) on the same Maildir: a corpus of awkward messages
(time zones around midnight, encoded words, display names, list tags, forwarded and
replied subjects, missing headers) and the same UID commands to both; the answers must
be identical. Where RFC 5256/3501 leave room, Dovecot is the reference."""

from __future__ import annotations

import os
import re

import pytest

from imap_setup import ImapInstance
from test_imap_dovecot import DOVECOT_IMAP, dovecot

pytestmark = pytest.mark.skipif(not os.access(DOVECOT_IMAP, os.X_OK),
                                reason=f"{DOVECOT_IMAP} not installed (package dovecot-imapd)")

# (internal date, headers); every body is short and distinct so SIZE orders are unique.
CORPUS = [
    ('"01-Jan-2024 10:00:00 +0000"',
     "From: =?UTF-8?Q?Jos=C3=A9_Ferreira?= <jose@example.test>\r\n"
     "To: Bob <bob@example.test>\r\nDate: Mon, 1 Jan 2024 23:30:00 -0500\r\n"
     "Subject: Hello world\r\nMessage-ID: <1@corpus>\r\n"),
    ('"01-Jan-2024 11:00:00 +0000"',
     "From: bob@example.test\r\nTo: =?UTF-8?B?Sm9zw6k=?= <jose@example.test>\r\n"
     "Cc: Zed <aaa@example.test>\r\nDate: Tue, 2 Jan 2024 06:00:00 +0900\r\n"
     "Subject: Re: Hello world\r\nMessage-ID: <2@corpus>\r\nIn-Reply-To: <1@corpus>\r\n"),
    ('"01-Jan-2024 12:00:00 +0000"',
     "From: \"Alice Liddell\" <zz@wonder.example>\r\nTo: carol@example.test, bob@example.test\r\n"
     "Date: Tue, 2 Jan 2024 12:00:00 +0000\r\n"
     "Subject: [list] Fwd: Re: Hello world (fwd)\r\nMessage-ID: <3@corpus>\r\n"),
    ('"02-Jan-2024 09:00:00 +0000"',
     "From: carol@example.test\r\nTo: \"Team\" <team@corp.example>\r\n"
     "Date: Wed, 3 Jan 2024 00:10:00 +0100\r\n"
     "Subject: RE: re: hello WORLD\r\nMessage-ID: <4@corpus>\r\nReferences: <1@corpus> <2@corpus>\r\n"),
    ('"02-Jan-2024 10:00:00 +0000"',
     "From: Dave <dave@example.test>\r\nDate: Wed, 3 Jan 2024 10:00:00 +0000\r\n"
     "Subject: unrelated\r\nMessage-ID: <5@corpus>\r\n"),
    ('"02-Jan-2024 11:00:00 +0000"',
     "From: Eve <eve@example.test>\r\nTo: bob@example.test\r\nCc: carol@example.test\r\n"
     "Subject: Re: unrelated\r\nMessage-ID: <6@corpus>\r\n"),
    ('"03-Jan-2024 08:00:00 +0000"',
     "From: \"bob\" <Bob@Example.Test>\r\nTo: Zed <aaa@example.test>\r\n"
     "Date: Thu, 4 Jan 2024 08:00:00 +0000\r\nSubject: =?UTF-8?Q?Caf=C3=A9?= time\r\n"
     "Message-ID: <7@corpus>\r\n"),
    ('"03-Jan-2024 09:00:00 +0000"',
     "From: mallory@example.test\r\nTo: bob@example.test\r\n"
     "Date: Thu, 4 Jan 2024 09:00:00 +0000\r\nSubject: Fwd: [other] Re: hello world\r\n"
     "Message-ID: <8@corpus>\r\nReferences: <missing@corpus>\r\n"),
    ('"03-Jan-2024 10:00:00 +0000"',
     "From: Undisclosed:;\r\nDate: Thu, 4 Jan 2024 10:00:00 +0000\r\nSubject:\r\n"
     "Message-ID: <9@corpus>\r\n"),
    ('"03-Jan-2024 11:00:00 +0000"',
     "From: Friends: zed@example.test, Amy <amy@example.test>;\r\n"
     "To: Friends: zed@example.test, Amy <amy@example.test>;\r\n"
     "Date: Fri, 5 Jan 2024 11:00:00 +0000\r\nSubject: group\r\n"
     "Message-ID: <10@corpus>\r\n"),
    # A reply without References: joins its thread by base subject (RFC 5256 §2.2 step 5).
    ('"04-Jan-2024 09:00:00 +0000"',
     "From: frank@example.test\r\nDate: Sat, 6 Jan 2024 09:00:00 +0000\r\n"
     "Subject: Re: unrelated\r\nMessage-ID: <11@corpus>\r\n"),
    ('"04-Jan-2024 10:00:00 +0000"',
     "From: grace@example.test\r\nTo: bob@example.test\r\n"
     "Date: Sat, 6 Jan 2024 10:00:00 EST\r\nSubject: =?ISO-8859-1?Q?R=E9sum=E9?= [fwd]\r\n"
     "Message-ID: <12@corpus>\r\nMIME-Version: 1.0\r\n"
     "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"),
    # PREVIEW material: quotations, whitespace runs, HTML, a long text, Latin-1.
    ('"05-Jan-2024 10:00:00 +0000"', "From: h@example.test\r\nSubject: quoted\r\n"),
    ('"05-Jan-2024 11:00:00 +0000"',
     "From: h@example.test\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n"),
    ('"05-Jan-2024 12:00:00 +0000"', "From: h@example.test\r\nSubject: long\r\n"),
    ('"05-Jan-2024 13:00:00 +0000"',
     "From: h@example.test\r\nSubject: latin\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
     "Content-Transfer-Encoding: quoted-printable\r\n"),
]

# Bodies for messages whose headers above declare a MIME structure.
MIME_BODIES = {
    11: "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "Q2Fmw6kgdGltZQo=\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: inner@example.test\r\nSubject: inner\r\n\r\ninner body\r\n"
        "--b1\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
        "Content-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "AAEC\r\n--b1--\r\n",
    12: "Hello Bob,\r\n\r\n> quoted line\r\n  >> deeper\r\nMy   answer\there.\r\n-- \r\nsig",
    13: "<html><head><title>t</title><style>p{}</style></head><body><p>Hi <b>there</b> &amp;"
        " you&#33;</p><script>x()</script></body></html>",
    14: "w\u00e9rd " * 60,
    15: "Ol=E1, S=E3o Paulo=\r\n continua",
}

COMMANDS = [
    "UID SORT (SUBJECT) UTF-8 ALL",
    "UID SORT (REVERSE SUBJECT) UTF-8 ALL",
    "UID SORT (FROM) UTF-8 ALL",
    "UID SORT (TO) UTF-8 ALL",
    "UID SORT (CC) UTF-8 ALL",
    "UID SORT (DISPLAYFROM) UTF-8 ALL",
    "UID SORT (DISPLAYTO) UTF-8 ALL",
    "UID SORT (DATE) UTF-8 ALL",
    "UID SORT (REVERSE DATE) UTF-8 ALL",
    "UID SORT (ARRIVAL) UTF-8 ALL",
    "UID SORT (SIZE) UTF-8 ALL",
    "UID SORT (FROM REVERSE SUBJECT) UTF-8 ALL",
    "UID SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL",
    "SORT RETURN (COUNT) (SUBJECT) UTF-8 ALL",
    "UID SORT RETURN () (REVERSE FROM) UTF-8 ALL",
    "UID SORT RETURN (MIN) (SIZE) UTF-8 SUBJECT nothing-matches",
    "UID THREAD REFERENCES UTF-8 ALL",
    "UID THREAD ORDEREDSUBJECT UTF-8 ALL",
    "UID SEARCH SENTON 2-Jan-2024",
    "UID SEARCH SENTBEFORE 3-Jan-2024",
    "UID SEARCH SENTSINCE 3-Jan-2024",
    "UID SEARCH ON 2-Jan-2024",
    "UID SEARCH BEFORE 2-Jan-2024",
    "UID SEARCH FROM bob",
    "UID SEARCH FROM \"alice liddell\"",
    "UID SEARCH TO jos",
    "UID SEARCH CC zed",
    "UID SEARCH SUBJECT \"hello world\"",
    "UID SEARCH SUBJECT caf",
    "UID SEARCH HEADER Message-ID corpus",
    "UID SEARCH NOT HEADER Date \"\"",
    "UID SEARCH OR FROM eve TO team",
    "UID SEARCH UID 5:4294967295",
    "UID SEARCH UID 100:*",
    "UID SEARCH 2:4,7",
    "UID SEARCH SENTON 6-Jan-2024",
    "UID SEARCH TEXT inner",
    "UID SEARCH BODY time",
    "UID SEARCH LARGER 100 SMALLER 400",
    "UID SEARCH CHARSET UTF-8 SUBJECT \"résumé\"",
    "UID THREAD REFERENCES UTF-8 SINCE 2-Jan-2024",
    "UID FETCH 1:* (ENVELOPE)",
    "UID FETCH 1:* (BODYSTRUCTURE)",
    "UID FETCH 1:* (BODY)",
    "UID FETCH 1:* (RFC822.SIZE INTERNALDATE)",
    "UID FETCH 1:* (PREVIEW)",
    "UID FETCH 12 (BINARY.SIZE[1] BODY.PEEK[1.MIME] BODY.PEEK[2.HEADER] BINARY.PEEK[1])",
]


def unliteral(text: str) -> str:
    """Literals {n}CRLF<n bytes> become quoted strings, so that the two servers' choices
    between a literal and a quoted string do not count as a difference."""
    out, i = [], 0
    for m in re.finditer(r"\{(\d+)\}\r\n", text):
        if m.start() < i:
            continue
        n = int(m.group(1))
        data = text[m.end():m.end() + n]
        if "\r" in data or "\n" in data or '"' in data:
            continue  # a real multi-line literal (a body section): keep it as it is
        out.append(text[i:m.start()] + '"' + data.replace("\\", "\\\\") + '"')
        i = m.end() + n
    out.append(text[i:])
    return "".join(out)


def answers(text: str) -> list[str]:
    """The untagged SEARCH/SORT/THREAD lines in order, or for FETCH the joined FETCH
    responses: one item per command."""
    # RFC 3516 §4.2 lets a server send BINARY data without NUL as a literal or a literal8;
    # Dovecot chooses literal8 for 8-bit text, Correio a literal: not a difference.
    text = unliteral(text.replace("~{", "{"))
    out, fetches = [], []
    for block in re.split(r"\r\n(?=\* |[a-z]\d* )", text):
        if re.match(r"\* (SEARCH|SORT|THREAD|ESEARCH)\b", block):
            out.append(re.sub(r'\(TAG "[^"]*"\)', '(TAG)', block.rstrip()))
        elif re.match(r"\* \d+ FETCH", block):
            fetches.append(block.rstrip())
        elif re.match(r"t\d+ OK", block) and fetches:
            out.append("\n".join(fetches))
            fetches = []
    return out


@pytest.fixture(scope="module")
def both():
    with ImapInstance() as s:
        c = s.imap()
        c.create("Corpus")
        for i, (date, headers) in enumerate(CORPUS):
            body = MIME_BODIES.get(i, "x" * (10 + 7 * i))
            assert c.append("Corpus", None, date,
                            (headers + "\r\n" + body + "\r\n").encode())[0] == "OK"
        c.logout()
        owner = s.inst.main_cf.get("mail_owner")
        maildir = s.inst.base / "mail" / "example.test" / "demo"
        # One Dovecot run per command: it answers a pipelined script in batches, which
        # would interleave the FETCH responses of neighbouring commands.
        theirs = []
        for cmd in COMMANDS:
            out = dovecot(maildir, f"s SELECT Corpus\r\nt0 {cmd}\r\nz LOGOUT\r\n", owner)
            got = answers(out)
            assert len(got) == 1, out
            theirs.append(got[0])
        yield s, theirs


@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=COMMANDS)
def test_same_answer_as_dovecot(both, index):
    s, theirs = both
    c = s.imap()
    c.select("Corpus")
    tag = c._new_tag().decode()
    c.send(f"{tag} {COMMANDS[index]}\r\n".encode())
    text = ""
    while True:
        line = c._get_line().decode()
        text += line + "\r\n"
        m = re.search(r"\{(\d+)\}$", line)
        if m:
            text += c.read(int(m.group(1))).decode()
            continue
        if line.startswith(tag + " "):
            break
    c.logout()
    assert line.startswith(tag + " OK"), text
    ours = answers(text.replace(f"\r\n{tag} OK", "\r\nt0 OK"))
    assert ours == [theirs[index]]
