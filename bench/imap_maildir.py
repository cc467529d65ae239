#!/usr/bin/env python3
"""bench/imap_maildir.py DIR [COUNT] [SEED] — write a realistic Maildir for bench/imap.sh.

Deterministic for a given COUNT and SEED, so Correio and Dovecot get byte-identical copies
and runs are comparable. The mix, chosen to look like a real person's INBOX:
  - sizes 1-50 KB, log-uniform (many small, some large);
  - ~60 % text/plain, ~15 % multipart/alternative (text + HTML), ~20 % multipart/mixed
    with one or two base64 attachments (some with a nested alternative part), ~5 %
    quoted-printable text;
  - ~20 % RFC 2047 encoded subjects or display names (UTF-8 B and ISO-8859-1 Q);
  - threads: about a third of the messages reply to an earlier one (In-Reply-To,
    References, "Re: " subject);
  - flags: ~80 % \\Seen, ~5 % \\Flagged, ~10 % \\Answered; the last 1 % sit unread in new/;
  - Dovecot-style file names with S= and W= (as an LDA writes them), LF line ends, the
    file mtime = the Date: header (the IMAP INTERNALDATE).
The words "quarterly" (in ~2 % of subjects) and "zebracorn" (in ~1 % of bodies) are the
SEARCH targets the client uses.
"""

from __future__ import annotations

import base64
import os
import random
import sys
from email.utils import format_datetime
from datetime import datetime, timezone

WORDS = ("the of and to in is for on that with as was by at from this be are have an not "
         "project meeting report update budget release server mail invoice review team plan "
         "schedule draft notes question answer issue build test deploy customer contract "
         "travel lunch agenda minutes summary weekly monthly offer order delivery payment "
         "account password security network storage backup migration design proposal").split()
NAMES = [("Alice Martin", "alice@example.org"), ("Bob Silva", "bob@example.net"),
         ("Carla Souza", "carla@empresa.com.br"), ("David Chen", "dchen@corp.example"),
         ("Élodie Dubois", "elodie@exemple.fr"), ("Jürgen Müller", "jm@beispiel.de"),
         ("João Gonçalves", "joao@exemplo.pt"), ("Mailing List", "list@lists.example.org"),
         ("Support", "support@vendor.example"), ("Noreply", "noreply@shop.example")]
SELF = ("Bench User", "bench@bench.test")
UTF8_SUBJECTS = ["Réunion de l'équipe", "Überprüfung des Berichts", "Ação necessária",
                 "Café amanhã?", "日本語の件名", "Привет из Москвы", "Ωμέγα αναφορά"]


def encode_word(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="
    raw = text.encode("utf-8")
    q = "".join(chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else
                "_" if b == 32 else f"={b:02X}" for b in raw)
    return "=?UTF-8?Q?" + q + "?="


def address(name: str, email: str, rng: random.Random) -> str:
    if any(ord(c) > 127 for c in name):
        return f"{encode_word(name, rng)} <{email}>"
    return f'"{name}" <{email}>' if rng.random() < 0.3 else f"{name} <{email}>"


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def paragraph_text(rng: random.Random, size: int, rare: bool) -> str:
    lines, total = [], 0
    while total < size:
        line = words(rng, rng.randint(6, 12))
        if rare and rng.random() < 0.05:
            line += " zebracorn"
            rare = False
        lines.append(line)
        total += len(line) + 1
    if rare:
        lines.append("zebracorn sighting")
    return "\n".join(lines) + "\n"


def b64_block(rng: random.Random, size: int) -> str:
    data = rng.randbytes(size)
    enc = base64.b64encode(data).decode()
    return "\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + "\n"


def body_parts(rng: random.Random, size: int, rare: bool) -> tuple[str, str]:
    """(Content-Type header lines, body) for a message of about `size` bytes."""
    kind = rng.random()
    if kind < 0.60:
        return ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
                paragraph_text(rng, size, rare))
    if kind < 0.65:
        text = paragraph_text(rng, size, rare).replace(" the ", " th=C3=A9 ")
        return ("Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: quoted-printable\n", text)
    b = f"=_alt_{rng.getrandbits(48):012x}"
    text = paragraph_text(rng, size // 3, rare)
    html = "<html><body><p>" + text.replace("\n", "</p>\n<p>") + "</p></body></html>\n"
    alternative = (f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
                   f"--{b}\nContent-Type: text/html; charset=utf-8\n\n{html}\n--{b}--\n")
    alt_header = f'Content-Type: multipart/alternative; boundary="{b}"\n'
    if kind < 0.80:
        return alt_header, "This is a multi-part message in MIME format.\n\n" + alternative
    m = f"=_mixed_{rng.getrandbits(48):012x}"
    first = (alt_header + "\n" + alternative if rng.random() < 0.4 else
             "Content-Type: text/plain; charset=utf-8\n\n" + paragraph_text(rng, size // 4, rare))
    out = f"This is a multi-part message in MIME format.\n\n--{m}\n{first}\n"
    for i in range(1 if rng.random() < 0.7 else 2):
        ctype, ext = rng.choice([("application/pdf", "pdf"), ("image/png", "png"),
                                 ("application/zip", "zip"), ("image/jpeg", "jpg")])
        name = rng.choice(["report", "invoice", "photo", "scan", "Übersicht", "notes"]) + f"-{i}.{ext}"
        disp = (f'attachment; filename="{name}"' if name.isascii() else
                f"attachment; filename*=UTF-8''{''.join(f'%{b:02X}' for b in name.encode())}")
        out += (f"--{m}\nContent-Type: {ctype}; name=\"{name if name.isascii() else 'file.' + ext}\"\n"
                f"Content-Transfer-Encoding: base64\nContent-Disposition: {disp}\n\n"
                + b64_block(rng, max(200, size // 2 * 3 // 4 // (i + 1))) + "\n")
    out += f"--{m}--\n"
    return f'Content-Type: multipart/mixed; boundary="{m}"\n', out


def make_message(rng: random.Random, i: int, when: datetime, history: list) -> tuple[str, str]:
    size = int(1024 * 50 ** rng.random())  # 1 KB .. 50 KB, log-uniform
    sender = rng.choice(NAMES)
    msgid = f"<{i}.{rng.getrandbits(32):08x}@{sender[1].split('@')[1]}>"
    if history and rng.random() < 0.33:
        parent_subject, parent_id, parent_refs = rng.choice(history[-300:])
        subject = parent_subject if parent_subject.startswith("Re: ") else "Re: " + parent_subject
        refs = (parent_refs + " " + parent_id).strip().split()[-8:]
        thread = f"In-Reply-To: {parent_id}\nReferences: {' '.join(refs)}\n"
        refs_text = " ".join(refs)
    else:
        if rng.random() < 0.15:
            subject = encode_word(rng.choice(UTF8_SUBJECTS) + f" {i}", rng)
        else:
            subject = words(rng, rng.randint(2, 7)).capitalize()
        if rng.random() < 0.02:
            subject += " quarterly"
        thread, refs_text = "", ""
    history.append((subject, msgid, refs_text))
    ctype, body = body_parts(rng, size, rng.random() < 0.01)
    cc = f"Cc: {address(*rng.choice(NAMES), rng)}\n" if rng.random() < 0.3 else ""
    lst = ("List-Id: <announce.lists.example.org>\n" if sender[1].startswith("list@") else "")
    headers = (f"Return-Path: <{sender[1]}>\n"
               f"Received: from mx.example.org (mx.example.org [192.0.2.{i % 250 + 1}])\n"
               f"\tby mail.bench.test with ESMTPS id {rng.getrandbits(40):010X}\n"
               f"\tfor <{SELF[1]}>; {format_datetime(when)}\n"
               f"Message-ID: {msgid}\nDate: {format_datetime(when)}\n"
               f"From: {address(*sender, rng)}\nTo: {address(*SELF, rng)}\n{cc}"
               f"Subject: {subject}\n{thread}{lst}MIME-Version: 1.0\n{ctype}")
    return msgid, headers + "\n" + body


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    target = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261124)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(target, sub), exist_ok=True)
    start = datetime(2024, 11, 1, tzinfo=timezone.utc).timestamp()
    span = 2 * 365 * 86400
    history: list = []
    total = 0
    for i in range(count):
        ts = int(start + span * i / count + rng.randint(0, 600))
        when = datetime.fromtimestamp(ts, timezone.utc)
        _, text = make_message(rng, i, when, history)
        data = text.encode()
        vsize = len(data) + text.count("\n")
        base = f"{ts}.M{rng.randint(0, 999999)}P{1000 + i}Q{i}.bench,S={len(data)},W={vsize}"
        if i >= count - max(1, count // 100):
            path = os.path.join(target, "new", base)
        else:
            flags = ("F" if rng.random() < 0.05 else "") + ("R" if rng.random() < 0.10 else "")
            flags += "S" if rng.random() < 0.80 else ""
            path = os.path.join(target, "cur", base + ":2," + "".join(sorted(flags)))
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (ts, ts))
        total += len(data)
    print(f"{count} messages, {total / 1048576:.1f} MiB in {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
