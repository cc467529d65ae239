"""virtual_uid_maps / virtual_gid_maps / virtual_minimum_uid: run as root (master.cf
unpriv = n, as in Postfix's stock master.cf), the virtual agent writes each Maildir as
the owner the maps name; a uid below virtual_minimum_uid or a recipient the maps do not
know is deferred ("mail system configuration error")."""

import os
import stat

import pytest

from delivery_setup import maildir_new, pipeline, wait_for_messages
from test_delivery import send

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="changing file owners needs root")

ROOT_VIRTUAL_MASTER_CF = """\
{listen}      inet  n       -       n       -       -       smtpd
qmgr          unix  n       -       n       300     1       qmgr
virtual       unix  -       n       n       -       -       virtual
local         unix  -       n       n       -       -       local
"""

USERS = ("demo@example.test:{PLAIN}secret::::::\n"
         "sender@example.test:{PLAIN}secret::::::\n"
         "low@example.test:{PLAIN}secret::::::\n"
         "stranger@other.test:{PLAIN}secret::::::\n")


def owned_pipeline(extra=None):
    inst = pipeline({"virtual_uid_maps": "inline:{ demo@example.test=5001, "
                                         "low@example.test=42, @example.test=5000 }",
                     "virtual_gid_maps": "static:5050",
                     "virtual_mailbox_domains": "example.test other.test",
                     **(extra or {})})
    inst.write_master_cf(ROOT_VIRTUAL_MASTER_CF.replace("{listen}", inst.listen))
    (inst.config_dir / "users").write_text(USERS)
    # As with Postfix, the domain directory must be writable by the mailbox owners.
    domain = inst.base / "mail" / "example.test"
    domain.mkdir(parents=True)
    domain.chmod(0o777)
    return inst


def test_maildirs_are_written_as_the_mapped_owner():
    inst = owned_pipeline()
    with inst:
        send(inst, "x@remote.example", ["demo@example.test"], b"Subject: a\r\n\r\nx\r\n")
        send(inst, "x@remote.example", ["sender@example.test"], b"Subject: b\r\n\r\nx\r\n")
        [demo_file] = wait_for_messages(inst, "demo", 1)
        [sender_file] = wait_for_messages(inst, "sender", 1)
        for path, uid in ((demo_file, 5001), (sender_file, 5000)):
            st = path.stat()
            assert (st.st_uid, st.st_gid) == (uid, 5050), (path, st)
            maildir = path.parent.parent
            for sub in ("", "new", "cur", "tmp"):
                d = (maildir / sub).stat()
                assert (d.st_uid, d.st_gid) == (uid, 5050), (maildir / sub, d)
                assert stat.S_IMODE(d.st_mode) & 0o077 == 0, oct(d.st_mode)
        inst.wait_for_log(r"to=<demo@example\.test>, relay=virtual, .*status=sent")


def test_low_uid_and_unmapped_recipients_are_deferred():
    inst = owned_pipeline()
    with inst:
        low = send(inst, "x@remote.example", ["low@example.test"], b"Subject: a\r\n\r\nx\r\n")
        stranger = send(inst, "x@remote.example", ["stranger@other.test"],
                        b"Subject: b\r\n\r\nx\r\n")
        inst.wait_for_log(rf"{low}: to=<low@example\.test>, relay=virtual, .*dsn=4\.3\.0, "
                          rf"status=deferred \(mail system configuration error: recipient "
                          rf"low@example\.test: bad uid 42 in virtual_uid_maps\)")
        inst.wait_for_log(rf"{stranger}: to=<stranger@other\.test>, relay=virtual, .*dsn=4\.3\.0, "
                          rf"status=deferred \(mail system configuration error: recipient "
                          rf"stranger@other\.test: not found in virtual_uid_maps\)")
        assert not maildir_new(inst, "low").exists()


def test_minimum_uid_is_configurable():
    inst = owned_pipeline({"virtual_minimum_uid": "10"})
    with inst:
        send(inst, "x@remote.example", ["low@example.test"], b"Subject: a\r\n\r\nx\r\n")
        [path] = wait_for_messages(inst, "low", 1)
        assert path.stat().st_uid == 42
