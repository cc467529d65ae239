"""receive_override_options, differential against Debian's Postfix: two smtpd services on
the same main.cf, the second with FILTER_README's re-injection options
(`-o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,
no_address_mappings`). Each dialogue must get the same reply codes and enhanced status
codes from both, and each accepted message the same sender and (original, final)
recipients in `postcat -q` (Postfix holds its mail with check_client_access static:HOLD;
Correio runs smtpd only, so its queue files stay in incoming/)."""

import smtplib
import subprocess

import pytest

from correio_fixture import Correio, free_port
from postfix_instance import PostfixInstance, skip_reason
from test_rewriting_vs_postfix import parse_postcat, queue_ids, wait_new_id
from test_smtpd import POSTCAT

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")

OVERRIDES = "no_unknown_recipient_checks,no_header_body_checks,no_address_mappings"

TABLES = {
    "local": "alice x\n",
    "virtual": "sales@alias.test ann@remote.example, bob@remote.example\n",
    "canonical": "jane@example.test jane.doe@example.test\n",
    "header_checks": "/^Subject: reject-me/ REJECT no thanks\n",
    "body_checks": "/forbidden phrase/ REJECT body refused\n",
}

SETTINGS = {
    "myorigin": "example.test",
    "mydomain": "example.test",
    "mydestination": "localhost",
    "mynetworks": "127.0.0.0/8",
    "recipient_delimiter": "+",
    "virtual_alias_domains": "alias.test",
    "always_bcc": "archive@remote.example",
    "masquerade_domains": "example.test",
    "append_dot_mydomain": "no",
}

# (sender, recipients, subject, body): every recipient is tried; the message is sent when
# at least one was accepted.
CORPUS = [
    ("jane@host.example.test", ["sales@alias.test", "alice@localhost"], "plain", "hello"),
    ("jane@example.test", ["nobody@localhost", "alice+x@localhost"], "unknown one", "hello"),
    ("someone@remote.example", ["sales@alias.test"], "reject-me please", "hello"),
    ("someone@remote.example", ["alice@localhost"], "fine", "a forbidden phrase here"),
    ("someone@remote.example", ["who@alias.test", "nobody@localhost"], "all unknown", "x"),
]


def table_settings(directory) -> dict[str, str]:
    t = {name: f"texthash:{directory}/{name}" for name in TABLES}
    return {"local_recipient_maps": t["local"], "virtual_alias_maps": t["virtual"],
            "canonical_maps": t["canonical"],
            "header_checks": f"regexp:{directory}/header_checks",
            "body_checks": f"regexp:{directory}/body_checks"}


def dialogue(port: int, sender, recipients, subject, body) -> list[str]:
    """The reply code and enhanced status of MAIL, each RCPT and DATA."""
    def short(reply) -> str:
        code, text = reply
        return f"{code} {text.decode(errors='replace').split(' ', 1)[0]}"

    out = []
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.ehlo("client.example")
        out.append(short(s.mail(sender)))
        accepted = 0
        for r in recipients:
            reply = s.rcpt(r)
            accepted += reply[0] == 250
            out.append(f"{r}: {short(reply)}")
        if accepted:
            message = f"Subject: {subject}\r\nFrom: {sender}\r\n\r\n{body}\r\n"
            out.append(f"DATA: {short(s.data(message.encode()))}")
    return out


def queued(folder, before, shown_by) -> tuple:
    queue_id = wait_new_id(folder, before)
    text = subprocess.run(shown_by + [queue_id], capture_output=True, text=True,
                          errors="replace").stdout
    sender, pairs, _ = parse_postcat(text)
    return sender, pairs


def test_receive_override_options_match_postfix():
    postfix = PostfixInstance({**SETTINGS,
                               "smtpd_client_restrictions": "check_client_access static:HOLD"})
    for name, text in TABLES.items():
        path = postfix.base / name
        path.write_text(text)
        path.chmod(0o644)
    tables = table_settings(postfix.base)
    with open(postfix.config_dir / "main.cf", "a") as f:
        f.write("".join(f"{k} = {v}\n" for k, v in tables.items()))
    postfix_reinject = free_port()
    with open(postfix.config_dir / "master.cf", "a") as f:
        f.write(f"127.0.0.1:{postfix_reinject} inet n - n - - smtpd\n"
                f"  -o receive_override_options={OVERRIDES}\n")
    correio_reinject = free_port()
    correio = Correio(master_cf="{listen} inet n - n - - smtpd\n"
                                f"127.0.0.1:{correio_reinject} inet n - n - - smtpd\n"
                                f"  -o receive_override_options={OVERRIDES}\n")
    correio.write_main_cf({**SETTINGS, **tables})
    postcat_p = ["postcat", "-c", str(postfix.config_dir), "-q"]
    postcat_c = [POSTCAT, "-c", str(correio.config_dir), "-q"]
    differences = []
    with postfix:
        correio.start(wait_ports=[correio.smtp_port, correio_reinject])
        try:
            assert correio.command("check").returncode == 0
            for ports in ((postfix.smtp_port, correio.smtp_port),
                          (postfix_reinject, correio_reinject)):
                for case in CORPUS:
                    before_p = queue_ids(postfix.queue_dir / "hold")
                    before_c = queue_ids(correio.queue_dir / "incoming")
                    want = dialogue(ports[0], *case)
                    got = dialogue(ports[1], *case)
                    if got != want:
                        differences.append((ports, case, want, got))
                        continue
                    if not want[-1].startswith("DATA: 250"):
                        continue
                    want_q = queued(postfix.queue_dir / "hold", before_p, postcat_p)
                    got_q = queued(correio.queue_dir / "incoming", before_c, postcat_c)
                    if got_q != want_q:
                        differences.append((ports, case, want_q, got_q))
        finally:
            correio.stop()
    assert not differences, "\n".join(
        f"{case} on {ports}:\n  postfix: {want}\n  correio: {got}"
        for ports, case, want, got in differences)


def test_unknown_receive_override_option_is_refused():
    correio = Correio(master_cf="{listen} inet n - n - - smtpd\n"
                                "  -o receive_override_options=no_header_body_checks,no_such\n")
    correio.write_main_cf({"mydestination": "localhost"})
    result = correio.command("check")
    assert result.returncode != 0
    assert ('unknown receive_override_options value "no_such" in '
            '"no_header_body_checks,no_such"') in result.stdout + result.stderr
