"""Client autoconfiguration (issue 18): the autoconfig service on HTTPS with the smtpd
certificate, fetched with Python's http.client like Thunderbird, Outlook and Apple devices
do; every document must describe exactly the client-facing services master.cf runs (the
submission ports and IMAP/POP3, implicit TLS first, never the MX port), and each advertised
port must answer with the TLS mode it is advertised with. Also `correio autoconfig-dns`."""

import http.client
import os
import pwd
import imaplib
import plistlib
import poplib
import smtplib
import socket
import ssl
import subprocess
import xml.etree.ElementTree as ET

import pytest

from correio_fixture import Correio, free_port
from test_smtpd_tls import client_context, make_certificate

SUBMISSION = """\
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_security_level=encrypt
"""


@pytest.fixture(scope="module")
def server():
    cert, key = make_certificate()
    ports = {name: free_port() for name in ("submission", "submissions", "imap", "imaps",
                                            "pop3", "https")}
    master = (
        "{listen} inet n - n - - smtpd\n"
        f"127.0.0.1:{ports['submission']} inet n - n - - smtpd\n{SUBMISSION}"
        f"127.0.0.1:{ports['submissions']} inet n - n - - smtpd\n"
        "  -o smtpd_tls_wrappermode=yes\n  -o smtpd_sasl_auth_enable=yes\n"
        f"127.0.0.1:{ports['imap']} inet n - n - - imapd\n"
        f"127.0.0.1:{ports['imaps']} inet n - n - - imapd\n  -o imapd_tls_wrappermode=yes\n"
        f"127.0.0.1:{ports['pop3']} inet n - n - - pop3d\n"
        f"127.0.0.1:{ports['https']} inet n - n - - autoconfig\n"
        "qmgr unix n - n 300 1 qmgr\n")
    inst = Correio(main_cf={"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                            "virtual_mailbox_domains": "example.test",
                            "relay_domains": "relayed.example"},
                   master_cf=master)
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    users.chmod(0o644)
    mail = inst.base / "mail"
    mail.mkdir()
    if os.geteuid() == 0:  # the daemons run as mail_owner and create the Maildir
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(mail, owner.pw_uid, owner.pw_gid)
    inst.write_main_cf({"user_directory": f"passwd-file:{users}",
                        "virtual_mailbox_base": str(mail)})
    inst.start(wait_ports=[inst.smtp_port, ports["https"], ports["imaps"]])
    yield inst, ports
    inst.stop()
    inst.cleanup()


def fetch(port, method, path, body=None, host="mail.example.test"):
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=client_context())
    conn.request(method, path, body=body, headers={"Host": host})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheader("Content-Type"), data


def test_thunderbird_document_lists_the_real_services_best_first(server):
    inst, ports = server
    status, ctype, data = fetch(ports["https"], "GET",
                                "/.well-known/autoconfig/mail/config-v1.1.xml"
                                "?emailaddress=demo%40example.test")
    assert status == 200 and ctype.startswith("application/xml"), data
    provider = ET.fromstring(data).find("emailProvider")
    assert provider.get("id") == "example.test"
    incoming = [(s.get("type"), int(s.findtext("port")), s.findtext("socketType"))
                for s in provider.findall("incomingServer")]
    # IMAP: implicit TLS before STARTTLS (RFC 8314); POP3 has STARTTLS (the certificate
    # is configured) on its only port.
    assert incoming == [("imap", ports["imaps"], "SSL"), ("imap", ports["imap"], "STARTTLS"),
                        ("pop3", ports["pop3"], "STARTTLS")]
    outgoing = [(int(s.findtext("port")), s.findtext("socketType"))
                for s in provider.findall("outgoingServer")]
    # The MX port (no SMTP AUTH) is not a submission service.
    assert outgoing == [(ports["submissions"], "SSL"), (ports["submission"], "STARTTLS")]
    for server_element in provider.iter():
        if server_element.tag in ("incomingServer", "outgoingServer"):
            assert server_element.findtext("hostname") == "mail.example.test"
            assert server_element.findtext("username") == "demo@example.test"

    # autoconfig.<domain> without an address: Thunderbird's placeholder login.
    status, _, data = fetch(ports["https"], "GET", "/mail/config-v1.1.xml",
                            host="autoconfig.example.test")
    assert status == 200
    assert ET.fromstring(data).find("emailProvider/incomingServer/username").text == \
        "%EMAILADDRESS%"


def test_advertised_ports_answer_in_the_advertised_mode(server):
    inst, ports = server
    ctx = client_context()
    with imaplib.IMAP4_SSL("127.0.0.1", ports["imaps"], ssl_context=ctx, timeout=20) as c:
        c.login("demo@example.test", "secret")
    with imaplib.IMAP4("127.0.0.1", ports["imap"], timeout=20) as c:
        c.starttls(ssl_context=ctx)
        c.login("demo@example.test", "secret")
    pop = poplib.POP3("127.0.0.1", ports["pop3"], timeout=20)
    pop.stls(context=ctx)
    pop.quit()
    with smtplib.SMTP_SSL("127.0.0.1", ports["submissions"], context=ctx, timeout=20) as s:
        assert s.ehlo()[0] == 250 and s.has_extn("auth")
    with smtplib.SMTP("127.0.0.1", ports["submission"], timeout=20) as s:
        s.starttls(context=ctx)
        assert s.ehlo()[0] == 250 and s.has_extn("auth")


def test_outlook_autodiscover_and_apple_profile(server):
    inst, ports = server
    request = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas."
               "microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request>"
               "<EMailAddress>demo@example.test</EMailAddress><AcceptableResponseSchema>http://"
               "schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
               "</AcceptableResponseSchema></Request></Autodiscover>")
    status, _, data = fetch(ports["https"], "POST", "/autodiscover/autodiscover.xml",
                            body=request, host="autodiscover.example.test")
    assert status == 200, data
    ns = {"o": "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"}
    protocols = {p.findtext("o:Type", namespaces=ns): p
                 for p in ET.fromstring(data).iterfind(".//o:Protocol", ns)}
    assert sorted(protocols) == ["IMAP", "POP3", "SMTP"]
    assert int(protocols["IMAP"].findtext("o:Port", namespaces=ns)) == ports["imaps"]
    assert protocols["IMAP"].findtext("o:Encryption", namespaces=ns) == "SSL"
    assert int(protocols["SMTP"].findtext("o:Port", namespaces=ns)) == ports["submissions"]
    assert protocols["SMTP"].findtext("o:LoginName", namespaces=ns) == "demo@example.test"

    status, ctype, data = fetch(ports["https"], "GET", "/mobileconfig?emailaddress=demo@example.test")
    assert status == 200 and ctype == "application/x-apple-aspen-config"
    profile = plistlib.loads(data)
    assert profile["PayloadType"] == "Configuration"
    [mail] = profile["PayloadContent"]
    assert mail["PayloadType"] == "com.apple.mail.managed"
    assert mail["EmailAccountType"] == "EmailTypeIMAP"
    assert (mail["IncomingMailServerPortNumber"], mail["IncomingMailServerUseSSL"]) == \
        (ports["imaps"], True)
    assert mail["OutgoingMailServerPortNumber"] == ports["submissions"]
    # The same address gets the same identifiers: installing again replaces the account.
    assert plistlib.loads(fetch(ports["https"], "GET",
                                "/mobileconfig?emailaddress=demo@example.test")[2]) == profile


def test_bad_requests_get_http_errors(server):
    inst, ports = server
    # Only the domains delivered here: a relay domain or a stranger is not configured.
    for address in ("x@relayed.example", "x@elsewhere.example"):
        status, _, _ = fetch(ports["https"], "GET",
                             f"/mail/config-v1.1.xml?emailaddress={address}")
        assert status == 404, address
    assert fetch(ports["https"], "GET", "/mobileconfig?emailaddress=a%0d%0ab@example.test")[0] == 400
    assert fetch(ports["https"], "GET", "/mobileconfig")[0] == 400
    assert fetch(ports["https"], "DELETE", "/mail/config-v1.1.xml")[0] == 405
    assert fetch(ports["https"], "GET", "/etc/passwd")[0] == 404
    for request in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n",
                    b"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\n\r\n",
                    b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", ports["https"]), timeout=20) as raw_sock:
            with client_context().wrap_socket(raw_sock) as tls:
                tls.sendall(request)
                reply = b""
                while chunk := tls.recv(4096):
                    reply += chunk
        assert reply.startswith(b"HTTP/1.1 400 ") or reply.startswith(b"HTTP/1.1 413 "), \
            (request[:40], reply[:80])
    inst.wait_for_log(r"correio/autoconfig\[\d+\]: autoconfig: GET /mobileconfig from "
                      r"127\.0\.0\.1: 200")


def test_dns_records_for_the_administrator(server):
    inst, ports = server
    out = inst.command("autoconfig-dns", "example.test")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert f"_submissions._tcp.example.test. 3600 IN SRV 0 1 {ports['submissions']} " \
           "mail.example.test." in lines
    assert f"_imaps._tcp.example.test. 3600 IN SRV 2 1 {ports['imaps']} mail.example.test." \
        in lines
    # No POP3 over implicit TLS here: RFC 6186 §3.4's "not available" record.
    assert "_pop3s._tcp.example.test. 3600 IN SRV 0 0 0 ." in lines
    assert f"_autodiscover._tcp.example.test. 3600 IN SRV 0 1 {ports['https']} " \
           "mail.example.test." in lines
