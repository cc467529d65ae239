"""The master and the administrator's verbs, driven as an administrator would: start-fg,
start, stop, abort, reload, status, check; supervision of a real smtpd (banner over
smtplib, restart after SIGKILL, throttling of a bad startup); log lines in Postfix's format.
"""

import os
import re
import signal
import smtplib
import subprocess
import time

from correio_fixture import LOG_PREFIX, Correio, child_pids, free_port, wait_for_port

MASTER = LOG_PREFIX + r"correio/master\[\d+\]: "


def banner(port: int) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        code, text = client.noop()
        assert code == 250
        return client.docmd("QUIT")


def greets(port: int) -> bool:
    with smtplib.SMTP(timeout=10) as client:
        code, _ = client.connect("127.0.0.1", port)
        return code == 220


def test_banner_and_log_format(correio):
    assert greets(correio.smtp_port)
    code, _ = banner(correio.smtp_port)
    assert code == 221
    started = correio.log_lines(MASTER + r"daemon started -- version \S+, configuration ")
    assert len(started) == 1
    assert started[0].endswith(str(correio.config_dir))


def test_reload_keeps_listener_and_applies_master_cf(correio):
    # The master forks smtpd when the first connection waits; once it greets, the process
    # exists (in an ASan build the fork can come after start() returned).
    assert greets(correio.smtp_port)
    pids_before = correio.service_pids()
    assert len(pids_before) == 1
    os.kill(correio.master_pid, signal.SIGHUP)
    correio.wait_for_log(MASTER + r"reload -- version \S+, configuration ")
    assert greets(correio.smtp_port)
    # Nothing changed in main.cf or master.cf, but as `postfix reload` a new process takes
    # over (it reads its tables again) and the old one, without sessions, ends.
    deadline = time.monotonic() + 10
    while set(pids_before) & set(correio.service_pids()):
        assert time.monotonic() < deadline, "the old smtpd did not end after the reload"
        time.sleep(0.1)
    assert greets(correio.smtp_port)
    pids_before = correio.service_pids()

    # `correio reload` adds a service on a new port; the old one keeps answering.
    extra = free_port()
    correio.write_master_cf(
        f"{correio.listen} inet n - n - - smtpd\n"
        f"127.0.0.1:{extra} inet n - n - - smtpd -o syslog_name=correio/submission\n")
    result = correio.command("reload")
    assert result.returncode == 0, result.stderr
    assert "refreshing the Correio mail system" in result.stderr
    correio.wait_for_log(MASTER + r"reload -- version", count=2)
    wait_for_port(extra)
    assert greets(extra) and greets(correio.smtp_port)
    # -o syslog_name reaches the service's log tag, as in Postfix.
    correio.wait_for_log(LOG_PREFIX + r"correio/submission/smtpd\[\d+\]: connect from ")
    # Each service has its own process (the unchanged one a new one since the reload).
    deadline = time.monotonic() + 10
    while len(correio.service_pids()) != 2:
        assert time.monotonic() < deadline, correio.service_pids()
        time.sleep(0.1)

    # Removing it again closes its port.
    correio.write_master_cf(f"{correio.listen} inet n - n - - smtpd\n")
    assert correio.command("reload").returncode == 0
    correio.wait_for_log(MASTER + r"reload -- version", count=3)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            greets(extra)
            time.sleep(0.1)
        except OSError:
            break
    else:
        raise AssertionError("the removed service still answers")
    assert greets(correio.smtp_port)


def test_bad_master_cf_at_reload_keeps_old_configuration(correio):
    correio.write_master_cf(f"{correio.listen} inet n - n - - smtpd\nbroken line\n")
    os.kill(correio.master_pid, signal.SIGHUP)
    lines = correio.wait_for_log(MASTER + r"warning: reload failed: .*master\.cf:2: ")
    assert "keeping the current configuration" in lines[0]
    assert correio.proc.poll() is None
    assert greets(correio.smtp_port)


def test_killed_child_is_restarted(correio):
    # The master binds the port before it forks the service: wait for the child.
    deadline = time.monotonic() + 10
    while not correio.service_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = correio.service_pids()
    time.sleep(2.5)  # past the bad-startup window: a crash, not a broken command
    os.kill(child, signal.SIGKILL)
    correio.wait_for_log(
        MASTER + rf"warning: process correio/smtpd pid {child} killed by signal 9$")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pids = correio.service_pids()
        if pids and child not in pids:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("smtpd was not restarted")
    wait_for_port(correio.smtp_port)
    assert greets(correio.smtp_port)
    assert not correio.log_lines("bad command startup")


def test_bad_startup_is_throttled():
    inst = Correio(master_cf="{listen} inet n - n - - smtpd -o message_size_limit=notanumber\n")
    try:
        # The service never comes up: its process exits 1 at once, again and again.
        inst.start(wait_ports=[])
        inst.wait_for_log(MASTER + r"warning: process correio/smtpd pid \d+ exit status 1$")
        inst.wait_for_log(MASTER + r"warning: correio/smtpd: bad command startup -- throttling$")
        inst.wait_for_log(r"bad command startup", count=2, timeout=10)
        # Restarts after 1 s, then 2 s, then 4 s: a handful of attempts, not a spin.
        time.sleep(2)
        assert len(inst.log_lines(r"exit status 1$")) <= 4
        inst.stop()
    finally:
        inst.cleanup()


def test_status_stop_and_not_running():
    inst = Correio()
    try:
        inst.start()
        result = inst.command("status")
        assert result.returncode == 0
        assert re.search(r"correio/postfix-script: the Correio mail system is running: PID: "
                         rf"{inst.master_pid}$", result.stderr.strip())
        # And the processes of each service, counted from /proc.
        assert re.search(rf"correio/postfix-script: service {re.escape(inst.listen)}/inet "
                         r"\(smtpd\): 1 process$", result.stderr, re.M), result.stderr
        # The same verbs through the `postfix` link.
        postfix = os.path.join(os.path.dirname(inst.binary), "postfix")
        if os.path.exists(postfix):
            via_link = subprocess.run([postfix, "-c", str(inst.config_dir), "status"],
                                      capture_output=True, text=True, timeout=30)
            assert via_link.returncode == 0, via_link.stderr
            assert f"PID: {inst.master_pid}" in via_link.stderr
        pid_text = (inst.data_dir / "master.pid").read_text()
        assert pid_text == f"{inst.master_pid:>10}\n"

        result = inst.command("stop")
        assert result.returncode == 0, result.stderr
        assert "stopping the Correio mail system" in result.stderr
        assert inst.proc.wait(timeout=5) == 0
        assert inst.log_lines(MASTER + r"terminating on signal 15$")
        for line in inst.log_lines(r"correio/master\["):
            assert re.match(MASTER, line), line

        result = inst.command("status")
        assert result.returncode == 1
        assert "the Correio mail system is not running" in result.stderr
        assert inst.command("stop").returncode == 1
        assert inst.command("reload").returncode == 1
    finally:
        inst.cleanup()


def test_start_detached_then_stop():
    inst = Correio()
    try:
        with open(inst.log_path, "ab") as log:
            result = subprocess.run([inst.binary, "-c", str(inst.config_dir), "start"],
                                    stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                    timeout=30)
        assert result.returncode == 0, inst.log_text()
        wait_for_port(inst.smtp_port)
        assert greets(inst.smtp_port)
        status = inst.command("status")
        assert status.returncode == 0
        pid = int(status.stderr.strip().rsplit(" ", 1)[1])
        assert os.getsid(pid) == pid  # its own session: detached from ours
        assert child_pids(pid)

        assert inst.command("start").returncode == 1  # already running
        result = inst.command("stop")
        assert result.returncode == 0, result.stderr
        assert inst.command("status").returncode == 1
        inst.wait_for_log(MASTER + r"terminating on signal 15$")
    finally:
        inst.cleanup()


def test_abort_kills_services():
    inst = Correio()
    try:
        inst.start()
        children = inst.service_pids()
        result = inst.command("abort")
        assert result.returncode == 0, result.stderr
        assert "aborting the Correio mail system" in result.stderr
        assert inst.proc.wait(timeout=10) == 0
        time.sleep(0.2)
        for pid in children:
            assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read()
    finally:
        inst.cleanup()


def test_second_master_is_refused(correio):
    second = subprocess.run([correio.binary, "-c", str(correio.config_dir), "start-fg"],
                            capture_output=True, text=True, timeout=30,
                            stdin=subprocess.DEVNULL)
    assert second.returncode == 1
    assert "the Correio mail system is already running" in second.stderr + second.stdout
    assert greets(correio.smtp_port)


def test_check_reports_master_cf_errors_with_line_numbers():
    inst = Correio(master_cf="# comment\n"
                             "127.0.0.1:2525 inet n - n - - smtpd\n"
                             "oops inet n\n"
                             "x inet n - n - - no-such-daemon\n")
    try:
        result = inst.command("check")
        assert result.returncode == 1
        assert re.search(r"master\.cf:3: ", result.stderr), result.stderr
        inst.write_master_cf("127.0.0.1:2525 inet n - n - - smtpd\n"
                             "x inet n - n - - no-such-daemon\n")
        result = inst.command("check")
        assert result.returncode == 1
        assert re.search(r"master\.cf:2: error: unknown command: no-such-daemon", result.stderr)
    finally:
        inst.cleanup()


def test_check_creates_queue_and_data_directories():
    inst = Correio()
    try:
        result = inst.command("check")
        assert result.returncode == 0, result.stderr
        modes = {"maildrop": 0o1733, "incoming": 0o700, "active": 0o700, "deferred": 0o700,
                 "hold": 0o700, "corrupt": 0o700, "bounce": 0o700, "defer": 0o700,
                 "pid": 0o700}
        for name, mode in modes.items():
            st = (inst.queue_dir / name).stat()
            assert st.st_mode & 0o7777 == mode, name
        assert (inst.data_dir.stat().st_mode & 0o7777) == 0o700
        if os.geteuid() == 0:
            import pwd
            owner = pwd.getpwnam(inst.main_cf["mail_owner"]).pw_uid
            assert (inst.queue_dir / "incoming").stat().st_uid == owner
            assert inst.data_dir.stat().st_uid == owner
    finally:
        inst.cleanup()


def test_unknown_command_is_skipped_with_a_warning():
    with Correio(master_cf="{listen} inet n - n - - smtpd\n"
                           "later unix n - n - - not-built-yet\n") as inst:
        assert greets(inst.smtp_port)
        inst.wait_for_log(MASTER + r"warning: .*master\.cf:2: unknown command: not-built-yet")


def test_stop_lets_open_sessions_finish():
    inst = Correio()
    try:
        inst.start()
        client = smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10)
        client.ehlo("client.example.test")
        stopper = subprocess.Popen([inst.binary, "-c", str(inst.config_dir), "stop"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        inst.wait_for_log(MASTER + r"terminating on signal 15$")
        time.sleep(0.3)
        # The session in progress is still served; new connections are not accepted.
        assert client.noop()[0] == 250
        try:
            socket_refused = not greets(inst.smtp_port)
        except OSError:
            socket_refused = True
        assert socket_refused
        assert stopper.poll() is None  # `stop` waits for the master
        assert client.docmd("QUIT")[0] == 221
        client.close()
        assert stopper.wait(timeout=10) == 0
        assert inst.proc.wait(timeout=5) == 0
        assert not inst.log_lines(r"killed by signal")
    finally:
        inst.cleanup()


def test_wakeup_column_triggers_fifo_services():
    # The fifo's reader here is the test itself: the smtpd started for it cannot serve a
    # fifo and exits (throttled), which does not stop the master's wakeup timer.
    with Correio(master_cf="{listen} inet n - n - - smtpd\n"
                           "tick fifo n - n 1 1 smtpd\n") as inst:
        fifo = inst.queue_dir / "public" / "tick"
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            deadline = time.monotonic() + 5
            data = b""
            while time.monotonic() < deadline and b"W" not in data:
                time.sleep(0.2)
                try:
                    data += os.read(fd, 64)
                except BlockingIOError:
                    pass
            assert b"W" in data
        finally:
            os.close(fd)
