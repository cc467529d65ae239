"""IMAP server: Python's imaplib (plain, STARTTLS and implicit TLS) against a real Correio,
mail delivered through SMTP, several sessions on one mailbox, IDLE, and malformed input."""

from __future__ import annotations

import re
import socket
import ssl
import threading
import time

import imaplib
import pytest

from imap_setup import ImapInstance


@pytest.fixture(scope="module")
def server():
    with ImapInstance() as s:
        yield s


def wait_for_exists(client, count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        typ, data = client.select("INBOX")
        if typ == "OK" and int(data[0]) >= count:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"INBOX has {data[0]!r} messages, want {count}")
        time.sleep(0.2)


def raw_session(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    greeting = s.recv(4096)
    assert greeting.startswith(b"* OK ")
    return s


def exchange(s: socket.socket, data: bytes, until: bytes) -> bytes:
    s.sendall(data)
    got = b""
    while until not in got:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def test_greeting_capabilities_and_login(server):
    c = server.imap(login=False)
    caps = c.capabilities
    assert "IMAP4REV1" in caps and "IMAP4REV2" in caps
    assert "STARTTLS" in caps and "AUTH=PLAIN" in caps
    typ, _ = c.login("demo@example.test", "secret")
    assert typ == "OK"
    typ, data = c.capability()
    caps = data[0].decode()
    for cap in ("IDLE", "UIDPLUS", "MOVE", "CONDSTORE", "QRESYNC", "ESEARCH", "SPECIAL-USE",
                "LIST-STATUS", "SORT", "THREAD=REFERENCES", "NAMESPACE", "BINARY"):
        assert cap in caps
    c.logout()


def test_wrong_password_is_refused_without_revealing_the_user(server):
    for user in ("demo@example.test", "nobody@example.test"):
        c = server.imap(login=False)
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            c.login(user, "wrong")
        c.logout()
    server.inst.wait_for_log(r"imapd\[\d+\]: Login failed: user=<nobody@example.test>")


def test_plaintext_login_refused_before_tls_unless_allowed():
    with ImapInstance(cleartext=False) as s:
        c = s.imap(login=False)
        assert "LOGINDISABLED" in c.capabilities
        with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
            c.login("demo@example.test", "secret")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c.starttls(ssl_context=ctx)
        assert c.login("demo@example.test", "secret")[0] == "OK"
        c.logout()
        t = s.imaps()
        assert t.login("demo@example.test", "secret")[0] == "OK"
        t.logout()


def test_delivered_mail_fetch_and_flags(server):
    server.send("hello from smtp", subject="fetch me")
    c = server.imap()
    wait_for_exists(c, 1)
    typ, data = c.uid("SEARCH", None, 'SUBJECT "fetch me"')
    uid = data[0].split()[-1].decode()
    typ, data = c.uid("FETCH", uid, "(FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE INTERNALDATE)")
    assert typ == "OK"
    text = data[0].decode() if isinstance(data[0], bytes) else data[0][0].decode()
    assert "ENVELOPE" in text and '"fetch me"' in text
    assert '("text" "plain"' in text.lower() or '("TEXT" "PLAIN"' in text
    assert re.search(r"RFC822\.SIZE \d+", text)
    typ, data = c.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])")
    assert b"Subject: fetch me" in data[0][1]
    assert b"hello from smtp" in data[1][1]
    typ, data = c.uid("FETCH", uid, "(FLAGS)")
    assert b"\\Seen" not in data[0]
    c.uid("FETCH", uid, "(BODY[])")
    typ, data = c.uid("FETCH", uid, "(FLAGS)")
    assert b"\\Seen" in data[0]
    typ, data = c.uid("STORE", uid, "+FLAGS", "(\\Flagged $Forwarded)")
    assert typ == "OK" and b"\\Flagged" in data[0] and b"$Forwarded" in data[0]
    typ, data = c.uid("SEARCH", None, "KEYWORD $Forwarded")
    assert uid in data[0].decode().split()
    c.logout()


def test_folders_list_create_rename_delete_subscribe(server):
    c = server.imap()
    typ, data = c.list()
    names = [d.decode() for d in data]
    assert any(n.endswith('"." INBOX') for n in names)
    assert any("\\Sent" in n and n.endswith("Sent") for n in names)
    assert any("\\Trash" in n for n in names)
    assert c.create("Projects")[0] == "OK"
    assert c.create("Projects.2026")[0] == "OK"
    typ, data = c.create("Projects")
    assert typ == "NO" and b"ALREADYEXISTS" in data[0]
    typ, data = c.list('""', "Projects%")
    assert any(b"\\HasChildren" in d for d in data)
    assert c.rename("Projects.2026", "Projects.Done")[0] == "OK"
    assert c.subscribe("Projects")[0] == "OK"
    typ, data = c.lsub('""', "*")
    assert any(d.endswith(b"Projects") for d in data)
    typ, data = c.status("Projects", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN SIZE)")
    assert typ == "OK" and b"MESSAGES 0" in data[0]
    assert c.delete("Projects.Done")[0] == "OK"
    typ, data = c.select("Nope")
    assert typ == "NO"
    typ, data = c.delete("INBOX")
    assert typ == "NO"
    c.logout()


def test_append_copy_move_expunge_with_uidplus(server):
    c = server.imap()
    c.create("Work")
    typ, data = c.append("Work", "(\\Seen)", None,
                         b"From: a@example.test\r\nSubject: appended\r\n\r\nbody\r\n")
    assert typ == "OK"
    m = re.search(rb"APPENDUID (\d+) (\d+)", data[0])
    assert m
    c.select("Work")
    typ, data = c.uid("COPY", m.group(2).decode(), "INBOX")
    assert typ == "OK"
    typ, data = c.response("COPYUID")
    assert data[0] and re.match(rb"\d+ \d+ \d+", data[0])
    typ, data = c.uid("MOVE", m.group(2).decode(), "Trash")
    assert typ == "OK"
    typ, data = c.select("Work")
    assert int(data[0]) == 0
    c.select("Trash")
    typ, data = c.search(None, "ALL")
    assert data[0]
    c.store("1:*", "+FLAGS", "\\Deleted")
    typ, data = c.expunge()
    assert typ == "OK"
    typ, data = c.select("Trash")
    assert int(data[0]) == 0
    c.logout()


def test_two_sessions_see_each_others_changes_and_idle_push(server):
    a = server.imap()
    b = server.imap()
    wait_for_exists(a, 1)
    typ, data = a.select("INBOX")
    count = int(data[0])
    b.select("INBOX")
    # Session B flags message 1; A sees a FETCH FLAGS response at its next NOOP.
    b.store("1", "+FLAGS", "\\Answered")
    a.noop()
    fetches = a.untagged_responses.get("FETCH", [])
    assert any(b"\\Answered" in f for f in fetches)
    # IDLE on a raw connection: a delivery is pushed within a second or two.
    s = raw_session(server.imap_port)
    exchange(s, b"a1 LOGIN demo@example.test secret\r\n", b"a1 OK")
    exchange(s, b"a2 SELECT INBOX\r\n", b"a2 OK")
    exchange(s, b"a3 IDLE\r\n", b"+ ")
    started = time.monotonic()
    server.send("idle push", subject="idle")
    got = b""
    s.settimeout(15)
    while b"EXISTS" not in got:
        chunk = s.recv(4096)
        assert chunk, f"the server closed the IDLE session: {got!r}"
        got += chunk
    assert time.monotonic() - started < 10
    assert f"* {count + 1} EXISTS".encode() in got
    got = exchange(s, b"DONE\r\n", b"a3 OK")
    s.close()
    a.logout()
    b.logout()


def test_search_sort_thread_esearch(server):
    server.send("alpha body", subject="Re: thread topic",
                headers="Message-ID: <t2@example.test>\r\nIn-Reply-To: <t1@example.test>\r\n")
    server.send("beta body", subject="thread topic", headers="Message-ID: <t1@example.test>\r\n")
    c = server.imap()
    c.select("INBOX")
    deadline = time.monotonic() + 20
    while True:
        typ, data = c.search(None, "SUBJECT", '"thread topic"')
        if len(data[0].split()) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    typ, data = c.search(None, "BODY", "alpha")
    assert len(data[0].split()) == 1
    typ, data = c.search("UTF-8", "TEXT", "BETA")
    assert len(data[0].split()) == 1
    typ, data = c.search("KOI8-R", "ALL")
    assert typ == "NO"
    typ, data = c.sort("(SUBJECT)", "UTF-8", "ALL")
    assert typ == "OK" and data[0]
    typ, data = c.thread("REFERENCES", "UTF-8", "ALL")
    assert typ == "OK"
    assert re.search(rb"\((\d+) (\d+)\)", data[0])
    typ, data = c._simple_command("SEARCH", "RETURN", "(MIN MAX COUNT)", "ALL")
    typ, data = c._untagged_response(typ, data, "ESEARCH")
    assert b"COUNT" in data[0] and b"MIN 1" in data[0]
    c.logout()


def test_condstore_and_qresync(server):
    c = server.imap()
    typ, data = c._simple_command("ENABLE", "QRESYNC")
    assert typ == "OK"
    wait_for_exists(c, 1)
    typ, data = c.select("INBOX")
    hms = c.untagged_responses.get("OK", [])
    assert any(b"HIGHESTMODSEQ" in x for x in hms)
    typ, data = c.uid("FETCH", "1:*", "(FLAGS)", "(CHANGEDSINCE 1)")
    assert typ == "OK" and b"MODSEQ" in b" ".join(d if isinstance(d, bytes) else d[0] for d in data)
    c.logout()


def test_malformed_commands_get_bad_and_no_crash(server):
    s = raw_session(server.imap_port)
    got = exchange(s, b"a1 FROBNICATE\r\n", b"a1 ")
    assert b"a1 BAD" in got
    got = exchange(s, b"a2 SELECT INBOX\r\n", b"a2 ")
    assert b"a2 BAD" in got and b"Not logged in" in got
    got = exchange(s, b"a3 LOGIN \"unterminated\r\n", b"a3 ")
    assert b"a3 BAD" in got
    got = exchange(s, b"\r\n", b"BAD")
    assert b"BAD" in got
    got = exchange(s, b"a4 LOGIN demo@example.test secret\r\n", b"a4 ")
    assert b"a4 OK" in got
    got = exchange(s, b"a5 FETCH 1:* (FLAGS)\r\n", b"a5 ")
    assert b"a5 BAD" in got  # nothing selected
    exchange(s, b"a6 SELECT INBOX\r\n", b"a6 OK")
    got = exchange(s, b"a7 FETCH 0:x (FLAGS)\r\n", b"a7 ")
    assert b"a7 BAD" in got
    got = exchange(s, b"a8 SEARCH (((((\r\n", b"a8 ")
    assert b"a8 BAD" in got
    got = exchange(s, b"a9 FETCH 1 BODY[999.HEADER.FIELDS (\r\n", b"a9 ")
    assert b"a9 BAD" in got
    # A huge synchronising literal is refused before any data is sent.
    got = exchange(s, b"a10 APPEND INBOX {999999999999}\r\n", b"a10 ")
    assert b"a10 NO [TOOBIG]" in got
    # A line over the limit.
    got = exchange(s, b"a11 NOOP " + b"x" * 70000 + b"\r\n", b"BAD")
    assert b"too long" in got
    got = exchange(s, b"a12 NOOP\r\n", b"a12 ")
    assert b"a12 OK" in got
    got = exchange(s, b"a13 LOGOUT\r\n", b"a13 ")
    assert b"* BYE" in got and b"a13 OK" in got
    s.close()
    assert server.inst.master_pid  # the service is still there
    c = server.imap()
    assert c.noop()[0] == "OK"
    c.logout()


def test_unauthenticated_idle_client_is_dropped():
    with ImapInstance({"imapd_login_timeout": "2s"}) as s:
        sock = raw_session(s.imap_port)
        sock.settimeout(10)
        got = sock.recv(4096)
        assert b"BYE" in got
        sock.close()


def test_compress_deflate(server):
    import zlib
    s = raw_session(server.imap_port)
    exchange(s, b"a1 LOGIN demo@example.test secret\r\n", b"a1 OK")
    got = exchange(s, b"a2 COMPRESS DEFLATE\r\n", b"a2 ")
    assert b"a2 OK" in got
    out = zlib.compressobj(wbits=-15)
    inp = zlib.decompressobj(wbits=-15)
    s.sendall(out.compress(b"a3 LIST \"\" *\r\n") + out.flush(zlib.Z_SYNC_FLUSH))
    text = b""
    while b"a3 OK" not in text:
        text += inp.decompress(s.recv(65536))
    assert b"* LIST" in text and b"INBOX" in text
    s.sendall(out.compress(b"a4 COMPRESS DEFLATE\r\n") + out.flush(zlib.Z_SYNC_FLUSH))
    text = b""
    while b"a4 " not in text:
        text += inp.decompress(s.recv(65536))
    assert b"COMPRESSIONACTIVE" in text
    s.close()


def test_binary_fetch_multiappend_and_searchres(server):
    c = server.imap()
    c.create("Bin")
    msg = (b"From: a@example.test\r\nSubject: bin\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n"
           + __import__("base64").b64encode("olá mundo".encode()) + b"\r\n")
    # MULTIAPPEND: two messages in one command, with non-synchronising literals.
    tag = c._new_tag()
    m2 = b"Subject: two\r\n\r\nsecond\r\n"
    c.send(tag + b" APPEND Bin (\\Seen) {%d+}\r\n" % len(msg) + msg
           + b" {%d+}\r\n" % len(m2) + m2 + b"\r\n")
    typ, data = c._command_complete("APPEND", tag)
    assert typ == "OK"
    typ, data = c.response("APPENDUID")
    assert re.match(rb"\d+ \d+:\d+", data[0])
    c.select("Bin")
    typ, data = c.fetch("1", "(BINARY[1] BINARY.SIZE[1])")
    assert "olá mundo".encode() in data[0][1]
    typ, data = c._simple_command("SEARCH", "RETURN", "(SAVE)", "SUBJECT", "two")
    assert typ == "OK"
    typ, data = c.fetch("$", "(UID FLAGS)")
    assert typ == "OK" and data[0] and b"FLAGS" in data[0]
    typ, data = c.search(None, "NOT", "SEEN")
    assert data[0].split() == [b"2"]
    c.logout()


def test_examine_is_read_only_and_unselect(server):
    c = server.imap()
    typ, data = c.select("INBOX", readonly=True)
    assert typ == "OK"
    typ, data = c.store("1", "+FLAGS", "\\Deleted")
    assert typ == "NO"
    typ, _ = c._simple_command("UNSELECT")
    assert typ == "OK"
    typ, data = c.namespace()
    assert b'(("" "."))' in data[0]
    c.logout()
    s = raw_session(server.imap_port)
    got = exchange(s, b'a1 ID ("name" "pytest" "version" "1")\r\n', b"a1 ")
    assert b'* ID ("name" "Correio")' in got and b"a1 OK" in got
    got = exchange(s, b"a2 ID NIL\r\n", b"a2 ")
    assert b"a2 OK" in got
    s.close()


def test_cold_fetch_of_a_large_folder_matches_per_message_fetches(server):
    """FETCH 1:* of ENVELOPE/BODYSTRUCTURE on a cold folder computes the cache on all cores
    at once: every message must still get its own values, the same as a single FETCH."""
    c = server.imap()
    c.create("Bulk")
    n = 150
    for i in range(n):
        if i % 3 == 0:
            body = (f"From: Sender {i} <s{i}@example.test>\r\nSubject: bulk message {i}\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                    f"--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n--b\r\n"
                    "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64"
                    "\r\n\r\nAAAA\r\n--b--\r\n")
        else:
            body = (f"From: Sender {i} <s{i}@example.test>\r\nSubject: bulk message {i}\r\n\r\n"
                    + f"line {i}\r\n" * (1 + i % 5))
        assert c.append("Bulk", None, None, body.encode())[0] == "OK"
    c.select("Bulk")
    typ, data = c.fetch("1:*", "(UID ENVELOPE BODYSTRUCTURE)")
    assert typ == "OK"
    bulk = [d for d in data if isinstance(d, bytes)]
    assert len(bulk) == n
    for seq, line in enumerate(bulk, start=1):
        i = seq - 1
        assert f"bulk message {i}\"".encode() in line, line[:200]
        assert (b'"mixed"' in line.lower()) == (i % 3 == 0), line[-200:]
    # A second session asks per message and gets the same bytes from the cache.
    d = server.imap()
    d.select("Bulk")
    for seq in (1, 2, 77, n):
        typ, one = d.fetch(str(seq), "(UID ENVELOPE BODYSTRUCTURE)")
        assert typ == "OK" and one[0] == bulk[seq - 1]
    d.logout()
    c.logout()
