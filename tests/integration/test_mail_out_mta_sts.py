"""Mail out under MTA-STS (RFC 8461), Correio's smtp_tls_mta_sts_enable: the recipient
domain's "_mta-sts" TXT record from a dnsmasq started per test, its policy served over HTTPS
by a Python server started here (certificate from a test CA the sender trusts through
smtp_tls_CAfile), and Correio receivers on 127.0.14.N:25. At enforce, the MX host must be
listed and its certificate must verify for its name, whatever smtp_tls_security_level says."""

import http.server
import ssl
import threading

import pytest

from test_mail_out import (dns, maildir_files, send, sender_host,  # noqa: F401
                           start_receiver, wait_for_file)
from test_mail_out import pytestmark  # noqa: F401  (dnsmasq and root)
from test_mail_out_tls import run_hosts, tls_receiver
from tls_test_ca import TestCA


@pytest.fixture(scope="module")
def ca():
    return TestCA("MTA-STS Test CA")


class PolicyServer:
    """https://mta-sts.DOMAIN/.well-known/mta-sts.txt on ADDRESS:443."""

    def __init__(self, address: str, ca: TestCA, policy: str, domain: str = "sts.test"):
        body = policy.encode()
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                if self.path != "/.well-known/mta-sts.txt":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer((address, 443), Handler)
        cert, key = ca.issue(f"mta-sts.{domain}")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def policy_text(mode: str, mx: str = "mx1.sts.test") -> str:
    return f"version: STSv1\r\nmode: {mode}\r\nmx: {mx}\r\nmax_age: 86400\r\n"


def start_hosts(dns, ca, n: int, mode: str, mx: str = "mx1.sts.test", mx_cert_name="mx1.sts.test"):
    address, web = f"127.0.14.{n}", f"127.0.14.{n + 100}"
    port = dns(["--mx-host=sts.test,mx1.sts.test,10", f"--host-record=mx1.sts.test,{address}",
                f"--host-record=mta-sts.sts.test,{web}",
                "--txt-record=_mta-sts.sts.test,v=STSv1; id=20261207",
                "--txt-record=sts.test,v=spf1 -all"])
    server = PolicyServer(web, ca, policy_text(mode, mx))
    b = tls_receiver(address, ca.issue(mx_cert_name), domain="sts.test")
    a = sender_host(port, {"smtp_tls_mta_sts_enable": "yes", "smtp_tls_security_level": "may",
                           "smtp_tls_CAfile": str(ca.cert), "smtp_tls_loglevel": "1"})
    start_receiver(b, address)
    a.start()
    return a, b, server, address


def test_enforce_verifies_the_listed_mx(dns, ca):
    a, b, server, address = start_hosts(dns, ca, 1, "enforce")
    try:
        send(a, "bob@sts.test", subject="sts-enforce")
        wait_for_file(b, "sts.test", "bob")
        relay = rf"mx1\.sts\.test\[{address.replace('.', '[.]')}\]:25"
        a.wait_for_log(rf"Verified TLS connection established to {relay}: ")
        a.wait_for_log(rf"to=<bob@sts\.test>, relay={relay}, .*status=sent", timeout=30)
        # RFC 8461 §5.1: the TXT id is unchanged, so the cached policy serves the next one.
        send(a, "bob@sts.test", subject="sts-enforce-2")
        a.wait_for_log(r"to=<bob@sts\.test>, relay=.*status=sent", timeout=30, count=2)
        assert server.requests == 1
    finally:
        server.close()
        run_hosts(a, b)


def test_enforce_defers_a_certificate_for_another_name(dns, ca):
    """At may alone this server would get the mail; the policy asks for a verified name."""
    a, b, server, _ = start_hosts(dns, ca, 2, "enforce", mx_cert_name="other.sts.test")
    try:
        send(a, "bob@sts.test", subject="sts-wrong-name")
        a.wait_for_log(r"to=<bob@sts\.test>, relay=mx1\.sts\.test\S+, .*dsn=4\.7\.5, "
                       r"status=deferred \(Server certificate not verified\)", timeout=30)
        assert not maildir_files(b, "sts.test", "bob")
    finally:
        server.close()
        run_hosts(a, b)


def test_enforce_skips_an_mx_host_not_in_the_policy(dns, ca):
    a, b, server, _ = start_hosts(dns, ca, 3, "enforce", mx="*.elsewhere.test")
    try:
        send(a, "bob@sts.test", subject="sts-unlisted")
        a.wait_for_log(r"MX host mx1\.sts\.test is not in the MTA-STS policy of sts\.test")
        a.wait_for_log(r"to=<bob@sts\.test>, relay=none, .*dsn=4\.7\.5, status=deferred "
                       r"\(MTA-STS policy of sts\.test: no MX host matches\)", timeout=30)
        assert not maildir_files(b, "sts.test", "bob")
    finally:
        server.close()
        run_hosts(a, b)


def test_testing_mode_delivers_anyway(dns, ca):
    a, b, server, _ = start_hosts(dns, ca, 4, "testing", mx_cert_name="other.sts.test")
    try:
        send(a, "bob@sts.test", subject="sts-testing")
        wait_for_file(b, "sts.test", "bob")
        a.wait_for_log(r"MTA-STS policy of sts\.test is in testing mode: not enforced")
        a.wait_for_log(r"to=<bob@sts\.test>, .*status=sent", timeout=30)
    finally:
        server.close()
        run_hosts(a, b)


def test_cached_enforce_policy_survives_a_restart(dns, ca):
    """RFC 8461 §5.1/§10.3: the policy is kept in smtp_tls_mta_sts_cache_directory. After a
    restart, with the HTTPS server gone, the cached enforce policy still skips mx0 (not in
    the policy; nothing listens there) and sends to mx1 verified. A new TXT id makes the
    agent fetch again; while that fails, the cached policy stays in force."""
    address, web = "127.0.14.5", "127.0.14.105"
    records = ["--mx-host=sts.test,mx0.sts.test,5", "--host-record=mx0.sts.test,127.0.14.6",
               "--mx-host=sts.test,mx1.sts.test,10", f"--host-record=mx1.sts.test,{address}",
               f"--host-record=mta-sts.sts.test,{web}"]
    port = dns(records + ["--txt-record=_mta-sts.sts.test,v=STSv1; id=1"])
    server = PolicyServer(web, ca, policy_text("enforce"))
    b = tls_receiver(address, ca.issue("mx1.sts.test"), domain="sts.test")
    a = sender_host(port, {"smtp_tls_mta_sts_enable": "yes", "smtp_tls_security_level": "may",
                           "smtp_tls_CAfile": str(ca.cert), "smtp_tls_loglevel": "1"})
    skipped = r"MX host mx0\.sts\.test is not in the MTA-STS policy of sts\.test"
    sent = r"to=<bob@sts\.test>, relay=mx1\.sts\.test\S+, .*status=sent"
    cached = a.data_dir / "mta-sts" / "sts.test"
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@sts.test", subject="sts-cache-1")
        a.wait_for_log(sent, timeout=30)
        assert server.requests == 1
        assert cached.read_text().startswith("id: 1\nfetched: ")
        assert "mode: enforce" in cached.read_text()
        a.stop()
        server.close()

        a.start()
        send(a, "bob@sts.test", subject="sts-cache-2")
        a.wait_for_log(sent, timeout=30, count=2)
        assert len(a.log_lines(skipped)) == 2
        assert not a.log_lines(r"MTA-STS policy of sts\.test: ")  # no fetch was needed
        a.stop()

        # A new id: fetched again, which fails (no HTTPS server): the cache still holds.
        a.write_main_cf({"dns_resolver_servers":
                         f"127.0.0.1:{dns(records + ['--txt-record=_mta-sts.sts.test,v=STSv1; id=2'])}"})
        a.start()
        send(a, "bob@sts.test", subject="sts-cache-3")
        a.wait_for_log(sent, timeout=60, count=3)
        a.wait_for_log(r"warning: MTA-STS policy of sts\.test: ")
        assert len(a.log_lines(skipped)) == 3
        assert cached.read_text().startswith("id: 1\n")

        # The server is back with a testing policy: the new id's policy replaces the cache.
        server = PolicyServer(web, ca, policy_text("testing"))
        a.stop()
        a.start()
        send(a, "bob@sts.test", subject="sts-cache-4")
        a.wait_for_log(r"MTA-STS policy of sts\.test is in testing mode: not enforced",
                       timeout=30)
        assert server.requests == 1
        assert cached.read_text().startswith("id: 2\n")
    finally:
        server.close()
        run_hosts(a, b)
