"""TLS protocol and cipher policy (smtpd_tls_[mandatory_]protocols, *_ciphers,
*_exclude_ciphers, imapd_tls_* and pop3d_tls_*), honoured by smtpd STARTTLS, SMTPS, IMAPS
and POP3S, with Python's ssl module as the independent client; level encrypt implying
smtpd_tls_auth_only; smtpd_tls_received_header; bad values refused by `correio check`."""

from __future__ import annotations

import base64
import imaplib
import poplib
import re
import smtplib
import socket
import ssl

import pytest

from correio_fixture import free_port
from delivery_setup import PIPELINE_MASTER_CF, pipeline
from test_smtpd_tls import client_context, make_certificate

SASL = "  -o smtpd_sasl_auth_enable=yes\n"


class Servers:
    """One instance with every TLS entry point: smtpd STARTTLS (level may) on smtp_port,
    SMTPS (wrapper mode), submission (level encrypt with AUTH), IMAPS and POP3S."""

    def __init__(self, main_cf: dict[str, str] | None = None, master_extra: str = ""):
        cert, key = make_certificate()
        self.smtps, self.submission = free_port(), free_port()
        self.imaps, self.pop3s = free_port(), free_port()
        self.inst = pipeline({"smtpd_tls_security_level": "may",
                              "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                              "imapd_tls_cert_file": cert, "imapd_tls_key_file": key,
                              "pop3d_tls_cert_file": cert, "pop3d_tls_key_file": key,
                              "auth_failure_delay": "0s", **(main_cf or {})})
        self.inst.write_master_cf(
            PIPELINE_MASTER_CF.replace("{listen}", self.inst.listen)
            + f"127.0.0.1:{self.smtps} inet n - n - - smtpd\n"
            + "  -o smtpd_tls_wrappermode=yes\n"
            + f"127.0.0.1:{self.submission} inet n - n - - smtpd\n"
            + "  -o smtpd_tls_security_level=encrypt\n" + SASL
            + f"127.0.0.1:{self.imaps} inet n - n - - imapd\n"
            + "  -o imapd_tls_wrappermode=yes\n"
            + f"127.0.0.1:{self.pop3s} inet n - n - - pop3d\n"
            + "  -o pop3d_tls_wrappermode=yes\n" + master_extra)

    def __enter__(self) -> "Servers":
        self.inst.start(wait_ports=[self.inst.smtp_port, self.smtps, self.submission,
                                    self.imaps, self.pop3s])
        return self

    def __exit__(self, *exc) -> None:
        self.inst.__exit__(*exc)

    # Each returns (version, cipher) of a completed handshake, after one protocol step
    # over TLS so that a server that fails after the handshake is noticed too.
    def starttls(self, ctx: ssl.SSLContext) -> tuple[str, str]:
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            s.starttls(context=ctx)
            assert s.ehlo("client.example")[0] == 250
            return s.sock.version(), s.sock.cipher()[0]

    def smtps_session(self, ctx: ssl.SSLContext) -> tuple[str, str]:
        with smtplib.SMTP_SSL("127.0.0.1", self.smtps, context=ctx, timeout=20) as s:
            assert s.ehlo("client.example")[0] == 250
            return s.sock.version(), s.sock.cipher()[0]

    def imaps_session(self, ctx: ssl.SSLContext) -> tuple[str, str]:
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.imaps, ssl_context=ctx, timeout=20)
        try:
            assert imap.capability()[0] == "OK"
            return imap.sock.version(), imap.sock.cipher()[0]
        finally:
            imap.logout()

    def pop3s_session(self, ctx: ssl.SSLContext) -> tuple[str, str]:
        pop = poplib.POP3_SSL("127.0.0.1", self.pop3s, context=ctx, timeout=20)
        try:
            pop.capa()
            return pop.sock.version(), pop.sock.cipher()[0]
        finally:
            pop.quit()

    def all_sessions(self):
        return {"starttls": self.starttls, "smtps": self.smtps_session,
                "imaps": self.imaps_session, "pop3s": self.pop3s_session}


def tls12_client() -> ssl.SSLContext:
    ctx = client_context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def tls13_client() -> ssl.SSLContext:
    ctx = client_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


REFUSED = (ssl.SSLError, OSError, smtplib.SMTPServerDisconnected, imaplib.IMAP4.abort,
           poplib.error_proto)


def test_tls12_is_accepted_by_default_everywhere():
    with Servers() as servers:
        for name, session in servers.all_sessions().items():
            version, _ = session(tls12_client())
            assert version == "TLSv1.2", name
            assert session(client_context())[0] == "TLSv1.3", name


def test_tls13_only_refuses_a_tls12_client_everywhere():
    # imapd_tls_protocols and pop3d_tls_protocols default to $smtpd_tls_mandatory_protocols.
    with Servers({"smtpd_tls_protocols": ">=TLSv1.3",
                  "smtpd_tls_mandatory_protocols": "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1, "
                                                   "!TLSv1.2"}) as servers:
        for name, session in servers.all_sessions().items():
            with pytest.raises(REFUSED):
                session(tls12_client())
            assert session(tls13_client())[0] == "TLSv1.3", name
        servers.inst.wait_for_log(r"correio/smtpd\[\d+\]: warning: TLS handshake failed from "
                                  r"unknown\[127\.0\.0\.1\]: .*(version|protocol)")


def test_opportunistic_and_mandatory_protocols_are_separate():
    # STARTTLS at level may uses smtpd_tls_protocols; SMTPS (wrapper mode) the mandatory
    # list; imapd and pop3d their own parameters.
    with Servers({"smtpd_tls_protocols": ">=TLSv1.3",
                  "smtpd_tls_mandatory_protocols": "TLSv1.2 TLSv1.3",
                  "pop3d_tls_protocols": "<=TLSv1.2"}) as servers:
        with pytest.raises(REFUSED):
            servers.starttls(tls12_client())
        assert servers.smtps_session(tls12_client())[0] == "TLSv1.2"
        assert servers.imaps_session(tls12_client())[0] == "TLSv1.2"
        # TLS 1.3 is off for POP3: a client that insists on it is refused.
        with pytest.raises(REFUSED):
            servers.pop3s_session(tls13_client())
        assert servers.pop3s_session(client_context())[0] == "TLSv1.2"


def test_cipher_exclusion_changes_the_negotiated_cipher():
    with Servers() as servers:
        chosen = {name: session(tls12_client())[1]
                  for name, session in servers.all_sessions().items()}
    first = chosen["starttls"]
    assert set(chosen.values()) == {first}, chosen
    # Excluded from every smtpd grade, and (by default) from imapd's and pop3d's.
    with Servers({"smtpd_tls_exclude_ciphers": first}) as servers:
        for name, session in servers.all_sessions().items():
            version, cipher = session(tls12_client())
            assert version == "TLSv1.2"
            assert cipher != first, name
    # Only the one the client can speak, excluded: the TLS 1.2 handshake fails.
    only = client_context()
    only.maximum_version = ssl.TLSVersion.TLSv1_2
    only.set_ciphers(first)
    with Servers({"imapd_tls_exclude_ciphers": first}) as servers:
        assert servers.starttls(only)[1] == first
        with pytest.raises(REFUSED):
            servers.imaps_session(only)


def test_high_grade_with_a_custom_cipherlist():
    # tls_high_cipherlist is what "high" means: narrowed to one suite, only it is used.
    with Servers({"smtpd_tls_mandatory_ciphers": "high",
                  "tls_high_cipherlist": "ECDHE-RSA-CHACHA20-POLY1305:"
                                         "ECDHE-ECDSA-CHACHA20-POLY1305"}) as servers:
        assert servers.smtps_session(tls12_client())[1].endswith("CHACHA20-POLY1305")
        # The opportunistic grade (medium) is untouched.
        assert "CHACHA20" not in servers.starttls(tls12_client())[1]


def auth_plain() -> str:
    return "PLAIN " + base64.b64encode(b"\0demo@example.test\0secret").decode()


def test_encrypt_level_offers_and_accepts_auth_only_after_starttls():
    with Servers() as servers:
        with smtplib.SMTP("127.0.0.1", servers.submission, timeout=20) as s:
            s.ehlo("client.example")
            assert s.has_extn("starttls")
            assert not s.has_extn("auth")  # smtpd_tls_auth_only is implied (Postfix)
            must = (530, b"5.7.0 Must issue a STARTTLS command first")
            assert s.docmd("AUTH", auth_plain()) == must
            assert s.docmd("MAIL", "FROM:<demo@example.test>") == must
            assert s.docmd("RSET") == must
            assert s.docmd("NOOP")[0] == 250
            s.starttls(context=client_context())
            s.ehlo("client.example")
            assert "PLAIN" in s.esmtp_features["auth"].split()
            assert s.docmd("AUTH", auth_plain()) == (235, b"2.7.0 Authentication successful")
        # The MTA port (level may, AUTH off) is unchanged: AUTH is not enabled there.
        with smtplib.SMTP("127.0.0.1", servers.inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            assert s.docmd("MAIL", "FROM:<a@remote.example>")[0] == 250


def test_tls_received_header_follows_the_parameter():
    def received(servers: Servers) -> bytes:
        with smtplib.SMTP("127.0.0.1", servers.inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            s.starttls(context=client_context())
            s.ehlo("client.example")
            s.mail("a@remote.example")
            s.rcpt("demo@example.test")
            code, reply = s.data(b"Subject: tls\r\n\r\nx\r\n")
            assert code == 250
        qid = re.search(rb"queued as ([0-9A-F]+)", reply).group(1).decode()
        servers.inst.wait_for_log(rf"{qid}: removed", timeout=20)
        mail = servers.inst.base / "mail"
        found = [p for p in mail.rglob("*") if p.is_file() and "/new/" in str(p)]
        assert found
        return found[0].read_bytes()

    with Servers() as servers:
        text = received(servers)
        assert b"with ESMTPS id" in text
        assert b"(using TLSv" not in text
    with Servers({"smtpd_tls_received_header": "yes"}) as servers:
        assert re.search(rb"\t\(using TLSv1\.3 with cipher \S+ \(\d+/\d+ bits\)\)\r?\n"
                         rb"\tby mail\.example\.test \(Correio\) with ESMTPS id ",
                         received(servers))


@pytest.mark.parametrize("name,value,reason", [
    ("smtpd_tls_protocols", ">=TLSv9", r'unknown TLS protocol "TLSv9"'),
    ("smtpd_tls_mandatory_protocols", "tlsv1.2", r'unknown TLS protocol "tlsv1\.2"'),
    ("imapd_tls_protocols", ">=TLSv1.3, <=TLSv1.2", r'".*" leaves no TLS protocol enabled'),
    ("smtpd_tls_ciphers", "strong", r'unknown cipher grade "strong"'),
    ("smtpd_tls_exclude_ciphers", "+RC4", r"invalid operator '\+'"),
    ("tls_medium_cipherlist", "NO-SUCH-CIPHER", r'no TLS cipher matches "NO-SUCH-CIPHER'),
])
def test_check_refuses_a_bad_value_naming_the_parameter(name, value, reason):
    servers = Servers({name: value})
    try:
        result = servers.inst.command("check")
        assert result.returncode == 1, result.stderr
        line = next(n for n, text in enumerate(
            (servers.inst.config_dir / "main.cf").read_text().splitlines(), 1)
            if text.startswith(name + " "))
        assert re.search(rf"main\.cf:{line}: bad {name} value \"{re.escape(value)}\".*: "
                         + reason, result.stderr), result.stderr
    finally:
        servers.inst.cleanup()


def test_check_refuses_a_bad_master_cf_override():
    servers = Servers(master_extra=f"127.0.0.1:{free_port()} inet n - n - - smtpd\n"
                                   "  -o smtpd_tls_security_level=encrypt\n"
                                   "  -o smtpd_tls_mandatory_protocols=TLSv1.4\n")
    try:
        result = servers.inst.command("check")
        assert result.returncode == 1, result.stderr
        assert re.search(r"master\.cf:\d+: service 127\.0\.0\.1:\d+/inet: error: bad "
                         r'smtpd_tls_mandatory_protocols value "TLSv1\.4": unknown TLS '
                         r'protocol "TLSv1\.4"', result.stderr), result.stderr
    finally:
        servers.inst.cleanup()


def test_imapd_tls_protocols_affects_only_imaps():
    with Servers({"imapd_tls_protocols": ">=TLSv1.3"}) as servers:
        sock = socket.create_connection(("127.0.0.1", servers.imaps), timeout=20)
        with pytest.raises(REFUSED):
            tls12_client().wrap_socket(sock).recv(10)
        sock.close()
        assert servers.smtps_session(tls12_client())[0] == "TLSv1.2"
