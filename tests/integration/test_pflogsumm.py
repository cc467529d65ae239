"""pflogsumm (the Debian package) summarises a Correio mail log correctly: messages
received, delivered, bounced and rejected are counted as for a Postfix log."""

import re
import smtplib
import subprocess

from delivery_setup import pipeline, wait_for_messages
from test_delivery import send


def test_pflogsumm_counts_received_delivered_bounced_rejected():
    # The mailbox limit makes the one large message bounce (5.2.2).
    inst = pipeline({"virtual_mailbox_limit": "20000"})
    with inst:
        for i in range(3):
            send(inst, "x@remote.example", ["demo@example.test"],
                 f"Subject: fine {i}\r\n\r\nsmall\r\n".encode())
        big = send(inst, "sender@example.test", ["demo@example.test"],
                   b"Subject: too big\r\n\r\n" + b"y" * 40000 + b"\r\n", mail_options=["RET=HDRS"])
        # Two recipients rejected at RCPT (unknown users).
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("x@remote.example")
            assert s.rcpt("nobody1@example.test")[0] == 550
            assert s.rcpt("nobody2@example.test")[0] == 550
        inst.wait_for_log(rf"{big}: to=<demo@example\.test>, .*status=bounced")
        wait_for_messages(inst, "demo", 3)
        wait_for_messages(inst, "sender", 1)  # the bounce report, delivered too
        inst.wait_for_log(r": removed", count=5)
        log = inst.log_text()
        result = subprocess.run(["pflogsumm", "--syslog-name=correio", str(inst.log_path)],
                                capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    summary = result.stdout
    context = summary + "\n---- log ----\n" + log

    def count(label: str) -> int:
        match = re.search(rf"^\s+(\d+)\s+{label}\b", summary, re.M)
        assert match, f"no {label!r} line\n{context}"
        return int(match.group(1))

    # Four messages came in over SMTP (the bounce report is made inside, like Postfix's).
    assert count("received") == 4, context
    # Three to demo and the report to the sender.
    assert count("delivered") == 4, context
    assert count("bounced") == 1, context
    assert count("rejected") == 2, context
    assert re.search(r"User unknown in virtual mailbox table", summary), context
    # The per-sender and per-recipient tables see the right addresses.
    senders = summary.split("Senders by message count", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"^\s+3\s+x@remote\.example$", senders, re.M), context
    recipients = summary.split("Recipients by message count", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"^\s+3\s+demo@example\.test$", recipients, re.M), context
    assert re.search(r"^\s+1\s+sender@example\.test$", recipients, re.M), context
