"""pop3d (RFC 1939, 2449, 2595, 5034) with independent clients: Python's poplib (plain
with STLS, implicit TLS), raw sockets for AUTH and malformed input, fetchmail, and a real
Dovecot pop3 on the same Maildir to check that UIDLs and sizes agree."""

import base64
import os
import poplib
import pwd
import re
import smtplib
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from correio_fixture import free_port
from delivery_setup import maildir_new, pipeline
from test_smtpd_tls import client_context, make_certificate

DOVECOT_POP3 = "/usr/lib/dovecot/pop3"


class Pop3Setup:
    def __init__(self, extra_main_cf=None):
        cert, key = make_certificate()
        self.inst = pipeline({"pop3d_tls_cert_file": cert, "pop3d_tls_key_file": key,
                              **(extra_main_cf or {})})
        self.pop3s_port = free_port()
        self.lmtp_port = free_port()
        self.inst.write_master_cf(
            f"{self.inst.listen} inet n - n - - pop3d\n"
            f"127.0.0.1:{self.pop3s_port} inet n - n - - pop3d\n"
            f"  -o pop3d_tls_wrappermode=yes\n"
            f"127.0.0.1:{self.lmtp_port} inet n - n - - lmtpd\n")
        self.pop3_port = self.inst.smtp_port

    def start(self):
        self.inst.start(wait_ports=[self.pop3_port, self.pop3s_port, self.lmtp_port])

    def deliver(self, user: str, *bodies: bytes):
        with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
            for body in bodies:
                lmtp.sendmail("someone@remote.example", [user], body)

    def maildir(self, user="demo") -> Path:
        return self.inst.base / "mail" / "example.test" / user


@pytest.fixture
def pop3():
    setup = Pop3Setup()
    try:
        setup.start()
        yield setup
        setup.inst.stop()
    finally:
        setup.inst.cleanup()


def in_delivery_order(paths):
    """Maildir files ordered as pop3d (and Dovecot) number them: by the delivery time the
    names start with, "SECONDS.MMICROSECONDS", compared as numbers."""
    def key(path):
        sec, usec = re.match(r"(\d+)\.M(\d+)", path.name).groups()
        return int(sec), int(usec), path.name
    return sorted(paths, key=key)


MESSAGES = (b"Subject: one\r\n\r\nfirst body\r\n.starts with a dot\r\n",
            b"Subject: two\r\nX-Long: yes\r\n\r\nline 1\r\nline 2\r\nline 3\r\n")


def test_cleartext_refused_before_stls_then_session(pop3):
    pop3.deliver("demo@example.test", *MESSAGES)
    p = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
    assert p.getwelcome().startswith(b"+OK Correio ready")
    caps = p.capa()
    assert "STLS" in caps and "USER" not in caps and "UIDL" in caps and "TOP" in caps
    assert "SCRAM-SHA-256" in caps["SASL"] and "PLAIN" not in caps["SASL"]
    with pytest.raises(poplib.error_proto) as refused:
        p.user("demo@example.test")
    assert refused.value.args[0] == (b"-ERR [AUTH] Plaintext authentication disallowed "
                                     b"on non-secure connections.")
    p.stls(client_context())
    caps = p.capa()
    assert "USER" in caps and "PLAIN" in caps["SASL"] and "STLS" not in caps
    p.user("demo@example.test")
    with pytest.raises(poplib.error_proto) as bad:
        p.pass_("wrong")
    assert bad.value.args[0] == b"-ERR [AUTH] Authentication failed."
    p.user("demo@example.test")
    assert p.pass_("secret") == b"+OK Logged in."
    files = in_delivery_order((pop3.maildir() / "cur").iterdir())
    sizes = [f.stat().st_size + f.read_bytes().count(b"\n") for f in files]
    count, total = p.stat()
    assert (count, total) == (2, sum(sizes))
    resp, listing, _ = p.list()
    assert listing == [f"{i + 1} {s}".encode() for i, s in enumerate(sizes)]
    resp, lines, octets = p.retr(1)
    assert resp == f"+OK {sizes[0]} octets".encode()
    assert lines[-2:] == [b"first body", b".starts with a dot"]  # poplib unstuffs
    assert any(l.startswith(b"Delivered-To: demo@example.test") for l in lines)
    resp, lines, _ = p.top(2, 1)
    assert lines[-2:] == [b"", b"line 1"] and b"Subject: two" in lines
    assert p.dele(2) == b"+OK Marked to be deleted."
    with pytest.raises(poplib.error_proto, match="Message is deleted"):
        p.retr(2)
    assert p.stat()[0] == 1
    p.rset()
    assert p.stat()[0] == 2
    p.dele(2)
    assert p.quit() == b"+OK Logging out, messages deleted."
    files = sorted((pop3.maildir() / "cur").iterdir())
    assert len(files) == 1
    assert re.search(r":2,S$", files[0].name), files[0].name  # read -> \Seen
    pop3.inst.wait_for_log(r"correio/pop3d\[\d+\]: Login: user=<demo@example\.test>, "
                           r"method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, TLS")
    pop3.inst.wait_for_log(r"correio/pop3d\[\d+\]: pop3\(demo@example\.test\): Disconnected: "
                           r"Logged out top=1/\d+, retr=1/\d+, del=1/2, size=\d+")


def test_implicit_tls_and_deletions_only_at_quit(pop3):
    pop3.deliver("demo@example.test", *MESSAGES)
    p = poplib.POP3_SSL("127.0.0.1", pop3.pop3s_port, context=client_context(), timeout=10)
    p.user("demo@example.test")
    p.pass_("secret")
    p.dele(1)
    p.retr(2)
    p.sock.close()  # no QUIT: no UPDATE state, nothing deleted
    time.sleep(0.5)
    p = poplib.POP3_SSL("127.0.0.1", pop3.pop3s_port, context=client_context(), timeout=10)
    p.user("demo@example.test")
    p.pass_("secret")
    assert p.stat()[0] == 2
    p.quit()
    names = [f.name for f in in_delivery_order((pop3.maildir() / "cur").iterdir())]
    assert len(names) == 2 and names[1].endswith(":2,S"), names  # RETR 2 still marked \Seen


def auth_session(port, context=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    assert f.readline().startswith(b"+OK")
    if context:
        s.sendall(b"STLS\r\n")
        assert f.readline().startswith(b"+OK")
        s = context.wrap_socket(s)
        f = s.makefile("rb")
    return s, f


def test_sasl_auth_plain_and_in_use(pop3):
    pop3.deliver("demo@example.test", MESSAGES[0])
    s, f = auth_session(pop3.pop3_port)
    # AUTH PLAIN in the clear is refused like USER.
    s.sendall(b"AUTH PLAIN " + base64.b64encode(b"\0demo@example.test\0secret") + b"\r\n")
    assert f.readline().startswith(b"-ERR [AUTH] Plaintext authentication disallowed")
    s.close()
    s, f = auth_session(pop3.pop3_port, client_context())
    s.sendall(b"AUTH\r\n")
    mechs = []
    assert f.readline() == b"+OK\r\n"
    while (line := f.readline()) != b".\r\n":
        mechs.append(line.strip())
    assert b"PLAIN" in mechs and b"SCRAM-SHA-256" in mechs
    s.sendall(b"AUTH PLAIN\r\n")  # no initial response: an empty challenge
    assert f.readline() == b"+ \r\n"
    s.sendall(base64.b64encode(b"\0demo@example.test\0secret") + b"\r\n")
    assert f.readline() == b"+OK Logged in.\r\n"
    # A second session of the same user while this one is open: the maildrop is locked.
    p = poplib.POP3_SSL("127.0.0.1", pop3.pop3s_port, context=client_context(), timeout=10)
    p.user("demo@example.test")
    with pytest.raises(poplib.error_proto) as busy:
        p.pass_("secret")
    assert busy.value.args[0].startswith(b"-ERR [IN-USE] ")
    p.close()
    s.sendall(b"UIDL 1\r\nQUIT\r\n")
    assert re.match(rb"\+OK 1 [0-9a-f]{16}\r\n", f.readline())
    assert f.readline().startswith(b"+OK Logging out")
    s.close()
    # Released at logout.
    p = poplib.POP3_SSL("127.0.0.1", pop3.pop3s_port, context=client_context(), timeout=10)
    p.user("demo@example.test")
    p.pass_("secret")
    p.quit()


def test_malformed_input_gets_clear_errors():
    # The limit counts per process (pop3-login before the login, pop3d after it, as
    # Dovecot's): three bad commands here, then the eighth after the login ends it.
    inst = Pop3Setup({"auth_allow_cleartext": "yes", "pop3d_max_bad_commands": "8"})
    inst.start()
    try:
        inst.deliver("demo@example.test", MESSAGES[0])
        s, f = auth_session(inst.pop3_port)

        def cmd(line: bytes) -> bytes:
            s.sendall(line + b"\r\n")
            return f.readline()

        assert cmd(b"STAT") == b"-ERR Unknown command.\r\n"  # not before login
        assert cmd(b"XYZZ") == b"-ERR Unknown command: XYZZ\r\n"
        assert cmd(b"A" * 10000) == b"-ERR Input line too long.\r\n"
        assert cmd(b"USER demo@example.test") == b"+OK\r\n"
        assert cmd(b"PASS secret") == b"+OK Logged in.\r\n"
        assert cmd(b"RETR") == b"-ERR RETR takes exactly one argument.\r\n"
        assert cmd(b"RETR 0") == b"-ERR Invalid message number: 0\r\n"
        assert cmd(b"RETR 99999999999999999999") == b"-ERR Invalid message number: 99999999999999999999\r\n"
        assert cmd(b"LIST 7") == b"-ERR There's no message 7.\r\n"
        assert re.fullmatch(rb"\+OK 1 \d+\r\n", cmd(b"LIST 01"))
        assert cmd(b"TOP 1 x") == b"-ERR Invalid number of lines: x\r\n"
        assert cmd(b"USER x") == b"-ERR Command not allowed in TRANSACTION state.\r\n"
        assert cmd(b"NOOP") == b"+OK\r\n"
        assert cmd(b"\x00\xff") == b"-ERR Unknown command.\r\n"
        assert cmd(b"BAD") == b"-ERR Unknown command: BAD\r\n"
        assert f.readline() == b"-ERR Too many bad commands.\r\n"
        assert f.readline() == b""  # closed
        s.close()
        inst.inst.wait_for_log(r"Disconnected: Too many bad commands")
        inst.inst.stop()
    finally:
        inst.inst.cleanup()


def run_dovecot_pop3(maildir: Path, commands: bytes) -> bytes:
    """Dovecot's pop3 in preauth mode on `maildir`, as the Maildir's owner."""
    st = maildir.stat()
    env = {"USER": "demo@example.test", "HOME": str(maildir.parent), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [DOVECOT_POP3, "-o", f"mail_location=maildir:{maildir}", "-o", f"mail_uid={st.st_uid}",
         "-o", f"mail_gid={st.st_gid}", "-o", "first_valid_uid=0", "-o", "first_valid_gid=0",
         "-o", "log_path=/dev/null"],
        input=commands, capture_output=True, env=env, timeout=30)
    return result.stdout


def correio_uidl_and_list(port: int) -> tuple[list[bytes], list[bytes]]:
    p = poplib.POP3_SSL("127.0.0.1", port, context=client_context(), timeout=10)
    p.user("demo@example.test")
    p.pass_("secret")
    uidl = p.uidl()[1]
    listing = p.list()[1]
    p.quit()
    return uidl, listing


def dovecot_uidl_and_list(maildir: Path) -> tuple[list[bytes], list[bytes]]:
    out = run_dovecot_pop3(maildir, b"UIDL\r\nLIST\r\nQUIT\r\n")
    blocks = out.split(b".\r\n")
    uidl = [l for l in blocks[0].split(b"\r\n")[1:] if l]
    listing = [l for l in blocks[1].split(b"\r\n")[1:] if l]
    assert uidl and listing, out
    return uidl, listing


@pytest.mark.skipif(not os.access(DOVECOT_POP3, os.X_OK),
                    reason="Dovecot's pop3 is not installed (Debian package dovecot-pop3d)")
def test_uidl_and_sizes_match_dovecot(pop3):
    # Correio first: it creates dovecot-uidlist; Dovecot must read the same UIDs.
    pop3.deliver("demo@example.test", *MESSAGES)
    ours = correio_uidl_and_list(pop3.pop3s_port)
    theirs = dovecot_uidl_and_list(pop3.maildir())
    assert ours == theirs
    assert re.fullmatch(rb"1 00000001[0-9a-f]{8}", ours[0][0]), ours
    # Then a new message that Dovecot numbers first (it assigns UID 3 in dovecot-uidlist).
    pop3.deliver("demo@example.test", b"Subject: three\r\n\r\nthird\r\n")
    theirs = dovecot_uidl_and_list(pop3.maildir())
    ours = correio_uidl_and_list(pop3.pop3s_port)
    assert ours == theirs and len(ours[0]) == 3
    # Dovecot first on a fresh Maildir.
    pop3.deliver("sender@example.test", *MESSAGES)
    theirs = dovecot_uidl_and_list(pop3.maildir("sender"))
    p = poplib.POP3_SSL("127.0.0.1", pop3.pop3s_port, context=client_context(), timeout=10)
    p.user("sender@example.test")
    p.pass_("secret")
    assert (p.uidl()[1], p.list()[1]) == theirs
    p.quit()


@pytest.mark.skipif(not os.path.exists("/usr/bin/fetchmail"), reason="fetchmail is not installed")
def test_fetchmail_fetches_into_mbox(pop3, tmp_path):
    pop3.deliver("demo@example.test", *MESSAGES)
    mbox = tmp_path / "fetched.mbox"
    rc = tmp_path / "fetchmailrc"
    rc.write_text(
        "set no syslog\n"
        f"poll 127.0.0.1 service {pop3.pop3s_port} protocol POP3 uidl\n"
        '  user "demo@example.test" password "secret"\n'
        "  ssl no sslcertck\n"
        f"  mda \"/bin/sh -c 'echo From fetchmail >> {mbox}; cat >> {mbox}; echo >> {mbox}'\"\n")
    rc.chmod(0o600)
    env = {**os.environ, "HOME": str(tmp_path), "FETCHMAILHOME": str(tmp_path)}
    result = subprocess.run(["fetchmail", "-f", str(rc), "-v", "--nokeep"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    data = mbox.read_bytes()
    assert data.count(b"From fetchmail\n") == 2
    assert b"Subject: one" in data and b"Subject: two" in data
    assert b"\n.starts with a dot\n" in data
    assert not any((pop3.maildir() / "cur").iterdir())  # fetched and deleted
    assert not any((pop3.maildir() / "new").iterdir())
