"""cleanup's address rewriting seen from outside (ADDRESS_REWRITING_README): virtual
aliases (one-to-many, catch-all, unknown users refused at RCPT), canonical maps and
masquerading in the envelope and in the headers of local clients, relocated users, and
the bcc copies — with smtplib and sendmail, checked in the stored Maildir files (headers,
Return-Path:, X-Original-To:) and the mail log."""

import os
import re
import smtplib
import subprocess

from correio_fixture import CORREIO_BIN, wait_limit
from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages

PICKUP = "pickup        unix  n       -       n       60      1       pickup\n"


def instance(tables: dict[str, str], extra: dict[str, str] | None = None):
    inst = pipeline()
    settings = dict(extra or {})
    for name, text in tables.items():
        path = inst.config_dir / name
        path.write_text(text)
        settings[name] = f"texthash:{path}"
    inst.write_main_cf({"myorigin": "example.test", "recipient_delimiter": "+", **settings})
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen) + PICKUP)
    return inst


def smtp_send(inst, sender, recipients, message: bytes):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example")
        assert s.mail(sender)[0] == 250
        for r in recipients:
            code, reply = s.rcpt(r)
            assert code == 250, (r, reply)
        code, reply = s.data(message)
        assert code == 250, reply


def headers(path) -> str:
    return path.read_text(errors="replace").split("\n\n", 1)[0]


def test_virtual_alias_one_to_many_catch_all_and_unknown():
    inst = instance(
        {"virtual_alias_maps": "sales@alias.example demo@example.test, sender@example.test\n"
                               "@catch.example demo@example.test\n"
                               "boss@example.test sender@example.test\n"},
        {"virtual_alias_domains": "alias.example catch.example"})
    with inst:
        smtp_send(inst, "someone@remote.example", ["sales@alias.example"],
                  b"Subject: one to many\r\n\r\nbody\r\n")
        [demo] = wait_for_messages(inst, "demo", 1)
        [other] = wait_for_messages(inst, "sender", 1)
        for path in (demo, other):
            assert "X-Original-To: sales@alias.example" in headers(path)
        assert "Delivered-To: demo@example.test" in headers(demo)
        inst.wait_for_log(r"correio/virtual\[\d+\]: \w+: to=<demo@example\.test>, "
                          r"orig_to=<sales@alias\.example>, .*status=sent")

        smtp_send(inst, "someone@remote.example", ["anyone+tag@catch.example"],
                  b"Subject: catch all\r\n\r\nbody\r\n")
        paths = wait_for_messages(inst, "demo", 2)
        assert any("X-Original-To: anyone+tag@catch.example" in headers(p) for p in paths)

        # A user of a virtual mailbox domain that has an alias is valid without a mailbox.
        smtp_send(inst, "someone@remote.example", ["boss@example.test"],
                  b"Subject: aliased mailbox user\r\n\r\nbody\r\n")
        wait_for_messages(inst, "sender", 2)

        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            s.mail("someone@remote.example")
            code, reply = s.rcpt("nobody@alias.example")
            assert code == 550, reply
            assert reply == (b"5.1.1 <nobody@alias.example>: Recipient address rejected: "
                             b"User unknown in virtual alias table")


def test_alias_loop_is_deferred_not_accepted():
    inst = instance({"virtual_alias_maps": "a@alias.example b@alias.example\n"
                                           "b@alias.example a@alias.example\n"},
                    {"virtual_alias_domains": "alias.example"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            s.mail("someone@remote.example")
            code, reply = s.rcpt("a@alias.example")
            assert code == 451 and reply.startswith(b"4.6.0"), reply
        inst.wait_for_log(r"unreasonable virtual_alias_maps map nesting for a@alias\.example")


def test_canonical_and_masquerade_rewrite_envelope_and_local_headers():
    inst = instance(
        {"canonical_maps": "jane@example.test Jane.Doe@example.test\n"
                           "@old.example @example.test\n"},
        {"masquerade_domains": "example.test", "masquerade_exceptions": "root"})
    message = (b"From: \"Doe, Jane\" <jane@host.example.test>\r\n"
               b"To: Demo (the demo user) <demo@old.example>, root@host.example.test\r\n"
               b"Cc: bare\r\n"
               b"Subject: canonical\r\n\r\nbody\r\n")
    with inst:
        # 127.0.0.1 is an address of this host: permit_inet_interfaces rewrites headers.
        smtp_send(inst, "jane@example.test", ["demo@old.example"], message)
        [path] = wait_for_messages(inst, "demo", 1)
        head = headers(path)
        assert path.read_text().startswith("Return-Path: <Jane.Doe@example.test>\n")
        assert "X-Original-To: demo@old.example" in head
        assert 'From: "Doe, Jane" <jane@example.test>' in head  # canonical, then masqueraded
        assert ("To: Demo (the demo user) <demo@example.test>, root@host.example.test"
                in head), head
        assert "Cc: bare@example.test" in head
        inst.wait_for_log(r"correio/qmgr\[\d+\]: \w+: from=<Jane\.Doe@example\.test>")


def test_remote_clients_keep_their_headers():
    inst = instance({"canonical_maps": "@old.example @example.test\n"},
                    {"local_header_rewrite_clients": ""})
    with inst:
        smtp_send(inst, "someone@remote.example", ["demo@old.example"],
                  b"From: x@old.example\r\nTo: demo@old.example\r\nSubject: remote\r\n\r\nb\r\n")
        [path] = wait_for_messages(inst, "demo", 1)
        head = headers(path)
        assert "To: demo@old.example" in head and "From: x@old.example" in head
        assert "Delivered-To: demo@example.test" in head  # the envelope is rewritten


def test_relocated_user_is_rejected_and_local_mail_bounces():
    inst = instance({"relocated_maps": "gone@example.test demo@example.test\n"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            s.mail("someone@remote.example")
            code, reply = s.rcpt("gone@example.test")
            assert code == 550, reply
            assert reply == (b"5.1.6 <gone@example.test>: Recipient address rejected: "
                             b"User has moved to demo@example.test")
        sendmail(inst, ["-f", "sender@example.test", "gone@example.test"],
                 b"Subject: to the relocated\n\nbody\n")
        inst.wait_for_log(r"to=<gone@example\.test>, .*status=bounced \(.*"
                          r"User has moved to demo@example\.test\)", timeout=20)
        [bounce] = wait_for_messages(inst, "sender", 1)
        assert "User has moved to demo@example.test" in bounce.read_text(errors="replace")


def test_bcc_copies_and_sendmail_rewriting():
    inst = instance({"sender_bcc_maps": "demo@example.test sender@example.test\n",
                     "virtual_alias_maps": "team demo@example.test\n"},
                    {"always_bcc": "archive@example.test"})
    users = inst.config_dir / "users"
    users.write_text(users.read_text() + "archive@example.test:{PLAIN}pw::::::\n")
    with inst:
        # sendmail: bare addresses get @myorigin, "team" is an alias in a local form.
        sendmail(inst, ["-f", "demo", "team"], b"To: team\nSubject: copies\n\nbody\n")
        [delivered] = wait_for_messages(inst, "demo", 1)
        head = headers(delivered)
        assert "To: team@example.test" in head
        # Postfix's orig_rcpt is the recipient as submitted ("orig_to=<root>" in its logs).
        assert "X-Original-To: team\n" in head
        assert delivered.read_text().startswith("Return-Path: <demo@example.test>\n")
        [copy] = wait_for_messages(inst, "sender", 1)  # sender_bcc_maps
        [archived] = wait_for_messages(inst, "archive", 1)  # always_bcc
        for path in (copy, archived):
            assert "Subject: copies" in path.read_text()
            assert "To: team@example.test" in headers(path)  # a copy changes no header


def sendmail(inst, args, message: bytes):
    env = dict(os.environ, MAIL_CONFIG=str(inst.config_dir))
    result = subprocess.run([os.path.join(os.path.dirname(CORREIO_BIN), "sendmail"), *args],
                            input=message, capture_output=True, env=env,
                            timeout=wait_limit(30))
    assert result.returncode == 0, result.stderr


def test_check_and_start_refuse_bad_rewriting_settings():
    inst = instance({}, {"canonical_maps": "texthash:/nonexistent/canonical",
                         "local_header_rewrite_clients": "permit_inet_interfaces, "
                                                         "check_address_map hash:/x"})
    try:
        result = inst.command("check")
        assert result.returncode == 1, result.stderr
        assert re.search(r"main\.cf:\d+: error: canonical_maps: .*/nonexistent/canonical",
                         result.stderr), result.stderr
        assert re.search(r"main\.cf:\d+: error: local_header_rewrite_clients: \"check_address_map"
                         r"\" is not supported", result.stderr), result.stderr
        assert inst.command("start").returncode != 0
    finally:
        inst.cleanup()
