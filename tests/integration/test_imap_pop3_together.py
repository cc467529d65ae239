"""IMAP and POP3 on one mailbox at the same time (Python's imaplib and poplib): POP3's
UIDL is built from the same UIDs and UIDVALIDITY IMAP shows, a POP3 deletion shows up in
an open IMAP session as an expunge, and an IMAP expunge is seen by the next POP3 session."""

from __future__ import annotations

import poplib
import re
import time

from correio_fixture import free_port, wait_for_port
from imap_setup import ImapInstance


def test_imap_and_pop3_on_one_mailbox():
    s = ImapInstance()
    pop3_port = free_port()
    master_cf = s.inst.config_dir / "master.cf"
    s.inst.write_master_cf(master_cf.read_text()
                           + f"127.0.0.1:{pop3_port} inet n - n - - pop3d\n"
                           + "  -o auth_allow_cleartext=yes\n")
    with s:
        wait_for_port(pop3_port)
        for i in range(3):
            s.send(f"body {i}", subject=f"together {i}")
        imap = s.imap()
        deadline = time.monotonic() + 20
        while True:
            typ, data = imap.select("INBOX")
            if int(data[0]) >= 3:
                break
            assert time.monotonic() < deadline, "mail did not arrive"
            time.sleep(0.2)
        validity = int(imap.response("UIDVALIDITY")[1][0])
        typ, data = imap.uid("FETCH", "1:*", "(UID)")
        uids = sorted(int(re.search(rb"UID (\d+)", d).group(1)) for d in data)
        assert len(uids) == 3

        pop = poplib.POP3("127.0.0.1", pop3_port, timeout=20)
        pop.user("demo@example.test")
        pop.pass_("secret")
        _, lines, _ = pop.uidl()
        # Dovecot's default pop3_uidl_format %08Xu%08Xv (printed in lower case by 2.3).
        assert [line.split()[1].decode() for line in lines] == \
            [f"{uid:08x}{validity:08x}" for uid in uids]
        # While POP3 holds the maildrop, IMAP still works on the folder.
        typ, _ = imap.uid("STORE", str(uids[2]), "+FLAGS", "(\\Flagged)")
        assert typ == "OK"
        pop.dele(1)
        pop.quit()  # the deletion happens here (UPDATE state)

        imap.noop()
        assert imap.untagged_responses.get("EXPUNGE"), "IMAP did not see POP3's deletion"
        typ, data = imap.uid("SEARCH", None, "ALL")
        assert [int(x) for x in data[0].split()] == uids[1:]
        typ, data = imap.uid("FETCH", str(uids[2]), "(FLAGS)")
        assert b"\\Flagged" in data[0]

        imap.uid("STORE", str(uids[1]), "+FLAGS", "(\\Deleted)")
        imap.expunge()
        pop = poplib.POP3("127.0.0.1", pop3_port, timeout=20)
        pop.user("demo@example.test")
        pop.pass_("secret")
        count, _ = pop.stat()
        assert count == 1
        _, lines, _ = pop.uidl()
        assert lines[0].split()[1].decode() == f"{uids[2]:08x}{validity:08x}"
        pop.quit()
        imap.logout()
