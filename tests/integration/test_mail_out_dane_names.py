"""DANE details of the smtp client, against zones signed at test time behind a validating
unbound (dnssec_resolver.py), as test_mail_out_dane.py: the TLSA base domain after CNAME
expansion (RFC 7672 §2.2.2), tls_dane_digests, smtp_tls_force_insecure_host_tlsa_lookup,
the secure level's validated MX name (Postfix's secure MX rule) and TLS session
resumption under the same TLSA records. Receivers on 127.0.13.2N:25."""

import pytest

from dnssec_resolver import spki_sha256
from test_mail_out import maildir_files, send, start_receiver, wait_for_file
from test_mail_out_dane import ca, dane_sender, pytestmark, relay_of, resolver  # noqa: F401
from test_mail_out_tls import StartTlsServer, run_hosts, tls_receiver


@pytest.mark.parametrize("where", ["expanded", "original"])
def test_tlsa_base_domain_follows_a_secure_cname(ca, resolver, where):
    """mx1 is an alias of real.dane.test: TLSA records are sought at the expanded name
    first, then at mx1 itself when the expanded name has none."""
    address = "127.0.13.21" if where == "expanded" else "127.0.13.22"
    cert, key = ca.issue("real.dane.test")
    owner = "_25._tcp.real" if where == "expanded" else "_25._tcp.mx1"
    r = resolver({"dane.test": ["@ IN MX 10 mx1", "mx1 IN CNAME real", f"real IN A {address}",
                                f"{owner} IN TLSA 3 1 1 {spki_sha256(cert)}"]})
    b = tls_receiver(address, (cert, key), domain="dane.test")
    a = dane_sender(r.port, level="dane-only")
    relay = relay_of("mx1.dane.test", address)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject=f"dane-cname-{where}")
        wait_for_file(b, "dane.test", "bob")
        a.wait_for_log(rf"Verified TLS connection established to {relay}: ")
        a.wait_for_log(rf"to=<bob@dane\.test>, relay={relay}, .*status=sent", timeout=30)
    finally:
        run_hosts(a, b)


def test_tls_dane_digests_leaves_other_digests_unusable(ca, resolver):
    """A SHA2-256 record when only sha512 is accepted: "TLSA records unusable"."""
    address = "127.0.13.23"
    cert, key = ca.issue("mx1.dane.test")
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA 3 1 1 {spki_sha256(cert)}"]})
    b = tls_receiver(address, (cert, key), domain="dane.test")
    a = dane_sender(r.port, level="dane-only", tls_dane_digests="sha512")
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@dane.test", subject="dane-digests")
        a.wait_for_log(r"to=<bob@dane\.test>, relay=none, .*dsn=4\.7\.5, status=deferred "
                       r"\(TLSA records unusable\)", timeout=30)
        assert not maildir_files(b, "dane.test", "bob")
        # The same record with the default "sha512 sha256": verified.
        a.write_main_cf({"tls_dane_digests": "sha512 sha256"})
        assert a.command("reload").returncode == 0
        a.wait_for_log(r"reload -- version")
        assert a.command("postqueue", "-f").returncode == 0
        wait_for_file(b, "dane.test", "bob")
        a.wait_for_log(r"Verified TLS connection established to mx1\.dane\.test")
        # A digest OpenSSL's DANE does not know is refused by `correio check`.
        a.write_main_cf({"tls_dane_digests": "sha512 md5"})
        done = a.command("check")
        assert done.returncode != 0, done
        assert 'error: tls_dane_digests: unsupported digest "md5"' in done.stdout + done.stderr
    finally:
        run_hosts(a, b)


@pytest.mark.parametrize("force", ["no", "yes"])
def test_force_insecure_host_tlsa_lookup(ca, resolver, force):
    """mx1.plain.test's address lies in an unsigned zone; its TLSA records in a signed
    zone of their own. Only with smtp_tls_force_insecure_host_tlsa_lookup are they sought."""
    address = "127.0.13.24" if force == "no" else "127.0.13.25"
    cert, key = ca.issue("mx1.plain.test")
    r = resolver({"_25._tcp.mx1.plain.test": [f"@ IN TLSA 3 1 1 {spki_sha256(cert)}"]},
                 {"plain.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}"]})
    b = tls_receiver(address, (cert, key), domain="plain.test")
    a = dane_sender(r.port, smtp_tls_force_insecure_host_tlsa_lookup=force)
    relay = relay_of("mx1.plain.test", address)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@plain.test", subject=f"dane-force-{force}")
        wait_for_file(b, "plain.test", "bob")
        grade = "Verified" if force == "yes" else "Untrusted"
        a.wait_for_log(rf"{grade} TLS connection established to {relay}: ")
    finally:
        run_hosts(a, b)


@pytest.mark.parametrize("signed", [True, False])
def test_secure_level_accepts_a_validated_mx_name(ca, resolver, signed):
    """Level secure matches nexthop and dot-nexthop; the certificate names only the MX
    host of another domain. Postfix's secure MX rule accepts that name when the MX answer
    is DNSSEC-validated, and only then."""
    address = "127.0.13.26" if signed else "127.0.13.27"
    cert, key = ca.issue("mx1.provider.test")
    zone = {"sec.test": ["@ IN MX 10 mx1.provider.test."],
            "provider.test": [f"mx1 IN A {address}"]}
    r = resolver(zone) if signed else resolver({}, zone)
    b = tls_receiver(address, (cert, key), domain="sec.test")
    a = dane_sender(r.port, level="secure", smtp_tls_CAfile=str(ca.cert))
    relay = relay_of("mx1.provider.test", address)
    try:
        start_receiver(b, address)
        a.start()
        send(a, "bob@sec.test", subject=f"secure-mx-{signed}")
        if signed:
            wait_for_file(b, "sec.test", "bob")
            a.wait_for_log(rf"Verified TLS connection established to {relay}: ")
        else:
            a.wait_for_log(rf"to=<bob@sec\.test>, relay={relay}, .*dsn=4\.7\.5, "
                           r"status=deferred \(Server certificate not verified\)", timeout=30)
            assert not maildir_files(b, "sec.test", "bob")
    finally:
        run_hosts(a, b)


def test_dane_session_is_resumed_under_the_same_records(ca, resolver):
    """No connection cache: the second delivery makes a new connection, whose handshake
    resumes the first session (the same TLSA records key it) and is still "Verified"."""
    address = "127.0.13.28"
    cert, key = ca.issue("mx1.dane.test")
    r = resolver({"dane.test": ["@ IN MX 10 mx1", f"mx1 IN A {address}",
                                f"_25._tcp.mx1 IN TLSA 3 1 1 {spki_sha256(cert)}"]})
    server = StartTlsServer(address, cert, key)
    a = dane_sender(r.port, level="dane-only", smtp_tls_loglevel="2",
                    smtp_connection_cache_time_limit="0")
    relay = relay_of("mx1.dane.test", address)
    try:
        a.start()
        for n in (1, 2):
            send(a, "bob@dane.test", subject=f"dane-resume-{n}")
            a.wait_for_log(rf"to=<bob@dane\.test>, relay={relay}, .*status=sent", count=n,
                           timeout=30)
        a.wait_for_log(rf"{relay}: Reusing old session")
        a.wait_for_log(rf"Verified TLS connection established to {relay}: ", count=2)
        assert server.resumed == [False, True]
    finally:
        server.close()
        a.stop()
        a.cleanup()
