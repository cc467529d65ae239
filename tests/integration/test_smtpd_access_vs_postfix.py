"""Differential test of smtpd access control: the same main.cf restrictions and the same
texthash: tables in a stock Postfix (postfix_instance.py) and in Correio, a corpus of SMTP
dialogues sent to both from several 127.0.0.x client addresses, with smtpd_delay_reject
yes and no; every command must get the same reply code and enhanced status code."""

import re
import socket

import pytest

from correio_fixture import Correio
from postfix_instance import PostfixInstance, skip_reason

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")

TABLES = {
    "client": "127.0.0.2 REJECT\n127.0.0.3 DEFER_IF_PERMIT\n127.0.0.7 OK\n127.0.0.8 strict\n",
    "helo": "bad.helo.test 550 5.7.9 go away\nwarn.helo.test WARN\nok.helo.test DUNNO\n",
    "sender": ("spam@bad.test REJECT\nbad.test REJECT domain\n.sub.bad.test 451 4.7.8 sub\n"
               "user@ 554 5.7.5 local part\nfriend@ok.test OK\n<> 550 5.7.6 null\n"
               "deferred@ok.test DEFER\nlist@ok.test permit_mynetworks, reject\n"
               # dsn_split(): a status at the start of REJECT's or DEFER's text, in the
               # reply's class; text after OK and DUNNO is ignored
               "coded@ok.test REJECT 5.7.9 coded\nodd@ok.test REJECT 4.1.8 odd class\n"
               "later@ok.test DEFER 4.3.2 later\nchatty@ok.test OK fine by me\n"
               "shrug@ok.test DUNNO no opinion\n"),
    "recipient": ("busy@example.test 450 4.2.1 busy\nfull@example.test 552 5.2.2 full\n"
                  "strict@example.test strict\n"),
}

# (client address, HELO, MAIL FROM, [RCPT TO...], send DATA)
CORPUS = [
    ("127.0.0.1", "ok.helo.test", "a@ok.test", ["demo@example.test", "x@far.test"], True),
    ("127.0.0.2", "ok.helo.test", "a@ok.test", ["demo@example.test"], False),
    ("127.0.0.3", "ok.helo.test", "a@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "bad.helo.test", "a@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "warn.helo.test", "spam@bad.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "x@bad.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "x@a.sub.bad.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "user@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "friend@ok.test", ["x@far.test", "demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "deferred@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "list@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "coded@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "odd@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "later@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "chatty@ok.test", ["x@far.test", "demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "shrug@ok.test", ["x@far.test", "demo@example.test"], False),
    ("127.0.0.1", "ok.helo.test", "list@ok.test", ["demo@example.test"], False),
    ("127.0.0.4", "ok.helo.test", "a@ok.test",
     ["busy@example.test", "full@example.test", "strict@example.test", "x@far.test",
      "demo@example.test", "demo@nodots"], True),
    ("127.0.0.4", "nodots", "a@ok.test", ["strict@example.test", "demo@example.test"], False),
    ("127.0.0.7", "bad_helo!", "a@ok", ["x@far.test"], False),
    ("127.0.0.8", "nodots", "a@ok.test", ["demo@example.test"], False),
    ("127.0.0.8", "ok.helo.test", "a@ok.test", ["demo@example.test"], True),
    ("127.0.0.9", "[127.0.0.9]", "a@ok.test", ["demo@example.test"], True),
]


def settings(tables_dir, delay_reject: str) -> dict[str, str]:
    t = {name: f"texthash:{tables_dir}/{name}" for name in TABLES}
    return {
        "mynetworks": "127.0.0.1/32",
        "relay_domains": "example.test",
        "smtpd_delay_reject": delay_reject,
        # Postfix 3.7's value (Correio's default leaves smtpd_access_maps out; then a
        # table needs ".example.com" for subdomains: both styles are unit-tested).
        "parent_domain_matches_subdomains": "debug_peer_list, fast_flush_domains, mynetworks, "
                                            "qmqpd_authorized_clients, smtpd_access_maps",
        "smtpd_restriction_classes": "strict",
        "strict": "reject_non_fqdn_helo_hostname, reject_invalid_helo_hostname",
        "smtpd_client_restrictions": f"check_client_access {t['client']}",
        "smtpd_helo_restrictions":
            f"check_helo_access {t['helo']}, reject_invalid_helo_hostname",
        "smtpd_sender_restrictions":
            f"reject_non_fqdn_sender, check_sender_access {t['sender']}",
        "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
        "smtpd_recipient_restrictions":
            f"reject_non_fqdn_recipient, check_recipient_access {t['recipient']}, "
            "warn_if_reject, reject_non_fqdn_helo_hostname",
        "smtpd_data_restrictions": "check_client_access inline:{ 127.0.0.9=REJECT }",
    }


def replies(port: int, source: str, helo: str, sender: str, rcpts: list[str],
            data: bool) -> list[str]:
    """"VERB -> CODE ENHANCED" for the greeting and each command of one dialogue."""
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=15,
                                  source_address=(source, 0)) as sock:
        f = sock.makefile("rb")

        def reply() -> str:
            while True:
                line = f.readline().decode(errors="replace").rstrip("\r\n")
                if len(line) < 4 or line[3] != "-":
                    m = re.match(r"(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})?", line)
                    return f"{m.group(1)} {m.group(2) or ''}".strip() if m else line

        def command(line: str) -> str:
            sock.sendall(line.encode() + b"\r\n")
            r = reply()
            out.append(f"{line.split(':')[0]} -> {r}")
            return r

        out.append(f"CONNECT -> {reply()}")
        command(f"EHLO {helo}")
        command(f"MAIL FROM:<{sender}>")
        for rcpt in rcpts:
            command(f"RCPT TO:<{rcpt}>")
        if data and command("DATA").startswith("354"):
            command("Subject: differential\r\n\r\nbody\r\n.")
        command("QUIT")
    return out


@pytest.mark.parametrize("delay_reject", ["yes", "no"])
def test_same_replies_as_postfix(delay_reject):
    correio = Correio()
    # In Correio's configuration directory: its smtpd reads them as mail_owner.
    for name, text in TABLES.items():
        (correio.config_dir / name).write_text(text)
    main_cf = settings(correio.config_dir, delay_reject)
    correio.write_main_cf(main_cf)
    postfix = PostfixInstance(main_cf)
    with postfix, correio:
        for dialogue in CORPUS:
            expected = replies(postfix.smtp_port, *dialogue)
            got = replies(correio.smtp_port, *dialogue)
            assert got == expected, f"{dialogue}\npostfix: {expected}\ncorreio: {got}"
