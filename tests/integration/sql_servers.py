"""Real PostgreSQL and MariaDB servers for the integration tests, each on a private data
directory, socket directory and free TCP port on 127.0.0.1, stopped and removed after.

    with PostgresServer() as pg:          # skips the test when the binaries are missing
        pg.sql("CREATE TABLE ...")         # as the superuser, over the UNIX socket
        pg.port, pg.user, pg.password, pg.dbname   # an ordinary role for Correio (TCP)

When the tests run as root the servers run as their own system account (postgres,
mysql; else nobody), as their packages do: PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from correio_fixture import free_port

TEST_USER = "correio"
TEST_PASSWORD = "db-secret'\\\"pw"  # quotes and a backslash: the query file must cope
TEST_DB = "maildb"


def _service_account(name: str) -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for candidate in (name, "nobody"):
        try:
            return pwd.getpwnam(candidate)
        except KeyError:
            continue
    raise RuntimeError("no unprivileged account to run the database server as")


def _wait_for_tcp(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"database server exited with {proc.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"database server not listening on {port}")
            time.sleep(0.1)


class _Server:
    account_name = ""

    def __init__(self) -> None:
        self.account = _service_account(self.account_name)
        self.base = Path(tempfile.mkdtemp(prefix=f"correio-{self.account_name}-"))
        os.chmod(self.base, 0o755)
        if self.account:
            os.chown(self.base, self.account.pw_uid, self.account.pw_gid)
        self.port = free_port()
        self.user, self.password, self.dbname = TEST_USER, TEST_PASSWORD, TEST_DB
        self.proc: subprocess.Popen | None = None
        self.log = self.base / "server.log"

    def _identity(self) -> dict:
        # The server process itself runs as the account (no runuser in between), so the
        # signals below reach it.
        if not self.account:
            return {}
        return {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": [],
                "cwd": str(self.base)}

    def run_as(self, argv: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(argv, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL, **self._identity())

    def popen_as(self, argv: list[str]) -> subprocess.Popen:
        with open(self.log, "ab") as log:
            return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, **self._identity())

    stop_signal = signal.SIGTERM

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        """Stops and starts the server again: the clients' connections break."""
        self.stop()
        self.start()

    def __enter__(self):
        try:
            self.start()
            self.setup()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class PostgresServer(_Server):
    account_name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: it does not wait for clients to leave

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
        if not bins:
            pytest.skip("PostgreSQL server binaries not installed (Debian package postgresql)")
        self.bin = Path(bins[-1]).parent
        super().__init__()
        self.data = self.base / "data"
        init = self.run_as([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                            "--auth-local=trust", "--auth-host=scram-sha-256",
                            "-E", "UTF8", "--no-sync"])
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stdout}{init.stderr}")

    def start(self) -> None:
        self.proc = self.popen_as([str(self.bin / "postgres"), "-D", str(self.data),
                                   "-p", str(self.port), "-k", str(self.base),
                                   "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
        _wait_for_tcp(self.port, self.proc, self.log)
        for _ in range(100):  # accepting TCP is not yet accepting logins
            if self.run_as([str(self.bin / "pg_isready"), "-h", str(self.base),
                            "-p", str(self.port)]).returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL not ready")

    def sql(self, statements: str, db: str | None = None) -> str:
        """Runs SQL as the superuser over the UNIX socket; returns psql's output."""
        result = self.run_as([str(self.bin / "psql"), "-h", str(self.base), "-p", str(self.port),
                              "-U", "postgres", "-d", db or self.dbname, "-v", "ON_ERROR_STOP=1",
                              "-qAt", "-c", statements])
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def setup(self) -> None:
        quoted = self.password.replace("'", "''")
        self.sql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{quoted}'", db="postgres")
        self.sql(f"CREATE DATABASE {self.dbname} OWNER postgres", db="postgres")


class MariadbServer(_Server):
    account_name = "mysql"

    def __init__(self) -> None:
        self.mariadbd = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin")
        install = shutil.which("mariadb-install-db")
        if not self.mariadbd or not install or not shutil.which("mariadb"):
            pytest.skip("MariaDB server binaries not installed (Debian package mariadb-server)")
        super().__init__()
        self.data = self.base / "data"
        self.socket = self.base / "mysqld.sock"
        argv = [install, "--no-defaults", f"--datadir={self.data}",
                "--auth-root-authentication-method=normal", "--skip-test-db"]
        if self.account:
            argv.append(f"--user={self.account.pw_name}")
        init = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)
        if init.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed: {init.stdout}{init.stderr}")

    def start(self) -> None:
        argv = [self.mariadbd, "--no-defaults", f"--datadir={self.data}",
                f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
                f"--pid-file={self.base / 'mysqld.pid'}", f"--log-error={self.log}",
                "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0"]
        if self.account:
            argv.append(f"--user={self.account.pw_name}")
        # mariadbd switches to --user itself; it must start as root to do so.
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        _wait_for_tcp(self.port, self.proc, self.log)

    def sql(self, statements: str, db: str | None = None) -> str:
        """Runs SQL as root over the UNIX socket; returns the client's output."""
        argv = ["mariadb", "--no-defaults", f"--socket={self.socket}", "-u", "root", "-N", "-B"]
        if db or db is None:
            argv.append(db or self.dbname)
        result = subprocess.run([*argv, "-e", statements], capture_output=True, text=True,
                                timeout=60, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"mariadb failed: {result.stderr}")
        return result.stdout

    def setup(self) -> None:
        quoted = self.password.replace("\\", "\\\\").replace("'", "\\'")
        self.sql(f"CREATE DATABASE {self.dbname} CHARACTER SET utf8mb4;"
                 f"CREATE USER '{self.user}'@'127.0.0.1' IDENTIFIED BY '{quoted}';"
                 f"GRANT SELECT ON {self.dbname}.* TO '{self.user}'@'127.0.0.1'", db="")
