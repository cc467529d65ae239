"""Differential test of cleanup's address rewriting against Debian's Postfix: the same
main.cf settings and tables, the same messages sent with smtplib to a stock Postfix (mail
put on hold by check_client_access static:HOLD) and to Correio (smtpd only, so the queue
file stays in incoming/); `postcat -q` of each must show the same sender, the same
(original, final) recipient pairs and the same address headers."""

import re
import smtplib
import subprocess
import time

import pytest

from correio_fixture import Correio
from postfix_instance import PostfixInstance, skip_reason
from test_smtpd import POSTCAT

TABLES = {
    "canonical": "jane@example.org Jane.Doe@example.org\n"
                 "@old.example @new.example\n"
                 "bob bobby\n",
    "sender_canonical": "secret@example.org public@example.org\n",
    "virtual": "sales@alias.test ann@remote.example, bob@remote.example\n"
               "ann@remote.example ann@remote.example, ann@archive.example\n"
               "list@alias.test sales@alias.test, carol@remote.example\n"
               "@catch.test catchall@remote.example\n"
               "dave@remote.example david@remote.example\n",
}

SETTINGS = {
    "myorigin": "example.org",
    "mydomain": "example.org",
    "mydestination": "localhost, example.org",
    "recipient_delimiter": "+",
    "virtual_alias_domains": "alias.test catch.test",
    "masquerade_domains": "!keep.example.org, example.org",
    "masquerade_exceptions": "root",
    "mynetworks": "127.0.0.0/8",
    "append_dot_mydomain": "no",
}

# (sender, recipients, header lines)
CORPUS = [
    ("jane@example.org", ["sales@alias.test"],
     ['From: "Doe, Jane" <jane@host.example.org>', "To: Sales <sales@alias.test>"]),
    ("secret@host.example.org", ["list@alias.test", "dave+x@remote.example"],
     ["From: secret@example.org (the secret one)",
      "Cc: team: x@old.example, <y@old.example>;, root@host.example.org",
      "Reply-To: w@a.keep.example.org"]),
    ("someone@old.example", ["anyone+tag@catch.test", "dave@remote.example"],
     ["From: bob", "To: jane, bob@host.example.org", "Sender: someone@old.example"]),
    ("", ["ann@remote.example"], ["From: MAILER-DAEMON", "To: ann@remote.example"]),
    ("Jane+news@host.example.org", ["sales@alias.test", "ann@remote.example"],
     ['To: "Quoted Name" <jane+x@example.org>', "Reply-To: undisclosed-recipients:;"]),
    ("x@old.example", ["list@alias.test", "sales@alias.test"],
     ["From: Jane <jane>", 'Cc: "joe smith"@old.example, bob+ext']),
]

ADDRESS_HEADERS = ("from", "to", "cc", "reply-to", "sender")


def parse_postcat(text: str):
    sender = None
    pairs = []
    original = None
    headers = {}
    in_content = False
    for line in text.splitlines():
        if line.startswith("*** MESSAGE CONTENTS"):
            in_content = True
            continue
        if line.startswith("***"):
            in_content = False
            continue
        if in_content:
            if not line:
                in_content = False
                continue
            name, _, value = line.partition(":")
            if name.lower() in ADDRESS_HEADERS:
                headers[name.lower()] = value.strip()
            continue
        if line.startswith("sender: "):
            sender = line[len("sender: "):]
        elif line == "sender:":
            sender = ""
        elif line.startswith("original_recipient: "):
            original = line[len("original_recipient: "):]
        elif line.startswith("recipient: "):
            final = line[len("recipient: "):]
            pairs.append((original or final, final))
            original = None
    return sender, sorted(pairs), headers


def send(port, sender, recipients, header_lines) -> None:
    message = "\r\n".join(header_lines + ["Subject: differential", "", "body", ""])
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.ehlo("client.example")
        code, reply = s.mail(sender)
        assert code == 250, reply
        for r in recipients:
            code, reply = s.rcpt(r)
            assert code == 250, (r, reply)
        code, reply = s.data(message.encode())
        assert code == 250, reply


def queue_ids(folder) -> set[str]:
    found = set()
    if folder.exists():
        for path in folder.rglob("*"):
            if path.is_file():
                found.add(path.name)
    return found


def wait_new_id(folder, before: set[str], timeout=20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = queue_ids(folder) - before
        if new:
            return new.pop()
        time.sleep(0.1)
    raise AssertionError(f"no new queue file in {folder}")


@pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")
def test_rewriting_matches_postfix():
    postfix = PostfixInstance({**SETTINGS,
                               "smtpd_client_restrictions": "check_client_access static:HOLD"})
    # Postfix's cleanup runs as user postfix: the tables live in its instance (mode 0755).
    tables = {}
    for name, text in TABLES.items():
        path = postfix.base / name
        path.write_text(text)
        path.chmod(0o644)
        tables[name] = f"texthash:{path}"
    maps = {"canonical_maps": tables["canonical"],
            "sender_canonical_maps": tables["sender_canonical"],
            "virtual_alias_maps": tables["virtual"]}
    main_cf = postfix.config_dir / "main.cf"
    main_cf.write_text(main_cf.read_text() + "".join(f"{k} = {v}\n" for k, v in maps.items()))
    correio = Correio(master_cf="{listen} inet n - n - - smtpd\n")
    correio.write_main_cf({**SETTINGS, **maps})
    with postfix, correio:
        for sender, recipients, header_lines in CORPUS:
            before_p = queue_ids(postfix.queue_dir / "hold")
            before_c = queue_ids(correio.queue_dir / "incoming")
            send(postfix.smtp_port, sender, recipients, header_lines)
            send(correio.smtp_port, sender, recipients, header_lines)
            pid = wait_new_id(postfix.queue_dir / "hold", before_p)
            cid = wait_new_id(correio.queue_dir / "incoming", before_c)
            shown_p = subprocess.run(["postcat", "-c", str(postfix.config_dir), "-q", pid],
                                     capture_output=True, text=True, errors="replace").stdout
            shown_c = subprocess.run([POSTCAT, "-c", str(correio.config_dir), "-q", cid],
                                     capture_output=True, text=True, errors="replace").stdout
            got_p, got_c = parse_postcat(shown_p), parse_postcat(shown_c)
            assert got_c == got_p, f"\nPostfix:\n{shown_p}\nCorreio:\n{shown_c}"


# Incomplete addresses in headers of mail from a client outside local_header_rewrite_clients.
REMOTE_CORPUS = [
    ("jane@example.org", ["ann@remote.example"],
     ["From: jane", "To: bob@host, ann@remote.example", "Cc: team: x, y@old.example;"]),
    ("bob@remote.example", ["ann@remote.example"],
     ["From: Bob <bob>", "Reply-To: bob@[192.0.2.1], carol@relay"]),
    ("someone@remote.example", ["ann@remote.example"], ["To: ann"]),  # no From:
]


def send_from(source: str, port, sender, recipients, header_lines) -> None:
    message = "\r\n".join(header_lines + ["Subject: remote", "", "body", ""])
    with smtplib.SMTP("127.0.0.1", port, timeout=20, source_address=(source, 0)) as s:
        s.ehlo("client.example")
        assert s.mail(sender)[0] == 250
        for r in recipients:
            assert s.rcpt(r)[0] == 250, r
        assert s.data(message.encode())[0] == 250


@pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")
@pytest.mark.parametrize("domain", ["", "domain.invalid"])
@pytest.mark.parametrize("append_dot", ["yes", "no"])
def test_remote_header_rewrite_domain_matches_postfix(domain, append_dot):
    settings = {**SETTINGS, "append_dot_mydomain": append_dot,
                "remote_header_rewrite_domain": domain,
                # No SASL here: every client is remote for header rewriting.
                "local_header_rewrite_clients": "permit_sasl_authenticated"}
    postfix = PostfixInstance({**settings,
                               "smtpd_client_restrictions": "check_client_access static:HOLD"})
    canonical = postfix.base / "canonical"
    canonical.write_text(TABLES["canonical"])
    canonical.chmod(0o644)
    main_cf = postfix.config_dir / "main.cf"
    main_cf.write_text(main_cf.read_text() + f"canonical_maps = texthash:{canonical}\n")
    correio = Correio(master_cf="{listen} inet n - n - - smtpd\n")
    correio.write_main_cf({**settings, "canonical_maps": f"texthash:{canonical}"})
    changed = False
    with postfix, correio:
        for sender, recipients, header_lines in REMOTE_CORPUS:
            before_p = queue_ids(postfix.queue_dir / "hold")
            before_c = queue_ids(correio.queue_dir / "incoming")
            send_from("127.0.0.5", postfix.smtp_port, sender, recipients, header_lines)
            send_from("127.0.0.5", correio.smtp_port, sender, recipients, header_lines)
            pid = wait_new_id(postfix.queue_dir / "hold", before_p)
            cid = wait_new_id(correio.queue_dir / "incoming", before_c)
            shown_p = subprocess.run(["postcat", "-c", str(postfix.config_dir), "-q", pid],
                                     capture_output=True, text=True, errors="replace").stdout
            shown_c = subprocess.run([POSTCAT, "-c", str(correio.config_dir), "-q", cid],
                                     capture_output=True, text=True, errors="replace").stdout
            got_p, got_c = parse_postcat(shown_p), parse_postcat(shown_c)
            assert got_c == got_p, f"\nPostfix:\n{shown_p}\nCorreio:\n{shown_c}"
            changed |= any(h.endswith("domain.invalid") or "domain.invalid>" in h
                           for h in got_c[2].values())
    assert changed == bool(domain)  # the setting is seen in the headers, or not at all
