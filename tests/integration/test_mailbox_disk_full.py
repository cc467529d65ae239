"""Disk full on the mailbox side (test_disk_full.py covers the queue): the Maildirs live on
a 20 MB tmpfs that a filler file has all but used up. Deliveries that do not fit are
deferred (never bounced, never half-written into new/), an IMAP APPEND that does not fit
gets a tagged NO and leaves no message behind, and once there is room again every
acknowledged message arrives. Needs root (mount)."""

import imaplib
import os
import pwd
import smtplib
import subprocess
import time

import pytest

from correio_fixture import free_port
from delivery_setup import PIPELINE_MASTER_CF, maildir_new, pipeline, queue_is_empty

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")

MESSAGES = 12
BODY_LINES = 1000  # about 78 KB a message


def fill(path, leave_bytes: int, name: str = "filler") -> None:
    """Writes a filler file until only about `leave_bytes` are free on path's file system."""
    st = os.statvfs(path)
    free = st.f_bavail * st.f_frsize
    with open(path / name, "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))


def test_full_mail_store_defers_and_loses_nothing():
    imap_port = free_port()
    inst = pipeline({"minimal_backoff_time": "1s", "maximal_backoff_time": "1s"})
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen)
                         + f"127.0.0.1:{imap_port} inet n - n - - imapd\n"
                         + "  -o auth_allow_cleartext=yes\n")
    mail = inst.base / "mail"
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m,mode=0755", "tmpfs",
                             str(mail)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {result.stderr.strip()}")
    try:
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        inst.start(wait_ports=[inst.smtp_port, imap_port])
        # One message first, so that the Maildir and its index exist; then fill the disk.
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.sendmail("a@remote.example", ["demo@example.test"], b"Subject: first\r\n\r\nx\r\n")
        deadline = time.monotonic() + 20
        while not (maildir_new(inst, "demo").exists() and any(maildir_new(inst, "demo").iterdir())):
            assert time.monotonic() < deadline, inst.log_text()[-3000:]
            time.sleep(0.1)
        # An IMAP session selects INBOX before the disk fills (its index exists then).
        c = imaplib.IMAP4("127.0.0.1", imap_port, timeout=20)
        c.login("demo@example.test", "secret")
        typ, data = c.select("INBOX")
        assert typ == "OK", data
        assert c.create("Other")[0] == "OK"  # a folder never selected: no index yet
        fill(mail, 200_000)

        body = b"".join(b"%04d " % i + b"z" * 72 + b"\r\n" for i in range(BODY_LINES))
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            for i in range(MESSAGES):
                code, reply = s.sendmail("a@remote.example", ["demo@example.test"],
                                         b"Subject: full %d\r\nX-Full: %d\r\n\r\n" % (i, i)
                                         + body) or (250, b"")
        inst.wait_for_log(r"to=<demo@example\.test>.*status=deferred", timeout=30)
        assert not inst.log_lines(r"status=bounced"), inst.log_text()[-3000:]
        # Nothing half-written is visible to the user.
        for path in maildir_new(inst, "demo").iterdir():
            content = path.read_bytes()
            assert content.startswith(b"Return-Path") or b"Subject:" in content
            if b"X-Full:" in content:
                assert content.endswith(b"z" * 72 + b"\n"), path

        # IMAP APPEND into a full disk: a tagged NO, and no message appears.
        typ, data = c.append("INBOX", None, None, b"Subject: append\r\nX-Append: 1\r\n\r\n"
                             + body * 4)
        assert typ == "NO", (typ, data)
        typ, data = c.search(None, "HEADER", "X-Append", "1")
        assert typ == "OK" and data == [b""], data
        c.logout()
        # SELECT of a folder whose index cannot be written must not claim it does not exist.
        fill(mail, 0, "filler2")
        c = imaplib.IMAP4("127.0.0.1", imap_port, timeout=20)
        c.login("demo@example.test", "secret")
        typ, data = c.select("Other")
        c.logout()
        select_on_full_disk = (typ, data)
        print("SELECT on a full disk:", select_on_full_disk)

        # Room again: every acknowledged message arrives, each once and whole.
        (mail / "filler").unlink()
        (mail / "filler2").unlink()
        deadline = time.monotonic() + 40
        while True:
            found = {}
            inbox = maildir_new(inst, "demo").parent  # the IMAP session moves new/ to cur/
            for path in [*(inbox / "new").iterdir(), *(inbox / "cur").iterdir()]:
                content = path.read_bytes()
                for line in content.splitlines():
                    if line.startswith(b"X-Full: "):
                        found[int(line[8:])] = found.get(int(line[8:]), 0) + 1
                        break
            if len(found) == MESSAGES and queue_is_empty(inst):
                break
            assert time.monotonic() < deadline, (sorted(found), inst.log_text()[-3000:])
            time.sleep(0.3)
        assert all(n == 1 for n in found.values()), found
        inst.stop()
        # Known defect, left for the mailbox owners: building the index fails with ENOSPC
        # and SELECT answers "NO [NONEXISTENT] Mailbox doesn't exist" (Dovecot: a NO
        # naming the lack of space).
        if b"NONEXISTENT" in b"".join(select_on_full_disk[1]):
            pytest.xfail(f"SELECT on a full disk: {select_on_full_disk}")
        assert select_on_full_disk[0] in ("OK", "NO"), select_on_full_disk
    finally:
        inst.kill()
        subprocess.run(["umount", "-l", str(mail)], capture_output=True)
        inst.cleanup()
