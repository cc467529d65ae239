"""Mail that local aliases forward outside the local domains goes through cleanup's
rewriting again, as Postfix's local(8) re-submits it with CLEANUP_FLAG_MASK_INTERNAL:
recipient_canonical_maps and virtual_alias_maps apply to the new recipients, while
header_checks, recipient_bcc_maps and a Received: line do not (they did their work when
the message came in); a Delivered-To: header records the forwarding alias, and a message
that comes back to that alias bounces as a forwarding loop. Real pipeline: smtpd, qmgr,
local, pickup and virtual."""

import re
import smtplib

from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages

PICKUP = "pickup        unix  n       -       n       60      1       pickup\n"


def instance():
    inst = pipeline()
    files = {
        "aliases": "postmaster: root\nfwd: old@canon.test\nloop: loop2@alias.test\n",
        "recipient_canonical": "old@canon.test someone@alias.test\n",
        "virtual": "someone@alias.test demo@example.test\nloop2@alias.test loop@localhost\n",
        "recipient_bcc": "someone@alias.test sender@example.test\n",
        "header_checks": "/^Subject:/ PREPEND X-Checked: yes\n",
    }
    for name, text in files.items():
        (inst.config_dir / name).write_text(text)
    t = {name: f"texthash:{inst.config_dir / name}" for name in files}
    inst.write_main_cf({
        "alias_maps": t["aliases"],
        "recipient_canonical_maps": t["recipient_canonical"],
        "virtual_alias_maps": t["virtual"],
        "virtual_alias_domains": "alias.test",
        "recipient_bcc_maps": t["recipient_bcc"],
        "header_checks": t["header_checks"].replace("texthash:", "regexp:"),
    })
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen) + PICKUP)
    return inst


def smtp_send(inst, recipient: str, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example")
        assert s.mail("x@remote.example")[0] == 250
        code, reply = s.rcpt(recipient)
        assert code == 250, reply
        assert s.data(f"Subject: {subject}\r\n\r\nbody\r\n".encode())[0] == 250


def test_forwarded_mail_is_rewritten_again():
    inst = instance()
    with inst:
        smtp_send(inst, "fwd@localhost", "forwarded")
        inst.wait_for_log(r"correio/local\[\d+\]: [0-9A-F]+: to=<old@canon.test>, "
                          r"orig_to=<fwd@localhost>, relay=local, .*status=sent \(forwarded as ")
        # canonical (old@canon.test -> someone@alias.test), then the virtual alias.
        [delivered] = wait_for_messages(inst, "demo", 1)
        text = delivered.read_text()
        assert "Subject: forwarded" in text
        assert "\nDelivered-To: fwd@localhost\n" in text
        # header_checks ran once, at smtpd; pickup added no Received: line of its own.
        assert text.count("X-Checked: yes") == 1, text
        assert "from userid" not in text, text
        # No bcc copy for the forwarded recipient: both messages (the one that came in, the
        # forwarded one) have a single recipient.
        inst.wait_for_log(r"correio/qmgr\[\d+\]: [0-9A-F]+: from=<x@remote.example>, "
                          r"size=\d+, nrcpt=1 ", count=2)
        assert "nrcpt=2 " not in inst.log_text(), inst.log_text()


def test_forwarding_loop_bounces():
    inst = instance()
    with inst:
        smtp_send(inst, "loop@localhost", "looping")
        inst.wait_for_log(r"to=<loop2@alias.test>, orig_to=<loop@localhost>, .*status=sent "
                          r"\(forwarded as ")
        # Back at loop@localhost with "Delivered-To: loop@localhost": not forwarded again.
        inst.wait_for_log(r"to=<loop2@alias.test>, .*"
                          r"status=bounced \(mail forwarding loop for loop@localhost\)")
