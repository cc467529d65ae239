"""The pre-login split (docs/prelogin.md, Dovecot's imap-login/pop3-login): an
administrator's `imapd`/`pop3d` inet lines run imap-login/pop3-login as login_user, which
speak to clients until the auth service says OK, then hand the client (SCM_RIGHTS) to the
post-login imapd/pop3d running as mail_owner, which asks the auth service who really
logged in. Shown with real clients (imaplib, poplib, ssl): the login process's credentials
and what it cannot open, a forged hand-off refused, STARTTLS and implicit TLS logins
(proxied), input pipelined after the login command, and no descriptors left behind."""

import base64
import os
import poplib
import pwd
import re
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imap_setup import ImapInstance
from test_auth_service import process_of, status_ids
from test_pop3d import Pop3Setup
from test_smtpd_tls import client_context

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="privilege drop needs root")


def read_until(s, marker: bytes, limit: float = 10) -> bytes:
    s.settimeout(limit)
    got = b""
    while marker not in got:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def read_all(s, limit: float = 10) -> bytes:
    s.settimeout(limit)
    got = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ssl.SSLError, ConnectionResetError):
            break
        if not chunk:
            break
        got += chunk
    return got


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@ROOT_ONLY
def test_login_process_cannot_open_a_maildir_or_the_password_file():
    server = ImapInstance()
    users = server.inst.config_dir / "users"
    owner = pwd.getpwnam(server.inst.main_cf["mail_owner"])
    # Only the auth service (root) and mail_owner's imapd (its userdb lookups) read it.
    os.chown(users, owner.pw_uid, owner.pw_gid)
    users.chmod(0o600)
    with server:
        server.send("hello", subject="private")
        with server.imap() as client:      # the message is in the Maildir
            client.select("INBOX")
            client.logout()
        messages = [p for d in ("new", "cur")
                    for p in (server.inst.base / "mail" / "example.test" / "demo" / d).iterdir()]
        assert messages
        pid = process_of(server.inst, "imap-login")
        uid, gid = status_ids(pid, "Uid"), status_ids(pid, "Gid")
        groups = status_ids(pid, "Groups")
        login = pwd.getpwnam(server.inst.main_cf["login_user"])
        assert set(uid) == {login.pw_uid} and set(gid) == {login.pw_gid}, (uid, gid)
        assert login.pw_uid not in (0, owner.pw_uid)
        assert set(groups) <= {login.pw_gid}, groups
        # The post-login imapd runs as mail_owner.
        assert set(status_ids(process_of(server.inst, "imapd"), "Uid")) == {owner.pw_uid}
        # As that uid, with its groups, nothing of the mail or the passwords opens.
        probe = (
            "import os, sys\n"
            f"os.setgroups({groups or [login.pw_gid]}); os.setgid({login.pw_gid}); "
            f"os.setuid({login.pw_uid})\n"
            "for path in sys.argv[1:]:\n"
            "    try:\n"
            "        open(path, 'rb').close()\n"
            "        print('OPENED', path)\n"
            "    except PermissionError:\n"
            "        print('DENIED', path)\n")
        result = subprocess.run([sys.executable, "-c", probe, str(messages[0]), str(users)],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("DENIED") == 2, result.stdout
        # What the login process has open: sockets, the log, no file of the mail store.
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            assert "/mail/" not in target and not target.endswith("/users"), target


def forge(path: Path, line: bytes) -> tuple[bytes, bytes]:
    """Connects to a post-login socket as a login process would, passes one end of a
    socketpair as the client; returns the answer and what the 'client' end received."""
    ours, theirs = socket.socketpair()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(path))
        socket.send_fds(s, [line], [theirs.fileno()])
        theirs.close()
        answer = read_until(s, b"\n")
    ours.settimeout(5)
    received = ours.recv(4096)  # b"": the post-login side closed its copy unused
    ours.close()
    return answer, received


def test_forged_hand_off_is_refused():
    server = ImapInstance()
    with server:
        login_dir = server.inst.queue_dir / "login"
        path = login_dir / f"imapd-127.0.0.1:{server.imap_port}"
        assert path.is_socket(), sorted(p.name for p in login_dir.iterdir())
        line = (b"HANDOFF\t1\tauth-id=1\tcookie=00112233445566778899aabbccddeeff\t"
                b"user=demo@example.test\trip=127.0.0.1\trport=1\tlip=127.0.0.1\tlport=2\ttls"
                b"\tmethod=PLAIN\ttag=a\n")
        answer, received = forge(path, line)
        assert answer.startswith(b"FAIL "), answer
        assert received == b"", received
        server.inst.wait_for_log(r"hand-off from pid \d+ refused: user=<demo@example\.test>")
        # Malformed: no cookie.
        answer, received = forge(path, b"HANDOFF\t1\tauth-id=1\tuser=x\n")
        assert answer.startswith(b"FAIL "), answer
        # Several descriptors at once: refused, and imapd keeps none of them.
        imapd_pid = next(pid for pid in pids_of(server.inst, "imapd")
                         if f"imapd-127.0.0.1:{server.imap_port}".encode() in
                         Path(f"/proc/{pid}/cmdline").read_bytes())
        fds_before = fd_count(imapd_pid)
        for _ in range(5):
            pairs = [socket.socketpair() for _ in range(3)]
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(str(path))
                socket.send_fds(s, [line], [theirs.fileno() for _, theirs in pairs])
                for _, theirs in pairs:
                    theirs.close()
                assert read_until(s, b"\n").startswith(b"FAIL "), "accepted"
            for ours, _ in pairs:
                ours.settimeout(5)
                assert ours.recv(10) == b""  # every copy closed in imapd
                ours.close()
        assert fd_count(imapd_pid) == fds_before, (fds_before, fd_count(imapd_pid))
        # A login process may not redeem logins itself on login/auth.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(login_dir / "auth"))
            read_until(s, b"DONE\n")
            s.sendall(b"VERSION\t1\t2\nCPID\t1\nREQUEST\t1\t1\t1\t00\n")
            assert read_all(s, 5) == b""
        # A real login still works.
        with server.imap() as client:
            assert client.select("INBOX")[0] == "OK"
            client.logout()


def real_grant(login_dir: Path) -> tuple[socket.socket, bytes]:
    """Logs demo in on login/auth as a login process would; returns the still open auth
    connection (the grant is this process's) and the greeting's cookie."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(login_dir / "auth"))
    greeting = read_until(s, b"DONE\n")
    cookie = next(line.split(b"\t")[1] for line in greeting.split(b"\n")
                  if line.startswith(b"COOKIE\t"))
    resp = base64.b64encode(b"\0demo@example.test\0secret")
    s.sendall(b"VERSION\t1\t2\nCPID\t1\nAUTH\t41\tPLAIN\tservice=imap\tsecured\t"
              b"lip=127.0.0.1\trip=127.0.0.1\tresp=" + resp + b"\n")
    assert read_until(s, b"\n").startswith(b"OK\t41\tuser=demo@example.test"), "no OK"
    return s, cookie


FORGE_FROM_CHILD = """
import socket, sys
path, line = sys.argv[1], bytes.fromhex(sys.argv[2])
ours, theirs = socket.socketpair()
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    s.connect(path)
    socket.send_fds(s, [line], [theirs.fileno()])
    s.settimeout(10)
    print(s.recv(4096).decode().strip())
"""


def test_hand_off_needs_the_senders_own_fresh_grant():
    """The post-login side believes a hand-off only when the auth service approved that
    login for the very process that sends it (SO_PEERCRED), once: a grant obtained by one
    process is worthless to another, and a used grant cannot be replayed."""
    server = ImapInstance()
    with server:
        login_dir = server.inst.queue_dir / "login"
        path = login_dir / f"imapd-127.0.0.1:{server.imap_port}"
        auth, cookie = real_grant(login_dir)
        with auth:
            line = (b"HANDOFF\t1\tauth-id=41\tcookie=" + cookie +
                    b"\tuser=demo@example.test\trip=127.0.0.1\trport=1\tlip=127.0.0.1\t"
                    b"lport=2\ttls\tmethod=PLAIN\ttag=a")
            # Another process (a child of ours) with our grant's id and cookie: refused.
            child = subprocess.run(
                [sys.executable, "-c", FORGE_FROM_CHILD, str(path), (line + b"\n").hex()],
                capture_output=True, text=True, timeout=30)
            assert child.stdout.startswith("FAIL"), (child.stdout, child.stderr)
            server.inst.wait_for_log(r"hand-off from pid \d+ refused: user=<demo@example\.test>")
            # Ourselves: the grant is still there (the child's attempt did not use it up).
            answer, received = forge(path, line + b"\n")
            assert answer.startswith(b"OK"), answer
            assert received.startswith(b"a OK [CAPABILITY "), received
            # Replayed: used once.
            answer, received = forge(path, line + b"\n")
            assert answer.startswith(b"FAIL "), answer
            assert received == b"", received


def test_starttls_and_implicit_tls_logins_are_proxied():
    server = ImapInstance(cleartext=False)
    with server:
        server.send("over tls", subject="tls")
        import imaplib
        plain = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=20)
        assert "LOGINDISABLED" in plain.capabilities
        plain.starttls(ssl_context=client_context())
        plain.login("demo@example.test", "secret")
        typ, data = plain.select("INBOX")
        assert typ == "OK" and data[0] == b"1", data
        typ, data = plain.fetch("1", "(BODY[HEADER.FIELDS (SUBJECT)])")
        assert b"Subject: tls" in data[0][1], data
        plain.logout()
        implicit = server.imaps()
        implicit.login("demo@example.test", "secret")
        assert implicit.select("INBOX")[0] == "OK"
        # A big reply crosses the proxy in many records.
        typ, data = implicit.fetch("1", "(BODY[])")
        assert typ == "OK" and b"over tls" in data[0][1]
        implicit.logout()
        server.inst.wait_for_log(r"correio/imapd\[\d+\]: Login: user=<demo@example\.test>, "
                                 r"method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, TLS", count=2)


def test_input_pipelined_after_login_reaches_imapd():
    server = ImapInstance()
    with server:
        server.send("piped", subject="pipe")
        commands = (b"a LOGIN demo@example.test secret\r\nb SELECT INBOX\r\n"
                    b"c FETCH 1 (BODY[HEADER.FIELDS (SUBJECT)])\r\nd LOGOUT\r\n")
        with socket.create_connection(("127.0.0.1", server.imap_port), timeout=10) as s:
            assert read_until(s, b"\r\n").startswith(b"* OK")
            s.sendall(commands)
            got = read_all(s)
        for tag in (b"a OK", b"b OK", b"c OK", b"d OK"):
            assert tag in got, got
        assert b"Subject: pipe" in got
        # The same under implicit TLS: the bytes decrypted by imap-login go with the client.
        raw = socket.create_connection(("127.0.0.1", server.imaps_port), timeout=10)
        with client_context().wrap_socket(raw) as s:
            assert read_until(s, b"\r\n").startswith(b"* OK")
            s.sendall(commands)
            got = read_all(s)
        for tag in (b"a OK", b"b OK", b"c OK", b"d OK"):
            assert tag in got, got
        # A client that half-closes after its pipelined commands (no LOGOUT) still gets
        # every answer: imap-login's proxy passes the end of input on and waits for imapd.
        raw = socket.create_connection(("127.0.0.1", server.imaps_port), timeout=10)
        with client_context().wrap_socket(raw) as s:
            assert read_until(s, b"\r\n").startswith(b"* OK")
            s.sendall(commands.replace(b"d LOGOUT\r\n", b""))
            time.sleep(0.2)
            with socket.socket(fileno=os.dup(s.fileno())) as same:
                same.shutdown(socket.SHUT_WR)
            got = read_all(s)
        for tag in (b"a OK", b"b OK", b"c OK"):
            assert tag in got, got
        assert b"Subject: pipe" in got
        # After the hand-off there is no second login: imapd has no LOGIN, AUTHENTICATE or
        # STARTTLS (they are imap-login's), as Dovecot's imap process.
        with socket.create_connection(("127.0.0.1", server.imap_port), timeout=10) as s:
            assert read_until(s, b"\r\n").startswith(b"* OK")
            s.sendall(b"a LOGIN demo@example.test secret\r\nb LOGIN demo@example.test secret\r\n"
                      b"c AUTHENTICATE PLAIN\r\nd STARTTLS\r\ne CAPABILITY\r\nf LOGOUT\r\n")
            got = read_all(s)
        assert b"a OK" in got, got
        for tag in (b"b", b"c", b"d"):
            assert tag + b" BAD Error in IMAP command: Unknown command." in got, got
        caps = [line for line in got.split(b"\r\n") if line.startswith(b"* CAPABILITY")]
        assert len(caps) == 1 and b"STARTTLS" not in caps[0] and b"AUTH=" not in caps[0], got
        assert b"f OK" in got, got


def test_pop3_login_hands_off_plain_stls_and_implicit_tls():
    setup = Pop3Setup({"auth_allow_cleartext": "yes"})
    try:
        setup.start()
        setup.deliver("demo@example.test", b"Subject: one\r\n\r\nbody\r\n")
        # Pipelined: USER, PASS and the TRANSACTION commands in one write.
        with socket.create_connection(("127.0.0.1", setup.pop3_port), timeout=10) as s:
            assert read_until(s, b"\r\n").startswith(b"+OK")
            s.sendall(b"USER demo@example.test\r\nPASS secret\r\nSTAT\r\nUSER x\r\n"
                      b"STLS\r\nAUTH PLAIN\r\nCAPA\r\nQUIT\r\n")
            got = read_all(s)
        assert got.count(b"+OK") == 5 and b"+OK 1 " in got, got
        # pop3d, after the hand-off, refuses the AUTHORIZATION state's commands and no
        # longer offers them.
        assert got.count(b"-ERR Command not allowed in TRANSACTION state.") == 3, got
        assert b"USER\r\n" not in got and b"SASL" not in got and b"STLS\r\n" not in got, got
        client = poplib.POP3("127.0.0.1", setup.pop3_port, timeout=20)
        client.stls(context=client_context())
        client.user("demo@example.test")
        client.pass_("secret")
        assert client.stat()[0] == 1
        assert b"body" in b"\r\n".join(client.retr(1)[1])
        client.quit()
        client = poplib.POP3_SSL("127.0.0.1", setup.pop3s_port, timeout=20,
                                 context=client_context())
        client.user("demo@example.test")
        client.pass_("secret")
        assert client.stat()[0] == 1
        client.quit()
        # A wrong password stays with pop3-login.
        client = poplib.POP3("127.0.0.1", setup.pop3_port, timeout=20)
        client.user("demo@example.test")
        with pytest.raises(poplib.error_proto):
            client.pass_("wrong")
        client.quit()
        setup.inst.wait_for_log(r"correio/pop3d\[\d+\]: Login: user=<demo@example\.test>, "
                                r"method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, TLS", count=2)
        login_dir = setup.inst.queue_dir / "login"
        answer, _ = forge(login_dir / f"pop3d-127.0.0.1:{setup.pop3_port}",
                          b"HANDOFF\t1\tauth-id=7\tcookie=00\tuser=demo@example.test\t"
                          b"method=PLAIN\n")
        assert answer.startswith(b"FAIL "), answer
    finally:
        setup.inst.__exit__(None, None, None)


def pids_of(inst, command: str) -> list[int]:
    """Every service process running `correio ... daemon COMMAND` (one per listener)."""
    process_of(inst, command)  # waits for the first
    found = []
    for pid in inst.service_pids():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"daemon" in argv and argv[argv.index(b"daemon") + 1] == command.encode():
            found.append(pid)
    return sorted(found)


def test_sessions_leave_no_descriptors_or_processes_behind():
    server = ImapInstance()
    with server:
        # Both listeners' imap-login and imapd, and the auth service (whose connection
        # from a login process must not outlive the login, TLS proxy or not).
        watched = pids_of(server.inst, "imap-login") + pids_of(server.inst, "imapd") + \
            pids_of(server.inst, "auth")
        assert len(watched) == 5, watched

        def state():
            return [fd_count(pid) for pid in watched], sorted(server.inst.service_pids())

        warm = server.imaps()  # log files, first connections
        warm.login("demo@example.test", "secret")
        warm.logout()
        server.imap().logout()
        time.sleep(0.5)
        before = state()
        # While a TLS session runs (imap-login proxying), the auth service holds nothing
        # for it: the login's auth connection closed when the hand-off began.
        auth_pid = watched[-1]
        open_session = server.imaps()
        open_session.login("demo@example.test", "secret")
        open_session.select("INBOX")
        assert fd_count(auth_pid) == before[0][-1], (before, fd_count(auth_pid))
        open_session.logout()
        for _ in range(10):
            with server.imap() as client:
                client.select("INBOX")
                client.logout()
            client = server.imaps()
            client.login("demo@example.test", "secret")
            client.logout()
            # A client that disconnects without LOGOUT, plain and TLS (shutdown closes the
            # socket for real; imaplib's file object keeps sock.close() from doing so).
            client = server.imap()
            client.shutdown()
            client = server.imaps()
            client.login("demo@example.test", "secret")
            client.shutdown()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            after = state()
            if after == before:
                break
            time.sleep(0.2)
        assert after == before, (before, after)


@ROOT_ONLY
@pytest.mark.parametrize("who, message", [
    ("root", r"login_user root must not be root"),
    ("MAIL_OWNER", r"login_user \S+ must not be mail_owner"),
    ("no-such-user-correio", r"login_user: unknown user: no-such-user-correio"),
])
def test_a_login_user_that_would_reach_the_mail_is_refused(who, message):
    """check and start refuse a login_user that is root, mail_owner or unknown: the login
    processes must reach neither the queue nor the mailboxes."""
    server = ImapInstance()
    try:
        inst = server.inst
        inst.main_cf["login_user"] = inst.main_cf["mail_owner"] if who == "MAIL_OWNER" else who
        inst.write_main_cf()
        result = inst.command("check")
        assert result.returncode != 0 and re.search(message, result.stderr), result.stderr
        result = inst.command("start", timeout=30)
        assert result.returncode != 0 and re.search(message, result.stderr + result.stdout), \
            (result.stdout, result.stderr)
    finally:
        server.inst.cleanup()
