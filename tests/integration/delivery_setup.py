"""A Correio instance with the whole inbound pipeline: smtpd, qmgr and the virtual
delivery agent, users in a passwd-file, Maildirs under the instance's directory."""

import os
import pwd
import time
from pathlib import Path

from correio_fixture import Correio

PIPELINE_MASTER_CF = """\
{listen}      inet  n       -       n       -       -       smtpd
qmgr          unix  n       -       n       300     1       qmgr
virtual       unix  -       -       n       -       -       virtual
local         unix  -       n       n       -       -       local
"""

USERS = ("demo@example.test:{PLAIN}secret::::::\n"
         "sender@example.test:{PLAIN}secret::::::\n")


def pipeline(extra_main_cf: dict[str, str] | None = None) -> Correio:
    inst = Correio(master_cf=PIPELINE_MASTER_CF)
    mail = inst.base / "mail"
    mail.mkdir()
    users = inst.config_dir / "users"
    users.write_text(USERS)
    spool = inst.base / "spool"
    spool.mkdir(mode=0o1777)
    spool.chmod(0o1777)
    aliases = inst.config_dir / "aliases"
    aliases.write_text("postmaster: root\n")
    if os.geteuid() == 0:
        # The daemons run as mail_owner: they read the users and write the Maildirs.
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(mail, owner.pw_uid, owner.pw_gid)
    inst.write_main_cf({
        "mydestination": "localhost",
        "mail_spool_directory": str(spool),
        "alias_maps": f"texthash:{aliases}",
        "virtual_mailbox_domains": "example.test",
        "virtual_mailbox_base": str(mail),
        "user_directory": f"passwd-file:{users}",
        "mynetworks": "127.0.0.0/8",
        "minimal_backoff_time": "1s",
        "maximal_backoff_time": "2s",
        "queue_run_delay": "1s",
        **(extra_main_cf or {}),
    })
    return inst


def maildir_new(inst: Correio, user: str) -> Path:
    return inst.base / "mail" / "example.test" / user / "new"


def wait_for_messages(inst: Correio, user: str, count: int, timeout: float = 20) -> list[Path]:
    """The files in USER's new/ once there are at least `count` of them."""
    deadline = time.monotonic() + timeout
    folder = maildir_new(inst, user)
    while True:
        files = sorted(folder.iterdir()) if folder.exists() else []
        if len(files) >= count:
            return files
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(files)} of {count} messages in {folder} after {timeout}s"
                                 f"\n{inst.log_text()[-4000:]}")
        time.sleep(0.05)


def queue_is_empty(inst: Correio) -> bool:
    for sub in ("incoming", "active", "deferred"):
        folder = inst.queue_dir / sub
        if folder.exists() and any(folder.iterdir()):
            return False
    return True
