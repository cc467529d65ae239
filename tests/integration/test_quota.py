"""Quotas enforced at delivery, from the user directory's userdb_quota_rule (Dovecot's
extra field): the virtual agent defers mail to a full mailbox with 4.2.2 (quota_full_
tempfail, the default; 5.2.2 bounces otherwise), the last message may go over by
quota_grace, and lmtpd answers an LMTP client (Python's smtplib.LMTP) 4.2.2 after DATA
for that recipient only. Real pipeline: smtpd, qmgr, virtual, lmtpd."""

import smtplib

from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages

USERS = ("demo@example.test:{PLAIN}secret::::::userdb_quota_rule=*:storage=2k\n"
         "sender@example.test:{PLAIN}secret::::::\n")


def test_a_full_mailbox_defers_over_smtp_and_lmtp():
    inst = pipeline()
    (inst.config_dir / "users").write_text(USERS)
    lmtp_socket = inst.queue_dir / "private" / "lmtpd"
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen)
                         + "lmtpd         unix  -       -       n       -       -       lmtpd\n")
    body = "x" * 1200
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            for subject in ("first", "second"):
                s.sendmail("sender@example.test", ["demo@example.test"],
                           f"Subject: {subject}\r\n\r\n{body}\r\n".encode())
        # ~1.3 KB used of 2 KB: the second ends near 2.6 KB, over 2 KB + 10 %.
        [first] = wait_for_messages(inst, "demo", 1)
        assert "Subject: first" in first.read_text()
        inst.wait_for_log(r"to=<demo@example\.test>, .*dsn=4\.2\.2, status=deferred \(Quota "
                          r"exceeded \(mailbox for user is full\)\)", timeout=20)
        with smtplib.LMTP(str(lmtp_socket), timeout=20) as lmtp:
            lmtp.ehlo("client.example")
            assert lmtp.mail("sender@example.test")[0] == 250
            assert lmtp.rcpt("demo@example.test")[0] == 250
            assert lmtp.rcpt("sender@example.test")[0] == 250
            lmtp.putcmd("DATA")
            assert lmtp.getreply()[0] == 354
            lmtp.send(f"Subject: third\r\n\r\n{body}\r\n.\r\n".encode())
            replies = [lmtp.getreply() for _ in range(2)]
        assert replies[0][0] == 452 and b"4.2.2" in replies[0][1], replies
        assert replies[1][0] == 250, replies
        [kept] = wait_for_messages(inst, "sender", 1)
        assert "Subject: third" in kept.read_text()
