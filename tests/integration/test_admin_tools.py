"""The administrator's commands against a running instance: sendmail (and bsd-mailx through
it) into the Maildir via maildrop/ and pickup, mailq/postqueue listing in Postfix's
format, postqueue -f, postsuper -h/-H/-r/-d, and qshape."""

import json
import os
import re
import shutil
import smtplib
import subprocess
import time

import pytest

from correio_fixture import CORREIO_BIN, wait_limit
from delivery_setup import PIPELINE_MASTER_CF, pipeline, queue_is_empty, wait_for_messages

BIN_DIR = os.path.dirname(CORREIO_BIN)
PICKUP = "pickup        unix  n       -       n       60      1       pickup\n"

# Mail to other hosts is deferred ("mail transport unavailable": no SMTP client yet);
# long backoffs keep it in deferred/ so the tests see what each command changes.
SLOW_RETRY = {"minimal_backoff_time": "300s", "maximal_backoff_time": "4000s",
              "queue_run_delay": "300s"}


def instance(extra=None):
    inst = pipeline(extra)
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen) + PICKUP)
    return inst


def tool(inst, name, *args, stdin=None, env=None):
    """Runs the link NAME (argv[0] dispatch) with MAIL_CONFIG pointing at the instance."""
    environment = dict(os.environ, MAIL_CONFIG=str(inst.config_dir), TZ="UTC", **(env or {}))
    return subprocess.run([os.path.join(BIN_DIR, name), *args], input=stdin,
                          capture_output=True, env=environment, timeout=wait_limit(30))


def deferred_ids(inst):
    folder = inst.queue_dir / "deferred"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def wait_deferred(inst, count=1, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        ids = deferred_ids(inst)
        logs = [i for i in ids if (inst.queue_dir / "defer" / i).exists()]
        if len(logs) >= count:
            return ids
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing deferred after {timeout}s\n{inst.log_text()[-3000:]}")
        time.sleep(0.05)


def queue_files(inst, sub):
    return sorted(p.name for p in (inst.queue_dir / sub).iterdir())


def test_sendmail_t_delivers_with_pickup_headers():
    inst = instance()
    with inst:
        message = (b"To: Demo User <demo@example.test>\n"
                   b"Bcc: sender@example.test\n"
                   b"Subject: from sendmail\n"
                   b"\n"
                   b"body line\n"
                   b".\n"
                   b"after the dot\n")
        result = tool(inst, "sendmail", "-t", "-i", "-F", "Root User", "-f", "root@example.test",
                      stdin=message)
        assert result.returncode == 0, result.stderr
        [path] = wait_for_messages(inst, "demo", 1)
        assert list((inst.queue_dir / "maildrop").iterdir()) == []  # pickup took it
        data = path.read_bytes()
        [bcc_copy] = wait_for_messages(inst, "sender", 1)
        assert bcc_copy.read_bytes().endswith(b"after the dot\n")
        uid = os.getuid()
        assert re.search(rb"\nReceived: by mail\.example\.test \(Correio, from userid %d\)\n"
                         rb"\tid [0-9A-F]+; \w{3}, " % uid, data), data
        assert re.search(rb"\nMessage-Id: <\d{14}\.[0-9A-F]+@mail\.example\.test>\n", data)
        assert b"\nDate: " in data
        assert b"\nFrom: Root User <root@example.test>\n" in data
        assert b"Bcc:" not in data
        assert data.endswith(b"\nbody line\n.\nafter the dot\n")  # -i: the dot is content
        assert data.startswith(b"Return-Path: <root@example.test>\n")
        inst.wait_for_log(r"correio/pickup\[\d+\]: [0-9A-F]+: uid=%d from=<root@example.test>"
                          % uid)


def test_sendmail_without_i_stops_at_a_lone_dot_and_qualifies_addresses():
    inst = instance({"myorigin": "example.test"})
    with inst:
        result = tool(inst, "sendmail", "-f", "sender", "demo",
                      stdin=b"Subject: dot\r\n\r\nfirst\r\n.\r\nnever stored\r\n")
        assert result.returncode == 0, result.stderr
        [path] = wait_for_messages(inst, "demo", 1)
        data = path.read_bytes()
        assert data.startswith(b"Return-Path: <sender@example.test>\n")
        assert data.endswith(b"\nfirst\n")
        assert b"\nFrom: sender@example.test\n" in data


def test_sendmail_errors_use_sysexits_codes():
    inst = instance()
    try:
        inst.command("check")
        no_rcpt = tool(inst, "sendmail", stdin=b"Subject: x\n\nbody\n")
        assert no_rcpt.returncode == 64  # EX_USAGE
        assert b"Recipient addresses must be specified" in no_rcpt.stderr
        no_header_rcpt = tool(inst, "sendmail", "-t", stdin=b"Subject: x\n\nbody\n")
        assert no_header_rcpt.returncode == 65  # EX_DATAERR
        assert b"No recipient addresses found in message header" in no_header_rcpt.stderr
        bad = tool(inst, "sendmail", "-bz", "demo@example.test", stdin=b"")
        assert bad.returncode == 64
        bad_n = tool(inst, "sendmail", "-N", "sometimes", "demo@example.test", stdin=b"")
        assert bad_n.returncode == 64
        # Nothing half-written is left behind.
        assert list((inst.queue_dir / "maildrop").iterdir()) == []
    finally:
        inst.cleanup()


def test_bsd_mailx_sends_through_our_sendmail():
    if shutil.which("mail") is None or shutil.which("unshare") is None:
        pytest.skip("bsd-mailx or unshare missing")
    inst = instance()
    with inst:
        # bsd-mailx runs /usr/sbin/sendmail; a private mount namespace puts ours there.
        script = (f"mount --bind {CORREIO_BIN} /usr/sbin/sendmail && "
                  "exec mail -s 'via mailx' demo@example.test")
        env = dict(os.environ, MAIL_CONFIG=str(inst.config_dir))
        result = subprocess.run(["unshare", "-m", "sh", "-c", script], input=b"hello from mailx\n",
                                capture_output=True, env=env, timeout=30)
        if result.returncode != 0 and b"mount" in result.stderr:
            pytest.skip("no mount namespaces here: " + result.stderr.decode())
        assert result.returncode == 0, result.stderr
        [path] = wait_for_messages(inst, "demo", 1)
        data = path.read_bytes()
        assert b"\nSubject: via mailx\n" in data
        assert data.endswith(b"hello from mailx\n")


MAILQ_HEADER = "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------"


def test_mailq_lists_deferred_mail_in_postfix_format_and_json():
    inst = instance(SLOW_RETRY)
    with inst:
        empty = tool(inst, "mailq")
        assert empty.returncode == 0
        assert empty.stdout == b"Mail queue is empty\n"
        assert tool(inst, "sendmail", "-f", "demo@example.test", "far@remote.test",
                    stdin=b"Subject: later\n\nbody\n").returncode == 0
        [qid] = wait_deferred(inst)
        out = tool(inst, "mailq").stdout.decode()
        lines = out.split("\n")
        assert lines[0] == MAILQ_HEADER
        assert re.fullmatch(r"%s +\d+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d  demo@example\.test"
                            % qid, lines[1]), out
        assert lines[1].index("demo@") == 42
        reason = "(mail transport unavailable)"
        assert lines[2] == " " * (76 - len(reason) + 2) + reason, out
        assert lines[3] == " " * 41 + "far@remote.test"
        assert re.fullmatch(r"-- \d+ Kbytes in 1 Request\.", lines[5]), out
        assert lines[4] == "" and lines[6] == ""
        assert tool(inst, "postqueue", "-p").stdout.decode() == out
        assert tool(inst, "sendmail", "-bp").stdout.decode() == out

        [line] = tool(inst, "postqueue", "-j").stdout.decode().splitlines()
        obj = json.loads(line)
        assert obj["queue_name"] == "deferred"
        assert obj["queue_id"] == qid
        assert obj["sender"] == "demo@example.test"
        assert obj["recipients"] == [{"address": "far@remote.test",
                                      "delay_reason": "mail transport unavailable"}]
        assert isinstance(obj["arrival_time"], int) and obj["message_size"] > 0


def test_postqueue_f_retries_deferred_mail_at_once():
    inst = instance(SLOW_RETRY)
    with inst:
        assert tool(inst, "sendmail", "far@remote.test", stdin=b"Subject: x\n\nb\n").returncode == 0
        [qid] = wait_deferred(inst)
        pattern = r"qmgr\[\d+\]: %s: from=<.*\(queue active\)" % qid
        assert len(inst.log_lines(pattern)) == 1
        result = tool(inst, "postqueue", "-f")
        assert result.returncode == 0, result.stderr
        inst.wait_for_log(pattern, count=2, timeout=10)  # queue_run_delay is 300s
        wait_deferred(inst)
        # postqueue -i ID, sendmail -q and `postfix flush` do the same.
        assert tool(inst, "postqueue", "-i", qid).returncode == 0
        inst.wait_for_log(pattern, count=3, timeout=10)
        wait_deferred(inst)
        flush = subprocess.run([os.path.join(BIN_DIR, "postfix"), "-c", str(inst.config_dir),
                                "flush"], capture_output=True, timeout=30)
        assert flush.returncode == 0, flush.stderr
        inst.wait_for_log(pattern, count=4, timeout=10)
        missing = tool(inst, "postqueue", "-i", "ABCDE123")
        assert missing.returncode != 0


def test_postsuper_hold_release_requeue_delete():
    inst = instance(SLOW_RETRY)
    with inst:
        for n in range(2):
            assert tool(inst, "sendmail", f"far{n}@remote.test",
                        stdin=b"Subject: x\n\nb\n").returncode == 0
        ids = wait_deferred(inst, 2)
        first, second = ids

        held = tool(inst, "postsuper", "-h", first)
        assert held.returncode == 0
        assert held.stderr.decode() == (f"postsuper: {first}: placed on hold\n"
                                        "postsuper: Placed on hold: 1 message\n")
        assert queue_files(inst, "hold") == [first]
        listing = tool(inst, "mailq").stdout.decode()
        assert re.search(r"^%s! " % first, listing, re.M), listing
        assert "in 2 Requests." in listing

        released = tool(inst, "postsuper", "-H", "ALL")
        assert released.stderr.decode() == (f"postsuper: {first}: released from hold\n"
                                            "postsuper: Released from hold: 1 message\n")
        assert queue_files(inst, "hold") == []
        assert first in deferred_ids(inst)

        pattern = r"qmgr\[\d+\]: %s: from=<.*\(queue active\)" % second
        requeued = tool(inst, "postsuper", "-r", second)
        assert requeued.stderr.decode() == (f"postsuper: {second}: requeued\n"
                                            "postsuper: Requeued: 1 message\n")
        inst.wait_for_log(pattern, count=2, timeout=10)
        wait_deferred(inst, 2)

        # IDs on standard input, as `mailq | ... | postsuper -d -` pipelines feed them.
        deleted = tool(inst, "postsuper", "-d", "-", "deferred",
                       stdin=f"{first}\n{second}*\n".encode())
        assert deleted.returncode == 0, deleted.stderr
        assert deleted.stderr.decode() == (f"postsuper: {first}: removed\n"
                                           f"postsuper: {second}: removed\n"
                                           "postsuper: Deleted: 2 messages\n")
        assert queue_is_empty(inst)
        assert queue_files(inst, "defer") == []
        assert tool(inst, "mailq").stdout == b"Mail queue is empty\n"
        assert tool(inst, "postsuper", "-d", "not/an/id").returncode == 64


def test_postsuper_purges_temporary_files_and_fixes_names():
    inst = instance(SLOW_RETRY)
    with inst:
        assert tool(inst, "sendmail", "far@remote.test", stdin=b"Subject: x\n\nb\n").returncode == 0
        [qid] = wait_deferred(inst)
        inst.stop()
        # Leftovers of crashed writers, and a file copied in under a stale name.
        (inst.queue_dir / "incoming" / "tmp.1.2").write_bytes(b"partial")
        (inst.queue_dir / "maildrop" / ("t" + "A" * 32)).write_bytes(b"partial")
        (inst.queue_dir / "defer" / "ABCDE1.tmp").write_bytes(b"partial")
        (inst.queue_dir / "defer" / "ABCDE2").write_bytes(b"orphan")
        stale = "ABCDE" + "F" * 8
        shutil.copy(inst.queue_dir / "deferred" / qid, inst.queue_dir / "deferred" / stale)
        os.unlink(inst.queue_dir / "deferred" / qid)
        result = tool(inst, "postsuper", "-s", "-p")
        assert result.returncode == 0, result.stderr
        err = result.stderr.decode()
        assert "incoming/tmp.1.2: removed temporary file" in err
        assert f"deferred/{stale}: renamed to " in err
        assert "defer/ABCDE2: removed log of a message that is gone" in err
        assert queue_files(inst, "incoming") == []
        assert queue_files(inst, "maildrop") == []
        assert "ABCDE1.tmp" not in queue_files(inst, "defer")
        [renamed] = deferred_ids(inst)
        ino = os.stat(inst.queue_dir / "deferred" / renamed).st_ino
        assert renamed == "ABCDE" + format(ino, "X")


def test_qshape_shows_domains_by_age():
    inst = instance(SLOW_RETRY)
    with inst:
        for rcpt in ("a@remote.test", "b@remote.test", "c@other.test"):
            assert tool(inst, "sendmail", "-f", "demo@example.test", rcpt,
                        stdin=b"Subject: x\n\nb\n").returncode == 0
        wait_deferred(inst, 3)
        out = tool(inst, "qshape", "deferred").stdout.decode().splitlines()
        # Right-justified to column 80, as Postfix's qshape prints it.
        assert out[0] == " " * 41 + "T  5 10 20 40 80 160 320 640 1280 1280+"
        assert out[1] == " " * 34 + "TOTAL  3  3  0  0  0  0   0   0   0    0     0"
        assert out[2] == " " * 28 + "remote.test  2  2  0  0  0  0   0   0   0    0     0"
        assert out[3] == " " * 29 + "other.test  1  1  0  0  0  0   0   0   0    0     0"
        senders = tool(inst, "qshape", "-s", "-b", "3", "deferred").stdout.decode().splitlines()
        assert senders[0].endswith("T  5 10 10+")
        assert senders[2].split() == ["example.test", "3", "3", "0", "0"]
        # Default queues are incoming and active: nothing there now.
        idle = tool(inst, "qshape").stdout.decode().splitlines()
        assert idle[1].split() == ["TOTAL"] + ["0"] * 11


def test_postsuper_logs_each_action_and_the_summary_to_the_mail_log():
    """Postfix's postsuper logs what it did: `postfix/postsuper[PID]: ID: removed` and the
    summary, besides telling the operator on standard error."""
    inst = instance(SLOW_RETRY)
    inst.write_main_cf({"maillog_file": str(inst.log_path)})  # a real file, as in production
    with inst:
        for n in range(2):
            assert tool(inst, "sendmail", f"far{n}@remote.test",
                        stdin=b"Subject: x\n\nb\n").returncode == 0
        first, second = wait_deferred(inst, 2)
        tag = r"correio/postsuper\[(\d+)\]: "
        assert tool(inst, "postsuper", "-h", first).returncode == 0
        [held] = inst.wait_for_log(tag + f"{first}: placed on hold$")
        [summary] = inst.wait_for_log(tag + "Placed on hold: 1 message$")
        pid = re.search(tag, held).group(1)
        assert re.search(tag, summary).group(1) == pid
        assert tool(inst, "postsuper", "-H", "ALL").returncode == 0
        inst.wait_for_log(tag + f"{first}: released from hold$")
        inst.wait_for_log(tag + "Released from hold: 1 message$")
        assert tool(inst, "postsuper", "-r", second).returncode == 0
        inst.wait_for_log(tag + f"{second}: requeued$")
        inst.wait_for_log(tag + "Requeued: 1 message$")
        wait_deferred(inst, 2)
        assert tool(inst, "postsuper", "-d", "ALL").returncode == 0
        inst.wait_for_log(tag + f"{first}: removed$")
        inst.wait_for_log(tag + f"{second}: removed$")
        inst.wait_for_log(tag + "Deleted: 2 messages$")
        # Nothing is logged for an ID that matched nothing.
        assert tool(inst, "postsuper", "-d", "ABCDE12345").returncode == 0
        assert len(inst.log_lines(tag + "Deleted:")) == 1


def test_postqueue_j_is_json_for_utf8_quotes_backslashes_and_control_characters():
    inst = instance(SLOW_RETRY)
    with inst:
        sender = '"a\\"q\\\\b"@r\u00e9mote.test'          # "a\"q\\b"@rémote.test
        rcpt = '"\u00fc\\"x\\\\"@remote.test'              # "ü\"x\\"@remote.test
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.send(f"MAIL FROM:<{sender}> SMTPUTF8\r\n".encode())
            assert s.getreply()[0] == 250
            s.send(f"RCPT TO:<{rcpt}>\r\n".encode())
            assert s.getreply()[0] == 250
            assert s.data(b"Subject: odd\r\n\r\nbody\r\n")[0] == 250
        # Local submission takes a control character in -f (smtpd would refuse it).
        control_sender = "ctl\x01\ttab@example.test"
        assert tool(inst, "sendmail", "-f", control_sender, "far@remote.test",
                    stdin=b"Subject: x\n\nb\n").returncode == 0
        wait_deferred(inst, 2)
        out = tool(inst, "postqueue", "-j")
        assert out.returncode == 0, out.stderr
        lines = out.stdout.decode("utf-8").splitlines()
        assert len(lines) == 2, out.stdout
        objects = [json.loads(line) for line in lines]
        by_sender = {o["sender"]: o for o in objects}
        assert set(by_sender) == {sender, control_sender}, by_sender
        assert [r["address"] for r in by_sender[sender]["recipients"]] == [rcpt]
        assert by_sender[control_sender]["recipients"] == [
            {"address": "far@remote.test", "delay_reason": "mail transport unavailable"}]
        for o in objects:
            assert o["queue_name"] == "deferred" and o["forced_expire"] is False
