"""header_checks(5) in a running instance, driven by smtplib and sendmail: the reply at the
end of DATA, what is stored in the Maildir, the hold queue, the recipients REDIRECT and
BCC choose, and the cleanup log lines in Postfix's words."""

import re
import smtplib
import time

import pytest

from test_admin_tools import instance as instance_with_pickup, tool
from delivery_setup import maildir_new, queue_is_empty, wait_for_messages

MULTIPART = (
    "From: sender@example.test\r\n"
    "To: demo@example.test\r\n"
    "Subject: quarterly report\r\n"
    "X-Mailer: spamware 1.0\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--BOUNDARY\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see the attachment\r\n"
    "--BOUNDARY\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: forwarded inner\r\n"
    "From: other@example.org\r\n"
    "\r\n"
    "inner body\r\n"
    "--BOUNDARY--\r\n")


def checks(inst, header="", body="", mime=None, nested=None, extra=None):
    """Writes pcre tables into the instance and names them in main.cf."""
    settings = dict(extra or {})
    for name, rules in (("header_checks", header), ("body_checks", body),
                        ("mime_header_checks", mime), ("nested_header_checks", nested)):
        if rules is None:
            continue
        path = inst.config_dir / name
        path.write_text(rules)
        settings[name] = f"pcre:{path}"
    inst.write_main_cf(settings)


def queue_files(inst):
    found = []
    for sub in ("incoming", "active", "deferred", "hold"):
        folder = inst.queue_dir / sub
        if folder.exists():
            found += [f"{sub}/{p.name}" for p in folder.iterdir()]
    return found


def send(inst, message, rcpt="demo@example.test", sender="sender@example.test"):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example")
        s.mail(sender)
        s.rcpt(rcpt)
        return s.data(message.encode())


def test_reject_answers_550_at_end_of_data_and_queues_nothing():
    inst = instance_with_pickup()
    checks(inst, header="/^Subject: .*quarterly/ REJECT No reports today\n")
    with inst:
        code, text = send(inst, MULTIPART)
        assert (code, text) == (550, b"5.7.1 No reports today")
        assert queue_files(inst) == []
        assert not list((inst.queue_dir / "incoming").iterdir())  # no temporary file either
        [line] = inst.wait_for_log(r"cleanup\[\d+\]: \w+: reject: header")
        assert re.search(r": [0-9A-F]+: reject: header Subject: quarterly report from "
                         r"\S+\[127\.0\.0\.1\]; from=<sender@example\.test> "
                         r"to=<demo@example\.test> proto=ESMTP helo=<client\.example>: 5\.7\.1 "
                         r"No reports today$", line), line
        # The session goes on: the next message is accepted.
        code, _ = send(inst, "Subject: fine\r\n\r\nhello\r\n")
        assert code == 250


def test_edits_reach_the_stored_message():
    inst = instance_with_pickup()
    checks(inst,
           header="/^X-Mailer:/ IGNORE\n"
                  "/^Subject: (.*)/ REPLACE Subject: [checked] $1\n"
                  "/^To:/ PREPEND X-Seen: yes\n",
           body="/^see the attachment$/ REPLACE see the (removed) attachment\n"
                "/^inner body$/ PREPEND [note]\n")
    with inst:
        code, _ = send(inst, MULTIPART)
        assert code == 250
        [path] = wait_for_messages(inst, "demo", 1)
        data = path.read_bytes()
        assert b"X-Mailer" not in data
        assert b"\nSubject: [checked] quarterly report\n" in data
        assert b"\nX-Seen: yes\nTo: demo@example.test\n" in data
        assert b"\nsee the (removed) attachment\n--BOUNDARY\n" in data
        assert b"\n[note]\ninner body\n" in data
        assert inst.log_lines(r"replace: header Subject: quarterly report from \S+\[")
        assert inst.log_lines(r"prepend: body inner body from \S+\[")


def test_each_header_class_has_its_table():
    inst = instance_with_pickup()
    checks(inst, header="/^Subject:/ WARN primary\n",
           mime="/^Content-Type: message/ WARN mime\n",
           nested="/^Subject:/ REJECT nested subject\n")
    with inst:
        code, text = send(inst, MULTIPART)
        assert (code, text) == (550, b"5.7.1 nested subject")
        assert inst.log_lines(r"warning: header Subject: quarterly report from .*: primary$")
        assert inst.log_lines(r"warning: header Content-Type: message/rfc822 from .*: mime$")
        assert inst.log_lines(r"reject: header Subject: forwarded inner from .*: 5\.7\.1 nested")


def test_mime_header_checks_default_to_header_checks():
    inst = instance_with_pickup()
    checks(inst, header="/^Content-Type: message\\/rfc822/ REJECT no forwards\n")
    with inst:
        code, text = send(inst, MULTIPART)
        assert (code, text) == (550, b"5.7.1 no forwards")


def test_body_checks_see_boundaries_and_disable_mime_makes_parts_body():
    inst = instance_with_pickup()
    checks(inst, body="/^Subject: forwarded/ REJECT body saw a header\n")
    with inst:
        code, _ = send(inst, MULTIPART)
        assert code == 250  # a nested header is no body line
    inst = instance_with_pickup()
    checks(inst, body="/^Subject: forwarded/ REJECT body saw a header\n",
           extra={"disable_mime_input_processing": "yes"})
    with inst:
        code, text = send(inst, MULTIPART)
        assert (code, text) == (550, b"5.7.1 body saw a header")


def test_hold_puts_the_message_on_the_hold_queue():
    inst = instance_with_pickup()
    checks(inst, header="/^Subject: quarterly/ HOLD needs a look\n")
    with inst:
        code, text = send(inst, MULTIPART)
        assert code == 250
        queue_id = text.decode().rsplit(" ", 1)[1]
        assert (inst.queue_dir / "hold" / queue_id).exists()
        inst.wait_for_log(rf"{queue_id}: hold: header Subject: quarterly report from .*: needs a look")
        listing = tool(inst, "mailq").stdout.decode()
        assert re.search(rf"^{queue_id}!\s", listing, re.M), listing
        time.sleep(1.5)  # qmgr leaves it alone
        assert not maildir_new(inst, "demo").exists() or not list(maildir_new(inst, "demo").iterdir())
        assert tool(inst, "postsuper", "-H", queue_id).returncode == 0
        tool(inst, "postqueue", "-f")
        wait_for_messages(inst, "demo", 1, timeout=30)


def test_discard_claims_delivery_and_keeps_nothing():
    inst = instance_with_pickup()
    checks(inst, body="/^inner body/ DISCARD\n")
    with inst:
        code, text = send(inst, MULTIPART)
        assert code == 250 and text.startswith(b"2.0.0 Ok: queued as ")
        inst.wait_for_log(r"discard: body inner body from \S+\[")
        assert queue_files(inst) == []


def test_redirect_replaces_all_recipients_and_bcc_adds_one():
    inst = instance_with_pickup()
    checks(inst, header="/^X-Mailer:/ REDIRECT sender@example.test\n")
    with inst:
        assert send(inst, MULTIPART)[0] == 250
        wait_for_messages(inst, "sender", 1)
        deadline = time.monotonic() + 10
        while not queue_is_empty(inst) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not maildir_new(inst, "demo").exists()
        assert inst.log_lines(r"redirect: header X-Mailer: spamware 1\.0 from .*: sender@example")
    inst = instance_with_pickup()
    checks(inst, header="/^X-Mailer:/ BCC sender@example.test\n")
    with inst:
        assert send(inst, MULTIPART)[0] == 250
        wait_for_messages(inst, "sender", 1)
        wait_for_messages(inst, "demo", 1)


def test_sendmail_mail_is_inspected_too():
    inst = instance_with_pickup()
    checks(inst, header="/^Subject: (.*)/ REPLACE Subject: [local] $1\n/^X-Hold:/ HOLD\n")
    with inst:
        result = tool(inst, "sendmail", "-i", "-f", "sender@example.test", "demo@example.test",
                      stdin=b"Subject: from sendmail\n\nbody\n")
        assert result.returncode == 0, result.stderr
        [path] = wait_for_messages(inst, "demo", 1)
        assert b"\nSubject: [local] from sendmail\n" in path.read_bytes()
        assert inst.log_lines(r"replace: header Subject: from sendmail from local; "
                              r"from=<sender@example\.test> to=<demo@example\.test>: Subject:")
        result = tool(inst, "sendmail", "-i", "-f", "sender@example.test", "demo@example.test",
                      stdin=b"X-Hold: yes\nSubject: held\n\nbody\n")
        assert result.returncode == 0, result.stderr
        inst.wait_for_log(r"hold: header X-Hold: yes from local")
        deadline = time.monotonic() + 10
        while not list((inst.queue_dir / "hold").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list((inst.queue_dir / "hold").iterdir())) == 1


def test_sendmail_reject_returns_the_message_to_the_sender():
    inst = instance_with_pickup()
    checks(inst, body="/^buy now/ REJECT 5.7.1 no ads here\n")
    with inst:
        result = tool(inst, "sendmail", "-i", "-f", "sender@example.test", "demo@example.test",
                      stdin=b"Subject: offer\n\nbuy now\n")
        assert result.returncode == 0, result.stderr
        inst.wait_for_log(r"cleanup\[\d+\]: \w+: reject: body buy now from local; "
                          r"from=<sender@example\.test> to=<demo@example\.test>: 5\.7\.1 no ads")
        inst.wait_for_log(r"to=<demo@example\.test>, relay=none, .*dsn=5\.7\.1, "
                          r"status=bounced \(no ads here\)")
        [bounce] = wait_for_messages(inst, "sender", 1)
        assert b"no ads here" in bounce.read_bytes()
        assert not maildir_new(inst, "demo").exists() or not list(maildir_new(inst, "demo").iterdir())
