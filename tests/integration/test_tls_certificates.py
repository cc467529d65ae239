"""Which certificate a TLS client gets: SNI with tls_server_sni_maps (Postfix's chain-file
values, name or .domain keys, unknown names get the default), smtpd_tls_chain_files, and
renewed certificate files picked up by new connections without a restart (the master
starts new processes with them; old ones finish their sessions; a broken
renewal keeps the previous certificate and is logged). Clients: Python's ssl module over a
plain socket (STARTTLS by hand, so that the SNI name is ours to choose)."""

import base64
import os
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from correio_fixture import Correio, free_port, pid_alive

BASE = {"virtual_mailbox_domains": "example.test", "mynetworks": "127.0.0.0/8",
        "smtpd_tls_security_level": "may"}

# The first smtpd offers STARTTLS; the second (a port of its own) is implicit TLS.
MASTER_CF = ("{listen}      inet  n       -       n       -       -       smtpd\n"
             "127.0.0.1:{wrapped}  inet  n  -  n  -  -  smtpd\n"
             "  -o smtpd_tls_wrappermode=yes\n")


def make_cert(folder: Path, name: str, cn: str) -> tuple[Path, Path, Path]:
    """A self-signed EC pair for `cn` made by openssl(1): (cert, key, chain) where chain
    is Postfix's chain-file layout, the key first. All world-readable (the services run as
    mail_owner)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    cert, key, chain = folder / f"{name}.crt", folder / f"{name}.key", folder / f"{name}.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", f"/CN={cn}", "-addext", f"subjectAltName=DNS:{cn}",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    chain.write_bytes(key.read_bytes() + cert.read_bytes())
    for f in (cert, key, chain):
        f.chmod(0o644)
    return cert, key, chain


def der(cert: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(cert.read_text())


def client_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def starttls_peer_cert(port: int, server_name: str | None) -> bytes:
    """The DER certificate the server presents after STARTTLS, with SNI `server_name`."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        f = sock.makefile("rb")
        assert f.readline().startswith(b"220 ")
        sock.sendall(b"EHLO client.example\r\n")
        while not f.readline().startswith(b"250 "):
            pass
        sock.sendall(b"STARTTLS\r\n")
        assert f.readline().startswith(b"220 ")
        with client_context().wrap_socket(sock, server_hostname=server_name) as tls:
            return tls.getpeercert(binary_form=True)


def implicit_peer_cert(port: int, server_name: str | None) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with client_context().wrap_socket(sock, server_hostname=server_name) as tls:
            cert = tls.getpeercert(binary_form=True)
            assert tls.recv(4).startswith(b"220 ")
            return cert


def new_instance(main_cf: dict[str, str]) -> tuple[Correio, int]:
    wrapped = free_port()
    inst = Correio(main_cf={**BASE, **main_cf},
                   master_cf=MASTER_CF.replace("{wrapped}", str(wrapped)))
    return inst, wrapped


def test_sni_selects_the_certificate_from_tls_server_sni_maps():
    inst, wrapped = new_instance({})
    certs = inst.base / "certs"
    default = make_cert(certs, "default", "mail.example.test")
    one = make_cert(certs, "one", "mail.one.example")
    wild = make_cert(certs, "wild", "any.two.example")
    # SQL-style value: base64 of the chain's PEM text (Postfix's rule for tables filled
    # outside postmap).
    b64 = make_cert(certs, "b64", "mail.three.example")
    (certs / "sni").write_text(
        f"mail.one.example   {one[2]}\n"
        f".two.example       {wild[2]}\n"
        f"mail.three.example {base64.b64encode(b64[2].read_bytes()).decode()}\n")
    (certs / "sni").chmod(0o644)
    inst.write_main_cf({"smtpd_tls_chain_files": str(default[2]),
                        "tls_server_sni_maps": f"texthash:{certs / 'sni'}"})
    with inst:
        port = inst.smtp_port
        assert starttls_peer_cert(port, "mail.one.example") == der(one[0])
        assert starttls_peer_cert(port, "MAIL.ONE.EXAMPLE") == der(one[0])
        assert starttls_peer_cert(port, "deep.sub.two.example") == der(wild[0])
        assert starttls_peer_cert(port, "mail.three.example") == der(b64[0])
        # Unknown names and no SNI at all: the default certificate.
        assert starttls_peer_cert(port, "unknown.example") == der(default[0])
        assert starttls_peer_cert(port, None) == der(default[0])
        # "two.example" itself is not matched by ".two.example" (Postfix's rule).
        assert starttls_peer_cert(port, "two.example") == der(default[0])
        # Implicit TLS uses the same layer.
        assert implicit_peer_cert(wrapped, "mail.one.example") == der(one[0])
        assert implicit_peer_cert(wrapped, "other.example") == der(default[0])
        inst.wait_for_log(r"TLS SNI name unknown\.example has no tls_server_sni_maps entry")


def test_legacy_cert_and_key_files_with_separate_key():
    inst, wrapped = new_instance({})
    cert, key, _ = make_cert(inst.base / "certs", "pair", "mail.example.test")
    inst.write_main_cf({"smtpd_tls_cert_file": str(cert), "smtpd_tls_key_file": str(key)})
    with inst:
        assert starttls_peer_cert(inst.smtp_port, None) == der(cert)
        assert implicit_peer_cert(wrapped, "mail.example.test") == der(cert)


def test_renewed_certificate_is_used_by_new_connections_without_restart():
    """The master reads the files and watches them (tls_files.hpp): a renewal starts new
    smtpd processes with it, and the old ones finish their sessions, accepting no more."""
    inst, wrapped = new_instance({"tls_certificate_check_interval": "1s"})
    certs = inst.base / "certs"
    old = make_cert(certs, "old", "mail.example.test")
    new = make_cert(certs, "new", "mail.example.test")
    live = certs / "live.pem"  # cert_file = key_file: one file, replaced atomically
    live.write_bytes(old[0].read_bytes() + old[1].read_bytes())
    live.chmod(0o644)
    inst.write_main_cf({"smtpd_tls_cert_file": str(live)})
    with inst:
        assert starttls_peer_cert(inst.smtp_port, None) == der(old[0])
        # An established session keeps its certificate and its process across the renewal.
        sock = socket.create_connection(("127.0.0.1", wrapped), timeout=10)
        session = client_context().wrap_socket(sock, server_hostname="mail.example.test")
        assert session.getpeercert(binary_form=True) == der(old[0])
        pids = set(inst.service_pids())  # both smtpd processes have served a connection by now
        assert len(pids) >= 2

        # certbot-style renewal: a new file renamed over the old one.
        tmp = certs / "live.pem.tmp"
        tmp.write_bytes(new[0].read_bytes() + new[1].read_bytes())
        tmp.chmod(0o644)
        os.replace(tmp, live)
        # Each of the two services (one smtpd process each) gets a new process.
        inst.wait_for_log(r"master\[\d+\]: .*smtpd: TLS key or certificate renewed: new "
                          r"processes present it; 1 old process\(es\) accept no more", count=2)
        assert starttls_peer_cert(inst.smtp_port, None) == der(new[0])
        assert implicit_peer_cert(wrapped, None) == der(new[0])
        # The old process with the open session still serves it; the idle one has ended.
        replies = session.makefile("rb")
        assert replies.readline().startswith(b"220 ")
        session.sendall(b"EHLO client.example\r\n")
        assert replies.readline().startswith(b"250")
        alive = {pid for pid in pids if pid_alive(pid)}
        assert len(alive) == 1, alive
        session.sendall(b"QUIT\r\n")
        replies.close()
        session.close()
        deadline = time.monotonic() + 10
        while any(pid_alive(pid) for pid in alive) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(pid_alive(pid) for pid in alive)
        renewed = set(inst.service_pids())

        # A broken renewal: the previous certificate stays, a warning names the file.
        live.write_text("-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")
        inst.wait_for_log(r"warning: .*smtpd: renewed TLS key or certificate does not load: "
                          + str(live) + r".*its processes keep the previous ones", count=2)
        assert starttls_peer_cert(inst.smtp_port, None) == der(new[0])
        assert set(inst.service_pids()) == renewed

        # Fixed again (in place this time, a new inode is not needed).
        live.write_bytes(old[0].read_bytes() + old[1].read_bytes())
        deadline = time.monotonic() + 10
        while (starttls_peer_cert(inst.smtp_port, None) != der(old[0])
               and time.monotonic() < deadline):
            time.sleep(0.2)
        assert starttls_peer_cert(inst.smtp_port, None) == der(old[0])


def test_renewed_sni_chain_file_is_reloaded():
    inst, _ = new_instance({"tls_certificate_check_interval": "0s"})
    certs = inst.base / "certs"
    default = make_cert(certs, "default", "mail.example.test")
    first = make_cert(certs, "first", "mail.one.example")
    second = make_cert(certs, "second", "mail.one.example")
    (certs / "sni").write_text(f"mail.one.example {first[2]}\n")
    (certs / "sni").chmod(0o644)
    inst.write_main_cf({"smtpd_tls_chain_files": str(default[2]),
                        "tls_server_sni_maps": f"texthash:{certs / 'sni'}"})
    with inst:
        assert starttls_peer_cert(inst.smtp_port, "mail.one.example") == der(first[0])
        os.replace(second[2], first[2])
        assert starttls_peer_cert(inst.smtp_port, "mail.one.example") == der(second[0])
        assert starttls_peer_cert(inst.smtp_port, "x.example") == der(default[0])


def test_broken_chain_file_at_start_names_the_file():
    inst, _ = new_instance({})
    certs = inst.base / "certs"
    cert, key, _ = make_cert(certs, "c", "mail.example.test")
    wrong = certs / "wrong-order.pem"  # certificate before its key: refused, as Postfix does
    wrong.write_bytes(cert.read_bytes() + key.read_bytes())
    wrong.chmod(0o644)
    inst.write_main_cf({"smtpd_tls_chain_files": str(wrong)})
    inst.write_master_cf(f"{inst.listen}  inet  n  -  n  -  -  smtpd\n")
    with inst:
        with socket.create_connection(("127.0.0.1", inst.smtp_port), timeout=10) as sock:
            f = sock.makefile("rb")
            f.readline()
            sock.sendall(b"EHLO client.example\r\n")
            lines = []
            while not (line := f.readline()).startswith(b"250 "):
                lines.append(line)
            assert not any(b"STARTTLS" in l for l in lines + [line])
        inst.wait_for_log(r"warning: TLS library problem: " + str(wrong)
                          + r": certificate before any private key")


@pytest.mark.parametrize("daemon", ["imapd", "pop3d"])
def test_wrapper_mode_without_a_certificate_names_the_parameters(daemon):
    # imapd and pop3d decide on TLS one way (service::open_configured_server_tls): a
    # wrapper-mode port without a certificate is fatal, and says which parameters to set.
    inst = Correio(main_cf={"user_directory": "unix:"},
                   master_cf="{listen} inet n - n - - smtpd\n"
                             f"127.0.0.1:{free_port()} inet n - n - - {daemon}\n"
                             f"  -o {daemon}_tls_wrappermode=yes\n")
    try:
        inst.start(wait_ports=[inst.smtp_port])
        inst.wait_for_log(rf"correio/{daemon}\[\d+\]: fatal: {daemon}_tls_wrappermode = yes "
                          rf"needs {daemon}_tls_cert_file or {daemon}_tls_chain_files")
        inst.stop()
    finally:
        inst.cleanup()
