"""parent_domain_matches_subdomains against a stock Postfix 3.7 (postfix_instance.py):
with the default (not set in main.cf) an access-table key "example.com" and a
relay_domains entry "relay.test" match their subdomains in both servers; with the
parameter emptied, only ".example.com"-style keys do. Every command of every dialogue
must get the same reply code and enhanced status code from both.
"""

import pathlib
import re
import socket
import subprocess

import pytest

from correio_fixture import CORREIO_BIN, Correio
from postfix_instance import PostfixInstance, skip_reason

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")

TABLES = {
    "helo": "helo.test 550 5.7.1 helo parent\n",
    "sender": "bad.test 550 5.7.2 sender parent\n.dot.test 451 4.7.3 dotted\n",
    "recipient": "blocked.test 550 5.7.4 recipient parent\n",
}

# (HELO, MAIL FROM, [RCPT TO...]) from 127.0.0.4, which is not in mynetworks.
CORPUS = [
    ("a.helo.test", "x@ok.test", ["u@relay.test"]),
    ("helo.test", "x@ok.test", ["u@relay.test"]),
    ("ok.test", "x@bad.test", ["u@relay.test"]),
    ("ok.test", "x@a.b.bad.test", ["u@relay.test"]),
    ("ok.test", "x@dot.test", ["u@relay.test"]),
    ("ok.test", "x@s.dot.test", ["u@relay.test"]),
    ("ok.test", "x@ok.test", ["u@blocked.test", "u@sub.blocked.test", "u@relay.test"]),
    ("ok.test", "x@ok.test", ["u@sub.relay.test", "u@a.b.relay.test", "u@xrelay.test",
                              "u@far.test"]),
]


def postfix_default(name: str) -> str:
    out = subprocess.run(["/usr/sbin/postconf", "-d", "-h", name], capture_output=True,
                         text=True, check=True).stdout.strip()
    return out


def test_correio_default_is_postfix_default():
    out = subprocess.run([str(pathlib.Path(CORREIO_BIN).parent / "postconf"), "-d", "-h",
                          "parent_domain_matches_subdomains"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == postfix_default("parent_domain_matches_subdomains")


def settings(tables_dir, parent: str | None) -> dict[str, str]:
    t = {name: f"texthash:{tables_dir}/{name}" for name in TABLES}
    s = {
        "mynetworks": "127.0.0.1/32",
        "relay_domains": "relay.test",
        "smtpd_helo_restrictions": f"check_helo_access {t['helo']}",
        "smtpd_sender_restrictions": f"check_sender_access {t['sender']}",
        "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
        "smtpd_recipient_restrictions": f"check_recipient_access {t['recipient']}",
    }
    if parent is not None:
        s["parent_domain_matches_subdomains"] = parent
    return s


def replies(port: int, helo: str, sender: str, rcpts: list[str]) -> list[str]:
    """"VERB -> CODE ENHANCED" for each command of one dialogue."""
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=15,
                                  source_address=("127.0.0.4", 0)) as sock:
        f = sock.makefile("rb")

        def reply() -> str:
            while True:
                line = f.readline().decode(errors="replace").rstrip("\r\n")
                if len(line) < 4 or line[3] != "-":
                    m = re.match(r"(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})?", line)
                    return f"{m.group(1)} {m.group(2) or ''}".strip() if m else line

        def command(line: str) -> None:
            sock.sendall(line.encode() + b"\r\n")
            out.append(f"{line.split(':')[0]} -> {reply()}")

        reply()
        command(f"EHLO {helo}")
        command(f"MAIL FROM:<{sender}>")
        for rcpt in rcpts:
            command(f"RCPT TO:<{rcpt}>")
        command("QUIT")
    return out


@pytest.mark.parametrize("parent", [None, ""], ids=["default", "empty"])
def test_subdomains_match_as_in_postfix(parent):
    correio = Correio()
    for name, text in TABLES.items():
        (correio.config_dir / name).write_text(text)
    main_cf = settings(correio.config_dir, parent)
    correio.write_main_cf(main_cf)
    postfix = PostfixInstance(main_cf)
    with postfix, correio:
        for dialogue in CORPUS:
            expected = replies(postfix.smtp_port, *dialogue)
            got = replies(correio.smtp_port, *dialogue)
            assert got == expected, f"{dialogue}\npostfix: {expected}\ncorreio: {got}"
        # The corpus tells the two settings apart (a test that cannot fail is a defect):
        # a subdomain of relay_domains is relayed only in the parent style.
        sub_relay = replies(correio.smtp_port, "ok.test", "x@ok.test", ["u@sub.relay.test"])
    assert sub_relay[-2].startswith("RCPT TO -> 250" if parent is None else "RCPT TO -> 554")
