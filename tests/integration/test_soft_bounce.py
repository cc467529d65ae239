"""soft_bounce = yes, Postfix's safety net: a would-be bounce stays in the queue. The
virtual agent logs it as "dsn=4.x.x, status=SOFTBOUNCE (the reason)", qmgr defers it
instead of returning it to the sender, and smtpd sends every 5xx reply as 4xx. Mail is
sent with Python's smtplib."""

import re
import smtplib
import time

from delivery_setup import pipeline, maildir_new
from test_delivery import send

TOO_BIG = b"Subject: too big\r\n\r\n" + b"y" * 40000 + b"\r\n"


def test_would_be_bounce_is_deferred_and_logged_as_softbounce():
    inst = pipeline({"virtual_mailbox_limit": "20000", "soft_bounce": "yes"})
    with inst:
        assert inst.command("check").returncode == 0
        qid = send(inst, "sender@example.test", ["demo@example.test"], TOO_BIG)
        # The reason the agent would have bounced with stays in the log.
        inst.wait_for_log(rf"correio/virtual\[\d+\]: {qid}: to=<demo@example\.test>, "
                          r"relay=virtual, .*dsn=4\.\d\.\d, status=SOFTBOUNCE \(.+\)",
                          count=2, timeout=30)  # retried: still in the queue
        log = inst.log_text()
        assert "status=bounced" not in log, log
        assert "sender non-delivery notification" not in log, log
        assert any((inst.queue_dir / "deferred").rglob(qid)) or \
            any((inst.queue_dir / "active").rglob(qid)), log
        assert not maildir_new(inst, "sender").exists()


def test_without_soft_bounce_the_same_mail_bounces():
    inst = pipeline({"virtual_mailbox_limit": "20000"})
    with inst:
        qid = send(inst, "sender@example.test", ["demo@example.test"], TOO_BIG)
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, .*dsn=5\.\d\.\d, status=bounced",
                          timeout=30)
        inst.wait_for_log(rf"{qid}: sender non-delivery notification: [0-9A-F]+", timeout=30)


def test_smtpd_sends_5xx_replies_as_4xx():
    inst = pipeline({"soft_bounce": "yes"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as s:
            s.ehlo("client.example")
            assert s.mail("sender@example.test")[0] == 250
            code, reply = s.rcpt("nobody-here@example.test")
            assert code == 450, reply
            assert reply.startswith(b"4.1.1 <nobody-here@example.test>: Recipient address "
                                    b"rejected: User unknown"), reply
            code, reply = s.docmd("BOGUS")
            assert code == 402 and reply.startswith(b"4.5.2"), (code, reply)
