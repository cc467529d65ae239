"""A stock Postfix (postfix_instance.py) relays through its own smtp(8) client to a
Correio host, and the mail lands in Correio's Maildir: the direction opposite to
test_mail_out.py's test_delivery_to_a_stock_postfix."""

import re
import smtplib

import pytest

from delivery_setup import pipeline, wait_for_messages
from postfix_instance import PostfixInstance, skip_reason


@pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))
def test_postfix_relays_to_correio():
    correio = pipeline()  # demo@example.test has a Maildir
    try:
        correio.start()
        pf = PostfixInstance({
            "relay_domains": "example.test",
            "transport_maps": f"inline:{{ example.test=smtp:[127.0.0.1]:{correio.smtp_port} }}",
            "smtp_tls_security_level": "none",
        })
        with pf:
            with smtplib.SMTP("127.0.0.1", pf.smtp_port) as smtp:
                smtp.sendmail("someone@remote.test", ["demo@example.test", "ghost@example.test"],
                              b"From: someone@remote.test\r\nSubject: from-postfix\r\n"
                              b"Message-ID: <from-postfix@remote.test>\r\n\r\n"
                              b"relayed by Postfix\r\n.leading dot\r\n")
            pf.wait_for_log(r"postfix/smtp\[\d+\]: \w+: to=<demo@example\.test>, relay=127\.0\.0\.1"
                            rf"\[127\.0\.0\.1\]:{correio.smtp_port}, .*status=sent \(250 2\.0\.0 "
                            r"Ok: queued as \w+\)")
            # Correio refuses the unknown user at RCPT; Postfix bounces it with that reply.
            pf.wait_for_log(r"postfix/smtp\[\d+\]: \w+: to=<ghost@example\.test>, .*"
                            r"status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.1\.1 ")
            [path] = wait_for_messages(correio, "demo", 1)
            data = path.read_bytes()
            assert b"Subject: from-postfix" in data
            assert b"\n.leading dot\n" in data  # Postfix's dot-stuffing undone by smtpd
            assert re.search(rb"Received: from postfix\.example\.test \(", data), data[:500]
            correio.wait_for_log(r"correio/virtual\[\d+\]: \w+: to=<demo@example\.test>, .*"
                                 r"status=sent")
        correio.stop()
    finally:
        correio.cleanup()
