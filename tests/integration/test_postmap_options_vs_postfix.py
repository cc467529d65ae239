"""postmap -d/-F/-u, postalias -s/-q -, and the source-file syntax, against Debian's real
/usr/sbin/postmap and /usr/sbin/postalias (Postfix 3.7) on the same files.

Each program builds its own hash: table (Postfix a Berkeley DB file, Correio an LMDB
file) from identical source files; the answers (-q, -s sorted, since a hash table lists
in no fixed order), the exit status and the warnings must agree. Where Postfix refuses an
operation for a table type, Correio must refuse it with the same message.
"""
import os
import pathlib
import subprocess

import pytest

BIN = pathlib.Path(os.environ.get("CORREIO_BIN", "build/bin/correio")).resolve()
CORREIO = {"postmap": BIN.parent / "postmap", "postalias": BIN.parent / "postalias"}
POSTFIX = {"postmap": pathlib.Path("/usr/sbin/postmap"),
           "postalias": pathlib.Path("/usr/sbin/postalias")}

pytestmark = pytest.mark.skipif(not POSTFIX["postmap"].exists(),
                                reason="the postfix package (make test installs it)")


@pytest.fixture
def sides(tmp_path):
    """Postfix's and Correio's directories, each with main.cf; commands run inside."""
    dirs = {}
    for side in ("postfix", "correio"):
        d = tmp_path / side
        d.mkdir()
        (d / "main.cf").write_text("compatibility_level = 3.6\nmyhostname = host.example\n")
        dirs[side] = d
    return dirs


def write(sides, name, data):
    for d in sides.values():
        (d / name).write_bytes(data.encode() if isinstance(data, str) else data)


def run(sides, side, tool, args, stdin=None):
    program = POSTFIX[tool] if side == "postfix" else CORREIO[tool]
    d = sides[side]
    r = subprocess.run([str(program), "-c", str(d), *args], cwd=d, input=stdin,
                       capture_output=True, timeout=60)
    # The database file names differ by design (Berkeley DB vs LMDB); nothing else may.
    err = r.stderr.decode(errors="replace").replace(str(d), "DIR").replace(".lmdb", ".db")
    return r.stdout.decode(errors="replace"), err, r.returncode


def both(sides, tool, args, stdin=None, sort=False):
    """Runs the same command on both sides; asserts equal stdout, stderr and status."""
    pf = run(sides, "postfix", tool, args, stdin)
    co = run(sides, "correio", tool, args, stdin)
    if sort:
        pf = (sorted(pf[0].splitlines()), pf[1], pf[2])
        co = (sorted(co[0].splitlines()), co[1], co[2])
    assert co == pf, (tool, args)
    return co


def dump(sides, tool, table, extra=()):
    return both(sides, tool, [*extra, "-s", table], sort=True)


# Continuation lines keep their leading whitespace (readllines() drops only the newline);
# comments and blank lines inside an entry; quoted keys with whitespace.
SOURCE = (
    "a  one  \n   two  three\n\tfour\n"
    "b x\n  # not an entry\n\n  y\n"
    "c\n   late-value\n"
    "\"q k\" qv\n\"a\\\"b\"  v2\n\"unterminated v\n\"x\"y z\n\"\" empty\n"
    "k \"quoted value\"\nUPPER  Value\nbad\n\"q\"\ne   \n  f\n"
)
KEYS = ["a", "b", "c", '"q k"', "q k", '"a\\"b"', '"x"y', '""', "k", "upper", "UPPER", "e"]


def test_source_syntax_as_postfix(sides):
    write(sides, "t", SOURCE)
    both(sides, "postmap", ["hash:t"])
    dump(sides, "postmap", "hash:t")
    for key in KEYS:
        both(sides, "postmap", ["-q", key, "hash:t"])
    both(sides, "postmap", ["-q", "-", "hash:t"], stdin="".join(k + "\n" for k in KEYS).encode())
    for key in KEYS:  # texthash: reads the same syntax without a database
        both(sides, "postmap", ["-q", key, "texthash:t"])


def test_delete_as_postfix(sides):
    write(sides, "t", "ab x\ncd y\nef z\nEE q\ngh w\n")
    both(sides, "postmap", ["-f", "hash:t"])
    both(sides, "postmap", ["-d", "AB", "hash:t"])  # folded: "ab" goes
    both(sides, "postmap", ["-d", "nope", "hash:t"])  # exit 1, nothing printed
    # -d -: one key a line, as it is (" cd" and "EE " are not keys); -f: no folding.
    both(sides, "postmap", ["-f", "-d", "-", "hash:t"], stdin=b" cd\n\nEE \nEE\nzz\n")
    dump(sides, "postmap", "hash:t")
    # One entry per table goes; exit 0 when any table had the key.
    write(sides, "u", "cd one\nxy two\n")
    both(sides, "postmap", ["hash:u"])
    both(sides, "postmap", ["-d", "cd", "hash:t", "hash:u"])
    dump(sides, "postmap", "hash:t")
    dump(sides, "postmap", "hash:u")
    both(sides, "postmap", ["-d", "-", "hash:t", "hash:u"], stdin=b"gh\nxy\n")
    dump(sides, "postmap", "hash:u")
    # postalias -d deletes alias names the same way.
    write(sides, "aliases", "root: admin\npostmaster: root\n")
    both(sides, "postalias", ["hash:aliases"])
    both(sides, "postalias", ["-d", "Postmaster", "hash:aliases"])
    assert "postmaster" not in run(sides, "correio", "postalias", ["-s", "hash:aliases"])[0]
    # A missing table, and the option conflicts.
    both(sides, "postmap", ["-d", "a", "hash:missing"])
    both(sides, "postmap", ["-d", "x", "-q", "y", "hash:t"])
    both(sides, "postmap", ["-d", "x", "-s", "hash:t"])
    both(sides, "postmap", ["-d", "ab"])


def test_delete_refused_as_postfix(sides):
    write(sides, "t", "a b\n")
    write(sides, "re", "/a/ b\n")
    write(sides, "cidr", "1.2.3.4 x\n")
    write(sides, "sqlite.cf", "dbname = DIR/none.db\nquery = SELECT 1 WHERE 0 = '%s'\n")
    both(sides, "postmap", ["cdb:t"])
    for table in ["cdb:t", "regexp:re", "pcre:re", "cidr:cidr", "texthash:t", "inline:{a=b}",
                  "static:x", "unionmap:{regexp:re,inline:{a=b}}",
                  "pipemap:{regexp:re,inline:{a=b}}"]:
        both(sides, "postmap", ["-d", "a", table])


def test_file_values_as_postfix(sides):
    write(sides, "f1", "line1\nline2\n")
    write(sides, "f2", "second")
    write(sides, "f3", "")
    write(sides, "t", "a f1\nb f1,f2\nc f1 , f2\nd f3\ne missing\nf f2\n")
    both(sides, "postmap", ["-F", "hash:t"])  # "open missing: ...: skipping this entry"
    dump(sides, "postmap", "hash:t")  # base64 as stored
    dump(sides, "postmap", "hash:t", ["-F"])  # decoded
    for key in ["a", "b", "c", "e", "f"]:
        both(sides, "postmap", ["-F", "-q", key, "hash:t"])
        both(sides, "postmap", ["-q", key, "hash:t"])
    both(sides, "postmap", ["-F", "-q", "-", "hash:t"], stdin=b"a\nb\nzz\n")
    # A value that is not base64: a warning, and -q stops with "query error".
    write(sides, "nb", "x notbase64!!\ny Zm9v\n")
    both(sides, "postmap", ["hash:nb"])
    both(sides, "postmap", ["-F", "-q", "x", "hash:nb"])
    both(sides, "postmap", ["-F", "-q", "y", "hash:nb"])
    # -F with -i: the values read from stdin are file names too.
    both(sides, "postmap", ["-F", "-i", "hash:t"], stdin=b"g f2\n")
    both(sides, "postmap", ["-F", "-q", "g", "hash:t"])
    # postalias has no -F.
    write(sides, "aliases", "a: b\n")
    both(sides, "postalias", ["-F", "hash:aliases"])


# "ẞ" folds to "ss" and "Ǆ" to "ǆ" only with Unicode case folding; two lines are not UTF-8.
UTF8_SOURCE = ("ÄBC@Ü.de  Wert\n".encode() + b"bad\xff  v\nk  bad\xfev\n"
               + "plain ok\nSTRAẞE  street\nǄx  dz\n".encode())
UTF8_KEYS = ["äbc@ü.de", "ÄBC@Ü.DE", "Äbc@Ü.de", "strasse", "straße", "STRASSE", "ǆx",
             "plain", "PLAIN"]


@pytest.mark.parametrize("utf8", ["yes", "no"])
def test_utf8_and_u_as_postfix(sides, utf8):
    for d in sides.values():
        with open(d / "main.cf", "a") as f:
            f.write(f"smtputf8_enable = {utf8}\n")
    write(sides, "t", UTF8_SOURCE)
    for build in (["hash:t"], ["-u", "hash:t"]):
        both(sides, "postmap", build)  # non-UTF-8 lines skipped, with a warning
        dump(sides, "postmap", "hash:t")
        for key in UTF8_KEYS:
            for flags in ([], ["-u"]):
                both(sides, "postmap", [*flags, "-q", key, "hash:t"])
        for flags in ([], ["-u"]):
            both(sides, "postmap", [*flags, "-q", b"bad\xff".decode("latin-1"), "hash:t"])
            both(sides, "postmap", [*flags, "-q", "-", "hash:t"], stdin=b"bad\xff\nplain\n")
    both(sides, "postmap", ["-q", "ÄBC", "inline:{äbc=x}"])
    both(sides, "postmap", ["-q", b"b\xffd".decode("latin-1"), "inline:{a=b}"])


ALIASES = (
    "a1:b,c\na2: \"|cmd  arg\"\na3: b ,  c\na4: :include:/x/y\na5: b@c (comm  ent)\n"
    "a6: b\n  ,c\na7:  x   y\na8: <b@c>\na9: \"q u\"@x, \\\\user\na10: /path/file\n"
    "a11: Name <b@c>,d\na12: x@[1.2.3.4]\na13: (a (b) c) d\na14: | cmd\na15: a%b!c\n"
    "a16: \"a\\\"b\"\na17: x\ty\na18: b;c\nA19: Upper\n\"q a\": z\nbad\nx:\n:x\n"
    "a20: b\\,c\na21: [unclosed\na22: \"unclosed\n"
)


def alias_dump(sides, side):
    """postalias -s, sorted, without YP_LAST_MODIFIED (the time of the build)."""
    out, err, status = run(sides, side, "postalias", ["-s", "hash:aliases"])
    return sorted(line for line in out.splitlines()
                  if not line.startswith("YP_LAST_MODIFIED:")), err, status


def test_postalias_as_postfix(sides):
    write(sides, "aliases", ALIASES)
    both(sides, "postalias", ["hash:aliases"])  # values re-written, bad lines warned about
    dumped = alias_dump(sides, "correio")  # "name:<TAB>value" lines
    assert dumped == alias_dump(sides, "postfix")
    assert "@:\t@" in dumped[0] and "YP_MASTER_NAME:\thost.example" in dumped[0]
    names = ["a%d" % i for i in range(1, 23)] + ["A19", "q a", "@", "nope"]
    for name in names:
        both(sides, "postalias", ["-q", name, "hash:aliases"])
    both(sides, "postalias", ["-q", "-", "hash:aliases"],
         stdin="".join(n + "\n" for n in names).encode())
    # -i adds to the table; the markers stay.
    both(sides, "postalias", ["-i", "hash:aliases"], stdin=b"new: x ,y\n")
    both(sides, "postalias", ["-q", "new", "hash:aliases"])
    assert alias_dump(sides, "correio") == alias_dump(sides, "postfix")
