"""Mail out with DANE (RFC 7672; Postfix's TLS_README "dane"): smtp_dns_support_level =
dnssec and smtp_tls_security_level = dane / dane-only against a zone signed at test time
and a real validating resolver (unbound, dnssec_resolver.py). The receiving hosts are
Correio instances on 127.0.13.N:25 with certificates of a throw-away CA the sender does NOT
trust, so "Verified" can only come from a TLSA record."""

import re
from pathlib import Path

import pytest

from dnssec_resolver import MISSING, ValidatingResolver, cert_sha256, spki_sha256
from test_mail_out import maildir_files, send, sender_host, start_receiver, wait_for_file
from test_mail_out import pytestmark as mail_out_marks
from test_mail_out_mta_sts import PolicyServer
from test_mail_out_tls import run_hosts, tls_receiver
from tls_test_ca import TestCA

pytestmark = [*mail_out_marks,
              pytest.mark.skipif(bool(MISSING), reason=f"not installed: {MISSING}")]


@pytest.fixture(scope="module")
def ca():
    return TestCA("DANE Test CA")


@pytest.fixture
def resolver():
    started = []

    def start(signed, unsigned=None, tamper=None):
        r = ValidatingResolver(signed, unsigned, tamper)
        started.append(r)
        return r

    yield start
    for r in started:
        r.close()


def dane_sender(resolver_port: int, level: str = "dane", **extra):
    return sender_host(resolver_port, {"smtp_dns_support_level": "dnssec",
                                       "smtp_tls_security_level": level,
                                       "smtp_tls_loglevel": "1", **extra})


def relay_of(host: str, address: str) -> str:
    return re.escape(host) + r"\[" + re.escape(address) + r"\]:25"


@pytest.mark.parametrize("usage", ["3 1 1", "2 0 1"])
def test_matching_tlsa_record_gives_a_verified_delivery(ca, resolver, usage):
    """DANE-EE(3 1 1) of the server's key, or DANE-TA(2 0 1) of the CA that issued it (the
    certificate then names the MX host, RFC 7672 §3.2.2)."""
    address = "127.0.13.1" if usage == "3 1 1" else "127.0.13.2"
    cert, key = ca.issue("mx1.dane.test")
    data = spki_sha256(cert) if usage == "3 1 1" else cert_sha256(str(ca.cert))
    if usage == "2 0 1":
        # RFC 7671 §5.2.2: the server sends the trust anchor's certificate in its chain.
        chain = Path(cert).with_suffix(".chain.pem")
        chain.write_text(Path(cert).read_text() + ca.cert.read_text())
        cert = str(chain)
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA {usage} {data}"]})
    b = tls_receiver(address, (cert, key), domain="dane.test")
    a = dane_sender(r.port)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject="dane-match")
        [path] = wait_for_file(b, "dane.test", "bob")
        assert b"with ESMTPS id" in path.read_bytes()
        relay = relay_of("mx1.dane.test", address)
        a.wait_for_log(rf"correio/smtp\[\d+\]: Verified TLS connection established to {relay}: "
                       r"TLSv1\.3 with cipher")
        a.wait_for_log(rf"to=<bob@dane\.test>, relay={relay}, .*status=sent", timeout=30)
    finally:
        run_hosts(a, b)


def test_tlsa_mismatch_defers_and_delivers_nothing(ca, resolver):
    address = "127.0.13.3"
    cert, key = ca.issue("mx1.dane.test")
    other, _ = ca.issue("mx1.dane.test")  # another key: its digest matches nothing served
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA 3 1 1 {spki_sha256(other)}"]})
    b = tls_receiver(address, (cert, key), domain="dane.test")
    a = dane_sender(r.port)
    relay = relay_of("mx1.dane.test", address)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject="dane-mismatch")
        a.wait_for_log(rf"correio/smtp\[\d+\]: server certificate verification failed for "
                       rf"{relay}: num=\d+:", timeout=30)
        a.wait_for_log(rf"Untrusted TLS connection established to {relay}: ")
        a.wait_for_log(rf"to=<bob@dane\.test>, relay={relay}, .*dsn=4\.7\.5, "
                       r"status=deferred \(Server certificate not verified\)", timeout=30)
        assert not maildir_files(b, "dane.test", "bob")
    finally:
        run_hosts(a, b)


def test_unsigned_zone_falls_back_to_opportunistic_tls(ca, resolver):
    """No trust anchor covers plain.test: the MX answer is insecure, TLSA records there are
    not used (even a wrong one), and level dane is "may" for it."""
    address = "127.0.13.4"
    cert, key = ca.issue("mx1.plain.test")
    r = resolver({}, {"plain.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                     "_25._tcp.mx1 IN TLSA 3 1 1 " + "00" * 32]})
    b = tls_receiver(address, (cert, key), domain="plain.test")
    a = dane_sender(r.port)
    relay = relay_of("mx1.plain.test", address)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@plain.test", subject="dane-insecure")
        [path] = wait_for_file(b, "plain.test", "bob")
        assert b"with ESMTPS id" in path.read_bytes()
        a.wait_for_log(rf"Untrusted TLS connection established to {relay}: ")
        a.wait_for_log(rf"to=<bob@plain\.test>, relay={relay}, .*status=sent", timeout=30)
        # The certificate is judged as at "may" (PKIX, logged at loglevel 1), never by TLSA.
        assert "DANE TLSA" not in a.log_text()
    finally:
        run_hosts(a, b)


def test_dane_only_without_tlsa_records_defers(ca, resolver):
    address = "127.0.13.5"
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}"]})
    b = tls_receiver(address, ca.issue("mx1.dane.test"), domain="dane.test")
    a = dane_sender(r.port, level="dane-only")
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject="dane-only")
        a.wait_for_log(r"to=<bob@dane\.test>, relay=none, .*dsn=4\.7\.5, "
                       r"status=deferred \(no TLSA records found\)", timeout=30)
        assert not maildir_files(b, "dane.test", "bob")
        assert "TLS connection established" not in a.log_text()
    finally:
        run_hosts(a, b)


def test_dane_without_tlsa_records_is_opportunistic(ca, resolver):
    """A signed zone without TLSA records for the MX host: level dane is "may" there."""
    address = "127.0.13.6"
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}"]})
    b = tls_receiver(address, ca.issue("mx1.dane.test"), domain="dane.test")
    a = dane_sender(r.port, smtp_tls_loglevel="2")
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject="dane-none")
        wait_for_file(b, "dane.test", "bob")
        a.wait_for_log(r"mx1\.dane\.test: no TLSA records found")
        a.wait_for_log(r"Untrusted TLS connection established to ")
    finally:
        run_hosts(a, b)


def test_dane_policy_entry_and_dnssec_disabled_warning(ca, resolver):
    """dane from smtp_tls_policy_maps; without smtp_dns_support_level = dnssec Postfix's
    warning and opportunistic TLS (dane) or a deferral (dane-only)."""
    r = resolver({"dane.test": ["@ IN MX 10 mx1", "mx1 IN A 127.0.13.7"]})
    b = tls_receiver("127.0.13.7", ca.issue("mx1.dane.test"), domain="dane.test")
    a = sender_host(r.port, {"smtp_tls_security_level": "may"})
    table = a.config_dir / "tls_policy"
    table.write_text("dane.test dane-only\n")
    a.write_main_cf({"smtp_tls_policy_maps": f"texthash:{table}"})
    try:
        start_receiver(b, "127.0.13.7")
        a.start()
        send(a, "bob@dane.test", subject="dane-nodnssec")
        a.wait_for_log(r"warning: dane\.test: dane-only configured with dnssec lookups disabled")
        a.wait_for_log(r"to=<bob@dane\.test>, relay=none, .*dsn=4\.7\.5, "
                       r"status=deferred \(client TLS configuration problem\)", timeout=30)
        assert not maildir_files(b, "dane.test", "bob")
    finally:
        run_hosts(a, b)


@pytest.mark.parametrize("policy", ["dane", "may"])
def test_insecure_mx_policy(ca, resolver, policy):
    """An unsigned domain whose MX host lives in a signed zone with TLSA records (a hosting
    provider's MX, RFC 7672 §2.2.1): smtp_tls_dane_insecure_mx_policy = dane (the default at
    level dane) uses the host's records, may does not."""
    address = "127.0.13.8" if policy == "dane" else "127.0.13.9"
    cert, key = ca.issue("mx1.dane.test")
    r = resolver({"dane.test": [f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA 3 1 1 {spki_sha256(cert)}"]},
                 {"plain.test": ["@ IN MX 10 mx1.dane.test."]})
    b = tls_receiver(address, (cert, key), domain="plain.test")
    extra = {} if policy == "dane" else {"smtp_tls_dane_insecure_mx_policy": "may"}
    a = dane_sender(r.port, **extra)
    relay = relay_of("mx1.dane.test", address)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@plain.test", subject=f"insecure-mx-{policy}")
        wait_for_file(b, "plain.test", "bob")
        grade = "Verified" if policy == "dane" else "Untrusted"
        a.wait_for_log(rf"{grade} TLS connection established to {relay}: ")
        a.wait_for_log(rf"to=<bob@plain\.test>, relay={relay}, .*status=sent", timeout=30)
    finally:
        run_hosts(a, b)


def test_bogus_tlsa_answer_defers(ca, resolver):
    """TLSA records whose signature does not verify: the validating resolver says SERVFAIL,
    and the mail waits (RFC 7672 §2.2: a failed TLSA lookup may hide an attack) even at
    level dane, rather than going out with opportunistic TLS."""
    address = "127.0.13.10"
    cert, key = ca.issue("mx1.dane.test")
    digest = spki_sha256(cert)
    forged = ("0" if digest[0] != "0" else "1") + digest[1:]
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA 3 1 1 {digest}"]},
                 tamper=(digest, forged))
    b = tls_receiver(address, (cert, key), domain="dane.test")
    a = dane_sender(r.port)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject="dane-bogus")
        a.wait_for_log(r"to=<bob@dane\.test>, relay=none, .*dsn=4\.7\.5, status=deferred "
                       r"\(TLSA lookup error for mx1\.dane\.test:25\)", timeout=30)
        assert not maildir_files(b, "dane.test", "bob")
        assert "TLS connection established" not in a.log_text()
    finally:
        run_hosts(a, b)


@pytest.mark.parametrize("name,verified", [("dane.test", True), ("other.test", False)])
def test_dane_ta_reference_names(ca, resolver, name, verified):
    """DANE-TA(2): the certificate may name the nexthop domain instead of the MX host when
    the MX answer is secure (RFC 7672 §3.2.2); any other name fails as a mismatch."""
    address = "127.0.13.11" if verified else "127.0.13.12"
    cert, key = ca.issue(name)
    chain = Path(cert).with_suffix(".chain.pem")
    chain.write_text(Path(cert).read_text() + ca.cert.read_text())
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA 2 0 1 {cert_sha256(str(ca.cert))}"]})
    b = tls_receiver(address, (str(chain), key), domain="dane.test")
    a = dane_sender(r.port)
    relay = relay_of("mx1.dane.test", address)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject=f"dane-ta-{name}")
        if verified:
            wait_for_file(b, "dane.test", "bob")
            a.wait_for_log(rf"Verified TLS connection established to {relay}: ")
        else:
            a.wait_for_log(rf"server certificate verification failed for {relay}: num=\d+:",
                           timeout=30)
            a.wait_for_log(rf"to=<bob@dane\.test>, relay={relay}, .*dsn=4\.7\.5, "
                           r"status=deferred \(Server certificate not verified\)", timeout=30)
            assert not maildir_files(b, "dane.test", "bob")
    finally:
        run_hosts(a, b)


def test_dane_goes_before_mta_sts(ca, resolver):
    """RFC 8461 §2: with DANE in force (secure MX answer) the MTA-STS policy is not even
    fetched; here it would exclude the MX host and defer the mail."""
    address, web = "127.0.13.13", "127.0.13.113"
    cert, key = ca.issue("mx1.dane.test")
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA 3 1 1 {spki_sha256(cert)}",
                                '_mta-sts IN TXT "v=STSv1; id=1"', f"mta-sts IN A {web}"]})
    server = PolicyServer(web, ca, "version: STSv1\r\nmode: enforce\r\nmx: other.dane.test\r\n"
                          "max_age: 86400\r\n", domain="dane.test")
    b = tls_receiver(address, (cert, key), domain="dane.test")
    a = dane_sender(r.port, smtp_tls_mta_sts_enable="yes", smtp_tls_CAfile=str(ca.cert))
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject="dane-before-sts")
        wait_for_file(b, "dane.test", "bob")
        a.wait_for_log(r"Verified TLS connection established to mx1\.dane\.test")
        assert server.requests == 0
    finally:
        server.close()
        run_hosts(a, b)
