"""A private Dovecot serving LMTP only (packages dovecot-core, dovecot-lmtpd), the server
Postfix administrators put behind "lmtp:unix:..." (transport_maps, mailbox_transport)."""

import shutil
import subprocess
import time

from correio_fixture import free_port, wait_for_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVECOT_LMTP = "/usr/lib/dovecot/lmtp"


class DovecotLmtp:
    """A private Dovecot (packages dovecot-core, dovecot-lmtpd) serving LMTP only, on a
    UNIX socket and 127.0.0.1:PORT, users from a passwd-file, Maildirs under its own
    temporary directory. Nothing of the system's Dovecot is used."""

    def __init__(self, users: list[str]):
        import tempfile
        from pathlib import Path
        self.base = Path(tempfile.mkdtemp(prefix="dovecot-lmtp-"))
        self.base.chmod(0o755)
        self.port = free_port()
        self.socket = self.base / "run" / "lmtp"
        self.mail = self.base / "mail"
        self.log = self.base / "dovecot.log"
        for d in ("run", "state", "mail"):
            (self.base / d).mkdir()
        shutil.chown(self.mail, "nobody", "nogroup")
        (self.base / "users").write_text("".join(f"{u}:{{PLAIN}}x::::::\n" for u in users))
        (self.base / "dovecot.conf").write_text(f"""\
base_dir = {self.base}/run
state_dir = {self.base}/state
protocols = lmtp
listen = 127.0.0.1
log_path = {self.log}
ssl = no
mail_location = maildir:{self.mail}/%d/%n
passdb {{
  driver = passwd-file
  args = {self.base}/users
}}
userdb {{
  driver = passwd-file
  args = {self.base}/users
  default_fields = uid=nobody gid=nogroup
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {self.port}
  }}
}}
""")
        self.proc = subprocess.Popen([DOVECOT, "-c", str(self.base / "dovecot.conf"), "-F"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for_port(self.port)

    def messages(self, address: str):
        user, domain = address.split("@")
        folder = self.mail / domain / user / "new"
        deadline = time.monotonic() + 30
        while not (folder.exists() and any(folder.iterdir())):
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing in {folder}: {self.log.read_text()}")
            time.sleep(0.1)
        return sorted(folder.iterdir())

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        shutil.rmtree(self.base, ignore_errors=True)


