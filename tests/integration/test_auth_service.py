"""The auth service (src/authd, Dovecot's auth process): smtpd's AUTH is answered by it, so
smtpd never reads a password hash. Shown with a password file only root can read while
smtpd runs as mail_owner (its credentials read from /proc/PID/status), with an independent
client speaking Dovecot's auth protocol to queue_directory/private/auth, with the line in
master.cf or started implicitly, and with the service unreachable (454, never a silent
success or a 535)."""

import base64
import os
import pwd
import re
import smtplib
import socket
import time
from pathlib import Path

import pytest

from correio_fixture import Correio, free_port, wait_limit
from test_smtpd_tls import client_context, make_certificate

USERS = "demo@example.test:{PLAIN}secret::::::\n"


def process_of(inst: Correio, command: str) -> int:
    """The pid of the service process running `correio ... daemon COMMAND`."""
    deadline = time.monotonic() + wait_limit(10)
    while time.monotonic() < deadline:
        for pid in inst.service_pids():
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"daemon" in argv and argv[argv.index(b"daemon") + 1] == command.encode():
                return pid
        time.sleep(0.05)
    raise AssertionError(f"no {command} process among {inst.service_pids()}")


def status_ids(pid: int, field: str) -> list[int]:
    """Uid: or Gid: of /proc/PID/status (real, effective, saved, filesystem)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return [int(x) for x in line.split()[1:]]
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def open_files(pid: int) -> list[str]:
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return out


def plain(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


class Instance:
    def __init__(self, master_extra: str = "", main_extra: dict | None = None,
                 owner_reads: bool = False):
        self.submission = free_port()
        self.inst = Correio(master_cf="{listen} inet n - n - - smtpd\n"
                            f"127.0.0.1:{self.submission} inet n - n - - smtpd\n"
                            "  -o smtpd_sasl_auth_enable=yes\n" + master_extra)
        self.users = self.inst.config_dir / "users"
        self.users.write_text(USERS)
        # Only the auth service (root) may read the hashes.
        os.chmod(self.users, 0o600)
        if owner_reads and os.geteuid() == 0:
            owner = pwd.getpwnam(self.inst.main_cf["mail_owner"])
            os.chown(self.users, owner.pw_uid, owner.pw_gid)
        cert, key = make_certificate()
        self.inst.write_main_cf({
            "user_directory": f"passwd-file:{self.users}",
            "smtpd_tls_cert_file": cert,
            "smtpd_tls_key_file": key,
            "smtpd_tls_security_level": "may",
            "auth_failure_delay": "1s",
            "auth_failure_max_delay": "1s",
            **(main_extra or {}),
        })

    def __enter__(self):
        self.inst.start(wait_ports=[self.inst.smtp_port, self.submission])
        return self

    def __exit__(self, *exc):
        self.inst.stop()
        self.inst.cleanup()

    def smtp(self) -> smtplib.SMTP:
        s = smtplib.SMTP("127.0.0.1", self.submission, timeout=30)
        s.ehlo("client.example")
        s.starttls(context=client_context())
        s.ehlo("client.example")
        return s


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run smtpd as another user")
def test_smtpd_authenticates_without_reading_the_password_file():
    with Instance() as server:
        with server.smtp() as s:
            assert "PLAIN" in s.esmtp_features["auth"]
            assert s.docmd("AUTH", "PLAIN " + plain("demo@example.test", "secret")) == \
                (235, b"2.7.0 Authentication successful")
            assert s.docmd("AUTH", "PLAIN " + plain("x", "y"))[0] == 503
        with server.smtp() as s:
            assert s.docmd("AUTH", "PLAIN " + plain("demo@example.test", "wrong"))[0] == 535
        # smtpd runs as mail_owner, which cannot open the hashes: the answer came from the
        # auth service, running as root.
        owner = pwd.getpwnam(server.inst.main_cf["mail_owner"])
        smtpd = process_of(server.inst, "smtpd")
        assert status_ids(smtpd, "Uid") == [owner.pw_uid] * 4
        assert status_ids(smtpd, "Gid") == [owner.pw_gid] * 4
        assert str(server.users) not in open_files(smtpd)
        caps = Path(f"/proc/{smtpd}/status").read_text()
        assert re.search(r"^CapEff:\s+0+$", caps, re.M), caps
        auth = process_of(server.inst, "auth")
        assert status_ids(auth, "Uid")[1] == 0
        server.inst.wait_for_log(r"SASL PLAIN authentication failed: authentication failure, "
                                 r"sasl_username=demo@example\.test")


@pytest.mark.skipif(os.geteuid() != 0, reason="private/auth belongs to mail_owner")
def test_dovecot_protocol_client_on_private_auth():
    """An independent client of Dovecot's auth protocol 1.2, as Postfix's xsasl_dovecot
    speaks it, on the service's socket."""
    with Instance() as server:
        path = server.inst.queue_dir / "private" / "auth"
        assert path.is_socket()
        assert (path.stat().st_mode & 0o777) in (0o600, 0o660), oct(path.stat().st_mode)
        with socket.socket(socket.AF_UNIX) as c:
            c.settimeout(10)
            c.connect(str(path))
            f = c.makefile("rwb")
            greeting = []
            while True:
                line = f.readline().rstrip(b"\n").decode()
                greeting.append(line.split("\t"))
                if line == "DONE":
                    break
            assert greeting[0] == ["VERSION", "1", "2"]
            mechs = {g[1]: g[2:] for g in greeting if g[0] == "MECH"}
            assert mechs["PLAIN"] == ["plaintext"] and mechs["LOGIN"] == ["plaintext"]
            assert "SCRAM-SHA-256" in mechs
            assert {g[0] for g in greeting} >= {"SPID", "CUID", "COOKIE"}
            f.write(b"VERSION\t1\t2\nCPID\t4242\n")
            f.write(b"AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.9\t"
                    b"secured\tresp=" + plain("demo@example.test", "secret").encode() + b"\n")
            f.flush()
            assert f.readline() == b"OK\t1\tuser=demo@example.test\n"
            # LOGIN without an initial response: two challenges, then OK.
            f.write(b"AUTH\t2\tLOGIN\tservice=smtp\trip=127.0.0.9\tsecured\n")
            f.flush()
            assert f.readline() == b"CONT\t2\t" + base64.b64encode(b"Username:") + b"\n"
            f.write(b"CONT\t2\t" + base64.b64encode(b"demo@example.test") + b"\n")
            f.flush()
            assert f.readline() == b"CONT\t2\t" + base64.b64encode(b"Password:") + b"\n"
            f.write(b"CONT\t2\t" + base64.b64encode(b"wrong") + b"\n")
            f.flush()
            fail = f.readline().rstrip(b"\n").split(b"\t")
            assert fail[:3] == [b"FAIL", b"2", b"user=demo@example.test"], fail
            # PLAIN refused on a connection that is not secured when the client says so.
            f.write(b"AUTH\t3\tPLAIN\tservice=smtp\trip=127.0.0.9\tcorreio-noplaintext\tresp=" +
                    plain("demo@example.test", "secret").encode() + b"\n")
            f.flush()
            assert f.readline().startswith(b"FAIL\t3\tcode=correio-malformed")
            # A line outside the protocol ends the connection.
            f.write(b"HELLO\n")
            f.flush()
            assert f.readline() == b""
        server.inst.wait_for_log(r"correio/auth\[\d+\]: warning: auth client: unknown command")


def test_explicit_auth_line_runs_as_mail_owner_with_postconf_listing():
    # "-" in the unpriv column: mail_owner, which must then be able to read the users.
    with Instance(master_extra="auth unix - - n - 1 auth\n", owner_reads=True) as server:
        listing = server.inst.command("postconf", "-M", "auth/unix")
        assert listing.returncode == 0 and re.match(r"auth\s+unix\s+-\s+-\s+n\s+-\s+1\s+auth",
                                                    listing.stdout), listing
        with server.smtp() as s:
            assert s.docmd("AUTH", "PLAIN " + plain("demo@example.test", "secret"))[0] == 235
        if os.geteuid() == 0:
            auth = process_of(server.inst, "auth")
            assert status_ids(auth, "Uid")[1] == pwd.getpwnam(
                server.inst.main_cf["mail_owner"]).pw_uid


def test_unreachable_auth_service_is_a_temporary_failure():
    with Instance(main_extra={"smtpd_sasl_path": "private/nowhere"}) as server:
        with server.smtp() as s:
            code, text = s.docmd("AUTH", "PLAIN " + plain("demo@example.test", "secret"))
            assert (code, text) == (454, b"4.7.0 Temporary authentication failure")
        server.inst.wait_for_log(r"warning: unknown\[127\.0\.0\.1\]: SASL: auth service: "
                                 r".*private/nowhere: connect: No such file or directory")
        # No implicit auth service for a socket that is not the default one.
        assert not [p for p in server.inst.service_pids()
                    if b"\0auth\0" in Path(f"/proc/{p}/cmdline").read_bytes()]
