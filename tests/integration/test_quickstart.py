"""`correio quickstart`: the printed examples work as printed.

Runs the quick start in a fresh directory, starts Correio on it, and executes the
printed swaks (submission with STARTTLS and AUTH PLAIN, with the generated password) and
sendmail commands with real swaks and a shell; the mail must land in the Maildir. The
quick start's fixed loopback ports are moved to free ones (other test runs share the
machine), in master.cf and in the printed commands alike.
"""
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import tempfile
import time

import pytest

from correio_fixture import free_port, wait_for_port

BIN = pathlib.Path(os.environ.get("CORREIO_BIN", "build/bin/correio")).resolve()


@pytest.fixture
def quickstart():
    # Under /tmp with 0755 folders: when run as root, the services drop to mail_owner.
    top = pathlib.Path(tempfile.mkdtemp(prefix="correio-qs-"))
    top.chmod(0o755)
    qs = top / "qs"
    env = {k: v for k, v in os.environ.items() if k != "MAIL_CONFIG"}
    made = subprocess.run([str(BIN), "quickstart", str(qs)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert made.returncode == 0, made.stderr
    ports = {}
    master = (qs / "master.cf").read_text()
    for old in sorted(set(re.findall(r"127\.0\.0\.1:(\d+)", master))):
        ports[old] = str(free_port())
        master = master.replace(f"127.0.0.1:{old} ", f"127.0.0.1:{ports[old]} ")
    (qs / "master.cf").write_text(master)
    screen = made.stdout
    for old, new in ports.items():
        screen = screen.replace(f"127.0.0.1:{old}", f"127.0.0.1:{new}")
        screen = screen.replace(f"'127.0.0.1',{old}", f"'127.0.0.1',{new}")
    log = open(top / "log", "w")
    proc = subprocess.Popen([str(BIN), "-c", str(qs), "start-fg"], stdout=log,
                            stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(int(ports["2587"]), timeout=30)
        yield qs, screen, made.stdout
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(top, ignore_errors=True)


def delivered(qs, count, timeout=30):
    new = qs / "mail" / "example.test" / "demo" / "new"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = list(new.glob("*")) if new.exists() else []
        if len(files) >= count:
            return [f.read_bytes() for f in files]
        time.sleep(0.2)
    pytest.fail(f"{count} message(s) not delivered to {new}")


def printed(screen, prefix):
    lines = [l.strip() for l in screen.splitlines() if l.strip().startswith(prefix)]
    assert lines, f"no line starting with {prefix!r} in:\n{screen}"
    return lines


def test_printed_commands_use_the_real_password_and_paths(quickstart):
    qs, _, original = quickstart
    password = (qs / "demo-password").read_text().strip()
    assert f"password {password}" in original
    assert "PASSWORD" not in original
    assert f"--auth-password {password}" in original
    assert f"{qs}/tls/cert.pem" in original
    assert f"sendmail -C {qs} " in original
    assert f"MAIL_CONFIG={qs} " in original


def test_printed_swaks_submission_delivers(quickstart):
    qs, screen, _ = quickstart
    # Submission with STARTTLS (--tls) and submissions with implicit TLS (--tlsc).
    lines = [l for l in printed(screen, "swaks ") if "--auth-password" in l]
    assert len(lines) == 2 and any("--tls " in l for l in lines)
    for n, line in enumerate(lines, start=1):
        argv = shlex.split(line)
        assert shutil.which(argv[0]), "swaks is installed for tests"
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "235 " in proc.stdout  # RFC 4954: authentication succeeded
        messages = delivered(qs, n)
    assert all(b"demo@example.test" in m for m in messages)


def test_printed_sendmail_and_mailq_work(quickstart):
    qs, screen, _ = quickstart
    [send] = printed(screen, "printf ")
    proc = subprocess.run(["/bin/sh", "-c", send], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    [message] = delivered(qs, 1)
    assert b"Subject: hi" in message
    [mailq] = printed(screen, "MAIL_CONFIG=")
    proc = subprocess.run(["/bin/sh", "-c", mailq], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
