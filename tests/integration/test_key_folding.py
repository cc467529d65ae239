"""Table keys are folded by smtputf8_enable, alike in postmap and in the daemons (Postfix's
dict_utf8 layer): Unicode case folding with `yes`, ASCII letters only with `no`. A
canonical_maps hash: table built by Correio's postmap with a non-ASCII key rewrites a
header address in smtpd exactly when Postfix's rules say the folded keys meet."""

import smtplib
import subprocess

import pytest

from correio_fixture import Correio
from test_rewriting_vs_postfix import queue_ids, wait_new_id
from test_smtpd import POSTCAT

# The table's key as written; the header addresses sent, and whether each must be found.
KEY = "ÄRGER@example.test"
CASES = {
    "yes": {"ÄRGER@example.test": True, "ärger@example.test": True, "Ärger@EXAMPLE.test": True},
    # ASCII folding: "ÄRGER" is stored as "Ärger"; "ärger" is another key.
    "no": {"ÄRGER@example.test": True, "ärger@example.test": False, "Ärger@EXAMPLE.test": True},
}


@pytest.mark.parametrize("smtputf8", ["yes", "no"])
def test_daemon_folds_keys_as_postmap_did(smtputf8):
    correio = Correio(master_cf="{listen} inet n - n - - smtpd\n")
    table = correio.config_dir / "canonical"
    table.write_text(f"{KEY} renamed@example.test\n", encoding="utf-8")
    correio.write_main_cf({"smtputf8_enable": smtputf8, "mynetworks": "127.0.0.0/8",
                           "mydestination": "localhost", "myorigin": "example.test",
                           "canonical_maps": f"hash:{table}"})
    built = correio.command("postmap", str(table))
    assert built.returncode == 0, built.stderr
    # postmap itself answers by the same rule.
    for address, found in CASES[smtputf8].items():
        q = correio.command("postmap", "-q", address, f"hash:{table}")
        assert (q.returncode == 0) == found, (address, q.stdout, q.stderr)
    with correio:
        for address, found in CASES[smtputf8].items():
            before = queue_ids(correio.queue_dir / "incoming")
            message = (f"From: sender@example.test\r\nTo: {address}\r\n"
                       "Subject: folding\r\n\r\nbody\r\n").encode()
            with smtplib.SMTP("127.0.0.1", correio.smtp_port, timeout=20) as s:
                s.sendmail("sender@example.test", ["rcpt@remote.example"], message,
                           mail_options=["BODY=8BITMIME"])
            queue_id = wait_new_id(correio.queue_dir / "incoming", before)
            shown = subprocess.run([POSTCAT, "-c", str(correio.config_dir), "-q", queue_id],
                                   capture_output=True, text=True, errors="replace").stdout
            to = [line for line in shown.splitlines() if line.startswith("To: ")]
            want = "To: renamed@example.test" if found else f"To: {address}"
            assert to == [want], (smtputf8, address, shown)
