"""mailbox_command and mailbox_command_maps with Debian's procmail and maildrop, as
Postfix's local(8) runs them: as the recipient, with HOME/USER/EXTENSION/... in the
environment, the command line not $-expanded by main.cf, and the exit status read as
sysexits(3) (EX_TEMPFAIL defers, EX_NOUSER bounces with 5.1.1). forward_path picks
.forward+EXTENSION before .forward. Real pipeline: smtpd, qmgr, local; real system users
made for the test (so it needs root, as local delivery to system accounts does)."""

import os
import pwd
import shutil
import smtplib
import subprocess
import tempfile
from pathlib import Path

import pytest

from delivery_setup import pipeline

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: local delivery to system users"),
    pytest.mark.skipif(not (shutil.which("procmail") and shutil.which("maildrop")),
                       reason="procmail and maildrop (Debian packages) are not installed"),
]


class SystemUser:
    """A throw-away account whose home is under the test instance."""

    def __init__(self, name: str, home: Path):
        self.name, self.home = name, home
        subprocess.run(["useradd", "-M", "-N", "-d", str(home), "-s", "/bin/sh", name],
                       check=True)
        home.mkdir(parents=True)
        entry = pwd.getpwnam(name)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        for sub in ("cur", "new", "tmp"):
            (home / "Maildir" / sub).mkdir(parents=True)

    def write(self, relative: str, text: str, mode: int = 0o644) -> None:
        path = self.home / relative
        path.write_text(text)
        path.chmod(mode)

    def give_home(self) -> None:
        for root, dirs, files in os.walk(self.home):
            for n in [root, *[os.path.join(root, x) for x in dirs + files]]:
                os.chown(n, self.uid, self.gid)

    def remove(self) -> None:
        subprocess.run(["userdel", self.name], check=False, stderr=subprocess.DEVNULL)

    def messages(self, folder: str = "") -> list[str]:
        new = self.home / "Maildir" / folder / "new"
        return [p.read_text() for p in sorted(new.iterdir())] if new.exists() else []


@pytest.fixture
def users():
    # Not under pytest's tmp_path: its parents are 0700, and the users must reach home.
    base = Path(tempfile.mkdtemp(prefix="correio-mbcmd-"))
    base.chmod(0o755)
    made = []
    suffix = str(os.getpid())[-5:]

    def make(prefix: str) -> SystemUser:
        u = SystemUser(f"{prefix}{suffix}", base / f"{prefix}{suffix}")
        made.append(u)
        return u

    yield make
    for u in made:
        u.remove()
    shutil.rmtree(base, ignore_errors=True)


def send(inst, rcpt: str, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example")
        assert s.mail("alice@remote.example")[0] == 250
        code, reply = s.rcpt(rcpt)
        assert code == 250, reply
        assert s.data(f"Subject: {subject}\r\n\r\nbody\r\n".encode())[0] == 250


def test_procmail_and_maildrop_as_the_recipient(users):
    pm, md = users("cpm"), users("cmd")
    # procmail sorts by the address extension it gets as $1 ("-a $EXTENSION").
    pm.write(".procmailrc", "MAILDIR=$HOME/Maildir/\nDEFAULT=$HOME/Maildir/\nARG=$1\n"
             ":0\n* ARG ?? ^^lists^^\n.Lists/\n")
    md.write(".mailfilter", 'if (/^Subject: .*tempfail/)\n{\n  EXITCODE=75\n  exit\n}\n'
             'if (/^Subject: .*nouser/)\n{\n  EXITCODE=67\n  exit\n}\n'
             'to "$HOME/Maildir/"\n', mode=0o600)
    for u in (pm, md):
        u.give_home()
    inst = pipeline()
    maps = inst.config_dir / "mailbox_commands"
    maps.write_text(f"{md.name} /usr/bin/maildrop -d {md.name}\n")
    inst.write_main_cf({
        # $EXTENSION is for the shell, not for main.cf: Postfix does not expand it.
        "mailbox_command": '/usr/bin/procmail -a "$EXTENSION"',
        "mailbox_command_maps": f"texthash:{maps}",
        "recipient_delimiter": "+",
    })
    with inst:
        send(inst, f"{pm.name}@localhost", "plain")
        send(inst, f"{pm.name}+lists@localhost", "sorted")
        send(inst, f"{md.name}@localhost", "via maildrop")
        send(inst, f"{md.name}@localhost", "tempfail please")
        send(inst, f"{md.name}@localhost", "nouser please")
        inst.wait_for_log(rf"to=<{pm.name}\+lists@localhost>, .*status=sent \(delivered to "
                          r"command: /usr/bin/procmail -a \"\$EXTENSION\"\)", timeout=20)
        inst.wait_for_log(rf"to=<{md.name}@localhost>, .*status=sent \(delivered to command: "
                          rf"/usr/bin/maildrop -d {md.name}\)", timeout=20)
        # (maildrop -d also says it found no courier authdaemon: "Command output: ...".)
        inst.wait_for_log(rf"to=<{md.name}@localhost>, .*dsn=4\.3\.0, status=deferred "
                          r"\(temporary failure[.)]", timeout=20)
        inst.wait_for_log(rf"to=<{md.name}@localhost>, .*dsn=5\.1\.1, status=bounced \(user "
                          r"unknown[.)]", timeout=20)
        inst.wait_for_log(rf"to=<{pm.name}@localhost>, .*status=sent", timeout=20)
    inbox = pm.messages()
    assert len(inbox) == 1 and "Subject: plain" in inbox[0], inbox
    assert "\nDelivered-To: " + pm.name + "@localhost\n" in inbox[0]
    lists = pm.messages(".Lists")
    assert len(lists) == 1 and "Subject: sorted" in lists[0], lists
    got = md.messages()
    assert len(got) == 1 and "Subject: via maildrop" in got[0], got
    # Written by the recipient's own processes, not by root.
    for u in (pm, md):
        for f in (u.home / "Maildir" / "new").iterdir():
            assert f.stat().st_uid == u.uid


def test_forward_path_prefers_the_extension_file(users):
    u = users("cfw")
    u.write(".forward+news", f"\\{u.name}, |\"cat > {u.home}/news-copy\"\n")
    u.give_home()
    inst = pipeline({"recipient_delimiter": "+", "home_mailbox": "Maildir/"})
    with inst:
        send(inst, f"{u.name}+news@localhost", "newsletter")
        send(inst, f"{u.name}@localhost", "personal")
        inst.wait_for_log(rf"to=<{u.name}@localhost>, .*status=sent \(delivered to maildir\)",
                          timeout=20)
        inst.wait_for_log(rf"to=<{u.name}\+news@localhost>, .*status=sent \(delivered to "
                          r"command: cat > ", timeout=20)
    assert "Subject: newsletter" in (u.home / "news-copy").read_text()
    subjects = sorted(m.split("Subject: ")[1].split("\n")[0] for m in u.messages())
    assert subjects == ["newsletter", "personal"], subjects
