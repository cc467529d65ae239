"""STARTTLS (RFC 3207) and implicit TLS (smtpd_tls_wrappermode, port 465) with Python's
ssl module: TLS 1.2+ only, the session starting over after STARTTLS, TLS details in the
Received: header and the log, and smtpd_tls_security_level = encrypt."""

import re
import smtplib
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest

from correio_fixture import CORREIO_BIN, Correio

BASE = {"virtual_mailbox_domains": "example.test", "mynetworks": "127.0.0.0/8"}


CERT_DIR = Path(tempfile.mkdtemp(prefix="correio-tls-"))


def make_certificate(_unused=None) -> tuple[str, str]:
    """A self-signed pair made by `correio quickstart` (OpenSSL's API, not openssl(1)),
    readable by the test's mail_owner (the services load it after dropping root)."""
    qs = CERT_DIR / "qs"
    if not (qs / "tls" / "key.pem").exists():
        subprocess.run([CORREIO_BIN, "quickstart", str(qs)], check=True, capture_output=True)
    for folder in (CERT_DIR, qs, qs / "tls"):
        folder.chmod(0o755)
    cert, key = qs / "tls" / "cert.pem", qs / "tls" / "key.pem"
    cert.chmod(0o644)
    key.chmod(0o644)
    return str(cert), str(key)


def client_context(**kw) -> ssl.SSLContext:
    ctx = ssl.create_default_context(**kw)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


@pytest.fixture
def tls_server(tmp_path):
    cert, key = make_certificate(tmp_path)
    inst = Correio(main_cf={**BASE, "smtpd_tls_security_level": "may",
                            "smtpd_tls_received_header": "yes", "smtpd_tls_loglevel": "1",
                            "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key})
    try:
        inst.start()
        yield inst
        inst.stop()
    finally:
        inst.cleanup()


def test_starttls_then_mail(tls_server):
    with smtplib.SMTP("127.0.0.1", tls_server.smtp_port) as s:
        s.ehlo("client.example")
        assert s.has_extn("starttls")
        code, _ = s.starttls(context=client_context())
        assert code == 220
        assert s.sock.version() in ("TLSv1.2", "TLSv1.3")
        s.ehlo("client.example")
        assert not s.has_extn("starttls")  # not offered twice
        s.mail("a@remote.example")
        s.rcpt("demo@example.test")
        code, reply = s.data(b"Subject: tls\r\n\r\nsecret\r\n")
        assert code == 250
    qid = re.search(rb"queued as ([0-9A-F]+)", reply).group(1).decode()
    raw = (tls_server.queue_dir / "incoming" / qid).read_bytes()
    assert re.search(rb"\t\(using TLSv1\.[23] with cipher \S+ \(\d+/\d+ bits\)\)\n"
                     rb"\tby mail\.example\.test \(Correio\) with ESMTPS id " + qid.encode(), raw)
    tls_server.wait_for_log(r"Anonymous TLS connection established from unknown\[127\.0\.0\.1\]: "
                            r"TLSv1\.[23] with cipher ")


def test_tls_loglevel_0_logs_no_handshake(tmp_path):
    # Postfix's default, smtpd_tls_loglevel = 0: no TLS activity in the log.
    cert, key = make_certificate(tmp_path)
    inst = Correio(main_cf={**BASE, "smtpd_tls_security_level": "may",
                            "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            assert s.starttls(context=client_context())[0] == 220
            s.ehlo("client.example")
            assert s.noop()[0] == 250
        inst.wait_for_log(r"disconnect from unknown\[127\.0\.0\.1\] ehlo=2 starttls=1")
        assert "TLS connection established" not in inst.log_text()


def test_session_starts_over_after_starttls(tls_server):
    with smtplib.SMTP("127.0.0.1", tls_server.smtp_port) as s:
        s.ehlo("client.example")
        s.mail("a@remote.example")
        s.starttls(context=client_context())
        # RFC 3207 §4.2: the earlier MAIL is forgotten.
        assert s.docmd("RCPT TO:<demo@example.test>") == (503, b"5.5.1 Error: need MAIL command")
        assert s.docmd("STARTTLS") == (554, b"5.5.1 Error: TLS already active")


def test_old_protocols_are_refused(tls_server):
    ctx = client_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    with smtplib.SMTP("127.0.0.1", tls_server.smtp_port) as s:
        s.ehlo("client.example")
        with pytest.raises((ssl.SSLError, OSError, smtplib.SMTPServerDisconnected)):
            s.starttls(context=ctx)


def test_plaintext_input_before_handshake_is_not_trusted(tls_server):
    # Command injection (CVE-2011-0411 class): text sent with STARTTLS in one packet must
    # be discarded, not executed after the handshake.
    sock = socket.create_connection(("127.0.0.1", tls_server.smtp_port), timeout=10)
    f = sock.makefile("rb")
    f.readline()
    sock.sendall(b"EHLO client.example\r\n")
    while not f.readline().startswith(b"250 "):
        pass
    sock.sendall(b"STARTTLS\r\nRSET\r\n")
    data = f.readline()
    # Either the pipelined RSET is refused as unauthorised pipelining, or it is dropped.
    assert data.startswith(b"554 5.5.0") or data.startswith(b"220 2.0.0")


def test_wrappermode_and_encrypt_level(tmp_path):
    cert, key = make_certificate(tmp_path)
    inst = Correio(main_cf={**BASE, "smtpd_tls_security_level": "encrypt",
                            "smtpd_tls_wrappermode": "no",
                            "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key})
    port465 = None
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            assert s.docmd("MAIL FROM:<a@remote.example>") == (
                530, b"5.7.0 Must issue a STARTTLS command first")
    # Implicit TLS: a second service with -o smtpd_tls_wrappermode=yes.
    inst = Correio(main_cf={**BASE, "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key},
                   master_cf="{listen}      inet  n       -       n       -       -       smtpd\n"
                             "  -o smtpd_tls_wrappermode=yes\n")
    with inst:
        port465 = inst.smtp_port
        inst.wait_for_log(r"correio/smtpd\[\d+\]: ", timeout=10)  # the probe's session
        with smtplib.SMTP_SSL("127.0.0.1", port465, context=client_context()) as s:
            assert s.ehlo("client.example")[0] == 250
            assert not s.has_extn("starttls")
            s.mail("a@remote.example")
            s.rcpt("demo@example.test")
            assert s.data(b"Subject: 465\r\n\r\nx\r\n")[0] == 250


def test_missing_certificate_with_may_disables_tls():
    inst = Correio(main_cf={**BASE, "smtpd_tls_security_level": "may",
                            "smtpd_tls_cert_file": "/nonexistent/cert.pem",
                            "smtpd_tls_key_file": "/nonexistent/key.pem"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            assert not s.has_extn("starttls")
        inst.wait_for_log(r"warning: TLS library problem: cannot open "
                          r"/nonexistent/cert\.pem")  # the file is named
