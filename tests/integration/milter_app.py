"""A test milter on Debian's python3-milter (pymilter, over the real libmilter): what it
does is chosen by the message, so that one running milter exercises every action.

    python3 milter_app.py SOCKET [--reject-connect] [--hang-connect] [--hang-eom]

HELO "reject.helo" -> 550 5.7.0; MAIL FROM tempfail@... -> TEMPFAIL; MAIL FROM
reject-mail@... -> 553 5.7.1; RCPT TO reject-rcpt@... -> 550 5.7.1 (that recipient only);
RCPT TO discard-rcpt@... -> DISCARD; header X-Reject-Header -> REJECT during the headers;
Subject "reject-eom" -> 554 5.7.1 at end of message; "tempfail-eom" -> 451 4.7.1;
"discard" -> DISCARD; "quarantine" -> smfi_quarantine; "edit" -> add/insert/change/delete
header, replace body, add/delete recipient, change sender; "hang" -> sleeps in eom.
Every message gets X-Milter-Macros with the macros it saw.
"""

import sys
import time

import Milter


class TestMilter(Milter.Base):
    def __init__(self):
        self.macros = {}
        self.subject = ""
        self.rcpts = []

    def note(self, *names):
        for name in names:
            value = self.getsymval(name)
            if value is not None:
                self.macros[name] = value

    def connect(self, hostname, family, hostaddr):
        self.note("j", "{daemon_name}", "v", "{client_addr}", "_", "{daemon_addr}")
        if "--hang-connect" in sys.argv:
            time.sleep(60)
        if "--reject-connect" in sys.argv:
            self.setreply("554", "5.7.1", "connections from you are refused")
            return Milter.REJECT
        return Milter.CONTINUE

    def hello(self, name):
        if name == "reject.helo":
            self.setreply("550", "5.7.0", "HELO name not welcome")
            return Milter.REJECT
        return Milter.CONTINUE

    def envfrom(self, sender, *params):
        self.note("i", "{mail_addr}", "{auth_authen}")
        self.macros["mail_args"] = " ".join((sender,) + params)
        if "tempfail@" in sender:
            return Milter.TEMPFAIL
        if "reject-mail@" in sender:
            self.setreply("553", "5.7.1", "sender refused by milter")
            return Milter.REJECT
        return Milter.CONTINUE

    def envrcpt(self, recipient, *params):
        self.note("{rcpt_addr}")
        if "reject-rcpt@" in recipient:
            self.setreply("550", "5.7.1", "recipient refused by milter")
            return Milter.REJECT
        if "discard-rcpt@" in recipient:
            return Milter.DISCARD
        self.rcpts.append(recipient)
        return Milter.CONTINUE

    def header(self, name, value):
        if name.lower() == "subject":
            self.subject = value
        if name.lower() == "x-reject-header":
            self.setreply("550", "5.7.1", "header refused by milter")
            return Milter.REJECT
        return Milter.CONTINUE

    def eoh(self):
        return Milter.CONTINUE

    def body(self, chunk):
        return Milter.CONTINUE

    def eom(self):
        self.note("i")
        s = self.subject
        if "hang" in s or "--hang-eom" in sys.argv:
            time.sleep(60)
        if s == "reject-eom":
            self.setreply("554", "5.7.1", "content refused by milter")
            return Milter.REJECT
        if s == "tempfail-eom":
            self.setreply("451", "4.7.1", "try the content later")
            return Milter.TEMPFAIL
        if s == "discard":
            return Milter.DISCARD
        if s == "quarantine":
            self.quarantine("suspicious content")
        if s == "edit":
            self.chgheader("Subject", 1, "edited subject")
            self.chgheader("X-Remove", 1, "")
            self.addheader("X-Added", "by milter")
            self.addheader("X-First", "on top", 0)
            self.replacebody(b"replaced body\r\nsecond line\r\n")
            self.addrcpt("<added@example.test>")
            self.delrcpt("<demo@example.test>")
            self.chgfrom("<changed-sender@example.test>")
        macros = "; ".join(f"{k}={v}" for k, v in sorted(self.macros.items()))
        self.addheader("X-Milter-Macros", macros)
        return Milter.ACCEPT


def main():
    Milter.factory = TestMilter
    Milter.set_flags(Milter.ADDHDRS | Milter.CHGHDRS | Milter.CHGBODY | Milter.ADDRCPT |
                     Milter.DELRCPT | Milter.QUARANTINE | Milter.CHGFROM)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    Milter.runmilter("correio-test", sys.argv[1], 240)


if __name__ == "__main__":
    main()
