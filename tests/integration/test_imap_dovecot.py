"""The same Maildir through Correio's IMAP server and through a real Dovecot (Debian's
dovecot-imapd, its imap binary run in PREAUTH mode on the Maildir): UIDVALIDITY, UIDs,
flags, keywords, folders and subscriptions agree both ways."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from imap_setup import ImapInstance

DOVECOT_IMAP = "/usr/lib/dovecot/imap"
pytestmark = pytest.mark.skipif(not os.access(DOVECOT_IMAP, os.X_OK),
                                reason=f"{DOVECOT_IMAP} not installed (package dovecot-imapd)")


def dovecot(maildir: Path, script: str, owner: str | None, namespace_extra: str = "") -> str:
    """Runs an IMAP script through Dovecot on `maildir`; returns its output.
    `namespace_extra` goes inside the inbox namespace (mailbox sections)."""
    conf = maildir.parent / "dovecot-test.conf"
    conf.write_text(f"mail_location = maildir:{maildir}\n"
                    "namespace inbox {\n  inbox = yes\n  separator = .\n"
                    f"{namespace_extra}}}\n"
                    "first_valid_uid = 0\nfirst_valid_gid = 0\nlog_path = /dev/stderr\n")
    conf.chmod(0o644)
    cmd = ["env", "-i", f"HOME={maildir.parent}", "USER=test"]
    if os.geteuid() == 0 and owner:
        pw = pwd.getpwnam(owner)
        cmd += ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups"]
    cmd += [DOVECOT_IMAP, "-c", str(conf)]
    # stdin must be a pipe: Dovecot's ioloop cannot poll a regular file.
    result = subprocess.run(cmd, input=script.encode(), capture_output=True, timeout=60)
    out = result.stdout.decode(errors="replace")
    assert "* PREAUTH" in out, out + result.stderr.decode(errors="replace")
    return out


def uid_flags(text: str) -> dict[int, set[str]]:
    """UID -> flags from FETCH responses, whatever the order of UID and FLAGS."""
    result = {}
    for m in re.finditer(r"\d+ (?:FETCH )?\(([^\r\n]*)\)", text):
        items = m.group(1)
        uid = re.search(r"UID (\d+)", items)
        flags = re.search(r"FLAGS \(([^)]*)\)", items)
        if uid and flags:
            result[int(uid.group(1))] = set(flags.group(1).split())
    return result


def test_mailbox_written_by_correio_opens_in_dovecot():
    with ImapInstance() as s:
        for i in range(3):
            s.send(f"message {i}", subject=f"m{i}")
        c = s.imap()
        deadline_ok = False
        for _ in range(100):
            typ, data = c.select("INBOX")
            if int(data[0]) >= 3:
                deadline_ok = True
                break
            __import__("time").sleep(0.2)
        assert deadline_ok
        validity = c.response("UIDVALIDITY")[1][0].decode()
        c.uid("STORE", "1", "+FLAGS", "(\\Seen $Important)")
        c.uid("STORE", "2", "+FLAGS", "(\\Flagged \\Answered)")
        c.create("Archive.2026")
        c.subscribe("Archive.2026")
        c.append("Archive.2026", "(\\Seen Project)", None, b"Subject: kept\r\n\r\nbody\r\n")
        typ, data = c.uid("FETCH", "1:*", "(UID FLAGS)")
        ours = uid_flags("\r\n".join(d.decode() for d in data))
        c.logout()
        owner = s.inst.main_cf.get("mail_owner")
        maildir = s.inst.base / "mail" / "example.test" / "demo"
        out = dovecot(maildir, "a SELECT INBOX\r\nb UID FETCH 1:* (FLAGS)\r\n"
                               "c LSUB \"\" *\r\nd SELECT Archive.2026\r\n"
                               "e UID FETCH 1:* (FLAGS)\r\nf LOGOUT\r\n", owner)
        assert f"[UIDVALIDITY {validity}]" in out
        inbox_part = out.split("c OK")[0]
        theirs = uid_flags(inbox_part)
        assert theirs == {uid: flags - {"\\Recent"} for uid, flags in ours.items()}
        assert "$Important" in theirs[1]
        assert '"Archive.2026"' in out or " Archive.2026\r" in out
        archive = uid_flags(out.split("d OK")[1])
        assert archive == {1: {"\\Seen", "Project"}}


def test_mailbox_written_by_dovecot_opens_in_correio():
    with ImapInstance() as s:
        owner = s.inst.main_cf.get("mail_owner")
        maildir = s.inst.base / "mail" / "example.test" / "demo"
        maildir.mkdir(parents=True)
        if os.geteuid() == 0 and owner:
            pw = pwd.getpwnam(owner)
            os.chown(maildir, pw.pw_uid, pw.pw_gid)
        m1 = "Subject: one\r\n\r\nfirst\r\n"
        m2 = "Subject: two\r\n\r\nsecond\r\n"
        out = dovecot(maildir,
                      f"a APPEND INBOX (\\Seen Work) {{{len(m1)}+}}\r\n{m1}\r\n"
                      f"b APPEND INBOX (\\Flagged) {{{len(m2)}+}}\r\n{m2}\r\n"
                      "c CREATE Lists.Debian\r\nd SUBSCRIBE Lists.Debian\r\n"
                      "e SELECT INBOX\r\nf UID FETCH 1:* (FLAGS)\r\ng LOGOUT\r\n", owner)
        validity = re.search(r"\[UIDVALIDITY (\d+)\]", out).group(1)
        theirs = uid_flags(out)
        c = s.imap()
        typ, data = c.select("INBOX")
        assert c.response("UIDVALIDITY")[1][0].decode() == validity
        typ, data = c.uid("FETCH", "1:*", "(UID FLAGS)")
        ours = uid_flags("\r\n".join(d.decode() for d in data))
        assert {u: f - {"\\Recent"} for u, f in ours.items()} == \
            {u: f - {"\\Recent"} for u, f in theirs.items()}
        assert "Work" in ours[1]
        typ, data = c.lsub('""', "*")
        assert any(d.endswith(b"Lists.Debian") for d in data)
        typ, data = c.uid("FETCH", "2", "(BODY.PEEK[TEXT])")
        assert b"second" in data[0][1]
        c.logout()
