"""Reports to the sender besides bounces: the one delay warning (delay_warning_time) for
mail still deferred after that long, honouring NOTIFY and never sent to <>, and the
"delivered" report for NOTIFY=SUCCESS recipients (RFC 3461, RFC 3464)."""

import os
import pwd
import re
import time

from delivery_setup import pipeline, wait_for_messages
from test_delivery import send


def broken_mailbox(inst, user: str) -> None:
    """USER's Maildir path is a plain file: every delivery to USER fails with 4.x.x."""
    domain_dir = inst.base / "mail" / "example.test"
    domain_dir.mkdir(exist_ok=True)
    (domain_dir / user).write_text("not a Maildir\n")
    if os.geteuid() == 0:
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(domain_dir, owner.pw_uid, owner.pw_gid)


def test_one_delay_warning_for_deferred_mail():
    inst = pipeline({"delay_warning_time": "2s"})
    broken_mailbox(inst, "demo")
    with inst:
        qid = send(inst, "sender@example.test", ["demo@example.test"],
                   b"Subject: slow one\r\nX-Marker: warned\r\n\r\n" + b"b" * 3000 + b"\r\n",
                   mail_options=["ENVID=slow1"])
        # Null sender and NOTIFY without DELAY: no warnings for these.
        quiet_null = send(inst, "", ["demo@example.test"], b"Subject: from <>\r\n\r\nx\r\n")
        quiet_notify = send(inst, "sender@example.test", ["demo@example.test"],
                            b"Subject: no delay notice\r\n\r\nx\r\n",
                            rcpt_options=["NOTIFY=FAILURE"])
        [line] = inst.wait_for_log(rf"{qid}: sender delay notification: [0-9A-F]+", timeout=20)
        [report_path] = wait_for_messages(inst, "sender", 1)
        report = report_path.read_text(errors="replace")
        assert "Subject: Delayed Mail (still being retried)" in report
        assert "Return-Path: <>" in report
        assert "Content-Type: message/delivery-status" in report
        assert "Original-Envelope-Id: slow1" in report
        assert "Final-Recipient: rfc822; demo@example.test" in report
        assert "Action: delayed" in report
        assert re.search(r"^Status: 4\.\d\.\d$", report, re.M), report
        assert "Will-Retry-Until: " in report
        assert "Content-Type: text/rfc822-headers" in report
        assert "X-Marker: warned" in report and "b" * 100 not in report
        # Later retries send no second warning, for any of the three messages.
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, .*status=deferred", count=3,
                          timeout=30)
        time.sleep(1)
        log = inst.log_text()
        assert len(re.findall(rf"{qid}: sender delay notification", log)) == 1
        assert f"{quiet_null}: sender delay notification" not in log
        assert f"{quiet_notify}: sender delay notification" not in log
        assert len(wait_for_messages(inst, "sender", 1)) == 1


def test_delay_warning_is_remembered_across_a_restart():
    inst = pipeline({"delay_warning_time": "1s"})
    broken_mailbox(inst, "demo")
    try:
        inst.start()
        qid = send(inst, "sender@example.test", ["demo@example.test"], b"Subject: s\r\n\r\nx\r\n")
        inst.wait_for_log(rf"{qid}: sender delay notification: ", timeout=20)
        inst.stop()
        inst.start()
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, .*status=deferred", count=3,
                          timeout=30)
        assert len(re.findall(rf"{qid}: sender delay notification", inst.log_text())) == 1
        inst.stop()
    finally:
        inst.cleanup()


def test_no_delay_warning_when_off_by_default():
    inst = pipeline()
    broken_mailbox(inst, "demo")
    with inst:
        qid = send(inst, "sender@example.test", ["demo@example.test"], b"Subject: s\r\n\r\nx\r\n")
        inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, .*status=deferred", count=3,
                          timeout=30)
        assert "delay notification" not in inst.log_text()


def test_notify_success_gets_a_delivered_report():
    inst = pipeline()
    with inst:
        qid = send(inst, "sender@example.test", ["demo@example.test"],
                   b"Subject: tell me\r\n\r\n" + b"c" * 2000 + b"\r\n",
                   mail_options=["RET=FULL"],
                   rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;demo@example.test"])
        wait_for_messages(inst, "demo", 1)
        inst.wait_for_log(rf"{qid}: sender delivery status notification: [0-9A-F]+")
        [report_path] = wait_for_messages(inst, "sender", 1)
        report = report_path.read_text(errors="replace")
        assert "Subject: Successful Mail Delivery Report" in report
        assert "Action: delivered" in report
        assert "Status: 2.0.0" in report
        assert "Original-Recipient: rfc822; demo@example.test" in report
        assert "Content-Type: message/rfc822" in report and "c" * 2000 in report  # RET=FULL
        # Without NOTIFY=SUCCESS there is no such report.
        other = send(inst, "sender@example.test", ["demo@example.test"], b"Subject: q\r\n\r\nx\r\n")
        wait_for_messages(inst, "demo", 2)
        inst.wait_for_log(rf"{other}: removed")
        assert f"{other}: sender delivery status notification" not in inst.log_text()
