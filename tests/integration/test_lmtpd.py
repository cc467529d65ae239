"""lmtpd (RFC 2033): LMTP into the virtual users' Maildirs, driven by Python's
smtplib.LMTP over TCP and over a UNIX-domain socket, and by a real Postfix whose
virtual_transport is lmtp:inet:127.0.0.1:PORT."""

import os
import pwd
import re
import smtplib
import socket
import time

import pytest

from delivery_setup import maildir_new, pipeline, wait_for_messages
from postfix_instance import PostfixInstance, skip_reason

# lmtpd on TCP ({listen}) and on queue_directory/private/lmtpd.
LMTP_MASTER_CF = """\
{listen}      inet  n       -       n       -       -       lmtpd
lmtpd         unix  -       -       n       -       -       lmtpd
"""

LONG_USER = "l" * 60 + "@" + ".".join(["d" * 50] * 3) + ".example.test"
EXTRA_USERS = (f"{LONG_USER}:{{PLAIN}}x::::::\n"
               "locked@example.test:{PLAIN}x::::::\n"
               "other@example.test:{PLAIN}x::::::\n")


def lmtp_instance(extra_main_cf=None):
    inst = pipeline(extra_main_cf)
    users = inst.config_dir / "users"
    users.write_text(users.read_text() + EXTRA_USERS)
    inst.write_master_cf(LMTP_MASTER_CF.replace("{listen}", inst.listen))
    return inst


def socket_path(inst):
    return str(inst.queue_dir / "private" / "lmtpd")


def replies_after_data(lmtp, message: bytes, n_recipients: int):
    """smtplib reads one reply after DATA; LMTP sends one per accepted recipient."""
    first = lmtp.data(message)
    return [first] + [lmtp.getreply() for _ in range(n_recipients - 1)]


def test_lhlo_and_delivery_over_tcp():
    inst = lmtp_instance()
    with inst:
        with smtplib.LMTP("127.0.0.1", inst.smtp_port) as lmtp:
            code, text = lmtp.ehlo("mx.example.test")  # smtplib.LMTP sends LHLO
            assert code == 250, text
            for ext in ("pipelining", "enhancedstatuscodes", "8bitmime", "size", "chunking"):
                assert lmtp.has_extn(ext), ext
            assert not lmtp.has_extn("vrfy")
            assert lmtp.mail("someone@remote.example", ["BODY=8BITMIME", "SIZE=100"])[0] == 250
            assert lmtp.rcpt("demo@example.test")[0] == 250
            [(code, text)] = replies_after_data(
                lmtp, b"Subject: lmtp\r\n\r\nhello\r\n.dot\r\n\xc3\xa7\r\n", 1)
            assert code == 250 and text.startswith(b"2.0.0 <demo@example.test> "), text
            assert lmtp.noop()[0] == 250
            assert lmtp.rset()[0] == 250
            code, text = lmtp.verify("demo@example.test")
            assert code == 502, text
        [path] = wait_for_messages(inst, "demo", 1)
        data = path.read_bytes()
        assert data.startswith(b"Return-Path: <someone@remote.example>\n")
        assert b"\nDelivered-To: demo@example.test\n" in data
        assert re.search(rb"\nReceived: from mx\.example\.test \(unknown \[127\.0\.0\.1\]\)\n"
                         rb"\tby mail\.example\.test \(Correio\) with LMTP id [0-9A-F]+\n"
                         rb"\tfor <demo@example\.test>; ", data), data
        assert data.endswith(b"\nSubject: lmtp\n\nhello\n.dot\n\xc3\xa7\n")
        match = re.search(r",S=(\d+),W=(\d+)$", path.name)
        assert match and int(match.group(1)) == len(data)
        inst.wait_for_log(r"correio/lmtpd\[\d+\]: connect from unknown\[127\.0\.0\.1\]")
        inst.wait_for_log(r"correio/lmtpd\[\d+\]: [0-9A-F]+: to=<demo@example\.test>, "
                          r"relay=lmtpd, delay=[\d.]+, delays=[\d./]+, dsn=2\.0\.0, "
                          r"status=sent \(saved mail to INBOX: \S+\)")
        inst.wait_for_log(r"correio/lmtpd\[\d+\]: disconnect from unknown\[127\.0\.0\.1\] "
                          r"lhlo=1 mail=1 rcpt=1 data=1 noop=1 rset=1 vrfy=1 quit=1 commands=8")


def test_unix_socket_and_mixed_recipients():
    # virtual_mailbox_limit counts the whole file, prefix headers included: the copy for
    # LONG_USER carries ~600 more header bytes than demo's and goes over the limit.
    inst = lmtp_instance({"virtual_mailbox_limit": "1600", "recipient_delimiter": "+"})
    locked = inst.base / "mail" / "example.test" / "locked"
    locked.mkdir(parents=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        for d in (locked.parent, locked):
            os.chown(d, owner.pw_uid, owner.pw_gid)
    locked.chmod(0)  # its Maildir cannot be created: a temporary failure
    with inst:
        inst.wait_for_log(r"daemon started")
        body = b"Subject: mixed\r\n\r\n" + b"y" * 998 + b"\r\n"
        try:
            with smtplib.LMTP(socket_path(inst)) as lmtp:
                assert lmtp.ehlo("mx.example.test")[0] == 250
                assert lmtp.mail("someone@remote.example")[0] == 250
                code, text = lmtp.rcpt("ghost@example.test")
                assert (code, text[:6]) == (550, b"5.1.1 "), text
                assert lmtp.rcpt("demo@example.test")[0] == 250
                assert lmtp.rcpt(LONG_USER)[0] == 250
                assert lmtp.rcpt("locked@example.test")[0] == 250
                assert lmtp.rcpt("Other+tag@Example.TEST")[0] == 250  # case, delimiter
                replies = replies_after_data(lmtp, body, 4)
        finally:
            locked.chmod(0o700)
        codes = [(c, t.split(b" ")[0]) for c, t in replies]
        assert codes[0] == (250, b"2.0.0"), replies
        assert codes[1] == (552, b"5.2.2"), replies
        assert codes[2][0] == 451 and codes[2][1].startswith(b"4."), replies
        assert codes[3] == (250, b"2.0.0"), replies
        assert replies[1][1].find(LONG_USER.encode()) > 0
        wait_for_messages(inst, "demo", 1)
        [other] = wait_for_messages(inst, "other", 1)
        assert b"\nDelivered-To: Other+tag@Example.TEST\n" in other.read_bytes()
        inst.wait_for_log(r"connect from local")
        inst.wait_for_log(r"to=<ghost@example\.test> proto=LMTP helo=<mx\.example\.test>")
        inst.wait_for_log(r"dsn=5\.2\.2, status=bounced")
        inst.wait_for_log(r"to=<locked@example\.test>, .*dsn=4\.\d\.\d, status=deferred")


def test_rcpt_unknown_user_is_refused_before_data_and_data_needs_recipient():
    inst = lmtp_instance()
    with inst:
        with smtplib.LMTP("127.0.0.1", inst.smtp_port) as lmtp:
            lmtp.ehlo("mx.example.test")
            lmtp.mail("")
            code, text = lmtp.rcpt("nobody@example.test")
            assert code == 550 and b"5.1.1" in text and b"User unknown" in text
            code, text = lmtp.docmd("DATA")
            assert code == 503, text


def test_protocol_errors_and_chunking():
    inst = lmtp_instance()
    with inst:
        with socket.create_connection(("127.0.0.1", inst.smtp_port), timeout=10) as s:
            f = s.makefile("rb")

            def send(line: bytes):
                s.sendall(line)

            def reply():
                lines = []
                while True:
                    line = f.readline()
                    lines.append(line)
                    if line[3:4] != b"-":
                        return b"".join(lines)

            assert reply().startswith(b"220 mail.example.test LMTP")
            send(b"EHLO x\r\n")
            assert reply().startswith(b"500 5.5.1")
            send(b"MAIL FROM:<a@b.example>\r\n")
            assert reply().startswith(b"503 5.5.1")
            send(b"XYZZY\r\n")
            assert reply().startswith(b"502 5.5.2")
            send(b"LHLO " + b"x" * 5000 + b"\r\n")
            assert reply().startswith(b"500 5.5.2")
            # Pipelined transaction with BDAT: two chunks, the CRLF split between them.
            send(b"LHLO mx.example.test\r\nMAIL FROM:<a@b.example>\r\n"
                 b"RCPT TO:<demo@example.test>\r\nRCPT TO:<sender@example.test>\r\n"
                 b"BDAT 21\r\nSubject: chunk\r\n\r\nab\r"
                 b"BDAT 4 LAST\r\n\ncd\n")
            assert b"CHUNKING" in reply()
            assert reply().startswith(b"250 2.1.0")
            assert reply().startswith(b"250 2.1.5")
            assert reply().startswith(b"250 2.1.5")
            assert reply().startswith(b"250 2.0.0 Ok: 21 bytes")
            first, second = reply(), reply()
            assert first.startswith(b"250 2.0.0 <demo@example.test>"), first
            assert second.startswith(b"250 2.0.0 <sender@example.test>"), second
            send(b"QUIT\r\n")
            assert reply().startswith(b"221")
        [path] = wait_for_messages(inst, "demo", 1)
        assert path.read_bytes().endswith(b"\nSubject: chunk\n\nab\ncd\n")
        wait_for_messages(inst, "sender", 1)


@pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))
def test_postfix_delivers_through_lmtp():
    inst = lmtp_instance()
    with inst:
        pf = PostfixInstance({
            "virtual_mailbox_domains": "example.test",
            "virtual_transport": f"lmtp:inet:127.0.0.1:{inst.smtp_port}",
            # The LMTP server decides which users exist (550 5.1.1 at RCPT).
            "smtpd_reject_unlisted_recipient": "no",
        })
        with pf:
            with smtplib.SMTP("127.0.0.1", pf.smtp_port) as smtp:
                smtp.sendmail("someone@remote.example",
                              ["demo@example.test", "ghost@example.test"],
                              b"From: someone@remote.example\r\nSubject: via postfix\r\n"
                              b"Message-ID: <pf-lmtp-1@remote.example>\r\n\r\n"
                              b"relayed by Postfix\r\n")
            [path] = wait_for_messages(inst, "demo", 1, timeout=60)
            data = path.read_bytes()
            assert b"\nMessage-ID: <pf-lmtp-1@remote.example>\n" in data
            assert b"by postfix.example.test (Postfix) with ESMTP id" in data
            assert b"with LMTP id" in data
            assert data.endswith(b"\nrelayed by Postfix\n")
            pf.wait_for_log(r"postfix/lmtp\[\d+\]: \w+: to=<demo@example\.test>, "
                            r"relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent "
                            r"\(250 2\.0\.0 <demo@example\.test> [0-9A-F]+ Saved\)")
            pf.wait_for_log(r"postfix/lmtp\[\d+\]: \w+: to=<ghost@example\.test>, .*"
                            r"status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: "
                            r"550 5\.1\.1 ")
        inst.wait_for_log(r"correio/lmtpd\[\d+\]: [0-9A-F]+: to=<demo@example\.test>, "
                          r"relay=lmtpd, .*status=sent")
