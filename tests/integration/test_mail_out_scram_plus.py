"""SCRAM-SHA-256-PLUS from the smtp client to a Correio submission server (RFC 5802 §6,
RFC 7677): chosen over STARTTLS when the server offers it, bound with tls-exporter on TLS
1.3 (RFC 9266) and tls-server-end-point on TLS 1.2 (RFC 5929 §4); the password and user
name SASLprep'ed on both sides (RFC 4013), so that the client's "IX" matches the
server's stored Roman numeral nine. A filter that allows only SCRAM-SHA-256 is obeyed."""

from correio_fixture import wait_for_port
from test_mail_out import (dns, maildir_files, send, submission_host,  # noqa: F401
                           wait_for_file, sender_host)
from test_mail_out import pytestmark  # noqa: F401  (dnsmasq and root)

ROMAN_NINE = "\u2168"


def plus_pair(dns, address: str, extra: dict | None = None):
    """B: a submission server whose account's password is stored as "Ⅸ-secret"; A: a
    client whose password map says "IX-secret" (equal after SASLprep's NFKC only)."""
    port = dns([f"--host-record=smtp.example.test,{address}"])
    b = submission_host(address)
    (b.config_dir / "users").write_text(
        "bob@dest.test:{PLAIN}x::::::\n"
        f"relay@smtp.example.test:{{PLAIN}}{ROMAN_NINE}-secret::::::\n", encoding="utf-8")
    a = sender_host(port, {"relayhost": "[smtp.example.test]:587",
                           "smtp_tls_security_level": "encrypt",
                           "smtp_tls_loglevel": "1",
                           "smtp_sasl_auth_enable": "yes", **(extra or {})})
    passwords = a.config_dir / "sasl_passwd"
    passwords.write_text("[smtp.example.test]:587 relay@smtp.example.test:IX-secret\n")
    a.write_main_cf({"smtp_sasl_password_maps": f"texthash:{passwords}"})
    return a, b


def run(a, b, address: str, subject: str):
    b.start(wait_ports=[])
    wait_for_port(587, host=address)
    a.start()
    send(a, "bob@dest.test", subject=subject)
    wait_for_file(b, "dest.test", "bob")
    a.wait_for_log(r"to=<bob@dest\.test>, relay=smtp\.example\.test\[[0-9.]+\]:587, .*"
                   r"status=sent \(250 2\.0\.0 Ok: queued as ", timeout=30)
    assert "IX-secret" not in a.log_text() and "secret" not in b.log_text()


def test_scram_plus_with_tls_exporter_and_saslprep(dns):
    a, b = plus_pair(dns, "127.0.0.135")
    try:
        run(a, b, "127.0.0.135", "plus-13")
        a.wait_for_log(r"TLS connection established to smtp\.example\.test\[127\.0\.0\.135\]:587: "
                       r"TLSv1\.3 ")
        b.wait_for_log(r"sasl_method=SCRAM-SHA-256-PLUS, sasl_username=relay@smtp\.example\.test")
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_scram_plus_with_tls_server_end_point_on_tls_1_2(dns):
    a, b = plus_pair(dns, "127.0.0.136", {"smtp_tls_mandatory_protocols": "TLSv1.2"})
    try:
        run(a, b, "127.0.0.136", "plus-12")
        a.wait_for_log(r"TLS connection established to smtp\.example\.test\[127\.0\.0\.136\]:587: "
                       r"TLSv1\.2 ")
        b.wait_for_log(r"sasl_method=SCRAM-SHA-256-PLUS, sasl_username=relay@smtp\.example\.test")
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_mechanism_filter_without_plus_uses_plain_scram(dns):
    # The server offered -PLUS; the client, told to use SCRAM-SHA-256 only, must say "n"
    # (not "y", which the server would take for a downgrade attack).
    a, b = plus_pair(dns, "127.0.0.137", {"smtp_sasl_mechanism_filter": "scram-sha-256"})
    try:
        run(a, b, "127.0.0.137", "plus-filter")
        b.wait_for_log(r"sasl_method=SCRAM-SHA-256, sasl_username=relay@smtp\.example\.test")
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()
