"""Keys that only root can read, as Postfix and Dovecot administrators keep them (0600 in
a 0700 directory, as certbot's /etc/letsencrypt/live): the master reads them and hands
them to smtpd (mail_owner) and imap-login (login_user), neither of which can open them.
A renewal on disk (a rename, as certbot's symlink switch) reaches new connections through
new processes while a session already open goes on with the old process; a renewal that
does not load changes nothing. Clients: imaplib and Python's ssl over plain sockets."""

import os
import pwd
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from imap_setup import ImapInstance
from test_auth_service import status_ids
from test_tls_certificates import der, make_cert, starttls_peer_cert

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="root-only keys need a root master")


def root_only(folder: Path) -> None:
    for f in folder.iterdir():
        os.chown(f, 0, 0)
        f.chmod(0o600)
    os.chown(folder, 0, 0)
    folder.chmod(0o700)


def can_read(user: str, path: Path) -> bool:
    """Whether `user` can open `path`, asked of the kernel as that user."""
    return subprocess.run(["runuser", "-u", user, "--", "head", "-c", "1", str(path)],
                          capture_output=True).returncode == 0


def daemon_pids(server: ImapInstance, command: str, service: str) -> set[int]:
    """The processes running `correio ... daemon COMMAND -n SERVICE`."""
    found = set()
    for pid in server.inst.service_pids():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (b"daemon" in argv and argv[argv.index(b"daemon") + 1] == command.encode()
                and argv[argv.index(b"-n") + 1] == service.encode()):
            found.add(pid)
    return found


def imaps_peer_cert(port: int) -> bytes:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with ctx.wrap_socket(sock) as tls:
            assert tls.recv(100).startswith(b"* OK")
            return tls.getpeercert(binary_form=True)


def wait_until(condition, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@ROOT_ONLY
def test_root_only_keys_are_handed_down_and_renewed_without_cutting_sessions(tmp_path):
    live = tmp_path / "live"
    smtp_cert, smtp_key, _ = make_cert(live, "smtp", "smtp.example.test")
    imap_cert, _, imap_chain = make_cert(live, "imap", "imap.example.test")
    root_only(live)
    server = ImapInstance({"imapd_tls_chain_files": str(imap_chain),
                           "smtpd_tls_cert_file": str(smtp_cert),
                           "smtpd_tls_key_file": str(smtp_key),
                           "smtpd_tls_security_level": "may",
                           "tls_certificate_check_interval": "1s"})
    owner = server.inst.main_cf["mail_owner"]
    login_user = server.inst.main_cf["login_user"]
    for user in (owner, login_user):
        assert not can_read(user, imap_chain) and not can_read(user, smtp_key), user
    imaps = f"127.0.0.1:{server.imaps_port}"

    def logins() -> set[int]:
        return daemon_pids(server, "imap-login", imaps)

    with server:
        server.send("before the renewal", subject="renewal")
        # smtpd (mail_owner) presents the root-only pair after STARTTLS.
        assert starttls_peer_cert(server.inst.smtp_port, None) == der(smtp_cert)
        assert imaps_peer_cert(server.imaps_port) == der(imap_cert)
        (old_login,) = logins()
        login = pwd.getpwnam(login_user)
        assert set(status_ids(old_login, "Uid")) == {login.pw_uid}

        # A session open across the renewal.
        session = server.imaps()
        session.login("demo@example.test", "secret")
        assert session.select("INBOX")[0] == "OK"

        # certbot's way: the new version appears under the same name in one rename.
        renewed_dir = tmp_path / "renewed"
        renewed, _, new_chain = make_cert(renewed_dir, "imap", "renewed.example.test")
        os.rename(new_chain, imap_chain)
        root_only(live)
        assert wait_until(lambda: imaps_peer_cert(server.imaps_port) == der(renewed))
        server.inst.wait_for_log(r"imap-login.*TLS key or certificate renewed|"
                                 r"TLS key or certificate renewed")
        new_logins = logins() - {old_login}
        assert len(new_logins) == 1, logins()
        # The old process keeps the open session (and no longer accepts).
        assert old_login in logins()
        typ, data = session.fetch("1", "(BODY[TEXT])")
        assert typ == "OK" and b"before the renewal" in data[0][1], data
        assert session.noop()[0] == "OK"
        session.logout()
        assert wait_until(lambda: old_login not in logins())

        # A renewal that does not load: logged, and the service keeps what works.
        broken = tmp_path / "broken.pem"
        broken.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
        os.rename(broken, imap_chain)
        root_only(live)
        server.inst.wait_for_log(r"renewed TLS key or certificate does not load: .*"
                                 + str(imap_chain).replace(".", r"\."))
        assert logins() == new_logins
        assert imaps_peer_cert(server.imaps_port) == der(renewed)
        with server.imap() as client:
            assert client.select("INBOX")[0] == "OK"
