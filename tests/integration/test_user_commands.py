"""`correio pw`, `correio user` and `correio auth` as an administrator uses them: hashes
that Dovecot's own `doveadm pw -t` accepts, the two-prompt terminal dialogue, editing a
passwd-file and an SQLite directory (the file created when missing), the directory
taken from main.cf, and a user added to an SQLite directory accepted at SMTP RCPT and
delivered to by a running instance."""

import os
import pty
import select
import signal
import shutil
import smtplib
import sqlite3
import stat
import subprocess
import time

import pytest

from correio_fixture import CORREIO_BIN
from delivery_setup import pipeline, wait_for_messages


def correio(*args, input_text=None, env=None):
    return subprocess.run([CORREIO_BIN, *args], capture_output=True, text=True, timeout=60,
                          input=input_text, stdin=None if input_text else subprocess.DEVNULL,
                          env=env)


@pytest.mark.parametrize("scheme", ["SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "ARGON2I",
                                    "ARGON2ID", "SSHA512", "PLAIN"])
def test_pw_hashes_are_accepted_by_dovecot(scheme):
    doveadm = shutil.which("doveadm")
    if not doveadm:
        pytest.skip("doveadm (Debian package dovecot-core) not installed")
    out = correio("pw", "-s", scheme, "-p", "Tr0ub4dor&3")
    assert out.returncode == 0, out.stderr
    stored = out.stdout.strip()
    assert stored.startswith("{" + scheme + "}")
    ok = subprocess.run([doveadm, "pw", "-t", stored, "-p", "Tr0ub4dor&3"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "(verified)" in ok.stdout, ok.stderr
    bad = subprocess.run([doveadm, "pw", "-t", stored, "-p", "wrong"], capture_output=True)
    assert bad.returncode != 0


def test_pw_default_scheme_and_verify_mode():
    out = correio("pw", input_text="from-stdin\n")
    assert out.returncode == 0, out.stderr
    stored = out.stdout.strip()
    assert stored.startswith("{SHA512-CRYPT}$6$")
    assert correio("pw", "-t", stored, "-p", "from-stdin").returncode == 0
    wrong = correio("pw", "-t", stored, "-p", "other")
    assert wrong.returncode == 1 and "mismatch" in wrong.stderr
    assert correio("pw", "-s", "NOPE", "-p", "x").returncode == 1


def run_on_tty(args, answers):
    """Runs correio on a pseudo-terminal, answering each prompt in turn; returns
    (exit status, everything it wrote)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(CORREIO_BIN, [CORREIO_BIN, *args])
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + 30
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
            raise AssertionError(f"no progress on the terminal; output so far: {output!r}")
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        # One answer per prompt, each written only once its prompt has appeared.
        if pending and output.count(b"password: ") > len(answers) - len(pending):
            os.write(fd, pending.pop(0).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_pw_asks_twice_on_a_terminal_without_echo():
    code, out = run_on_tty(["pw", "-s", "PLAIN"], ["s3cret", "s3cret"])
    assert code == 0, out
    assert "Enter new password:" in out and "Retype new password:" in out
    assert "{PLAIN}s3cret" in out
    assert out.count("s3cret") == 1  # the typed password was not echoed
    code, out = run_on_tty(["pw"], ["one", "two"])
    assert code == 1 and "don't match" in out


def test_user_commands_on_a_passwd_file(tmp_path):
    users = tmp_path / "users"
    users.write_text("# site users\nold@example.test:{PLAIN}x::::::\n")
    users.chmod(0o600)
    spec = f"passwd-file:{users}"
    out = correio("user", "-d", spec, "add", "-p", "pw1", "-u", "5000", "-g", "5000",
                  "-h", "/srv/mail/new", "-q", "*:storage=1G", "new@example.test")
    assert out.returncode == 0, out.stderr
    text = users.read_text()
    assert text.startswith("# site users\nold@example.test:{PLAIN}x::::::\nnew@example.test:"
                           "{SHA512-CRYPT}$6$")
    assert text.endswith(":5000:5000::/srv/mail/new::userdb_quota_rule=*:storage=1G\n")
    assert stat.S_IMODE(users.stat().st_mode) == 0o600  # kept across the rename

    assert correio("auth", "-d", spec, "test", "new@example.test", "pw1").returncode == 0
    assert correio("user", "-d", spec, "passwd", "-s", "ARGON2ID", "-p", "pw2",
                   "NEW@example.test").returncode == 0
    assert correio("auth", "-d", spec, "test", "new@example.test", "pw1").returncode == 1
    assert correio("auth", "-d", spec, "test", "new@example.test", "pw2").returncode == 0
    assert correio("user", "-d", spec, "list").stdout.split() == ["old@example.test",
                                                                  "new@example.test"]
    dup = correio("user", "-d", spec, "add", "-p", "x", "old@example.test")
    assert dup.returncode == 1 and "exists already" in dup.stderr
    assert correio("user", "-d", spec, "del", "old@example.test").returncode == 0
    missing = correio("user", "-d", spec, "del", "old@example.test")
    assert missing.returncode == 1 and "no such user" in missing.stderr
    assert correio("user", "-d", spec, "list").stdout.split() == ["new@example.test"]


def test_user_add_creates_an_sqlite_directory(tmp_path):
    db = tmp_path / "users.db"
    spec = f"sqlite:{db}"
    out = correio("user", "-d", spec, "add", "-p", "pw", "-q", "*:storage=5M",
                  "ann@example.test")
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o640
    # The documented schema, readable by any SQLite client.
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(users)")]
        assert cols == ["user", "password", "uid", "gid", "home", "quota_rule"]
        (user, password, quota), = conn.execute("SELECT user, password, quota_rule FROM users")
        assert (user, quota) == ("ann@example.test", "*:storage=5M")
        assert password.startswith("{SHA512-CRYPT}$6$")
    show = correio("user", "-d", spec, "show", "ANN@example.test")
    assert show.stdout.splitlines() == ["user\tann@example.test",
                                        "userdb_quota_rule\t*:storage=5M"]
    assert correio("auth", "-d", spec, "test", "ann@example.test", "pw").returncode == 0


def test_the_directory_comes_from_main_cf_and_serves_smtp(tmp_path):
    inst = pipeline()
    db = inst.config_dir / "users.db"
    inst.write_main_cf({"user_directory": f"sqlite:{db}"})
    # `correio -c DIR user ...` and MAIL_CONFIG both find main.cf's user_directory.
    out = correio("-c", str(inst.config_dir), "user", "add", "-p", "pw", "sql@example.test")
    assert out.returncode == 0, out.stderr
    env = dict(os.environ, MAIL_CONFIG=str(inst.config_dir))
    assert correio("user", "list", env=env).stdout.split() == ["sql@example.test"]
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            s.ehlo("client.example")
            s.mail("someone@remote.example")
            code, reply = s.rcpt("demo@example.test")  # only in the passwd-file: unknown now
            assert code == 550, reply
            code, reply = s.rcpt("sql@example.test")
            assert code == 250, (reply, inst.log_text()[-2000:])
            code, reply = s.data(b"Subject: sqlite user\r\n\r\nhi\r\n")
            assert code == 250, reply
        wait_for_messages(inst, "sql", 1)
        # A user added while the daemons run is found without a reload.
        assert correio("-c", str(inst.config_dir), "user", "add", "-p", "pw",
                       "late@example.test").returncode == 0
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            s.ehlo("client.example")
            s.mail("someone@remote.example")
            code, reply = s.rcpt("late@example.test")
            assert code == 250, reply
