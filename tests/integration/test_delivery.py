"""The spine: SMTP in, durably queued, delivered into the recipient's Maildir by qmgr and
the virtual agent; bounces (RFC 3464), retries after temporary failures, and the mail
log in Postfix's wording, checked with real clients (smtplib) and pflogsumm."""

import os
import re
import smtplib
import subprocess
import time

from delivery_setup import maildir_new, pipeline, queue_is_empty, wait_for_messages


def send(inst, sender, recipients, body: bytes, mail_options=(), rcpt_options=()):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
        s.ehlo("client.example")
        code, reply = s.mail(sender, list(mail_options))
        assert code == 250, reply
        for r in recipients:
            code, reply = s.rcpt(r, list(rcpt_options))
            assert code == 250, reply
        code, reply = s.data(body)
        assert code == 250, (reply, inst.log_text()[-3000:])
        return re.search(rb"queued as ([0-9A-F]+)", reply).group(1).decode()


def test_message_lands_in_maildir_with_postfix_log_lines():
    inst = pipeline()
    with inst:
        qid = send(inst, "someone@remote.example", ["demo@example.test"],
                   b"Subject: spine\r\n\r\nhello\r\n.dot\r\n\xc3\xa7\r\n")  # smtplib stuffs
        [path] = wait_for_messages(inst, "demo", 1)
        data = path.read_bytes()
        assert data.startswith(b"Return-Path: <someone@remote.example>\n")
        assert b"\nDelivered-To: demo@example.test\n" in data
        assert b"\nX-Original-To: demo@example.test\n" in data
        assert b"with ESMTP id " + qid.encode() in data
        assert data.endswith(b"\nhello\n.dot\n\xc3\xa7\n")
        # Dovecot's Maildir name: S= is the file size, W= the size with CRLF line ends.
        match = re.search(r",S=(\d+),W=(\d+)$", path.name)
        assert match and int(match.group(1)) == len(data)
        assert int(match.group(2)) == len(data) + data.count(b"\n")
        inst.wait_for_log(rf"correio/qmgr\[\d+\]: {qid}: from=<someone@remote\.example>, "
                          rf"size=\d+, nrcpt=1 \(queue active\)")
        inst.wait_for_log(rf"correio/virtual\[\d+\]: {qid}: to=<demo@example\.test>, "
                          rf"relay=virtual, delay=[\d.]+, delays=[\d.]+/[\d.]+/0/[\d.]+, "
                          rf"dsn=2\.0\.0, status=sent \(delivered to maildir\)")
        inst.wait_for_log(rf"correio/qmgr\[\d+\]: {qid}: removed")
        assert queue_is_empty(inst)


def test_several_recipients_and_concurrent_sessions():
    inst = pipeline()
    with inst:
        import threading
        errors = []

        def client(n):
            try:
                for i in range(10):
                    send(inst, "x@remote.example", ["demo@example.test", "sender@example.test"],
                         f"Subject: c{n}-{i}\r\n\r\nbody\r\n".encode())
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        wait_for_messages(inst, "demo", 50)
        wait_for_messages(inst, "sender", 50)


def test_bounce_is_a_delivery_status_notification():
    inst = pipeline({"virtual_mailbox_limit": "2000"})
    with inst:
        big = b"Subject: too big\r\nX-Marker: original-header\r\n\r\n" + b"y" * 5000 + b"\r\n"
        qid = send(inst, "sender@example.test", ["demo@example.test"], big,
                   mail_options=["RET=HDRS", "ENVID=env+2B42"],
                   rcpt_options=["NOTIFY=FAILURE", "ORCPT=rfc822;demo@example.test"])
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, relay=virtual, .*dsn=5\.2\.2, "
                          rf"status=bounced")
        [line] = inst.wait_for_log(rf"{qid}: sender non-delivery notification: [0-9A-F]+")
        [report_path] = wait_for_messages(inst, "sender", 1)
        report = report_path.read_text(errors="replace")
        assert "Return-Path: <>" in report
        assert "Subject: Undelivered Mail Returned to Sender" in report
        assert re.search(r"Content-Type: multipart/report; report-type=delivery-status;", report)
        assert "Content-Type: message/delivery-status" in report
        assert "Original-Envelope-Id: env+42" in report
        assert "Final-Recipient: rfc822; demo@example.test" in report
        assert "Original-Recipient: rfc822; demo@example.test" in report
        assert "Action: failed" in report and "Status: 5.2.2" in report
        # RET=HDRS: the headers come back, the body does not.
        assert "Content-Type: text/rfc822-headers" in report
        assert "X-Marker: original-header" in report
        assert "y" * 100 not in report
        assert not maildir_new(inst, "demo").exists() or not any(maildir_new(inst, "demo").iterdir())
        inst.wait_for_log(rf"{qid}: removed")


def test_expired_mail_returns_the_full_original():
    # maximal_queue_lifetime = 0: the first temporary failure returns the message.
    inst = pipeline({"maximal_queue_lifetime": "0s"})
    domain_dir = inst.base / "mail" / "example.test"
    domain_dir.mkdir()
    (domain_dir / "demo").write_text("not a Maildir\n")  # demo's delivery fails: 4.x.x
    if os.geteuid() == 0:
        import pwd
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(domain_dir, owner.pw_uid, owner.pw_gid)
    with inst:
        qid = send(inst, "sender@example.test", ["demo@example.test"],
                   b"Subject: expiring\r\n\r\n" + b"z" * 5000 + b"\r\n")
        inst.wait_for_log(rf"{qid}: from=<sender@example\.test>, status=expired, "
                          rf"returned to sender")
        inst.wait_for_log(rf"{qid}: sender non-delivery notification: ")
        [report_path] = wait_for_messages(inst, "sender", 1)
        report = report_path.read_text(errors="replace")
        assert "Content-Type: message/rfc822" in report
        assert "Subject: expiring" in report and "z" * 5000 in report
        assert re.search(r"Status: 4\.\d\.\d", report)
        inst.wait_for_log(rf"{qid}: removed")


def test_error_transport_bounces_and_null_sender_is_not_bounced_back():
    # smtpd would refuse the RCPT itself (the route is the error transport), as Postfix's
    # does; let the mail reach qmgr. notify_classes 2bounce: undeliverable bounces go to
    # the postmaster (without it they are dropped, as in Postfix: test_notify_classes.py).
    inst = pipeline({"virtual_transport": "error:mailbox disabled by policy",
                     "smtpd_reject_unlisted_recipient": "no", "notify_classes": "2bounce"})
    with inst:
        qid = send(inst, "sender@example.test", ["demo@example.test"],
                   b"Subject: full\r\n\r\nthe whole body\r\n")
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, relay=none, .*dsn=5\.0\.0, "
                          rf"status=bounced \(mailbox disabled by policy\)")
        [line] = inst.wait_for_log(rf"{qid}: sender non-delivery notification: ")
        report_id = line.rsplit(" ", 1)[1]
        # The report (from <>) fails the same way; it goes to postmaster, never to <>.
        [line] = inst.wait_for_log(rf"{report_id}: sender non-delivery notification: ")
        double_id = line.rsplit(" ", 1)[1]
        inst.wait_for_log(rf"{double_id}: from=<>, size=\d+, nrcpt=1")


def test_retry_after_temporary_failure():
    inst = pipeline()
    domain_dir = inst.base / "mail" / "example.test"
    domain_dir.mkdir()
    os.chmod(domain_dir, 0o500)  # the agent cannot create demo/ in it: 4.x.x, deferred
    with inst:
        qid = send(inst, "x@remote.example", ["demo@example.test"], b"Subject: r\r\n\r\nx\r\n")
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, relay=virtual, .*dsn=4\.\d\.\d, "
                          rf"status=deferred")
        # qmgr logs the deferral, then moves the file; poll briefly rather than race it.
        deadline = time.monotonic() + 5
        while not any(p.is_file() for p in (inst.queue_dir / "deferred").rglob("*")):
            assert time.monotonic() < deadline, "the message never reached deferred/"
            time.sleep(0.01)
        if os.geteuid() == 0:
            import pwd
            owner = pwd.getpwnam(inst.main_cf["mail_owner"])
            os.chown(domain_dir, owner.pw_uid, owner.pw_gid)
        os.chmod(domain_dir, 0o700)
        wait_for_messages(inst, "demo", 1, timeout=30)
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, relay=virtual, .*status=sent")
        inst.wait_for_log(rf"{qid}: removed")


def test_unknown_virtual_user_rejected_at_rcpt():
    inst = pipeline()
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("x@remote.example")
            assert s.rcpt("nosuchuser@example.test") == (
                550, b"5.1.1 <nosuchuser@example.test>: Recipient address rejected: "
                     b"User unknown in virtual mailbox table")
            assert s.rcpt("demo@example.test")[0] == 250


def test_pflogsumm_reads_the_log():
    inst = pipeline()
    with inst:
        for i in range(3):
            send(inst, "x@remote.example", ["demo@example.test"], f"Subject: {i}\r\n\r\nx\r\n".encode())
        wait_for_messages(inst, "demo", 3)
        inst.wait_for_log(r": removed", count=3)
        result = subprocess.run(["pflogsumm", "--syslog-name=correio", "--problems-first",
                                 str(inst.log_path)], capture_output=True, text=True)
        inst_log = inst.log_text()
    assert result.returncode == 0, result.stderr
    summary = result.stdout
    assert re.search(r"^\s+3\s+received", summary, re.M), summary + inst_log
    assert re.search(r"^\s+3\s+delivered", summary, re.M), summary
    assert re.search(r"^\s+0\s+bounced", summary, re.M), summary


def test_local_delivery_through_aliases_to_mbox():
    inst = pipeline()
    with inst:
        qid = send(inst, "x@remote.example", ["postmaster@localhost"],
                   b"Subject: to the postmaster\r\n\r\nFrom here on\r\n")
        inst.wait_for_log(rf"correio/local\[\d+\]: {qid}: to=<root@localhost>, "
                          rf"orig_to=<postmaster@localhost>, relay=local, .*status=sent "
                          rf"\(delivered to mailbox\)")
        mbox = (inst.base / "spool" / "root").read_text()
        assert mbox.startswith("From x@remote.example ")
        assert "Subject: to the postmaster" in mbox
        assert "\n>From here on\n" in mbox  # mbox quoting
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("x@remote.example")
            assert s.rcpt("nosuchlocaluser@localhost") == (
                550, b"5.1.1 <nosuchlocaluser@localhost>: Recipient address rejected: "
                     b"User unknown in local recipient table")
