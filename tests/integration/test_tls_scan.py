"""testssl.sh (Debian's package) against every TLS port of a running instance: no SSLv2,
SSLv3, TLS 1.0 or TLS 1.1; no NULL, anonymous, EXPORT, LOW (DES, RC4) or 3DES ciphers; and
no HIGH or CRITICAL finding except those about trusting our self-signed certificate.

The scans of all ports run at the same time (testssl.sh is a slow shell script); its
choice of checks is kept to what the assertions need: -p (protocols), -s (cipher
categories) and -S (certificate and server defaults). The vulnerability checks (-U) are
left out: they take minutes and test OpenSSL rather than Correio's configuration.

For imapd and pop3d (IMAPS, POP3S and their STARTTLS ports), call check_tls_ports() with
their ports: see the LEAD note at the end of this file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path


from correio_fixture import Correio, free_port, wait_for_port

TESTSSL = shutil.which("testssl") or shutil.which("testssl.sh")

# Findings that only say a self-signed test certificate is not trusted (no CA, no CRL or
# OCSP URI, name not matching "127.0.0.1"). Everything else HIGH or CRITICAL fails.
CERTIFICATE_TRUST_IDS = {
    "cert_chain_of_trust", "cert_trust", "cert_revocation", "cert_caIssuers",
    "cert_ocspURL", "cert_crlDistributionPoints", "cert_commonName",
}

# Protocol ids testssl.sh reports and the findings that mean "not offered".
OLD_PROTOCOLS = ["SSLv2", "SSLv3", "TLS1", "TLS1_1"]
WEAK_CIPHER_LISTS = ["cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT",
                     "cipherlist_LOW", "cipherlist_3DES_IDEA"]


def make_rsa_certificate(folder: Path) -> tuple[str, str]:
    """A 2048-bit RSA self-signed pair valid for a year (short validity or small keys would
    be findings of their own), readable by mail_owner."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
                    "-subj", "/CN=mail.example.test",
                    "-addext", "subjectAltName=DNS:mail.example.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    cert.chmod(0o644)
    key.chmod(0o644)
    return str(cert), str(key)


def start_scan(port: int, starttls: str | None, out_dir: Path) -> tuple[subprocess.Popen, Path]:
    """testssl.sh on 127.0.0.1:port in the background; `starttls` is "smtp", "imap",
    "pop3" or None for implicit TLS. No DNS and no outside connection (no OCSP/CRL fetch)."""
    json_file = out_dir / f"scan-{port}.json"
    args = [TESTSSL, "--quiet", "--warnings", "off", "--sneaky", "--color", "0",
            "--nodns", "min", "--connect-timeout", "20", "--openssl-timeout", "20",
            "--jsonfile", str(json_file), "-p", "-s"]
    if starttls:
        args += ["--starttls", starttls]
    args.append(f"127.0.0.1:{port}")
    # "invalid." is testssl.sh's probe host for OpenSSL features: keep even that off DNS.
    env = {**os.environ, "NXCONNECT": "127.0.0.1:0"}
    log = open(out_dir / f"scan-{port}.txt", "wb")
    # Its own process group: on a timeout the scan's children (openssl, sleep) go too.
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    return proc, json_file


def weak_tls_problems(findings: list[dict], label: str) -> list[str]:
    """Human-readable problems in one port's findings; empty when the port is clean."""
    by_id = {f["id"]: f for f in findings}
    problems = []
    for f in findings:
        if f["id"] == "scanProblem" or f["severity"] == "FATAL":
            problems.append(f"{label}: scan problem: {f['finding']}")
    for pid in OLD_PROTOCOLS:
        f = by_id.get(pid)
        if f is None:
            problems.append(f"{label}: no result for {pid}")
        elif not f["finding"].startswith("not offered"):
            problems.append(f"{label}: {pid} {f['finding']}")
    for cid in WEAK_CIPHER_LISTS:
        f = by_id.get(cid)
        if f is None:
            problems.append(f"{label}: no result for {cid}")
        elif f["finding"] != "not offered":
            problems.append(f"{label}: {cid} {f['finding']}")
    if not any(by_id.get(p, {}).get("finding", "").startswith("offered")
               for p in ("TLS1_2", "TLS1_3")):
        problems.append(f"{label}: neither TLS 1.2 nor TLS 1.3 offered")
    for f in findings:
        base_id = f["id"].split(" <")[0]  # "cert_trust <cert#1>" with several certificates
        if f["severity"] in ("HIGH", "CRITICAL") and base_id not in CERTIFICATE_TRUST_IDS:
            problems.append(f"{label}: {f['severity']} {f['id']}: {f['finding']}")
    return problems


def check_tls_ports(ports: list[tuple[int, str | None]], timeout: float = 480) -> None:
    """Scans every (port, starttls) pair at once and fails with every problem found.
    starttls: "smtp", "imap", "pop3", or None for implicit TLS (SMTPS, IMAPS, POP3S)."""
    assert TESTSSL, "testssl.sh is not installed (packaging/debian-packages.txt)"
    out_dir = Path(tempfile.mkdtemp(prefix="correio-testssl-"))
    try:
        scans = [(port, starttls, *start_scan(port, starttls, out_dir))
                 for port, starttls in ports]
        problems = []
        for port, starttls, proc, json_file in scans:
            label = f"port {port} ({'STARTTLS ' + starttls if starttls else 'implicit TLS'})"
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                problems.append(f"{label}: testssl.sh did not finish in {timeout}s")
                continue
            if not json_file.exists():
                text = (out_dir / f"scan-{port}.txt").read_text(errors="replace")
                problems.append(f"{label}: no JSON output; testssl.sh said:\n{text[-2000:]}")
                continue
            problems += weak_tls_problems(json.loads(json_file.read_text()), label)
        assert not problems, "\n".join(problems)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def test_every_tls_port_is_clean():
    # SMTP STARTTLS, SMTPS, IMAP STARTTLS, IMAPS, POP3 STLS and POP3S scanned at once: the
    # wall time of the file is that of the slowest scan.
    submissions, imap, imaps = free_port(), free_port(), free_port()
    pop3, pop3s = free_port(), free_port()
    inst = Correio(
        main_cf={"smtpd_tls_security_level": "may"},
        master_cf=("{listen}      inet  n       -       n       -       -       smtpd\n"
                   f"127.0.0.1:{submissions}  inet  n  -  n  -  -  smtpd\n"
                   "  -o smtpd_tls_wrappermode=yes\n"
                   f"127.0.0.1:{imap}  inet  n  -  n  -  -  imapd\n"
                   f"127.0.0.1:{imaps}  inet  n  -  n  -  -  imapd\n"
                   "  -o imapd_tls_wrappermode=yes\n"
                   f"127.0.0.1:{pop3}  inet  n  -  n  -  -  pop3d\n"
                   f"127.0.0.1:{pop3s}  inet  n  -  n  -  -  pop3d\n"
                   "  -o pop3d_tls_wrappermode=yes\n"))
    cert, key = make_rsa_certificate(inst.base / "certs")
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    inst.write_main_cf({"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                        "user_directory": f"passwd-file:{users}",
                        "virtual_mailbox_base": str(inst.base / "mail")})
    with inst:
        for port in (imap, imaps, pop3, pop3s):
            wait_for_port(port)
        check_tls_ports([(inst.smtp_port, "smtp"), (submissions, None), (imap, "imap"),
                         (imaps, None), (pop3, "pop3"), (pop3s, None)])


def test_weak_findings_are_reported():
    # The checker itself must fail on what it is meant to catch.
    findings = [
        {"id": "SSLv2", "severity": "OK", "finding": "not offered"},
        {"id": "SSLv3", "severity": "OK", "finding": "not offered"},
        {"id": "TLS1", "severity": "LOW", "finding": "offered (deprecated)"},
        {"id": "TLS1_1", "severity": "INFO", "finding": "not offered"},
        {"id": "TLS1_2", "severity": "OK", "finding": "offered"},
        {"id": "cipherlist_NULL", "severity": "OK", "finding": "not offered"},
        {"id": "cipherlist_aNULL", "severity": "OK", "finding": "not offered"},
        {"id": "cipherlist_EXPORT", "severity": "OK", "finding": "not offered"},
        {"id": "cipherlist_LOW", "severity": "HIGH", "finding": "offered (NOT ok)"},
        {"id": "cipherlist_3DES_IDEA", "severity": "INFO", "finding": "not offered"},
        {"id": "cert_chain_of_trust", "severity": "CRITICAL", "finding": "self signed"},
    ]
    problems = weak_tls_problems(findings, "x")
    assert any("TLS1 offered" in p for p in problems)
    assert any("cipherlist_LOW" in p for p in problems)
    assert not any("cert_chain_of_trust" in p for p in problems)
