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
        # One after the other: two deliveries at once would both find room (the count
        # is not a lock; Dovecot's quota has the same window).
        for subject in ("first", "second"):
            with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
                s.sendmail("sender@example.test", ["demo@example.test"],
                           f"Subject: {subject}\r\n\r\n{body}\r\n".encode())
            if subject == "first":
                # ~1.3 KB used of 2 KB: the second would end near 2.6 KB, over 2 KB + 10 %.
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


def test_imap_append_over_quota_is_refused():
    from imap_setup import ImapInstance
    imap = ImapInstance()
    (imap.inst.config_dir / "users").write_text(USERS)
    with imap:
        client = imap.imap()
        typ, data = client.getquotaroot("INBOX")
        assert typ == "OK" and b"(STORAGE 0 2)" in data[1][0], data
        message = b"Subject: kept\r\n\r\n" + b"y" * 1500 + b"\r\n"
        assert client.append("INBOX", None, None, message)[0] == "OK"
        typ, data = client.append("INBOX", None, None, message)
        assert typ == "NO" and b"[OVERQUOTA]" in data[0], (typ, data)
        client.logout()
