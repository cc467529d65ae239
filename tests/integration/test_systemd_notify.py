"""The master speaks systemd's notification protocol (sd_notify(3)) for the Type=notify
unit, tested with the socket systemd would hold: READY=1 only once every listener accepts,
RELOADING=1 then READY=1 around a reload (SIGHUP), STOPPING=1 on SIGTERM, MAINPID the
master's; no daemon inherits $NOTIFY_SOCKET. Also prints how long start-up takes."""

import os
import signal
import socket
import subprocess
import time

from correio_fixture import Correio, child_pids, free_port, wait_limit


def receive(sock: socket.socket, timeout: float) -> dict[str, str]:
    sock.settimeout(wait_limit(timeout))
    data = sock.recv(4096).decode()
    return dict(line.split("=", 1) for line in data.splitlines() if "=" in line)


def test_ready_reloading_and_stopping_reach_the_notify_socket(tmp_path):
    imap_port = free_port()
    inst = Correio(master_cf=f"{{listen}} inet n - n - - smtpd\n"
                             f"127.0.0.1:{imap_port} inet n - n - - imapd\n"
                             "qmgr unix n - n 300 1 qmgr\n")
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    inst.write_main_cf({"user_directory": f"passwd-file:{users}"})
    path = str(tmp_path / "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    log = open(inst.log_path, "ab")
    started = time.monotonic()
    proc = subprocess.Popen([inst.binary, "-c", str(inst.config_dir), "start-fg"],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=dict(os.environ, NOTIFY_SOCKET=path))
    try:
        ready = receive(listener, 15)
        elapsed = time.monotonic() - started
        # At READY=1 every listener is bound: connections succeed at once.
        for port in (inst.smtp_port, imap_port):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        assert ready["READY"] == "1" and ready["MAINPID"] == str(proc.pid), ready
        print(f"master: READY=1 {elapsed * 1000:.0f} ms after exec")

        # The daemons it started do not carry the socket.
        inst.wait_for_log(r"correio/master\[\d+\]: daemon started")
        deadline = time.monotonic() + wait_limit(10)
        while len(child_pids(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        children = child_pids(proc.pid)
        assert children
        master_cmdline = open(f"/proc/{proc.pid}/cmdline", "rb").read()
        for pid in children:
            # A child caught between fork and exec still shows the master's own first
            # environment (unsetenv does not rewrite it): wait for its exec.
            limit = time.monotonic() + 5
            while (open(f"/proc/{pid}/cmdline", "rb").read() == master_cmdline
                   and time.monotonic() < limit):
                time.sleep(0.02)
            environ = open(f"/proc/{pid}/environ", "rb").read()
            assert b"NOTIFY_SOCKET=" not in environ, pid

        proc.send_signal(signal.SIGHUP)
        assert receive(listener, 10).get("RELOADING") == "1"
        assert receive(listener, 10).get("READY") == "1"

        proc.send_signal(signal.SIGTERM)
        assert receive(listener, 10).get("STOPPING") == "1"
        assert proc.wait(timeout=wait_limit(30)) == 0
    finally:
        if proc.poll() is None:
            for pid in child_pids(proc.pid):
                os.kill(pid, signal.SIGKILL)
            proc.kill()
            proc.wait()
        log.close()
        listener.close()
        inst.cleanup()


def test_without_notify_socket_nothing_changes(tmp_path):
    # Not under systemd: no socket named, and a relative name is ignored as sd_notify does.
    inst = Correio()
    os.environ["NOTIFY_SOCKET"] = "relative-name"
    try:
        with inst:
            assert inst.proc.poll() is None
            assert not (inst.config_dir / "relative-name").exists()
    finally:
        del os.environ["NOTIFY_SOCKET"]
