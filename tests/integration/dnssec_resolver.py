"""A DNSSEC-signed test zone behind a real validating resolver, for the DANE tests of the
smtp client: each zone is signed at test time with ldns-signzone (ldnsutils) under a fresh
ECDSA key, and one unbound (Debian's) serves it from an auth-zone and validates it against
that key's DS record as trust anchor. Zones given unsigned stay insecure (no AD bit).
Correio's dns_resolver_servers points at the unbound, as an administrator's points at a
local validating resolver."""

import hashlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from test_reverse_dns import free_udp_and_tcp_port

MISSING = [tool for tool in ("unbound", "ldns-signzone", "ldns-keygen") if not shutil.which(tool)]


def _zone_text(origin: str, records: list[str]) -> str:
    head = [f"$ORIGIN {origin}.", "$TTL 300",
            f"@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 300",
            f"@ IN NS ns.{origin}.", "ns IN A 127.0.0.1"]
    return "\n".join(head + records) + "\n"


def _run(*args, cwd):
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr}")
    return done.stdout.strip()


class ValidatingResolver:
    """unbound on 127.0.0.1:port with the zones given; `signed` zones get a trust anchor."""

    def __init__(self, signed: dict[str, list[str]], unsigned: dict[str, list[str]] | None = None,
                 tamper: tuple[str, str] | None = None):
        """`tamper` (old, new) edits the signed zone files after signing: the records it
        touches no longer match their signatures, so the resolver answers SERVFAIL."""
        self.dir = Path(tempfile.mkdtemp(prefix="correio-dnssec-"))
        self.port = free_udp_and_tcp_port()
        anchors, zones = [], []
        for origin, records in signed.items():
            (self.dir / f"{origin}.zone").write_text(_zone_text(origin, records))
            ksk = _run("ldns-keygen", "-a", "ECDSAP256SHA256", "-k", origin, cwd=self.dir)
            zsk = _run("ldns-keygen", "-a", "ECDSAP256SHA256", origin, cwd=self.dir)
            _run("ldns-signzone", "-n", f"{origin}.zone", ksk, zsk, cwd=self.dir)
            if tamper:
                signed_file = self.dir / f"{origin}.zone.signed"
                text = signed_file.read_text()
                if tamper[0] not in text:
                    raise RuntimeError(f"{tamper[0]!r} not in the signed zone")
                signed_file.write_text(text.replace(tamper[0], tamper[1]))
            anchors.append(f'  trust-anchor-file: "{self.dir}/{ksk}.ds"')
            zones.append((origin, f"{self.dir}/{origin}.zone.signed"))
        for origin, records in (unsigned or {}).items():
            (self.dir / f"{origin}.zone").write_text(_zone_text(origin, records))
            zones.append((origin, f"{self.dir}/{origin}.zone"))
        lines = ["server:", f"  interface: 127.0.0.1@{self.port}", f"  port: {self.port}",
                 "  do-daemonize: no", '  username: ""', '  chroot: ""',
                 f'  directory: "{self.dir}"', '  pidfile: ""', "  use-syslog: no",
                 f'  logfile: "{self.dir}/unbound.log"', "  verbosity: 1", "  do-ip6: no",
                 "  do-not-query-localhost: no", '  module-config: "validator iterator"',
                 # RFC 6761 makes .test a local zone in unbound; the tests' zones live there.
                 '  local-zone: "test." nodefault', "  val-log-level: 2", *anchors]
        for origin, path in zones:
            lines += ["auth-zone:", f'  name: "{origin}"', f'  zonefile: "{path}"',
                      "  for-downstream: no", "  for-upstream: yes", "  fallback-enabled: no"]
        (self.dir / "unbound.conf").write_text("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(["unbound", "-d", "-c", str(self.dir / "unbound.conf")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        log = self.dir / "unbound.log"
        deadline = time.monotonic() + 10
        while not (log.exists() and "start of service" in log.read_text()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
                self.close()
                raise RuntimeError(f"unbound did not start: {out}")
            time.sleep(0.05)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def spki_sha256(cert_path: str) -> str:
    """The SHA2-256 of a certificate's SubjectPublicKeyInfo: a "3 1 1" TLSA record's data."""
    pub = subprocess.run(["openssl", "x509", "-in", cert_path, "-noout", "-pubkey"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         check=True, capture_output=True).stdout

    return hashlib.sha256(der).hexdigest()


def cert_sha256(cert_path: str) -> str:
    """The SHA2-256 of a whole certificate (DER): a "2 0 1" record's data for a CA."""
    der = subprocess.run(["openssl", "x509", "-in", cert_path, "-outform", "DER"],
                         check=True, capture_output=True).stdout

    return hashlib.sha256(der).hexdigest()
