"""sendmail, mailq and postqueue run by an ordinary user against a queue owned by
mail_owner, as in production: the message is queued once and sendmail exits 0 although
the user may not read maildrop/; the listing comes from the showq service, and the queue
files stay unreadable to the user."""

import json
import os
import pwd
import re
import socket
import subprocess
import time

import pytest

from test_admin_tools import BIN_DIR, SLOW_RETRY, instance, wait_deferred
from delivery_setup import wait_for_messages

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch users")

SHOWQ = "showq         unix  n       -       n       -       -       showq\n"


def ordinary_user(inst) -> str:
    """An account that is neither root nor mail_owner."""
    owner = inst.main_cf["mail_owner"]
    for name in ("daemon", "bin", "nobody"):
        if name != owner:
            pwd.getpwnam(name)
            return name
    raise AssertionError("no unprivileged account")


def setpriv(user):
    """USER's uid and gid and no supplementary groups (setpriv from util-linux)."""
    return ["setpriv", f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}",
            "--clear-groups"]


def as_user(inst, user, name, *args, stdin=None):
    """Runs the link NAME as USER."""
    env = dict(os.environ, MAIL_CONFIG=str(inst.config_dir), TZ="UTC")
    return subprocess.run([*setpriv(user), os.path.join(BIN_DIR, name), *args], input=stdin,
                          capture_output=True, env=env, timeout=30)


def test_sendmail_as_an_ordinary_user_exits_0_and_delivers_exactly_once():
    inst = instance()
    with inst:
        user = ordinary_user(inst)
        maildrop = inst.queue_dir / "maildrop"
        assert maildrop.stat().st_mode & 0o7777 == 0o1733
        assert pwd.getpwuid(maildrop.stat().st_uid).pw_name == inst.main_cf["mail_owner"]
        # The user cannot list maildrop/: what made the old directory fsync fail.
        probe = subprocess.run([*setpriv(user), "ls", str(maildrop)], capture_output=True)
        assert probe.returncode != 0 and b"Permission denied" in probe.stderr
        result = as_user(inst, user, "sendmail", "-i", "demo@example.test",
                         stdin=b"Subject: from an ordinary user\n\nhello\n")
        assert result.returncode == 0, result.stderr
        assert result.stderr == b""
        [path] = wait_for_messages(inst, "demo", 1)
        assert b"Subject: from an ordinary user\n" in path.read_bytes()
        uid = pwd.getpwnam(user).pw_uid
        inst.wait_for_log(r"correio/pickup\[\d+\]: [0-9A-F]+: uid=%d from=<%s@" % (uid, user))
        time.sleep(1.5)  # a second copy would have arrived by now
        assert len(wait_for_messages(inst, "demo", 1)) == 1
        assert len(inst.log_lines(r"correio/pickup\[\d+\]: [0-9A-F]+: uid=%d " % uid)) == 1
        assert list(maildrop.iterdir()) == []


def test_mailq_and_postqueue_as_an_ordinary_user_go_through_showq():
    inst = instance(SLOW_RETRY)
    inst.write_master_cf((inst.config_dir / "master.cf").read_text() + SHOWQ)
    with inst:
        user = ordinary_user(inst)
        public = inst.queue_dir / "public"
        assert public.stat().st_mode & 0o777 == 0o711
        empty = as_user(inst, user, "mailq")
        assert (empty.returncode, empty.stdout) == (0, b"Mail queue is empty\n"), empty.stderr
        secret = b"Subject: private\n\nthe body nobody else may read\n"
        assert as_user(inst, user, "sendmail", "-f", "demo@example.test", "far@remote.test",
                       stdin=secret).returncode == 0
        [qid] = wait_deferred(inst)
        root_view = subprocess.run([os.path.join(BIN_DIR, "mailq")], capture_output=True,
                                   env=dict(os.environ, MAIL_CONFIG=str(inst.config_dir),
                                            TZ="UTC"))
        for command in (["mailq"], ["postqueue", "-p"], ["sendmail", "-bp"]):
            out = as_user(inst, user, *command)
            assert out.returncode == 0, out.stderr
            # The same listing root gets by reading the queue itself.
            assert out.stdout == root_view.stdout, (command, out.stdout)
            assert re.search(rb"^%s +\d+ .* demo@example\.test$" % qid.encode(), out.stdout,
                             re.M), out.stdout
            assert b"far@remote.test" in out.stdout and b"nobody else" not in out.stdout
        [line] = as_user(inst, user, "postqueue", "-j").stdout.decode().splitlines()
        assert json.loads(line)["queue_id"] == qid
        # The queue files themselves stay out of the user's reach.
        cat = subprocess.run([*setpriv(user), "cat", str(inst.queue_dir / "deferred" / qid)],
                             capture_output=True)
        assert cat.returncode != 0 and b"Permission denied" in cat.stderr
        # Anything but a request gets nothing.
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(public / "showq"))
            s.sendall(b"contents " + qid.encode() + b"\n")
            s.settimeout(10)
            assert s.recv(100) == b""
        inst.wait_for_log(r"correio/showq\[\d+\]: warning: unknown request")


def test_mailq_as_an_ordinary_user_without_showq_says_the_report_is_unavailable():
    inst = instance()
    with inst:
        out = as_user(inst, ordinary_user(inst), "mailq")
        assert out.returncode == 69
        assert out.stderr == b"mailq: fatal: Queue report unavailable - mail system is down\n"
