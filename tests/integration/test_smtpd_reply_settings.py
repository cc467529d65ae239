"""smtpd parameters that change what a client is told, checked with Python's smtplib:
smtputf8_enable = no (no SMTPUTF8 in EHLO; MAIL FROM ... SMTPUTF8 gets Postfix's 555
5.5.4), smtpd_discard_ehlo_keywords (left out of EHLO, their parameters and commands
refused), the unknown_*_reject_code pair (450 4.1.1 while testing a table), and
smtpd_client_port_logging (host[address]:port in the log)."""

import re
import smtplib

from delivery_setup import pipeline


def test_smtputf8_disabled_is_not_announced_nor_accepted():
    inst = pipeline({"smtputf8_enable": "no"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as s:
            s.ehlo("client.example")
            assert not s.has_extn("smtputf8") and s.has_extn("8bitmime")
            # smtplib refuses to send it to a server that does not announce it.
            code, reply = s.docmd("MAIL", "FROM:<sender@example.test> SMTPUTF8")
            assert (code, reply) == (555, b"5.5.4 Unsupported option: SMTPUTF8")
            assert s.mail("sender@example.test")[0] == 250


def test_smtputf8_is_announced_by_default():
    inst = pipeline()
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as s:
            s.ehlo("client.example")
            assert s.has_extn("smtputf8")
            assert s.mail("sender@example.test", ["SMTPUTF8"])[0] == 250


def test_discarded_ehlo_keywords_are_hidden_and_refused():
    inst = pipeline({"smtpd_discard_ehlo_keywords": "dsn, SIZE, auth"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as s:
            s.ehlo("client.example")
            for keyword in ("dsn", "size", "auth"):
                assert not s.has_extn(keyword), s.esmtp_features
            assert s.has_extn("pipelining") and s.has_extn("enhancedstatuscodes")
            assert s.mail("sender@example.test", ["RET=HDRS"]) == \
                (555, b"5.5.4 Unsupported option: RET")
            assert s.mail("sender@example.test", ["SIZE=100"]) == \
                (555, b"5.5.4 Unsupported option: SIZE")
            assert s.mail("sender@example.test")[0] == 250
            assert s.rcpt("demo@example.test", ["NOTIFY=NEVER"]) == \
                (555, b"5.5.4 Unsupported option: NOTIFY")
            assert s.rcpt("demo@example.test")[0] == 250
            assert s.docmd("AUTH", "PLAIN")[0] == 503


def test_unknown_recipient_reject_codes():
    inst = pipeline({"unknown_virtual_mailbox_reject_code": "450",
                     "unknown_local_recipient_reject_code": "450"})
    with inst:
        assert inst.command("check").returncode == 0
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as s:
            s.ehlo("client.example")
            assert s.mail("sender@example.test")[0] == 250
            code, reply = s.rcpt("stranger@example.test")
            assert code == 450, reply
            assert reply == (b"4.1.1 <stranger@example.test>: Recipient address rejected: "
                             b"User unknown in virtual mailbox table")
            code, reply = s.rcpt("stranger@localhost")
            assert code == 450, reply
            assert reply.startswith(b"4.1.1 <stranger@localhost>: Recipient address rejected: "
                                    b"User unknown in local recipient table")
            assert s.rcpt("demo@example.test")[0] == 250


def test_reject_code_that_is_not_4xx_or_5xx_is_a_check_error():
    inst = pipeline({"unknown_local_recipient_reject_code": "250"})
    try:
        r = inst.command("check")
        assert r.returncode == 1
        assert re.search(r"main\.cf:\d+: error: unknown_local_recipient_reject_code: 250: not a "
                         r"4xx or 5xx reply code", r.stderr), r.stderr
    finally:
        inst.cleanup()


def test_client_port_logging():
    inst = pipeline({"smtpd_client_port_logging": "yes"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as s:
            port = s.sock.getsockname()[1]
            s.ehlo("client.example")
        inst.wait_for_log(rf"connect from unknown\[127\.0\.0\.1\]:{port}$")
        inst.wait_for_log(rf"disconnect from unknown\[127\.0\.0\.1\]:{port} ehlo=1 quit=1")
