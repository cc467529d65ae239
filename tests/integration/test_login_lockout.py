"""The failed-login lockout (auth_failure_limit) from a locked-out and from a trusted
address, with imaplib, poplib and smtplib bound to 127.0.0.x sources: a locked-out address
is refused even the right password, and the log says so distinctly ("login refused ...:
address locked out after N failures", never a password failure); login_trusted_networks
(imapd, pop3d) and smtpd_client_event_limit_exceptions (smtpd AUTH) exempt a client."""

import imaplib
import poplib
import re
import smtplib
import socket

import pytest

from correio_fixture import Correio
from imap_setup import ImapInstance
from test_pop3d import Pop3Setup
from test_smtpd_rate_limits import plain

LOCKED, TRUSTED = "127.0.0.2", "127.0.0.3"


class Imap(imaplib.IMAP4):
    def __init__(self, port: int, source: str):
        self.source = source
        super().__init__("127.0.0.1", port, timeout=20)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.source, 0))


class Pop(poplib.POP3):
    def __init__(self, port: int, source: str):
        self.source = source
        super().__init__("127.0.0.1", port, timeout=20)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.source, 0))


def imap_login(port, source, password):
    client = Imap(port, source)
    try:
        return client.login("demo@example.test", password)[0]
    except imaplib.IMAP4.error as e:
        return str(e)
    finally:
        client.shutdown()


def test_imap_lockout_and_trusted_network():
    with ImapInstance({"auth_failure_limit": "2",
                       "login_trusted_networks": f"10.0.0.0/8, {TRUSTED}"}) as s:
        port = s.imap_port
        for source in (LOCKED, TRUSTED):
            for _ in range(2):
                assert "AUTHENTICATIONFAILED" in imap_login(port, source, "wrong")
        # The right password from the locked-out address: refused, and logged as such.
        result = imap_login(port, LOCKED, "secret")
        assert "[UNAVAILABLE]" in result, result
        s.inst.wait_for_log(r"correio/imapd\[\d+\]: warning: login refused for user "
                            r"demo@example\.test from 127\.0\.0\.2: address locked out after 2 "
                            r"failures")
        # Only the two wrong passwords are logged as failed logins from that address.
        assert len(s.inst.log_lines(r"Login failed: .*rip=127\.0\.0\.2")) == 2
        # The trusted address failed as often and is not locked out.
        for _ in range(3):
            assert "AUTHENTICATIONFAILED" in imap_login(port, TRUSTED, "wrong")
        assert imap_login(port, TRUSTED, "secret") == "OK"
        assert not s.inst.log_lines(r"login refused .* from 127\.0\.0\.3")


def test_pop3_lockout_and_trusted_network():
    setup = Pop3Setup({"auth_failure_delay": "0s", "auth_failure_limit": "2",
                       "login_trusted_networks": TRUSTED, "auth_allow_cleartext": "yes"})
    try:
        setup.start()
        for source in (LOCKED, TRUSTED):
            p = Pop(setup.pop3_port, source)
            for _ in range(3 if source == TRUSTED else 2):
                p.user("demo@example.test")
                with pytest.raises(poplib.error_proto):
                    p.pass_("wrong")
            p.user("demo@example.test")
            if source == LOCKED:
                with pytest.raises(poplib.error_proto) as refused:
                    p.pass_("secret")
                assert refused.value.args[0].startswith(b"-ERR [SYS/TEMP] ")
            else:
                assert p.pass_("secret").startswith(b"+OK")
            p.quit()
        setup.inst.wait_for_log(r"correio/pop3d\[\d+\]: warning: login refused for user "
                                r"demo@example\.test from 127\.0\.0\.2: address locked out "
                                r"after 2 failures")
        setup.inst.stop()
    finally:
        setup.inst.cleanup()


def test_smtpd_auth_lockout_spares_event_limit_exceptions():
    inst = Correio(main_cf={"mynetworks": "10.0.0.0/8",
                            "smtpd_client_event_limit_exceptions": f"$mynetworks {TRUSTED}"})
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    users.chmod(0o644)
    inst.write_main_cf({"smtpd_sasl_auth_enable": "yes", "user_directory": f"passwd-file:{users}",
                        "auth_failure_delay": "0s", "auth_failure_limit": "2"})
    try:
        inst.start()
        for source in (LOCKED, TRUSTED):
            c = smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20,
                             source_address=(source, 0))
            c.ehlo("client.example")
            for _ in range(3 if source == TRUSTED else 2):
                assert c.docmd("AUTH", plain("demo@example.test", "wrong"))[0] == 535
            code, text = c.docmd("AUTH", plain("demo@example.test", "secret"))
            if source == LOCKED:
                assert (code, text) == (421, b"4.7.0 mail.example.test Error: too many failed "
                                              b"authentication attempts")
                c.close()
            else:
                assert code == 235, text
                c.quit()
        inst.wait_for_log(r"correio/smtpd\[\d+\]: warning: login refused from "
                          r"unknown\[127\.0\.0\.2\]: address locked out after 2 failures")
        assert not re.search(r"login refused .*127\.0\.0\.3", inst.log_text())
        inst.stop()
    finally:
        inst.cleanup()


def test_a_bad_trusted_network_is_a_check_error_naming_file_and_line():
    s = ImapInstance({"login_trusted_networks": "10.0.0.0/8 not-a-network"})
    try:
        result = s.inst.command("check")
        assert result.returncode != 0
        assert re.search(r"main\.cf:\d+: error: login_trusted_networks: bad network address: "
                         r"not-a-network", result.stderr), result.stderr
    finally:
        s.inst.cleanup()
