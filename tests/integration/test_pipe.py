"""The pipe(8) delivery agent: a master.cf `pipe` service reached through
virtual_transport, running a shell script that records its argv and standard input.
Mail is sent with Python's smtplib; checks argv ${...} expansion, flags F/D/O/R, exit 75
(deferred, then retried and delivered) and exit 1 (bounced, the DSN carries the
command's output), and one command per recipient."""

import os
import smtplib
import time
from pathlib import Path

from correio_fixture import LOG_PREFIX
from delivery_setup import PIPELINE_MASTER_CF, pipeline

SCRIPT = """#!/bin/sh
# argv, one a line, then the message, into OUT/<recipient>.<n>
out="{out}"
rcpt="$2"
n=$(ls "$out" | grep -c "^$rcpt\\." )
f="$out/$rcpt.$n"
for a in "$@"; do printf '%s\\n' "$a"; done > "$f.argv"
cat > "$f.msg"
id -un > "$f.user"
case "$rcpt" in
  temp*) [ -e "$out/release" ] || {{ rm -f "$f.argv" "$f.msg" "$f.user"; echo "try later"; exit 75; }} ;;
  fail*) echo "no such mailbox here"; exit 1 ;;
esac
exit 0
"""


def make_instance(tmp_path: Path):
    # Under the instance's directory (mode 0755): the command runs as nobody.
    inst = pipeline({"virtual_transport": "recorder", "recipient_delimiter": "+"})
    # smtpd accepts only recipients the user directory knows.
    with open(inst.config_dir / "users", "a") as users:
        for name in ("other", "temp", "fail"):
            users.write(f"{name}@example.test:{{PLAIN}}secret::::::\n")
    out = inst.base / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    script = inst.base / "record.sh"
    script.write_text(SCRIPT.format(out=out))
    script.chmod(0o755)
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen) +
                         "recorder unix - n n - - pipe flags=FDOR user=nobody\n"
                         f"  argv={script} ${{sender}} ${{recipient}} ${{user}} ${{extension}}\n"
                         "  ${domain} ${mailbox} ${nexthop} ${original_recipient} x${size}\n")
    return inst, out


def send(inst, rcpts: list[str], body: str = "Hello.\n") -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as c:
        c.sendmail("sender@example.test", rcpts,
                   f"From: sender@example.test\nSubject: pipe test\n\n{body}")


def wait_file(path: Path, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists() or path.stat().st_size == 0:
        assert time.monotonic() < deadline, f"{path} not written"  # noqa
        time.sleep(0.1)
    time.sleep(0.2)
    return path.read_text()


def test_pipe_argv_flags_and_one_run_per_recipient(tmp_path):
    inst, out = make_instance(tmp_path)
    try:
        assert inst.command("check").returncode == 0
        inst.start()
        send(inst, ["Demo+box@example.test", "other@example.test"])
        argv = wait_file(out / "Demo+box@example.test.0.argv").splitlines()
        assert argv[0:8] == ["sender@example.test", "Demo+box@example.test", "Demo", "box",
                             "example.test", "Demo+box", "example.test",
                             "Demo+box@example.test"]
        assert argv[8].startswith("x") and int(argv[8][1:]) > 40
        msg = wait_file(out / "Demo+box@example.test.0.msg")
        lines = msg.splitlines()
        assert lines[0].startswith("From sender@example.test ")
        assert "Return-Path: <sender@example.test>" in lines
        assert "Delivered-To: Demo+box@example.test" in lines
        assert "X-Original-To: Demo+box@example.test" in lines
        assert "Subject: pipe test" in lines and "Hello." in lines
        # ${recipient} in argv: one command per recipient.
        assert wait_file(out / "other@example.test.0.argv").splitlines()[1] == "other@example.test"
        assert wait_file(out / "other@example.test.0.user").strip() == "nobody"
        inst.wait_for_log(r"to=<Demo\+box@example\.test>, relay=recorder, .*status=sent "
                          r"\(delivered via recorder service\)")
        inst.stop()
    finally:
        inst.cleanup()


def test_pipe_exit_75_defers_and_exit_1_bounces(tmp_path):
    inst, out = make_instance(tmp_path)
    try:
        inst.start()
        send(inst, ["temp@example.test"])
        inst.wait_for_log(r"to=<temp@example\.test>, relay=recorder, .*status=deferred "
                          r"\(temporary failure\. Command output: try later\)")
        (out / "release").touch()
        wait_file(out / "temp@example.test.0.msg", timeout=30)
        inst.wait_for_log(r"to=<temp@example\.test>, relay=recorder, .*status=sent")

        send(inst, ["fail@example.test"])
        inst.wait_for_log(r"to=<fail@example\.test>, relay=recorder, .*dsn=5\.3\.0, "
                          r"status=bounced \(Command died with status 1: .*no such mailbox here")
        # The bounce goes to the sender, through the same pipe service.
        bounce = wait_file(out / "sender@example.test.0.msg", timeout=30)
        assert "no such mailbox here" in bounce
        assert "fail@example.test" in bounce
        inst.stop()
    finally:
        inst.cleanup()
