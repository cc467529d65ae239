"""Mail out under the TLS policy of the smtp client (Postfix's TLS_README, client side):
smtp_tls_security_level verify and secure against certificates of a test CA made here with
the openssl command line (tls_test_ca.py), the per-destination smtp_tls_policy_maps, and the
log lines Postfix writes ("Verified TLS connection established to ...", "server
certificate verification failed for ...", "status=deferred (Server certificate not
verified)"). The receiving hosts are Correio instances on 127.0.0.N:25 found through a
dnsmasq started per test, as in test_mail_out.py."""

import re
import socket
import ssl
import threading

import pytest

from tls_test_ca import TestCA
from test_mail_out import (dns, maildir_files, receiving_host, send, sender_host,  # noqa: F401
                           start_receiver, wait_for_file)
from test_mail_out import pytestmark  # noqa: F401  (dnsmasq and root)


@pytest.fixture(scope="module")
def ca():
    return TestCA()


def tls_receiver(address: str, cert_and_key: tuple[str, str], domain: str = "dest.test"):
    b = receiving_host(address, domain=domain,
                       users=f"bob@{domain}:{{PLAIN}}secret::::::\n")
    cert, key = cert_and_key
    b.write_main_cf({"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                     "smtpd_tls_security_level": "may", "smtpd_tls_received_header": "yes"})
    return b


def run_hosts(*hosts):
    """Context-free helper: stop and clean up whatever started."""
    for h in hosts:
        try:
            h.stop()
        finally:
            h.cleanup()


def verifying_sender(dns_port: int, ca: TestCA, level: str = "verify", policy: str = "",
                     **extra):
    """Host A at `level`, trusting `ca`; `policy` becomes its smtp_tls_policy_maps (in
    its configuration directory, which mail_owner can read)."""
    a = sender_host(dns_port, {"smtp_tls_security_level": level,
                               "smtp_tls_CAfile": str(ca.cert), "smtp_tls_loglevel": "1",
                               **extra})
    if policy:
        table = a.config_dir / "tls_policy"
        table.write_text(policy)
        a.write_main_cf({"smtp_tls_policy_maps": f"texthash:{table}"})
    return a


def test_verify_with_the_right_name_sends(dns, ca):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.51"])
    b = tls_receiver("127.0.0.51", ca.issue("mx1.dest.test"))
    a = verifying_sender(port, ca)
    try:
        start_receiver(b, "127.0.0.51")
        a.start()
        send(a, "bob@dest.test", subject="verify-1")
        [path] = wait_for_file(b, "dest.test", "bob")
        assert b"with ESMTPS id" in path.read_bytes()
        a.wait_for_log(r"correio/smtp\[\d+\]: Verified TLS connection established to "
                       r"mx1\.dest\.test\[127\.0\.0\.51\]:25: TLSv1\.3 with cipher \S+ "
                       r"\(\d+/\d+ bits\)")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx1\.dest\.test\[127\.0\.0\.51\]:25, .*"
                       r"status=sent", timeout=30)
        assert "verification failed" not in a.log_text()
    finally:
        run_hosts(a, b)


@pytest.mark.parametrize("case", ["wrong-name", "unknown-ca", "expired"])
def test_verify_defers_an_unverified_server(dns, ca, case):
    address = {"wrong-name": "127.0.0.52", "unknown-ca": "127.0.0.53", "expired": "127.0.0.54"}[case]
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", f"--host-record=mx1.dest.test,{address}"])
    if case == "wrong-name":
        pair, problem, grade = ca.issue("other.test"), "num=62:hostname mismatch", "Trusted"
    elif case == "unknown-ca":
        pair = TestCA("Somebody Else").issue("mx1.dest.test")
        problem, grade = "num=20:unable to get local issuer certificate", "Untrusted"
    else:
        pair = ca.issue("mx1.dest.test", expired=True)
        problem, grade = "num=10:certificate has expired", "Untrusted"
    b = tls_receiver(address, pair)
    a = verifying_sender(port, ca)
    relay = r"mx1\.dest\.test\[" + re.escape(address) + r"\]:25"
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dest.test", subject=f"verify-{case}")
        a.wait_for_log(rf"correio/smtp\[\d+\]: server certificate verification failed for "
                       rf"{relay}: {problem}$", timeout=30)
        a.wait_for_log(rf"correio/smtp\[\d+\]: {grade} TLS connection established to {relay}: ")
        a.wait_for_log(rf"to=<bob@dest\.test>, relay={relay}, .*dsn=4\.7\.5, "
                       r"status=deferred \(Server certificate not verified\)", timeout=30)
        assert not maildir_files(b, "dest.test", "bob")
    finally:
        run_hosts(a, b)


def test_verify_failure_tries_the_next_mx(dns, ca):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--mx-host=dest.test,mx2.dest.test,20",
                "--host-record=mx1.dest.test,127.0.0.55", "--host-record=mx2.dest.test,127.0.0.56"])
    b1 = tls_receiver("127.0.0.55", ca.issue("mx1.dest.test", expired=True))
    b2 = tls_receiver("127.0.0.56", ca.issue("mx2.dest.test"))
    a = verifying_sender(port, ca, smtp_tls_loglevel="0")
    try:
        start_receiver(b1, "127.0.0.55")
        start_receiver(b2, "127.0.0.56")
        a.start()
        send(a, "bob@dest.test", subject="verify-next")
        wait_for_file(b2, "dest.test", "bob")
        # Logged even at smtp_tls_loglevel 0: the level depends on it.
        a.wait_for_log(r"server certificate verification failed for mx1\.dest\.test"
                       r"\[127\.0\.0\.55\]:25: num=10:certificate has expired")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx2\.dest\.test\[127\.0\.0\.56\]:25, .*"
                       r"status=sent", timeout=30)
        assert not maildir_files(b1, "dest.test", "bob")
        assert "TLS connection established" not in a.log_text()  # loglevel 0
    finally:
        run_hosts(a, b1, b2)


def test_secure_matches_the_nexthop_not_the_mx_name(dns, ca):
    """dest.test's MX is a provider's host with a certificate for its own name: "verify"
    (match hostname) accepts it, "secure" (match nexthop, dot-nexthop) refuses it, since the
    MX name came from DNS that nothing secures."""
    port = dns(["--mx-host=dest.test,mail.provider.test,10",
                "--host-record=mail.provider.test,127.0.0.57"])
    b = tls_receiver("127.0.0.57", ca.issue("mail.provider.test"))
    a = verifying_sender(port, ca, level="secure")
    relay = r"mail\.provider\.test\[127\.0\.0\.57\]:25"
    try:
        start_receiver(b, "127.0.0.57")
        a.start()
        send(a, "bob@dest.test", subject="secure-1")
        a.wait_for_log(rf"server certificate verification failed for {relay}: "
                       r"num=62:hostname mismatch", timeout=30)
        a.wait_for_log(rf"to=<bob@dest\.test>, relay={relay}, .*dsn=4\.7\.5, "
                       r"status=deferred \(Server certificate not verified\)", timeout=30)
        # smtp_tls_secure_cert_match names the provider: now the same server is verified.
        a.write_main_cf({"smtp_tls_secure_cert_match": "nexthop, .provider.test"})
        assert a.command("reload").returncode == 0
        a.wait_for_log(r"reload -- version")
        assert a.command("postqueue", "-f").returncode == 0
        wait_for_file(b, "dest.test", "bob")
        a.wait_for_log(rf"Verified TLS connection established to {relay}: ")
        a.wait_for_log(rf"to=<bob@dest\.test>, relay={relay}, .*status=sent", timeout=30)
    finally:
        run_hosts(a, b)


def test_policy_table_per_destination(dns, ca):
    """main.cf says "secure", which neither destination would pass; the policy table says
    "encrypt" for dest.test (an expired certificate is then fine) and "verify" for every
    sub-domain of other.test (the MX host name is checked)."""
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--host-record=mx1.dest.test,127.0.0.61",
                "--mx-host=sub.other.test,mx.other.test,10",
                "--host-record=mx.other.test,127.0.0.62"])
    b1 = tls_receiver("127.0.0.61", ca.issue("mx1.dest.test", expired=True))
    b2 = tls_receiver("127.0.0.62", ca.issue("mx.other.test"), domain="sub.other.test")
    a = verifying_sender(port, ca, level="secure",
                         policy="dest.test      encrypt protocols=TLSv1.2 ciphers=high\n"
                                ".other.test    verify\n")
    try:
        start_receiver(b1, "127.0.0.61")
        start_receiver(b2, "127.0.0.62")
        a.start()
        send(a, "bob@dest.test", subject="policy-1")
        send(a, "bob@sub.other.test", subject="policy-2")
        wait_for_file(b1, "dest.test", "bob")
        wait_for_file(b2, "sub.other.test", "bob")
        # encrypt with protocols=TLSv1.2: the table's protocol list is the one used.
        a.wait_for_log(r"Untrusted TLS connection established to mx1\.dest\.test"
                       r"\[127\.0\.0\.61\]:25: TLSv1\.2 with cipher ")
        a.wait_for_log(r"Verified TLS connection established to mx\.other\.test"
                       r"\[127\.0\.0\.62\]:25: TLSv1\.3 with cipher ")
        a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent", timeout=30)
        a.wait_for_log(r"to=<bob@sub\.other\.test>, .*status=sent", timeout=30)
    finally:
        run_hosts(a, b1, b2)


def test_invalid_policy_entry_defers_that_destination(dns, ca):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--host-record=mx1.dest.test,127.0.0.63"])
    b = tls_receiver("127.0.0.63", ca.issue("mx1.dest.test"))
    a = verifying_sender(port, ca, level="may", policy="dest.test  fingerprint\n")
    try:
        start_receiver(b, "127.0.0.63")
        a.start()
        send(a, "bob@dest.test", subject="policy-bad")
        a.wait_for_log(r"warning: [0-9A-F]+: smtp_tls_policy_maps, next-hop destination "
                       r"\"dest\.test\": TLS security level \"fingerprint\" is not supported")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=none, .*dsn=4\.7\.5, status=deferred "
                       r"\(client TLS configuration problem\)", timeout=30)
        assert not maildir_files(b, "dest.test", "bob")
    finally:
        run_hosts(a, b)


def test_sni_asks_for_the_right_certificate(dns, ca):
    """The receiving host's default certificate is for another name; it has the right one
    only for clients that ask for mx1.dest.test by SNI (tls_server_sni_maps). With
    smtp_tls_servername = hostname the client asks, and verification succeeds."""
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--host-record=mx1.dest.test,127.0.0.58"])
    b = tls_receiver("127.0.0.58", ca.issue("default.other.test"))
    cert, key = ca.issue("mx1.dest.test")
    chain = ca.dir / "mx1-chain.pem"  # key, then certificate: smtpd_tls_chain_files layout
    chain.write_text(open(key).read() + open(cert).read())
    chain.chmod(0o644)
    sni = b.config_dir / "sni"
    sni.write_text(f"mx1.dest.test {chain}\n")
    b.write_main_cf({"tls_server_sni_maps": f"texthash:{sni}"})
    a = verifying_sender(port, ca, smtp_tls_servername="hostname")
    try:
        start_receiver(b, "127.0.0.58")
        a.start()
        send(a, "bob@dest.test", subject="sni-1")
        wait_for_file(b, "dest.test", "bob")
        a.wait_for_log(r"Verified TLS connection established to mx1\.dest\.test"
                       r"\[127\.0\.0\.58\]:25: ")
        # Without SNI the same server fails the name check (the default certificate).
        a.write_main_cf({"smtp_tls_servername": ""})
        assert a.command("reload").returncode == 0
        a.wait_for_log(r"reload -- version")
        send(a, "bob@dest.test", subject="sni-2")
        a.wait_for_log(r"server certificate verification failed for mx1\.dest\.test"
                       r"\[127\.0\.0\.58\]:25: num=62:hostname mismatch", timeout=30)
    finally:
        run_hosts(a, b)


class StartTlsServer:
    """A minimal SMTP server with STARTTLS through Python's ssl module, which resumes TLS
    1.3 sessions (session tickets); it records for each session whether it was resumed.
    (Correio's smtpd does not resume sessions yet.)"""

    def __init__(self, address: str, cert: str, key: str):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.create_server((address, 25), reuse_port=False)
        self.resumed: list[bool] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                self.session(conn)
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    def session(self, conn):
        f = conn.makefile("rwb")

        def reply(text):
            f.write(text.encode() + b"\r\n")
            f.flush()
        reply("220 tls.test ESMTP")
        while True:
            line = f.readline()
            if not line:
                return
            verb = line[:4].decode().upper()
            if verb == "EHLO":
                reply("250-tls.test\r\n250 STARTTLS" if not isinstance(conn, ssl.SSLSocket)
                      else "250 tls.test")
            elif verb == "STAR":
                reply("220 2.0.0 go ahead")
                conn = self.context.wrap_socket(conn, server_side=True)
                self.resumed.append(conn.session_reused)
                f = conn.makefile("rwb")
            elif verb in ("MAIL", "RCPT", "RSET"):
                reply("250 2.0.0 Ok")
            elif verb == "DATA":
                reply("354 go ahead")
                while f.readline() not in (b".\r\n", b""):
                    pass
                reply("250 2.0.0 Ok: queued as TLS1")
            elif verb == "QUIT":
                reply("221 2.0.0 Bye")
                return
            else:
                reply("502 5.5.2 what")

    def close(self):
        self.sock.close()


def test_tls_session_is_resumed_on_the_next_connection(dns, ca):
    """No connection cache (each message a new connection), smtp_tls_loglevel 2: the second
    handshake resumes the first session, and Postfix's "Reusing old session" is logged;
    with smtp_tls_session_cache_timeout = 0 it never is."""
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--host-record=mx1.dest.test,127.0.0.59"])
    server = StartTlsServer("127.0.0.59", *ca.issue("mx1.dest.test"))
    a = verifying_sender(port, ca, smtp_tls_loglevel="2", smtp_connection_cache_time_limit="0")
    relay = r"mx1\.dest\.test\[127\.0\.0\.59\]:25"
    try:
        a.start()
        for n in (1, 2):
            send(a, "bob@dest.test", subject=f"resume-{n}")
            a.wait_for_log(rf"to=<bob@dest\.test>, relay={relay}, .*status=sent", count=n,
                           timeout=30)
        a.wait_for_log(rf"correio/smtp\[\d+\]: {relay}: Reusing old session")
        # A resumed session is still verified (its certificate is the first one's).
        a.wait_for_log(rf"Verified TLS connection established to {relay}: ", count=2)
        assert server.resumed == [False, True]

        a.write_main_cf({"smtp_tls_session_cache_timeout": "0"})
        assert a.command("reload").returncode == 0
        a.wait_for_log(r"reload -- version")
        for n in (3, 4):
            send(a, "bob@dest.test", subject=f"resume-{n}")
            a.wait_for_log(rf"to=<bob@dest\.test>, relay={relay}, .*status=sent", count=n,
                           timeout=30)
        assert server.resumed == [False, True, False, False]
        assert len(a.log_lines(r"Reusing old session")) == 1
    finally:
        server.close()
        a.stop()
        a.cleanup()
