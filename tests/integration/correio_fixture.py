"""A throw-away Correio instance for integration tests: a temporary configuration
directory (main.cf, master.cf), free ports, `correio -c DIR start-fg` with the mail log
(maillog_file = /dev/stdout) captured to a file, and a checked shutdown.

Use it from a test file:

    from correio_fixture import Correio

    def test_banner(correio):            # the fixture (conftest.py): started, stopped after
        with smtplib.SMTP("127.0.0.1", correio.smtp_port) as s: ...

    def test_custom(tmp_path):
        inst = Correio(main_cf={"smtpd_banner": "$myhostname ESMTP hi"})
        with inst:                       # start() ... stop(), and the directory removed
            ...

The binary is $CORREIO_BIN (set by ctest), else build/bin/correio under the source tree.
When the tests run as root the services drop to mail_owner (default: nobody), so the
temporary directory is made world-readable.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("CORREIO_SOURCE", Path(__file__).resolve().parents[2]))
CORREIO_BIN = os.environ.get("CORREIO_BIN", str(SOURCE_DIR / "build" / "bin" / "correio"))


@functools.cache
def sanitized() -> bool:
    """Whether CORREIO_BIN is an AddressSanitizer build (CORREIO_SANITIZE=ON). ctest says so
    in $CORREIO_SANITIZED; a manual run against build-asan/bin/correio is recognised by the
    libasan it links."""
    flag = os.environ.get("CORREIO_SANITIZED")
    if flag is not None:
        return flag == "1"
    try:
        dynamic = subprocess.run(["readelf", "-d", CORREIO_BIN], capture_output=True, text=True,
                                 timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "libasan" in dynamic


def wait_limit(seconds: float) -> float:
    """A time limit for waiting on the daemons, three times longer for a sanitized build:
    its processes need a second or more to start (far more on a loaded machine) instead of
    milliseconds. For "give up after" limits only, never for a bound a test asserts."""
    return seconds * 3 if sanitized() else seconds


# The Postfix log line prefix: "Mmm dd hh:mm:ss HOST TAG[PID]: ".
LOG_PREFIX = r"^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \S+ "

# What ASan/LSan ("==PID==ERROR: AddressSanitizer: ...") and UBSan ("FILE:LINE:COL:
# runtime error: ...") write to a daemon's standard error, which is the captured log.
SANITIZER_REPORT = re.compile(r"^(==\d+==ERROR: \w+Sanitizer|\S+:\d+:\d+: runtime error: )",
                              re.MULTILINE)


_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, and that this test
    process has not handed out before: the kernel may give a port just released to the
    next bind(0), and two services of one master.cf on the same port fail to start."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _PORTS_GIVEN:
            _PORTS_GIVEN.add(port)
            return port


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 15.0) -> None:
    deadline = time.monotonic() + wait_limit(timeout)
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing accepts on {host}:{port} after "
                                   f"{wait_limit(timeout)}s")
            time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def child_pids(pid: int) -> list[int]:
    """The direct children of `pid` (from /proc), e.g. the master's service processes."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(entry.name))
    return sorted(out)


DEFAULT_MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command + args
{listen}      inet  n       -       n       -       -       smtpd
"""



def login_user_for_tests(mail_owner: str) -> str:
    """The login_user of a test run as root: CORREIO_TEST_LOGIN_USER, else the first
    account of a few system ones that exists and is not mail_owner (the default, nobody,
    is the tests' mail_owner)."""
    if "CORREIO_TEST_LOGIN_USER" in os.environ:
        return os.environ["CORREIO_TEST_LOGIN_USER"]
    import pwd
    for name in ("correio-login", "dovenull", "daemon"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if name != mail_owner:
            return name
    return "daemon"

class Correio:
    """One instance: configuration under self.base, log in self.log_path."""

    def __init__(self, main_cf: dict[str, str] | None = None, master_cf: str | None = None,
                 binary: str | None = None):
        self.binary = binary or CORREIO_BIN
        self.base = Path(tempfile.mkdtemp(prefix="correio-test-"))
        os.chmod(self.base, 0o755)
        self.config_dir = self.base / "etc"
        self.queue_dir = self.base / "queue"
        self.data_dir = self.base / "data"
        self.log_path = self.base / "maillog"
        self.config_dir.mkdir(mode=0o755)
        self.smtp_port = free_port()
        self.listen = f"127.0.0.1:{self.smtp_port}"
        self.main_cf = {
            "queue_directory": str(self.queue_dir),
            "data_directory": str(self.data_dir),
            "maillog_file": "/dev/stdout",
            "myhostname": "mail.example.test",
            "mydomain": "example.test",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            # Tests never depend on the machine's DNS; test_reverse_dns.py turns it on
            # against its own dnsmasq.
            "smtpd_peername_lookup": "no",
        }
        if os.geteuid() == 0:
            self.main_cf["mail_owner"] = os.environ.get("CORREIO_TEST_MAIL_OWNER", "nobody")
            # imap-login and pop3-login run as neither root nor mail_owner (docs/prelogin.md).
            self.main_cf["login_user"] = login_user_for_tests(self.main_cf["mail_owner"])
        self.main_cf.update(main_cf or {})
        self.write_main_cf()
        # "{listen}" in master_cf stands for 127.0.0.1:smtp_port.
        self.write_master_cf((master_cf if master_cf is not None else DEFAULT_MASTER_CF)
                             .replace("{listen}", self.listen))
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    # --- configuration -------------------------------------------------------------
    def write_main_cf(self, extra: dict[str, str] | None = None) -> None:
        if extra:
            self.main_cf.update(extra)
        text = "".join(f"{k} = {v}\n" for k, v in self.main_cf.items())
        (self.config_dir / "main.cf").write_text(text)

    def write_master_cf(self, text: str) -> None:
        (self.config_dir / "master.cf").write_text(text)

    # --- commands ------------------------------------------------------------------
    def command(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
        """`correio -c DIR ARGS...`, output captured as text."""
        return subprocess.run([self.binary, "-c", str(self.config_dir), *args],
                              capture_output=True, text=True, timeout=wait_limit(timeout),
                              stdin=subprocess.DEVNULL)

    def start(self, wait_ports: list[int] | None = None, timeout: float = 15) -> None:
        """`start-fg` in the background; returns once every port in wait_ports accepts."""
        self._log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "-c", str(self.config_dir), "start-fg"],
                                     stdout=self._log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        for port in (wait_ports if wait_ports is not None else [self.smtp_port]):
            try:
                wait_for_port(port, timeout=timeout)
            except TimeoutError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"correio exited with {self.proc.returncode}:\n"
                                       f"{self.log_text()}")
                raise
        self.wait_for_log(r"correio/master\[\d+\]: daemon started", timeout=timeout)

    def stop(self, timeout: float = 30) -> None:
        """`correio stop`, then check that the master exited with status 0."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            result = self.command("stop", timeout=timeout)
            assert result.returncode == 0, result.stderr
        try:
            code = self.proc.wait(timeout=wait_limit(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the master did not exit after `stop`")
        self.proc = None
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        assert code == 0, f"master exit status {code}\n{self.log_text()}"
        self.assert_no_sanitizer_report()

    def assert_no_sanitizer_report(self) -> None:
        """A daemon's sanitizer report fails the test even when the client side went well
        (an error at a daemon's exit, say)."""
        text = self.log_text()
        found = SANITIZER_REPORT.search(text)
        assert not found, f"sanitizer report in the log:\n{text[found.start():][:8000]}"

    def kill(self) -> None:
        """Last-resort cleanup: SIGKILL the master and its children."""
        if self.proc and self.proc.poll() is None:
            for pid in child_pids(self.proc.pid):
                os.kill(pid, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def cleanup(self) -> None:
        self.kill()
        if self._log_file:
            self._log_file.close()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "Correio":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.stop()
        finally:
            self.cleanup()

    # --- observation ---------------------------------------------------------------
    @property
    def master_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def service_pids(self) -> list[int]:
        return child_pids(self.master_pid)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_lines(self, pattern: str) -> list[str]:
        regex = re.compile(pattern)
        return [line for line in self.log_text().splitlines() if regex.search(line)]

    def wait_for_log(self, pattern: str, timeout: float = 10, count: int = 1) -> list[str]:
        """Waits until `count` log lines match `pattern` (re.search); returns them."""
        deadline = time.monotonic() + wait_limit(timeout)
        while True:
            lines = self.log_lines(pattern)
            if len(lines) >= count:
                return lines
            if time.monotonic() > deadline:
                raise AssertionError(f"no log line matching {pattern!r} after "
                                     f"{wait_limit(timeout)}s:\n"
                                     f"{self.log_text()}")
            time.sleep(0.05)


@pytest.fixture
def correio():
    """A started instance with one smtpd on 127.0.0.1:correio.smtp_port; stopped after."""
    inst = Correio()
    try:
        inst.start()
        yield inst
        inst.stop()
    finally:
        inst.cleanup()
