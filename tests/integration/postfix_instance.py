"""A private Postfix instance for interoperability tests (Debian's postfix package), set
up as bench/smtp.sh does: its own config_directory, queue_directory and data_directory
under a temporary directory, smtpd on a free loopback port, no chroot, log in a file.
Nothing of the system's Postfix is used or touched.

    pf = PostfixInstance({"virtual_transport": "lmtp:inet:127.0.0.1:2424", ...})
    with pf:                      # postfix start ... postfix stop, directory removed
        smtplib.SMTP("127.0.0.1", pf.smtp_port) ...

Postfix's master and delivery agents need root (they drop privileges themselves);
`skip_reason()` says why an instance cannot run here, for pytest.skip.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from correio_fixture import free_port, wait_for_port

POSTFIX = "/usr/sbin/postfix"
DAEMON_DIR = "/usr/lib/postfix/sbin"

# Debian's stock master.cf without chroot (a private instance has no populated jail).
MASTER_CF = """\
{listen} inet n -     n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def skip_reason() -> str | None:
    """Why no private Postfix can run here, or None."""
    for path in (POSTFIX, f"{DAEMON_DIR}/master", f"{DAEMON_DIR}/lmtp"):
        if not os.access(path, os.X_OK):
            return f"Postfix is not installed ({path} missing; Debian package postfix)"
    if os.geteuid() != 0:
        return "a private Postfix instance needs root (its master and agents drop privileges)"
    try:
        pwd.getpwnam("postfix")
        grp.getgrnam("postdrop")
    except KeyError:
        return "user postfix or group postdrop missing (the postfix package creates them)"
    return None


class PostfixInstance:
    def __init__(self, main_cf: dict[str, str] | None = None):
        self.base = Path(tempfile.mkdtemp(prefix="postfix-test-"))
        os.chmod(self.base, 0o755)
        self.config_dir = self.base / "etc"
        self.queue_dir = self.base / "queue"
        self.data_dir = self.base / "data"
        self.log_path = self.base / "maillog"
        for d in (self.config_dir, self.queue_dir, self.data_dir):
            d.mkdir()
        self.smtp_port = free_port()
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": str(self.queue_dir),
            "data_directory": str(self.data_dir),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "postfix.example.test",
            "mydomain": "example.test",
            "myorigin": "$mydomain",
            "mydestination": "localhost",
            "mynetworks": "127.0.0.0/8",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "alias_maps": "",
            "alias_database": "",
            "biff": "no",
            "maillog_file": str(self.log_path),
            "maillog_file_prefixes": f"/var, /dev/stdout, {self.base}",
            "smtputf8_enable": "no",
            "maximal_backoff_time": "10s",
            "minimal_backoff_time": "5s",
            "queue_run_delay": "5s",
        }
        settings.update(main_cf or {})
        (self.config_dir / "main.cf").write_text(
            "".join(f"{k} = {v}\n" for k, v in settings.items()))
        (self.config_dir / "master.cf").write_text(
            MASTER_CF.replace("{listen}", f"127.0.0.1:{self.smtp_port}"))
        shutil.chown(self.data_dir, "postfix")
        os.chmod(self.data_dir, 0o700)
        self.running = False

    def postfix(self, *args: str) -> subprocess.CompletedProcess:
        # postfix(1) writes its errors to the terminal or syslog; script(1) gives it one.
        cmd = " ".join([POSTFIX, "-c", str(self.config_dir), *args])
        return subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)

    def start(self) -> None:
        for step in ("check", "start"):
            result = self.postfix(step)
            if result.returncode != 0:
                raise RuntimeError(f"postfix {step} failed: {result.stdout}{result.stderr}"
                                   f"\n{self.log_text()}")
        self.running = True
        wait_for_port(self.smtp_port)

    def stop(self) -> None:
        if self.running:
            self.postfix("stop")
            self.running = False
            # postfix stop returns before the master has gone; its pid file tells.
            pid_file = self.queue_dir / "pid" / "master.pid"
            deadline = time.monotonic() + 15
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_log(self, pattern: str, timeout: float = 30) -> str:
        import re
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_text().splitlines():
                if regex.search(line):
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"no Postfix log line matching {pattern!r} after "
                                     f"{timeout}s:\n{self.log_text()[-4000:]}")
            time.sleep(0.1)

    def __enter__(self) -> "PostfixInstance":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
