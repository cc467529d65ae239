"""notify_classes, as Postfix's bounce(8): "bounce" sends bounce_notice_recipient a
postmaster copy (headers only) of every bounce and implies "2bounce"; "2bounce" sends
undeliverable bounces to 2bounce_notice_recipient, and without it they are discarded;
"delay" sends delay_notice_recipient a copy of each delay warning. Classes Correio cannot
report yet are a warning at check. Mail is sent with Python's smtplib."""

import re

from delivery_setup import pipeline, wait_for_messages
from test_delivery import send
from test_dsn_notifications import broken_mailbox

TOO_BIG = b"Subject: too big\r\nX-Marker: original\r\n\r\n" + b"y" * 40000 + b"\r\n"


def with_postmaster(extra: dict[str, str]):
    inst = pipeline({"virtual_mailbox_limit": "20000", **extra})
    with open(inst.config_dir / "users", "a") as users:
        users.write("pm@example.test:{PLAIN}secret::::::\n")
    return inst


def test_bounce_class_sends_the_postmaster_a_headers_only_copy():
    inst = with_postmaster({"notify_classes": "bounce",
                            "bounce_notice_recipient": "pm@example.test"})
    with inst:
        # RET=HDRS: the sender's bounce must fit the 20000-byte mailbox limit too.
        qid = send(inst, "sender@example.test", ["demo@example.test"], TOO_BIG,
                   mail_options=["RET=HDRS"])
        inst.wait_for_log(rf"{qid}: sender non-delivery notification: [0-9A-F]+", timeout=30)
        inst.wait_for_log(rf"{qid}: postmaster non-delivery notification: [0-9A-F]+",
                          timeout=30)
        [copy] = wait_for_messages(inst, "pm", 1)
        text = copy.read_text(errors="replace")
        assert "Subject: Postmaster Copy: Undelivered Mail" in text
        assert "Final-Recipient: rfc822; demo@example.test" in text
        assert "X-Marker: original" in text and "y" * 100 not in text
        [bounce] = wait_for_messages(inst, "sender", 1)
        assert "Subject: Undelivered Mail Returned to Sender" in bounce.read_text(errors="replace")


def test_undeliverable_bounce_is_discarded_without_2bounce():
    # The default notify_classes (resource, software) has no 2bounce: Postfix drops it.
    inst = with_postmaster({"2bounce_notice_recipient": "pm@example.test"})
    with inst:
        qid = send(inst, "ghost@example.test", ["demo@example.test"], TOO_BIG)
        [line] = inst.wait_for_log(rf"{qid}: sender non-delivery notification: [0-9A-F]+",
                                   timeout=30)
        bounce_id = line.rsplit(" ", 1)[1]
        inst.wait_for_log(rf"{bounce_id}: undeliverable bounce discarded \(notify_classes has "
                          r"no 2bounce\)", timeout=30)
        assert "to=<pm@example.test>" not in inst.log_text()


def test_2bounce_class_sends_undeliverable_bounces_to_the_postmaster():
    # To the default 2bounce_notice_recipient, postmaster@$myorigin: local(8) and the
    # aliases take it to root's mbox, which has room for the whole returned message.
    inst = with_postmaster({"notify_classes": "2bounce", "myorigin": "localhost"})
    with inst:
        send(inst, "ghost@example.test", ["demo@example.test"], TOO_BIG)
        inst.wait_for_log(r"correio/local\[\d+\]: [0-9A-F]+: to=<root@localhost>, "
                          r"orig_to=<postmaster@localhost>, .*status=sent", timeout=30)


def test_delay_class_sends_the_postmaster_a_copy_of_the_warning():
    inst = with_postmaster({"notify_classes": "delay", "delay_warning_time": "2s",
                            "delay_notice_recipient": "pm@example.test"})
    broken_mailbox(inst, "demo")
    with inst:
        qid = send(inst, "sender@example.test", ["demo@example.test"],
                   b"Subject: slow\r\n\r\nx\r\n")
        inst.wait_for_log(rf"{qid}: sender delay notification: [0-9A-F]+", timeout=30)
        inst.wait_for_log(rf"{qid}: postmaster delay notification: [0-9A-F]+", timeout=30)
        [copy] = wait_for_messages(inst, "pm", 1)
        assert "Subject: Postmaster Warning: Delayed Mail" in copy.read_text(errors="replace")


def test_check_warns_about_classes_correio_does_not_report():
    inst = with_postmaster({"notify_classes": "bounce, protocol, policy"})
    try:
        r = inst.command("check")
        assert r.returncode == 0, r.stderr
        main_cf = re.escape(str(inst.config_dir / "main.cf"))
        for klass in ("protocol", "policy"):
            assert re.search(rf"{main_cf}:\d+: warning: notify_classes: {klass}: not reported "
                             r"by Correio yet, ignored: SMTP session transcripts", r.stderr), \
                r.stderr
        assert "notify_classes: bounce" not in r.stderr
    finally:
        inst.cleanup()
