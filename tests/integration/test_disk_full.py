"""Disk full: with the queue on a small tmpfs, smtpd answers 452 4.3.1 when a queue file
cannot be written (at the end of DATA), refuses MAIL with 452 4.3.1 when the declared
SIZE= (plus queue_minfree) does not fit, leaves no partial file behind, and every message
it acknowledged with 250 is delivered once there is room again. Needs root (mount)."""

import os
import re
import smtplib
import subprocess

import pytest

from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")

SMTPD_ONLY_MASTER_CF = "{listen}      inet  n       -       n       -       -       smtpd\n"


def mount_tmpfs(path, size: str) -> None:
    path.mkdir(exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                             str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {result.stderr.strip()}")


def try_send(port: int, body: bytes, size: int | None = None) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port) as s:
        s.ehlo("filler.example")
        code, reply = s.mail("sender@example.test", [f"SIZE={size}"] if size else [])
        if code != 250:
            return code, reply
        assert s.rcpt("demo@example.test")[0] == 250
        return s.data(body)


@ROOT_ONLY
def test_full_queue_answers_452_and_loses_nothing():
    inst = pipeline()
    mount_tmpfs(inst.queue_dir, "2m")
    try:
        # Phase 1: no qmgr, so accepted mail stays in the queue and fills it up.
        inst.write_master_cf(SMTPD_ONLY_MASTER_CF.replace("{listen}", inst.listen))
        inst.start()
        accepted, refusal = [], None
        for i in range(60):
            body = f"Subject: filler {i}\r\n\r\n".encode() + (b"x" * 76 + b"\r\n") * 2500
            code, reply = try_send(inst.smtp_port, body)
            if code == 250:
                accepted.append(re.search(rb"queued as ([0-9A-F]+)", reply).group(1).decode())
                continue
            refusal = (code, reply)
            break
        assert refusal == (452, b"4.3.1 Insufficient system storage"), (refusal, accepted)
        assert len(accepted) >= 3, accepted
        inst.wait_for_log(r"queue file write error: ")
        # The refused message left nothing behind; the accepted ones are all there.
        incoming = sorted(p.name for p in (inst.queue_dir / "incoming").iterdir())
        assert incoming == sorted(accepted), (incoming, accepted)
        # A declared size that cannot fit is refused at MAIL already.
        code, reply = try_send(inst.smtp_port, b"Subject: big\r\n\r\nx\r\n", size=1_000_000)
        assert (code, reply) == (452, b"4.3.1 Insufficient system storage")
        inst.stop()

        # Phase 2: room again, and the whole pipeline: every acknowledged message arrives.
        subprocess.run(["mount", "-o", "remount,size=64m", str(inst.queue_dir)], check=True)
        inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen))
        inst.start()
        wait_for_messages(inst, "demo", len(accepted), timeout=60)
        for qid in accepted:
            inst.wait_for_log(rf"{qid}: to=<demo@example\.test>, .*status=sent", timeout=30)
        inst.stop()
    finally:
        inst.kill()
        subprocess.run(["umount", "-l", str(inst.queue_dir)], capture_output=True)
        inst.cleanup()


def test_queue_minfree_refuses_mail_when_space_is_short():
    inst = pipeline({"queue_minfree": str(1 << 60)})  # more than any disk has
    with inst:
        code, reply = try_send(inst.smtp_port, b"Subject: x\r\n\r\nx\r\n")
        assert (code, reply) == (452, b"4.3.1 Insufficient system storage")
        inst.wait_for_log(r"warning: not enough free space in the queue file system")
    inst2 = pipeline({"queue_minfree": "1000"})
    with inst2:
        code, reply = try_send(inst2.smtp_port, b"Subject: x\r\n\r\nx\r\n", size=100)
        assert code == 250, reply
