"""postmap -b, -h, -m and -U (message query modes) against Debian's /usr/sbin/postmap
(Postfix 3.7): the same pcre:/regexp:/texthash: tables and the same messages on standard
input must give the same "key<TAB>value" lines, warnings and exit status."""

import pytest

from test_postmap_options_vs_postfix import POSTFIX, both, sides, write  # noqa: F401

pytestmark = pytest.mark.skipif(not POSTFIX["postmap"].exists(),
                                reason="the postfix package (make test installs it)")

RULES = r"""/^Subject: .*viagra/ REJECT spam subject
/^Received: from (\S+)/ WARN from $1
/^Content-Type: application\/x-msdownload/ REJECT exe
/^Content-Disposition: .*filename="?[^"]*\.exe/ REJECT exe name
/^X-Folded: one\n\s+two/ WARN folded
/forbidden phrase/ REJECT body refused
/^$/ EMPTY line
/^--frontier/ BOUNDARY
/^This is a multi-part/ PREAMBLE
/^Nested-Header: (.*)/ NESTED $1
/^ümlaut/ UTF8 line
"""

PLAIN = ("Received: from a.example by b.example\n"
         "Subject: buy viagra now\n"
         "X-Folded: one\n two\n"
         "\n"
         "first line\n"
         "a forbidden phrase here\n"
         "\n"
         "last line\n")

MIME = ("From: a@example.test\n"
        "Subject: parts\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=frontier\n"
        "\n"
        "This is a multi-part message in MIME format.\n"
        "--frontier\n"
        "Content-Type: text/plain\n"
        "\n"
        "a forbidden phrase in a part\n"
        "--frontier\n"
        "Content-Type: application/x-msdownload\n"
        "Content-Disposition: attachment; filename=\"setup.exe\"\n"
        "\n"
        "TVqQAAMAAAAEAAAA\n"
        "--frontier\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "Nested-Header: inside\n"
        "Subject: nested viagra\n"
        "\n"
        "nested body with a forbidden phrase\n"
        "--frontier--\n"
        "epilogue\n")

# Latin-1 bytes (not UTF-8) and a UTF-8 line.
EIGHT_BIT = b"Subject: caf\xe9\n\n\xfcmlaut in latin-1\n" + "\u00fcmlaut in utf-8\n".encode()


@pytest.mark.parametrize("table_type", ["pcre", "regexp"])
@pytest.mark.parametrize("flags", ["-h", "-b", "-hb", "-hm", "-bm", "-hbm"])
@pytest.mark.parametrize("message", ["plain", "mime"])
def test_message_keys_as_postfix(sides, table_type, flags, message):  # noqa: F811
    write(sides, "checks", RULES)
    text = PLAIN if message == "plain" else MIME
    out, err, status = both(sides, "postmap", [flags, "-q", "-", f"{table_type}:checks"],
                            stdin=text.encode())
    assert status in (0, 1)


@pytest.mark.parametrize("flags", ["-b", "-bU", "-h", "-hU"])
def test_utf8_checks_off_unless_U(sides, flags):  # noqa: F811
    write(sides, "checks", RULES)
    both(sides, "postmap", [flags, "-q", "-", "pcre:checks"], stdin=EIGHT_BIT)


def test_message_keys_in_a_fixed_table(sides):  # noqa: F811
    """Whole lines as keys of a texthash: table, folded as the table folds them."""
    write(sides, "words", "hello one\nWORLD two\n\u00c4rger three\n")
    message = "Subject: x\n\nhello\nWorld\nother\n\u00c4RGER\n\u00e4rger\n".encode()
    for flags in ("-b", "-bU", "-hb"):
        both(sides, "postmap", [flags, "-q", "-", "texthash:words"], stdin=message)


# Not here: "-m -q -" (Postfix warns and then looks up every stdin line as it is, empty
# lines included, where Correio's plain "-q -" trims lines and skips empty ones).
@pytest.mark.parametrize("args", [["-b", "-q", "key"], ["-h", "-s"], ["-m", "-q", "x"]])
def test_misuse_as_postfix(sides, args):  # noqa: F811
    write(sides, "checks", RULES)
    both(sides, "postmap", [*args, "pcre:checks"], stdin=PLAIN.encode())
