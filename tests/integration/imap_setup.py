"""A Correio instance with the inbound pipeline (smtpd, qmgr, virtual) and imapd on a
plain port (plaintext login allowed, as the quick start does on loopback) and an IMAPS
port, for tests that use Python's imaplib as the client."""

from __future__ import annotations

import imaplib
import smtplib
import ssl

from correio_fixture import free_port
from delivery_setup import PIPELINE_MASTER_CF, pipeline
from test_smtpd_tls import make_certificate


class ImapInstance:
    def __init__(self, extra_main_cf: dict[str, str] | None = None, cleartext: bool = True):
        self.cert, self.key = make_certificate()
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.inst = pipeline({"imapd_tls_cert_file": self.cert, "imapd_tls_key_file": self.key,
                              "auth_failure_delay": "0s",
                              **(extra_main_cf or {})})
        cleartext_line = "  -o auth_allow_cleartext=yes\n" if cleartext else ""
        self.inst.write_master_cf(
            PIPELINE_MASTER_CF.replace("{listen}", self.inst.listen)
            + f"127.0.0.1:{self.imap_port} inet n - n - - imapd\n" + cleartext_line
            + f"127.0.0.1:{self.imaps_port} inet n - n - - imapd\n"
            + "  -o imapd_tls_wrappermode=yes\n")

    def __enter__(self) -> "ImapInstance":
        self.inst.start(wait_ports=[self.inst.smtp_port, self.imap_port, self.imaps_port])
        return self

    def __exit__(self, *exc) -> None:
        self.inst.__exit__(*exc)

    def imap(self, login: bool = True) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=20)
        if login:
            client.login("demo@example.test", "secret")
        return client

    def imaps(self) -> imaplib.IMAP4_SSL:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=ctx, timeout=20)

    def send(self, body: str, subject: str = "test", to: str = "demo@example.test",
             headers: str = "") -> None:
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=20) as s:
            s.sendmail("sender@example.test", [to],
                       f"From: Sender <sender@example.test>\r\nTo: {to}\r\n"
                       f"Subject: {subject}\r\n{headers}\r\n{body}\r\n")
