"""The mail log as an administrator rotates it: maillog_file renamed by logrotate(8) and
`correio reload` (SIGHUP: the master recreates the file with maillog_file_permissions and
every process reopens it), and `correio logrotate` (Postfix's `postfix logrotate`:
rename to maillog_file.SUFFIX, reopen, gzip). Also the order of a sendmail message's
pickup uid= / cleanup message-id= / qmgr from= lines, which log tools read, and the
double-bounce notice's recipient postmaster@$myorigin."""

from __future__ import annotations

import gzip
import os
import pwd
import re
import smtplib
import stat
import subprocess
import time
from pathlib import Path


from correio_fixture import Correio, wait_for_port, wait_limit
from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages
from imap_setup import ImapInstance
from test_admin_tools import PICKUP, tool

LOG_MODE = 0o640


def log_to_file(inst: Correio) -> Path:
    """Makes the daemons write maillog_file = BASE/mail.log (mode 0640) instead of
    standard output; from then on inst.log_path (read by wait_for_log) is that file, and
    the master's standard output, where nothing should go, is captured apart."""
    maillog = inst.base / "mail.log"
    inst.write_main_cf({"maillog_file": str(maillog),
                        "maillog_file_permissions": f"{LOG_MODE:04o}"})
    stdout_path = inst.base / "stdout"

    def start(wait_ports=None, timeout=15):
        inst._log_file = open(stdout_path, "ab")
        inst.proc = subprocess.Popen([inst.binary, "-c", str(inst.config_dir), "start-fg"],
                                     stdout=inst._log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        for port in (wait_ports if wait_ports is not None else [inst.smtp_port]):
            wait_for_port(port, timeout=timeout)
        inst.wait_for_log(r"correio/master\[\d+\]: daemon started", timeout=timeout)

    inst.start = start
    inst.log_path = maillog
    return maillog


def send_one(port: int, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.sendmail("sender@example.test", ["demo@example.test"],
                   f"From: sender@example.test\r\nTo: demo@example.test\r\n"
                   f"Subject: {subject}\r\n\r\nbody\r\n")


def wait_lines(path: Path, pattern: str, timeout: float = 15) -> list[str]:
    deadline = time.monotonic() + wait_limit(timeout)
    regex = re.compile(pattern)
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        lines = [line for line in text.splitlines() if regex.search(line)]
        if lines:
            return lines
        if time.monotonic() > deadline:
            raise AssertionError(f"no line matching {pattern!r} in {path} after {timeout}s:\n"
                                 f"{text[-4000:]}")
        time.sleep(0.05)


def assert_new_file_mode(path: Path) -> None:
    st = path.stat()
    assert stat.S_IMODE(st.st_mode) == LOG_MODE, oct(st.st_mode)
    if os.geteuid() == 0:
        # Created by the master for the daemons, which run as mail_owner.
        assert st.st_uid == pwd.getpwnam("nobody").pw_uid


def test_reload_after_rename_moves_every_process_to_a_new_file():
    server = ImapInstance()
    inst = server.inst
    maillog = log_to_file(inst)
    old = inst.base / "mail.log.1"
    with server:
        # Before the rotation every process has the file open: one message, one IMAP login.
        send_one(inst.smtp_port, "before")
        wait_for_messages(inst, "demo", 1)
        with server.imap() as imap:
            imap.select("INBOX")
        inst.wait_for_log(r"correio/virtual\[\d+\]: .*status=sent")
        inst.wait_for_log(r"correio/imapd\[\d+\]: .*Logged out|correio/imapd\[\d+\]: .*Disconnected")
        pids_before = set(inst.service_pids())
        # A session open across the reload: its process is handed over, not replaced, and
        # must write its last lines into the new file.
        lingering = server.imap()
        lingering.select("INBOX")

        os.rename(maillog, old)                       # what logrotate(8) does
        result = inst.command("reload")
        assert result.returncode == 0, result.stderr
        # The master has recreated the file, with maillog_file_permissions.
        wait_lines(maillog, r"correio/master\[\d+\]: ")
        assert_new_file_mode(maillog)
        # The children got SIGHUP and reopened; give them the same second Postfix's
        # logrotate gives them.
        time.sleep(1)
        old_size = old.stat().st_size

        send_one(inst.smtp_port, "after")
        wait_lines(maillog, r"correio/virtual\[\d+\]: .*status=sent")
        with server.imap() as imap:
            imap.select("INBOX")
        for daemon in ("smtpd", "cleanup", "qmgr", "virtual", "imapd"):
            wait_lines(maillog, rf"correio/{daemon}\[\d+\]: ")
        # A reload hands every service to new processes (as `postfix reload`); the old
        # imapd still serving the lingering session reopened the log: its logout is here.
        lingering.logout()
        old_pids = "|".join(str(p) for p in pids_before)
        wait_lines(maillog, rf"correio/imapd\[({old_pids})\]: .*(Logged out|Disconnected)")
        new_text = maillog.read_text()
        assert re.search(r"correio/qmgr\[\d+\]: [0-9A-F]+: from=<sender@example\.test>",
                         new_text), new_text
        assert re.search(r"correio/virtual\[\d+\]: [0-9A-F]+: to=<demo@example\.test>.*"
                         r"status=sent", new_text), new_text
        assert re.search(r"correio/imapd\[\d+\]: Login: user=<demo@example\.test>", new_text) \
            or re.search(r"correio/imapd\[\d+\]: .*demo@example\.test", new_text), new_text
        inst.stop()
        old_text = old.read_text()
        # Nothing reached the renamed file after the reopen, not even the shutdown.
        assert old.stat().st_size == old_size, old_text[old_size - 200:]
        assert len(re.findall(r"status=sent", old_text)) == 1, old_text


def test_logrotate_verb_compresses_the_old_file_and_starts_a_fresh_one():
    inst = pipeline({"maillog_file_rotate_suffix": "%Y%m%d-%H%M%S"})
    maillog = log_to_file(inst)
    with inst:
        send_one(inst.smtp_port, "before")
        wait_for_messages(inst, "demo", 1)
        inst.wait_for_log(r"correio/virtual\[\d+\]: .*status=sent")
        before = maillog.read_text()
        result = inst.command("logrotate")
        assert result.returncode == 0, result.stdout + result.stderr
        [rotated] = list(inst.base.glob("mail.log.*"))
        assert re.fullmatch(r"mail\.log\.\d{8}-\d{6}\.gz", rotated.name), rotated.name
        assert not Path(str(rotated)[:-3]).exists()   # gzip replaced it
        with gzip.open(rotated, "rt") as f:
            old_text = f.read()
        assert old_text.startswith(before)
        assert "status=sent" in old_text
        assert maillog.exists()
        assert_new_file_mode(maillog)

        send_one(inst.smtp_port, "after")
        wait_for_messages(inst, "demo", 2)
        for daemon in ("smtpd", "qmgr", "virtual"):
            wait_lines(maillog, rf"correio/{daemon}\[\d+\]: ")
        assert len(re.findall(r"status=sent", maillog.read_text())) == 1
        inst.stop()
        # Late lines (the shutdown) go to the new file, never to the compressed one.
        assert "stopping" in maillog.read_text() or "terminating" in maillog.read_text()
        with gzip.open(rotated, "rt") as f:
            assert f.read() == old_text


def test_sendmail_lines_in_postfix_order():
    inst = pipeline()
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen) + PICKUP)
    with inst:
        result = tool(inst, "sendmail", "-f", "root@example.test", "demo@example.test",
                      stdin=b"Subject: order\n\nbody\n")
        assert result.returncode == 0, result.stderr
        wait_for_messages(inst, "demo", 1)
        [uid_line] = inst.wait_for_log(r"correio/pickup\[\d+\]: [0-9A-F]+: uid=\d+ "
                                       r"from=<root@example\.test>")
        qid = re.search(r": ([0-9A-F]+): uid=", uid_line).group(1)
        inst.wait_for_log(rf"correio/qmgr\[\d+\]: {qid}: removed")
        lines = inst.log_text().splitlines()

        def index(pattern: str) -> int:
            found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
            assert len(found) == 1, (pattern, "\n".join(lines))
            return found[0]

        pickup = index(rf"correio/pickup\[\d+\]: {qid}: uid=")
        cleanup = index(rf"correio/cleanup\[\d+\]: {qid}: message-id=<")
        qmgr = index(rf"correio/qmgr\[\d+\]: {qid}: from=<root@example\.test>")
        assert pickup < cleanup < qmgr, "\n".join(lines)


def test_double_bounce_goes_to_postmaster_at_myorigin():
    # The over-limit message bounces; its sender has no mailbox, so the bounce report
    # (from <>) cannot be delivered either: a double bounce to 2bounce_notice_recipient,
    # the bare "postmaster" qualified with $myorigin as Postfix's cleanup does.
    # notify_classes 2bounce: without it Postfix (and Correio) drop undeliverable bounces.
    inst = pipeline({"virtual_mailbox_limit": "20000", "myorigin": "localhost",
                     "notify_classes": "2bounce"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.sendmail("ghost@example.test", ["demo@example.test"],
                       b"Subject: too big\r\n\r\n" + b"y" * 40000 + b"\r\n")
        inst.wait_for_log(r"to=<postmaster@localhost>", timeout=30)
        log = inst.log_text()
    assert not re.search(r"to=<(root|postmaster)@>", log), log
    assert re.search(r"correio/local\[\d+\]: [0-9A-F]+: to=<root@localhost>, "
                     r"orig_to=<postmaster@localhost>, .*status=sent", log), log
