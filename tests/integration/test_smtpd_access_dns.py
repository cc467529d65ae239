"""smtpd's DNS-based restrictions against a real dnsmasq serving test zones on 127.0.0.1:
reject_rbl_client with and without an =127.0.0.[2..4] filter, default_rbl_reply and
rbl_reply_maps, permit_dnswl_client, reject_rhsbl_sender, reject_unknown_sender_domain,
reject_unknown_helo_hostname, check_sender_mx_access, the NS host tests
check_{sender,recipient,client,helo}_ns_access and check_client_a_access with its
reverse_client_hostname form. Clients come from 127.0.0.x."""

import shutil
import smtplib
import subprocess
import time

import pytest

from correio_fixture import Correio
from test_reverse_dns import free_udp_and_tcp_port

def ns_record(zone: str, host: str) -> str:
    """dnsmasq's --dns-rr for an NS record (type 2): RDATA is the host in wire format."""
    wire = "".join(f"{len(label):02x}" + label.encode().hex() for label in host.split("."))
    return f"--dns-rr={zone},2,{wire}00"


pytestmark = pytest.mark.skipif(shutil.which("dnsmasq") is None, reason="dnsmasq not installed")


@pytest.fixture
def zones(tmp_path):
    port = free_udp_and_tcp_port()
    proc = subprocess.Popen(
        ["dnsmasq", "--no-daemon", "--port", str(port), "--listen-address=127.0.0.1",
         "--bind-interfaces", "--no-resolv", "--no-hosts",
         "--pid-file=" + str(tmp_path / "dnsmasq.pid"),
         "--local=/test/",  # NXDOMAIN for the rest of .test, no forwarding
         # The block list: 127.0.0.2 listed as 127.0.0.2, 127.0.0.3 as 127.0.0.10.
         "--host-record=2.0.0.127.zen.test,127.0.0.2",
         "--host-record=3.0.0.127.zen.test,127.0.0.10",
         # The allow list: 127.0.0.6.
         "--host-record=6.0.0.127.wl.test,127.0.5.1",
         # A domain block list: spammer.test.
         "--host-record=spammer.test.dbl.test,127.0.1.2",
         "--host-record=exists.test,192.0.2.1",
         "--host-record=helo.exists.test,192.0.2.2",
         "--host-record=mx.bad.test,192.0.2.3",
         "--mx-host=badmx.test,mx.bad.test,10",
         "--mx-host=mxonly.test,exists.test,10",
         # Name servers: evil-ns.test is served by ns1.evil.test (listed by name),
         # hosted.test by ns.badhost.test (listed by address: 192.0.2.66), clean.test by
         # ns.clean.test (not listed).
         ns_record("evil-ns.test", "ns1.evil.test"),
         "--host-record=ns1.evil.test,192.0.2.53",
         "--host-record=evil-ns.test,192.0.2.54",
         ns_record("hosted.test", "ns.badhost.test"),
         "--host-record=ns.badhost.test,192.0.2.66",
         "--host-record=www.hosted.test,192.0.2.67",
         ns_record("clean.test", "ns.clean.test"),
         "--host-record=ns.clean.test,192.0.2.77",
         "--host-record=clean.test,192.0.2.78",
         # The client's name (reverse and forward) for check_client_ns_access.
         "--host-record=mx.www.hosted.test,127.0.0.7",
         # check_client_a_access: 127.0.0.9 is multi.a.test, which also has 192.0.2.99;
         # 127.0.0.8 claims fake.a.test, whose address is 192.0.2.98 (not confirmed).
         "--host-record=multi.a.test,127.0.0.9",
         "--host-record=multi.a.test,192.0.2.99",
         "--ptr-record=8.0.0.127.in-addr.arpa,fake.a.test",
         "--host-record=fake.a.test,192.0.2.98",
         # RHS lists: multi.a.test and fake.a.test listed in dbl.test, allowed in wl.test
         # only multi.a.test; a null MX domain.
         "--host-record=multi.a.test.dbl.test,127.0.1.2",
         "--host-record=fake.a.test.dbl.test,127.0.1.2",
         "--host-record=multi.a.test.wl.test,127.0.5.1",
         "--dns-rr=nullmx.test,15,000000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    if proc.poll() is not None:
        pytest.skip(f"dnsmasq did not start: {proc.stdout.read().decode(errors='replace')}")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def start(port: int, restrictions: str, extra=None) -> Correio:
    inst = Correio(main_cf={"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                            "smtpd_reject_unlisted_recipient": "no",
                            "mynetworks": "127.0.0.1/32",
                            "dns_resolver_servers": f"127.0.0.1:{port}",
                            "dns_resolver_timeout": "5s",
                            "smtpd_recipient_restrictions":
                                restrictions + ", reject_unauth_destination",
                            **(extra or {})})
    return inst  # started by `with`


def rcpt_reply(inst: Correio, source: str, sender: str = "a@exists.test",
               helo: str = "helo.exists.test") -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, source_address=(source, 0), timeout=15) as s:
        s.ehlo(helo)
        assert s.mail(sender)[0] == 250
        return s.rcpt("demo@example.test")


def test_rbl_client_filters_and_replies(zones):
    inst = start(zones, "permit_dnswl_client wl.test, reject_rbl_client zen.test=127.0.0.[2..4], "
                        "reject_rbl_client zen.test")
    with inst:
        assert rcpt_reply(inst, "127.0.0.2") == \
            (554, b"5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.test")
        # 127.0.0.10 is outside the filter: only the unfiltered list rejects it.
        assert rcpt_reply(inst, "127.0.0.3")[0] == 554
        assert rcpt_reply(inst, "127.0.0.4")[0] == 250  # not listed
        inst.wait_for_log(r"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 "
                          r"Service unavailable; Client host \[127\.0\.0\.2\] blocked using "
                          r"zen\.test; from=<a@exists\.test> to=<demo@example\.test>")
    only_filtered = start(zones, "reject_rbl_client zen.test=127.0.0.[2..4]",
                          {"rbl_reply_maps": "inline:{ { zen.test = 521 5.7.9 go: $$rbl_what } }"})
    with only_filtered:
        assert rcpt_reply(only_filtered, "127.0.0.3")[0] == 250
        # The template's code and enhanced status win over maps_rbl_reject_code's.
        assert rcpt_reply(only_filtered, "127.0.0.2") == (521, b"5.7.9 go: 127.0.0.2")


def test_allow_list_permits(zones):
    inst = start(zones, "permit_dnswl_client wl.test, reject")
    with inst:
        assert rcpt_reply(inst, "127.0.0.6")[0] == 250
        assert rcpt_reply(inst, "127.0.0.4")[0] == 554


def test_rhsbl_sender_unknown_domains_and_mx_access(zones):
    inst = start(zones, "reject_rhsbl_sender dbl.test, reject_unknown_sender_domain, "
                        "reject_unknown_helo_hostname, "
                        "check_sender_mx_access inline:{ { mx.bad.test = REJECT bad mx } }",
                 {"unknown_address_reject_code": "550", "unknown_hostname_reject_code": "550"})
    with inst:
        assert rcpt_reply(inst, "127.0.0.4", "x@spammer.test") == \
            (554, b"5.7.1 Service unavailable; Sender address [spammer.test] blocked using "
                  b"dbl.test")
        assert rcpt_reply(inst, "127.0.0.4", "x@missing.test") == \
            (550, b"5.1.8 <x@missing.test>: Sender address rejected: Domain not found")
        assert rcpt_reply(inst, "127.0.0.4", "x@mxonly.test")[0] == 250
        assert rcpt_reply(inst, "127.0.0.4", helo="nohost.test") == \
            (550, b"5.7.1 <nohost.test>: Helo command rejected: Host not found")
        assert rcpt_reply(inst, "127.0.0.4", "x@badmx.test") == \
            (554, b"5.7.1 <x@badmx.test>: Sender address rejected: bad mx")


NS_TABLE = "inline:{ { ns1.evil.test = REJECT evil name server }, { 192.0.2.66 = 554 5.7.1 bad host } }"


def test_ns_access_checks_the_name_servers_by_name_and_address(zones):
    # The recipient's test in the relay list, which runs first.
    inst = start(zones, f"check_sender_ns_access {NS_TABLE}",
                 {"smtpd_relay_restrictions":
                  f"check_recipient_ns_access {NS_TABLE}, reject_unauth_destination"})
    with inst:
        # By name: the NS host of the sender's domain.
        assert rcpt_reply(inst, "127.0.0.4", "x@evil-ns.test") == \
            (554, b"5.7.1 <x@evil-ns.test>: Sender address rejected: evil name server")
        # Up the tree: www.hosted.test has no NS records of its own; hosted.test's NS host
        # is listed by its address.
        assert rcpt_reply(inst, "127.0.0.4", "x@www.hosted.test") == \
            (554, b"5.7.1 <x@www.hosted.test>: Sender address rejected: bad host")
        assert rcpt_reply(inst, "127.0.0.4", "x@clean.test")[0] == 250
        # A domain without name servers up to the top: no restriction, a warning.
        assert rcpt_reply(inst, "127.0.0.4", "x@nowhere.test")[0] == 250
        inst.wait_for_log(r"warning: Unable to look up NS host for nowhere\.test")
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, source_address=("127.0.0.4", 0),
                          timeout=15) as s:
            s.ehlo("helo.exists.test")
            s.mail("a@clean.test")
            assert s.rcpt("someone@evil-ns.test") == \
                (554, b"5.7.1 <someone@evil-ns.test>: Recipient address rejected: "
                      b"evil name server")
        inst.wait_for_log(r"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.4\]: 554 5\.7\.1 "
                          r"<x@evil-ns\.test>: Sender address rejected: evil name server; "
                          r"from=<x@evil-ns\.test>")


def test_helo_and_client_ns_access(zones):
    inst = start(zones, f"check_helo_ns_access {NS_TABLE}, check_client_ns_access {NS_TABLE}",
                 {"smtpd_peername_lookup": "yes"})
    with inst:
        assert rcpt_reply(inst, "127.0.0.4", "a@clean.test", helo="www.hosted.test") == \
            (554, b"5.7.1 <www.hosted.test>: Helo command rejected: bad host")
        assert rcpt_reply(inst, "127.0.0.4", "a@clean.test", helo="clean.test")[0] == 250
        # 127.0.0.7 is mx.www.hosted.test (forward-confirmed): its domain's NS host is listed.
        assert rcpt_reply(inst, "127.0.0.7", "a@clean.test", helo="clean.test") == \
            (554, b"5.7.1 <mx.www.hosted.test[127.0.0.7]>: Client host rejected: bad host")


def test_client_a_access_checks_the_addresses_of_the_clients_name(zones):
    """postconf(5) check_client_a_access: the addresses of the client's (verified) host
    name, looked up as check_client_access looks up the client's own; the reverse_ form
    takes the PTR name. OK is refused (Postfix's forbid_allowlist)."""
    inst = start(zones, "check_client_a_access inline:{ { 192.0.2.99 = REJECT listed host } }, "
                        "check_reverse_client_hostname_a_access "
                        "inline:{ { 192.0.2 = 554 5.7.1 listed reverse } }",
                 {"smtpd_peername_lookup": "yes"})
    with inst:
        assert rcpt_reply(inst, "127.0.0.9", "a@clean.test", helo="clean.test") == \
            (554, b"5.7.1 <multi.a.test[127.0.0.9]>: Client host rejected: listed host")
        # Not forward-confirmed: check_client_a_access has no name, the reverse_ form does
        # (and 192.0.2.98 matches its table by the shorter prefix 192.0.2).
        assert rcpt_reply(inst, "127.0.0.8", "a@clean.test", helo="clean.test") == \
            (554, b"5.7.1 <unknown[127.0.0.8]>: Client host rejected: listed reverse")
        assert rcpt_reply(inst, "127.0.0.4", "a@clean.test", helo="clean.test")[0] == 250
    allow = start(zones, "check_client_a_access inline:{ { 192.0.2.99 = OK } }",
                  {"smtpd_peername_lookup": "yes"})
    with allow:
        code, text = rcpt_reply(allow, "127.0.0.9", "a@clean.test", helo="clean.test")
        assert code == 451 and text.startswith(b"4.3.5"), (code, text)
        allow.wait_for_log(r"warning: restriction check_client_a_access returns OK for "
                           r"192\.0\.2\.99")


def dialogue(inst: Correio, source: str, helo: str, sender: str, rcpt: str) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, source_address=(source, 0), timeout=15) as s:
        s.ehlo(helo)
        code, text = s.mail(sender)
        if code != 250:
            return code, text
        return s.rcpt(rcpt)


def test_client_names_and_recipient_domains(zones):
    """reject_unknown_client_hostname, reject_unknown_reverse_client_hostname,
    check_reverse_client_hostname_access and reject_unknown_recipient_domain, with the
    replies Postfix 3.7's smtpd has (its binary holds these texts and 4.7.25, 4.1.2)."""
    inst = start(zones, "check_reverse_client_hostname_access "
                        "inline:{ { fake.a.test = REJECT reverse listed } }, "
                        "reject_unknown_recipient_domain, permit_mynetworks",
                 {"smtpd_peername_lookup": "yes", "mynetworks": "127.0.0.0/8",
                  "smtpd_client_restrictions": "reject_unknown_reverse_client_hostname"})
    with inst:
        # 127.0.0.8 claims fake.a.test (not confirmed): a reverse name, no client name.
        assert dialogue(inst, "127.0.0.8", "clean.test", "a@clean.test", "demo@example.test") \
            == (554, b"5.7.1 <unknown[127.0.0.8]>: Client host rejected: reverse listed")
        # 127.0.0.4 has no PTR at all.
        assert dialogue(inst, "127.0.0.4", "clean.test", "a@clean.test", "demo@example.test") \
            == (450, b"4.7.25 Client host rejected: cannot find your reverse hostname, "
                     b"[127.0.0.4]")
        assert dialogue(inst, "127.0.0.9", "clean.test", "a@clean.test", "x@missing.test") \
            == (450, b"4.1.2 <x@missing.test>: Recipient address rejected: Domain not found")
        assert dialogue(inst, "127.0.0.9", "clean.test", "a@clean.test", "x@nullmx.test") \
            == (556, b"5.1.10 <x@nullmx.test>: Recipient address rejected: Domain nullmx.test "
                     b"does not accept mail (nullMX)")
        assert dialogue(inst, "127.0.0.9", "clean.test", "a@clean.test", "x@exists.test")[0] \
            == 250
    strict = start(zones, "permit", {"smtpd_peername_lookup": "yes",
                                     "smtpd_client_restrictions": "reject_unknown_client_hostname"})
    with strict:
        assert dialogue(strict, "127.0.0.8", "clean.test", "a@clean.test", "demo@example.test") \
            == (450, b"4.7.25 Client host rejected: cannot find your hostname, [127.0.0.8]")
        assert dialogue(strict, "127.0.0.9", "clean.test", "a@clean.test",
                        "demo@example.test")[0] == 250


def test_mx_access_and_rhs_lists_for_client_helo_and_recipient(zones):
    inst = start(zones, "check_recipient_mx_access inline:{ { mx.bad.test = REJECT bad mx } }, "
                        "check_helo_mx_access inline:{ { mx.bad.test = REJECT bad helo mx } }, "
                        "reject_rhsbl_helo dbl.test, permit_rhswl_client wl.test, "
                        "reject_rhsbl_client dbl.test, reject_rhsbl_reverse_client dbl.test",
                 {"smtpd_peername_lookup": "yes", "mynetworks": "127.0.0.0/8"})
    with inst:
        assert dialogue(inst, "127.0.0.4", "clean.test", "a@clean.test", "x@badmx.test") == \
            (554, b"5.7.1 <x@badmx.test>: Recipient address rejected: bad mx")
        assert dialogue(inst, "127.0.0.4", "badmx.test", "a@clean.test", "x@exists.test") == \
            (554, b"5.7.1 <badmx.test>: Helo command rejected: bad helo mx")
        assert dialogue(inst, "127.0.0.4", "spammer.test", "a@clean.test", "x@exists.test") == \
            (554, b"5.7.1 Service unavailable; Helo command [spammer.test] blocked using dbl.test")
        # multi.a.test is in dbl.test and in wl.test: the allow list comes first.
        assert dialogue(inst, "127.0.0.9", "clean.test", "a@clean.test", "x@exists.test")[0] \
            == 250
        # fake.a.test: only a reverse name, listed.
        assert dialogue(inst, "127.0.0.8", "clean.test", "a@clean.test", "x@exists.test") == \
            (554, b"5.7.1 Service unavailable; Unverified Client host [fake.a.test] blocked using "
                  b"dbl.test")
    listed = start(zones, "reject_rhsbl_client dbl.test",
                   {"smtpd_peername_lookup": "yes", "mynetworks": "127.0.0.0/8"})
    with listed:
        assert dialogue(listed, "127.0.0.9", "clean.test", "a@clean.test", "x@exists.test") == \
            (554, b"5.7.1 Service unavailable; Client host [multi.a.test] blocked using "
                  b"dbl.test")
