"""header_checks, mime_header_checks, nested_header_checks and body_checks, Correio against
a stock Postfix: the same table and the same corpus of messages sent to both with smtplib;
the replies at the end of DATA and the cleanup log lines (action, class, line, text) must
be the same."""

import re
import smtplib
import time

import pytest

from correio_fixture import Correio
from postfix_instance import PostfixInstance, skip_reason

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")

HEADER_CHECKS = r"""
/^Subject: .*reject me/          REJECT Subject refused
/^Subject: .*tempfail/           REJECT 4.7.0 try later
/^Subject: .*warn me/            WARN subject noted
/^Subject: .*info me/            INFO just so you know
/^X-Drop:/                       IGNORE
/^X-Old: (.*)/                   REPLACE X-New: $1
/^X-Tag:/                        PREPEND X-Tagged: yes
/^Subject: .*hold me/            HOLD held for review
/^Subject: .*discard me/         DISCARD dropped
/^Content-Type: .*name=.*\.exe/  REJECT no executables
/^Subject: nested secret/        REJECT nested subject
/^X-Bad:/                        FROBNICATE
/^Subject: folded$/              REJECT single line only
/^Received: from client\.example/ WARN saw our own Received
/^X-Strip:/                      STRIP stripped it
/^X-Strip-Quiet:/                STRIP
/^Subject: .*pass me/            PASS trusted sender
"""

BODY_CHECKS = r"""
/^forbidden phrase/      REJECT body refused
/^--MIXED--$/            WARN closing boundary seen
/^body info$/            INFO body line seen
"""

CORPUS = [
    "Subject: plain\n\nhello\n",
    "Subject: please reject me\n\nhello\n",
    "Subject: tempfail now\n\nhello\n",
    "Subject: warn me please\nX-Drop: x\nX-Old: value\nX-Tag: t\n\nbody info\n",
    "Subject: info me\n\nhello\n",
    "Subject: strip\nX-Strip: a\nX-Strip-Quiet: b\n\nhello\n",
    # PASS: the later headers and the body are not checked (the body would be refused).
    "Subject: pass me\nX-Strip: kept\nX-Drop: kept\n\nforbidden phrase here\n",
    "Subject: discard me\n\nhello\n",
    "Subject: hold me\n\nhello\n",
    "Subject: fine\nX-Bad: y\n\nhello\n",
    "Subject: folded\n continued\n\nhello\n",
    "Subject: body\n\nline one\nforbidden phrase here\n",
    ("Subject: multipart\nMIME-Version: 1.0\n"
     "Content-Type: multipart/mixed; boundary=\"MIXED\"\n\n"
     "preamble\n--MIXED\nContent-Type: application/octet-stream; name=\"x.exe\"\n\nAAAA\n"
     "--MIXED--\n"),
    ("Subject: multipart ok\nMIME-Version: 1.0\n"
     "Content-Type: multipart/mixed; boundary=\"MIXED\"\n\n"
     "--MIXED\nContent-Type: message/rfc822\n\nSubject: nested secret\n\ninner\n"
     "--MIXED--\n"),
    ("Subject: multipart fine\nMIME-Version: 1.0\n"
     "Content-Type: multipart/mixed; boundary=\"MIXED\"\n\n"
     "--MIXED\nContent-Type: text/plain\n\nforbidden phrase in a part\n--MIXED--\n"),
]

# "QID: ACTION: CLASS LINE from ...: TEXT" -> (ACTION, CLASS LINE, TEXT); the origin differs.
ACTION = re.compile(r"cleanup\[\d+\]: [0-9A-F]+: (reject|warning|info|hold|discard|replace|"
                    r"prepend|redirect|bcc): (header|body) (.*?) from [^;]*;.*?(?:: (.*))?$")
WARNING = re.compile(r"cleanup\[\d+\]: warning: (unknown command in .*)$")


def replies(port):
    answers = []
    for message in CORPUS:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
            s.ehlo("client.example")
            s.mail("sender@example.test")
            s.rcpt("rcpt@example.test")
            code, text = s.data(message.replace("\n", "\r\n").encode())
            # The queue ID differs; the rest of a 250 does not.
            answers.append((code, re.sub(rb"queued as [0-9A-F]+", b"queued as ID", text)))
    return answers


def actions(log_text):
    found = []
    for line in log_text.splitlines():
        m = ACTION.search(line)
        if m:
            # Received: lines differ in host names, IDs and dates: their start is compared.
            line_text = m.group(3)[:30] if m.group(3).startswith("Received:") else m.group(3)
            text = "" if m.group(3).startswith("Received:") else m.group(4) or ""
            found.append((m.group(1), m.group(2), line_text, text))
        w = WARNING.search(line)
        if w:
            found.append(("warn", w.group(1)))
    return found


def settled_actions(instance, quiet=2.0, limit=30.0):
    # A loaded machine can hold log lines back (Postfix's postlogd reads datagrams from
    # several cleanup processes): read until the actions stop changing for `quiet` seconds.
    deadline = time.monotonic() + limit
    found = actions(instance.log_text())
    stable_since = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - stable_since < quiet:
        time.sleep(0.2)
        now = actions(instance.log_text())
        if now != found:
            found, stable_since = now, time.monotonic()
    return found


def test_same_replies_and_actions_as_postfix():
    # The tables live in the Correio instance's configuration directory, readable by both
    # mail_owner and Postfix's cleanup (user postfix).
    inst = Correio({"smtpd_peername_lookup": "no"})
    header = inst.config_dir / "header_checks"
    header.write_text(HEADER_CHECKS)
    body = inst.config_dir / "body_checks"
    body.write_text(BODY_CHECKS)
    common = {"header_checks": f"pcre:{header}", "body_checks": f"pcre:{body}",
              "relay_domains": "example.test", "smtpd_peername_lookup": "no"}
    try:
        # Postfix delivers nothing: relay_transport discard.
        with PostfixInstance({**common, "relay_transport": "discard:",
                              "myhostname": "mail.example.test"}) as pf:
            expected_replies = replies(pf.smtp_port)
            pf.wait_for_log(r"reject: body forbidden phrase")
            expected_actions = settled_actions(pf)
    except BaseException:
        inst.cleanup()
        raise
    inst.write_main_cf(common)  # no qmgr in this instance: nothing is delivered
    with inst:
        got_replies = replies(inst.smtp_port)
        inst.wait_for_log(r"reject: body forbidden phrase")
        got_actions = settled_actions(inst)
    # The corpus exercises every class and most actions: the comparison is not empty.
    assert len(expected_actions) >= 14, expected_actions
    assert ("reject", "header", 'Content-Type: application/octet-stream; name="x.exe"',
            "5.7.1 no executables") in expected_actions
    assert got_replies == expected_replies
    assert sorted(got_actions) == sorted(expected_actions), (got_actions, expected_actions)
