"""Routing in the address resolver with a running Correio (transport(5), postconf(5)):
transport_maps sends one domain to error: (smtpd refuses it at RCPT, as Postfix's does;
past smtpd, the sender gets the bounce with its text), another to discard:, and a remote-looking domain to local delivery;
sender_dependent_default_transport_maps and sender_dependent_relayhost_maps choose the
transport and nexthop per sender, seen by a pipe(8) command that records ${nexthop};
`correio check` opens these tables; and the same tables give the same RCPT replies as a
private Postfix instance. Mail is sent with Python's smtplib."""

import re
import smtplib
import time
from pathlib import Path

from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages

RECORD = """#!/bin/sh
# nexthop and recipient into OUT/<recipient>
printf '%s\\n' "$1" > "{out}/$2"
cat > /dev/null
"""


def send(inst, sender: str, recipients: list[str], subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.sendmail(sender, recipients, f"From: <{sender}>\r\nSubject: {subject}\r\n\r\nbody\r\n")


def wait_for_file(path: Path, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.stat().st_size > 0):
        assert time.monotonic() < deadline, f"{path} not written"
        time.sleep(0.1)
    return path.read_text()


def rcpt_reply(inst, sender: str, recipient: str):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example")
        assert s.mail(sender)[0] == 250
        return s.rcpt(recipient)


def test_transport_maps_error_discard_and_local():
    inst = pipeline()
    table = inst.config_dir / "transport"
    table.write_text("blocked.example   error:5.7.1 no mail for you\n"
                     "void.example      discard:\n"
                     "far.example       local:\n"
                     "err.example       error:\n")
    inst.write_main_cf({"transport_maps": f"texthash:{table}"})
    with inst:
        # smtpd refuses what resolves to the error transport, as Postfix's does
        # (smtpd_reject_unlisted_recipient), with the entry's status code and text.
        assert rcpt_reply(inst, "sender@example.test", "u@blocked.example") == (
            550, b"5.7.1 <u@blocked.example>: Recipient address rejected: no mail for you")
        assert rcpt_reply(inst, "sender@example.test", "u@err.example") == (
            550, b"5.1.1 <u@err.example>: Recipient address rejected: Address is undeliverable")
        # Mail that gets past smtpd is bounced by qmgr with the same text.
        inst.stop()
        inst.write_main_cf({"smtpd_reject_unlisted_recipient": "no"})
        inst.start()
        send(inst, "sender@example.test",
             ["u@blocked.example", "x@void.example", "root@far.example"], "routed")
        inst.wait_for_log(r"to=<u@blocked\.example>, relay=none, .*dsn=5\.7\.1, "
                          r"status=bounced \(no mail for you\)")
        inst.wait_for_log(r"to=<x@void\.example>, relay=none, .*status=sent \(void\.example\)")
        inst.wait_for_log(r"correio/local\[\d+\]: \w+: to=<root@far\.example>, relay=local, "
                          r".*status=sent")
        assert "Subject: routed" in (inst.base / "spool" / "root").read_text()
        [bounce] = wait_for_messages(inst, "sender", 1)
        text = bounce.read_bytes().decode(errors="replace")
        assert "u@blocked.example" in text and "no mail for you" in text
        assert "x@void.example" not in text and "root@far.example" not in text


def test_sender_dependent_transport_and_relayhost():
    inst = pipeline()
    out = inst.base / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    script = inst.base / "record.sh"
    script.write_text(RECORD.format(out=out))
    script.chmod(0o755)
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen) +
                         "recorder unix - n n - - pipe user=nobody\n"
                         f"  argv={script} ${{nexthop}} ${{recipient}}\n")
    transports = inst.config_dir / "sender_transport"
    transports.write_text("@example.test  recorder\n"
                          "<>             recorder:[bounces.example]\n"
                          "demo@example.test  error:5.7.1 demo may not send out\n")
    relays = inst.config_dir / "sender_relay"
    relays.write_text("sender@example.test  [gw-a.example]\n"
                      "@example.test        [gw-b.example]:587\n")
    inst.write_main_cf({"sender_dependent_default_transport_maps": f"texthash:{transports}",
                        "sender_dependent_relayhost_maps": f"texthash:{relays}",
                        "relayhost": "[global.example]"})
    assert inst.command("check").returncode == 0
    with inst:
        send(inst, "sender@example.test", ["a@far.example"], "from sender")
        send(inst, "other@example.test", ["b@far.example"], "from other")
        send(inst, "<>", ["c@far.example"], "from nobody")
        assert wait_for_file(out / "a@far.example") == "[gw-a.example]\n"
        assert wait_for_file(out / "b@far.example") == "[gw-b.example]:587\n"
        # The transport's own nexthop wins over the sender's relayhost.
        assert wait_for_file(out / "c@far.example") == "[bounces.example]\n"
        inst.wait_for_log(r"to=<a@far\.example>, relay=recorder, .*status=sent")
        # smtpd resolves with the sender too: demo's error: transport refuses at RCPT.
        assert rcpt_reply(inst, "demo@example.test", "d@far.example") == (
            550, b"5.7.1 <d@far.example>: Recipient address rejected: demo may not send out")
        # Virtual mail keeps its own transport.
        send(inst, "sender@example.test", ["demo@example.test"], "inside")
        [path] = wait_for_messages(inst, "demo", 1)
        assert b"Subject: inside" in path.read_bytes()


def test_check_opens_the_routing_tables():
    inst = pipeline({"transport_maps": "hash:/nonexistent/transport",
                     "sender_dependent_relayhost_maps": "ldap:/etc/postfix/relay.cf"})
    try:
        text = (inst.config_dir / "main.cf").read_text()
        lines = {l.split(" =")[0]: i + 1 for i, l in enumerate(text.splitlines()) if " =" in l}
        for verb in ("check", "start"):
            done = inst.command(verb)
            assert done.returncode == 1, done.stderr
            assert re.search(rf"main\.cf:{lines['transport_maps']}: error: transport_maps: "
                             r"hash:/nonexistent/transport: open database", done.stderr), done.stderr
            assert re.search(rf"main\.cf:{lines['sender_dependent_relayhost_maps']}: error: "
                             r"sender_dependent_relayhost_maps: ldap:/etc/postfix/relay\.cf: "
                             r"unsupported dictionary type: ldap", done.stderr), done.stderr
    finally:
        inst.cleanup()


# The same tables in Postfix 3.x and in Correio, compared at RCPT time. default_transport
# = error makes smtpd show each route's nexthop in its refusal ("Recipient address
# rejected: [gw.example]"), so the replies show which transport and nexthop each
# resolver chose.
ROUTING_TABLES = {
    "transport": ("err.example        error:\n"
                  "blocked.example    error:5.7.1 no mail for you\n"
                  ".blocked.example   error:5.7.2 nor for its subdomains\n"
                  "user@t.example     error:5.1.6 user moved\n"
                  "void.example       discard:\n"
                  "keep.example       :\n"
                  "gw.example         :[gw.internal]\n"
                  "plain.example      smtp:\n"),
    "relays": ("dunno@x.example    DUNNO\n"
               "a@x.example        [a-gw.example]\n"
               "@y.example         [y-gw.example]:587\n"
               "<>                 [bounce-gw.example]\n"),
    "transports": ("t@x.example        error:5.7.3 t may not send\n"
                   "ok@x.example       DUNNO\n"),
}

ROUTING_CASES = [
    ("dunno@x.example", "u@far.example"), ("a@x.example", "u@far.example"),
    ("A+list@x.example", "u@far.example"), ("b@y.example", "u@far.example"),
    ("o@x.example", "u@far.example"), ("<>", "u@far.example"),
    ("t@x.example", "u@far.example"), ("ok@x.example", "u@far.example"),
    ("o@x.example", "u@err.example"), ("o@x.example", "u@Blocked.example"),
    ("o@x.example", "u@deep.sub.blocked.example"), ("o@x.example", "user+ext@t.example"),
    ("o@x.example", "other@t.example"), ("o@x.example", "u@void.example"),
    ("o@x.example", "u@keep.example"), ("o@x.example", "u@gw.example"),
    ("o@x.example", "u@plain.example"), ("o@x.example", "root@localhost"),
]


def routing_replies(port: int) -> list[tuple[int, bytes]]:
    replies = []
    for sender, rcpt in ROUTING_CASES:
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
            s.ehlo("client.example")
            assert s.mail(sender)[0] == 250
            replies.append(s.rcpt(rcpt))
    return replies


def test_routes_match_postfix():
    from postfix_instance import PostfixInstance, skip_reason
    if skip_reason():
        import pytest
        pytest.skip(skip_reason())
    inst = pipeline()
    # In Correio's config directory: its daemons read the tables as mail_owner.
    tables = inst.config_dir
    for name, text in ROUTING_TABLES.items():
        (tables / name).write_text(text)
    settings = {"default_transport": "error", "relayhost": "[global.example]",
                "recipient_delimiter": "+", "mydestination": "localhost",
                "transport_maps": f"texthash:{tables}/transport",
                "sender_dependent_relayhost_maps": f"texthash:{tables}/relays",
                "sender_dependent_default_transport_maps": f"texthash:{tables}/transports"}
    try:
        with PostfixInstance(settings) as pf:
            expected = routing_replies(pf.smtp_port)
    except BaseException:
        inst.cleanup()
        raise
    inst.write_main_cf(settings)
    with inst:
        got = routing_replies(inst.smtp_port)
    assert got == expected
    # Both refused what they should: the comparison is not between two blanket answers.
    assert expected[0] == (550, b"5.1.1 <u@far.example>: Recipient address rejected: "
                                b"[global.example]")
    assert sum(code == 250 for code, _ in expected) >= 3
