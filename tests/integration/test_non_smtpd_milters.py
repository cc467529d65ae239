"""non_smtpd_milters for mail handed to sendmail (pickup), as Postfix's cleanup shows it to
milters: a simulated session from localhost [127.0.0.1], the milters' edits applied before
the message is queued, a reject returned to the sender, a tempfail leaving the maildrop
file for later. Real milters: Debian's opendkim signs what a web application hands to
sendmail (the signature verified by python3-dkim), and the pymilter test milter of
test_milter.py exercises the actions."""

import email
import re
import time

from delivery_setup import wait_for_messages
from test_admin_tools import instance, tool
from test_milter import assert_dkim_verifies, milter_app, opendkim  # noqa: F401 (fixtures)


def milter_pickup_instance(milters, **extra):
    inst = instance({"non_smtpd_milters": milters, **extra})
    with open(inst.config_dir / "users", "a") as users:
        users.write("added@example.test:{PLAIN}secret::::::\n")
    return inst


def submit(inst, subject, rcpt="demo@example.test", sender="sender@example.test"):
    result = tool(inst, "sendmail", "-f", sender, rcpt,
                  stdin=f"From: {sender}\nTo: {rcpt}\nSubject: {subject}\n\n"
                        "first body line\n".encode())
    assert result.returncode == 0, result.stderr


def test_edits_and_macros_for_locally_submitted_mail(milter_app):  # noqa: F811
    inst = milter_pickup_instance(milter_app)
    with inst:
        submit(inst, "edit")
        [path] = wait_for_messages(inst, "added", 1)
        added = email.message_from_bytes(path.read_bytes())
        assert added["Subject"] == "edited subject"
        assert added["X-Added"] == "by milter"
        assert added.get_payload() == "replaced body\nsecond line\n"
        assert added["Return-Path"] == "<changed-sender@example.test>"
        macros = added["X-Milter-Macros"]
        for expected in ("_=localhost [127.0.0.1]", "{mail_addr}=sender@example.test",
                         "mail_args=<sender@example.test>", "j=mail.example.test"):
            assert expected in macros, macros
        queue_id = re.search(r"i=([0-9A-F]+)", macros).group(1)
        assert re.search(rf"correio/pickup\[\d+\]: {queue_id}: uid=", inst.log_text())


def test_reject_returns_the_message_and_tempfail_keeps_it(milter_app):  # noqa: F811
    inst = milter_pickup_instance(milter_app)
    with inst:
        submit(inst, "reject-eom")
        inst.wait_for_log(r"correio/pickup\[\d+\]: [0-9A-F]+: milter-reject: END-OF-MESSAGE "
                          r"from localhost\[127\.0\.0\.1\]: 554 5\.7\.1 ")
        [bounce] = wait_for_messages(inst, "sender", 1)
        text = bounce.read_text(errors="replace")
        assert "Final-Recipient: rfc822; demo@example.test" in text
        assert re.search(r"Status: 5\.7\.1", text), text
        submit(inst, "tempfail-eom")
        inst.wait_for_log(r"maildrop/[0-9A-F]+: milter: 451 4\.7\.1 .*will retry")
        assert len(list((inst.queue_dir / "maildrop").iterdir())) == 1
        time.sleep(0.5)
        demo = inst.base / "mail" / "example.test" / "demo" / "new"
        assert not demo.exists() or not list(demo.iterdir())


def test_opendkim_signs_mail_from_sendmail(opendkim):  # noqa: F811
    address, record = opendkim
    inst = milter_pickup_instance(address)
    with inst:
        submit(inst, "signed by opendkim")
        [path] = wait_for_messages(inst, "demo", 1)
        assert_dkim_verifies(path.read_bytes(), record)


def test_milter_header_checks_for_pickup_mail(milter_app):  # noqa: F811
    inst = milter_pickup_instance(milter_app)
    table = inst.config_dir / "milter_header_checks"
    table.write_text("/^X-Added:/ IGNORE\n"
                     "/^X-Milter-Macros:.*mail_args=<reject-me@/ REJECT 5.7.1 not after this milter\n")
    inst.write_main_cf({"milter_header_checks": f"regexp:{table}"})
    with inst:
        submit(inst, "edit")
        [path] = wait_for_messages(inst, "added", 1)
        added = email.message_from_bytes(path.read_bytes())
        assert "X-Added" not in added and added["Subject"] == "edited subject"
        submit(inst, "edit", sender="reject-me@example.test")
        inst.wait_for_log(r"milter-reject: END-OF-MESSAGE from localhost\[127\.0\.0\.1\]: "
                          r"550 5\.7\.1 not after this milter")
