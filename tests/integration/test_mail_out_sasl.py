"""SMTP AUTH in the smtp client as ../shared/seeds/004 sets it up: a relayhost
[smtp.example.test]:587, sender_dependent_relayhost_maps sending two senders to two
smarthosts with two accounts, a hash: password map and smtp_sender_dependent_authentication
= yes. The default smtp_sasl_security_options (noplaintext) leave SCRAM-SHA-256 as the only
mechanism; the receiving Correio instances log which account authenticated. Passwords
never reach the log."""

import pytest

from test_mail_out import (dns, maildir_files, send, submission_host,  # noqa: F401
                           wait_for_file, sender_host)
from test_mail_out import pytestmark  # noqa: F401  (dnsmasq and root)
from correio_fixture import wait_for_port

ACCOUNTS = {
    "127.0.0.71": ("alice-acct@sh1.test", "pw-alice-1"),
    "127.0.0.72": ("bob-acct@sh2.test", "pw-bob-2"),
    "127.0.0.73": ("relay-acct@smtp.example.test", "pw-relay-3"),
}


def smarthost(address: str, account: tuple[str, str] | None = None, extra_users: str = ""):
    """A submission server on ADDRESS:587 knowing `account` (default: ACCOUNTS[address])."""
    b = submission_host(address)
    user, password = account or ACCOUNTS[address]
    (b.config_dir / "users").write_text(
        "rcpt@dest.test:{PLAIN}x::::::\n"
        f"{user}:{{PLAIN}}{password}::::::\n" + extra_users)
    return b


def seed_client(dns_port: int, extra: dict | None = None, extra_passwords: str = ""):
    a = sender_host(dns_port, {"relayhost": "[smtp.example.test]:587",
                               "smtp_tls_security_level": "encrypt",
                               "smtp_sasl_auth_enable": "yes",
                               "smtp_sender_dependent_authentication": "yes",
                               **(extra or {})})
    relayhosts = a.config_dir / "sender_relay"
    relayhosts.write_text("alice@example.test  [smarthost1.test]:587\n"
                          "bob@example.test    [smarthost2.test]:587\n")
    passwords = a.config_dir / "sasl_passwd"
    passwords.write_text(
        f"alice@example.test  {ACCOUNTS['127.0.0.71'][0]}:{ACCOUNTS['127.0.0.71'][1]}\n"
        f"bob@example.test    {ACCOUNTS['127.0.0.72'][0]}:{ACCOUNTS['127.0.0.72'][1]}\n"
        f"[smtp.example.test]:587  {ACCOUNTS['127.0.0.73'][0]}:{ACCOUNTS['127.0.0.73'][1]}\n"
        + extra_passwords)
    for table in (relayhosts, passwords):
        result = a.command("postmap", f"hash:{table}")
        assert result.returncode == 0, result.stderr
    a.write_main_cf({"sender_dependent_relayhost_maps": f"hash:{relayhosts}",
                     "smtp_sasl_password_maps": f"hash:{passwords}"})
    return a


def start_smarthosts(*hosts):
    for address, b in hosts:
        b.start(wait_ports=[])
        wait_for_port(587, host=address)


def stop_all(*hosts):
    for h in hosts:
        try:
            h.stop()
        finally:
            h.cleanup()


def test_each_sender_authenticates_with_its_own_account(dns):
    port = dns(["--host-record=smarthost1.test,127.0.0.71",
                "--host-record=smarthost2.test,127.0.0.72",
                "--host-record=smtp.example.test,127.0.0.73"])
    hosts = [(addr, smarthost(addr)) for addr in ACCOUNTS]
    a = seed_client(port)
    try:
        start_smarthosts(*hosts)
        a.start()
        send(a, "rcpt@dest.test", subject="alice-1", sender="alice@example.test")
        send(a, "rcpt@dest.test", subject="bob-1", sender="bob@example.test")
        send(a, "rcpt@dest.test", subject="carol-1", sender="carol@example.test")
        for (address, b), who in zip(hosts, ("alice", "bob", "carol")):
            [path] = wait_for_file(b, "dest.test", "rcpt")
            assert f"Subject: {who}-1".encode() in path.read_bytes()
            user = ACCOUNTS[address][0].replace(".", r"\.")
            b.wait_for_log(rf"sasl_method=SCRAM-SHA-256-PLUS, sasl_username={user}")
        a.wait_for_log(r"to=<rcpt@dest\.test>, relay=smarthost1\.test\[127\.0\.0\.71\]:587, "
                       r".*status=sent", timeout=30)
        a.wait_for_log(r"to=<rcpt@dest\.test>, relay=smarthost2\.test\[127\.0\.0\.72\]:587, "
                       r".*status=sent", timeout=30)
        a.wait_for_log(r"to=<rcpt@dest\.test>, relay=smtp\.example\.test\[127\.0\.0\.73\]:587, "
                       r".*status=sent", timeout=30)
        log = a.log_text()
        for _, password in ACCOUNTS.values():
            assert password not in log
    finally:
        stop_all(a, *(b for _, b in hosts))


def test_cached_connection_is_not_reused_for_another_senders_account(dns):
    """carol (the relayhost's account) and dave (his own account) go to the same relayhost
    within the connection cache time: dave's mail must travel in a session authenticated
    as dave, as Postfix keys its cache by sender under sender-dependent authentication."""
    port = dns(["--host-record=smtp.example.test,127.0.0.74"])
    b = smarthost("127.0.0.74", ACCOUNTS["127.0.0.73"], extra_users="dave-acct@smtp.example.test:{PLAIN}pw-dave-4::::::\n")
    a = seed_client(port, {"smtp_connection_cache_time_limit": "10s"},
                    extra_passwords="dave@example.test  dave-acct@smtp.example.test:pw-dave-4\n")
    try:
        start_smarthosts(("127.0.0.74", b))
        a.start()
        # One at a time, each within the cache time of the one before: without the sender
        # in the cache key, dave's message would take carol's authenticated session.
        for count, who in enumerate(("carol", "dave", "carol"), start=1):
            send(a, "rcpt@dest.test", subject=f"{who}-{count}", sender=f"{who}@example.test")
            a.wait_for_log(r"to=<rcpt@dest\.test>, .*status=sent", count=count, timeout=30)
        b.wait_for_log(r"sasl_method=SCRAM-SHA-256-PLUS, sasl_username=dave-acct@smtp\.example\.test")
        # carol's two messages: one session (RSET between them), authenticated once.
        assert len(b.log_lines(r"sasl_username=relay-acct@smtp\.example\.test")) == 2
        b.wait_for_log(r"disconnect from \S+ ehlo=2 starttls=1 auth=1 mail=2 rcpt=2 data=2 "
                       r"rset=1 quit=1", timeout=30)
        assert "pw-dave-4" not in a.log_text()
    finally:
        stop_all(a, b)


def test_mechanism_filter_and_plaintext_option(dns):
    """smtp_sasl_mechanism_filter = plain with the default noplaintext leaves nothing: the
    mail is deferred with Postfix's words; allowing plaintext under TLS sends it by PLAIN."""
    port = dns(["--host-record=smtp.example.test,127.0.0.75"])
    b = smarthost("127.0.0.75", ACCOUNTS["127.0.0.73"])
    a = seed_client(port, {"smtp_sasl_mechanism_filter": "plain"})
    try:
        start_smarthosts(("127.0.0.75", b))
        a.start()
        send(a, "rcpt@dest.test", subject="filter-1", sender="carol@example.test")
        a.wait_for_log(r"to=<rcpt@dest\.test>, relay=smtp\.example\.test\[127\.0\.0\.75\]:587, "
                       r".*status=deferred \(SASL authentication failed; cannot authenticate "
                       r"to server smtp\.example\.test\[127\.0\.0\.75\]: no mechanism "
                       r"available\)", timeout=30)
        assert not maildir_files(b, "dest.test", "rcpt")
        a.write_main_cf({"smtp_sasl_tls_security_options": "noanonymous"})
        assert a.command("reload").returncode == 0
        a.wait_for_log(r"reload -- version")
        assert a.command("postqueue", "-f").returncode == 0
        wait_for_file(b, "dest.test", "rcpt")
        b.wait_for_log(r"sasl_method=PLAIN, sasl_username=relay-acct@smtp\.example\.test")
        assert "pw-relay-3" not in a.log_text()
    finally:
        stop_all(a, b)
