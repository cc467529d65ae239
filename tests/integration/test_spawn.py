"""spawn(8) services: a master.cf `spawn` service on 127.0.0.1:PORT runs a shell script as
nobody for each connection, the connection as its standard input and output. A Python
socket client checks the echo, the uid, the maxproc limit (a second client waits until
the first command ends) and that the command's standard error lands in the mail log;
`check` refuses user=root and a missing argv= with master.cf's file and line."""

import os
import pwd
import socket
import time

import pytest

from correio_fixture import Correio, free_port, wait_limit

SCRIPT = """#!/bin/sh
echo "uid $(id -u)"
read line
echo "echo: $line"
echo "spawned command says hello to the log" >&2
"""


def make_instance(maxproc: str = "-", args: str | None = None) -> tuple[Correio, int]:
    port = free_port()
    inst = Correio()
    script = inst.base / "echo.sh"
    script.write_text(SCRIPT)
    script.chmod(0o755)
    args = args if args is not None else f"user=nobody argv={script}"
    inst.write_master_cf(
        "{listen} inet n - n - - smtpd\n".replace("{listen}", inst.listen) +
        f"127.0.0.1:{port} inet n n n - {maxproc} spawn\n  {args}\n")
    return inst, port


def read_line(conn: socket.socket, timeout: float) -> str:
    conn.settimeout(timeout)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        data += chunk
    return data.decode()


def test_spawn_runs_the_command_as_user_on_the_connection():
    inst, port = make_instance()
    try:
        check = inst.command("check")
        assert check.returncode == 0, check.stderr
        inst.start(wait_ports=[inst.smtp_port, port])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            uid = read_line(conn, wait_limit(10)).split()
            expected = pwd.getpwnam("nobody").pw_uid if os.geteuid() == 0 else os.geteuid()
            assert uid == ["uid", str(expected)]
            conn.sendall(b"hello spawn\n")
            assert read_line(conn, wait_limit(10)) == "echo: hello spawn\n"
            assert read_line(conn, wait_limit(10)) == ""  # the command ended: EOF
        inst.wait_for_log(r"correio/spawn\[\d+\]: warning: .*echo\.sh: "
                          r"spawned command says hello to the log")
        inst.stop()
    finally:
        inst.cleanup()


def test_spawn_maxproc_limits_commands_running_at_once():
    inst, port = make_instance(maxproc="1")
    try:
        inst.start(wait_ports=[inst.smtp_port, port])
        first = socket.create_connection(("127.0.0.1", port), timeout=10)
        assert read_line(first, wait_limit(10)).startswith("uid ")
        # The second client is left in the listen backlog while the first command runs.
        second = socket.create_connection(("127.0.0.1", port), timeout=10)
        with pytest.raises(TimeoutError):
            read_line(second, 1.5)
        first.sendall(b"one\n")
        assert read_line(first, wait_limit(10)) == "echo: one\n"
        first.close()
        assert read_line(second, wait_limit(10)).startswith("uid ")
        second.sendall(b"two\n")
        assert read_line(second, wait_limit(10)) == "echo: two\n"
        second.close()
        inst.stop()
    finally:
        inst.cleanup()


def test_spawn_time_limit_ends_the_command():
    inst, port = make_instance()
    try:
        # SERVICE_time_limit, as in Postfix; the script waits for a line that never comes.
        inst.write_main_cf({f"127.0.0.1:{port}_time_limit": "1"})
        inst.start(wait_ports=[inst.smtp_port, port])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            assert read_line(conn, wait_limit(10)).startswith("uid ")
            started = time.monotonic()
            assert read_line(conn, wait_limit(10)) == ""  # killed: EOF
            assert time.monotonic() - started < wait_limit(8)
        inst.wait_for_log(r"correio/spawn\[\d+\]: warning: command .*echo\.sh \(pid \d+\) "
                          r"time limit exceeded")
        inst.stop()
    finally:
        inst.cleanup()


@pytest.mark.parametrize("args,message", [
    ("user=root argv=/bin/cat", r"user= must not be root"),
    ("user=nobody", r"missing argv= command"),
    ("argv=/bin/cat", r"user= attribute is required"),
])
def test_check_refuses_a_bad_spawn_entry_with_file_and_line(args, message):
    import re
    inst, port = make_instance(args=args)
    try:
        check = inst.command("check")
        assert check.returncode == 1
        pattern = (re.escape(str(inst.config_dir / "master.cf")) +
                   rf":2: error: service 127\.0\.0\.1:{port}/inet: spawn: {message}")
        assert re.search(pattern, check.stderr), check.stderr
    finally:
        inst.cleanup()
