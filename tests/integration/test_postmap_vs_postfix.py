"""postmap -q against Debian's real /usr/sbin/postmap (Postfix 3.7) on the same tables.

Both programs query copies of one table file with the same keys, one key per run
(`-q KEY`) and all keys at once (`-q -`); stdout, the exit status and the warnings about
bad rules must agree. Covers regexp:, pcre:, cidr:, unionmap:, pipemap: and proxy:, and
cdb: files built by either program's postmap.
"""
import os
import pathlib
import shutil
import subprocess

import pytest

BIN = pathlib.Path(os.environ.get("CORREIO_BIN", "build/bin/correio")).resolve()
POSTMAP = BIN.parent / "postmap"
POSTFIX_POSTMAP = pathlib.Path("/usr/sbin/postmap")

pytestmark = pytest.mark.skipif(not POSTFIX_POSTMAP.exists(),
                                reason="the postfix package (make test installs it)")

PATTERN_TABLE = r"""# comment
/^(.*)@example\.com$/   local:$1
/^FOO$/i  case-sensitive-foo
/a(b/  bad
/x/q  badflag
/no closing
/^y(.*)$/  out $2
/^z(.*)$/  bad $foo
/^w(.*)$/  ${1}.braced $$ dollar
/^v(.*)$/  $(1) paren
if /^if/
/^ifa/ in-if-a
!/^ifb/ not-ifb
endif
endif
/^u(.*)$/
  continued   value
/^s/m  a
   b
/a.b/ dotall
/^nores/
/^f(x)?$/ f[$1]
/^t/!/^tx/ t-not-tx
/^[[:upper:]]+$/ upper
meh
/^d/ $
!/(n)/ neg-$1
if /^q/ extra
/^qq/ qq
"""

PATTERN_KEYS = ["joe@example.com", "Joe@Example.COM", "FOO", "foo", "a", "y1", "zz",
                "wabc", "vabc", "ifa", "ifb", "ifc", "u", "s", "a\nb", "nores", "f", "fx",
                "tt", "tx", "UPPER", "qq", "q", "d", "nothing-at-all-1"]

CIDR_TABLE = """192.168.1.0/24  lan
10.0.0.1        host10
!10.0.0.0/8     not-ten
10.1.2.3/8      bits
[2001:db8::]/32 v6doc
2001:db8::1     v6host
[::1]           v6lo
bad/99          x
bad/24          x
1.2.3           x
[1.2.3.4        x
1.2.3.0/-1      x
if 172.16.0.0/12
172.16.5.0/24   inner
endif
endif
ENDIF junk
1.1.1.1
::/0            any v6
if 198.51.100.0/24
"""

CIDR_KEYS = ["192.168.1.7", "10.0.0.1", "10.9.9.9", "11.0.0.1", "2001:db8::5",
             "2001:DB8::1", "::1", "::ffff:10.0.0.1", "172.16.5.9", "junk", "1.1.1.1",
             "[::1]", "198.51.100.1"]


def run(program, config_dir, args, stdin=None):
    # A NUL can't be passed in argv, newlines can: keys are passed as they are.
    return subprocess.run([str(program), "-c", str(config_dir), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def tables(tmp_path):
    """Two identical directories (Postfix's and Correio's), each with its main.cf."""
    dirs = {}
    for side in ("postfix", "correio"):
        d = tmp_path / side
        d.mkdir()
        (d / "main.cf").write_text("compatibility_level = 3.6\n")
        dirs[side] = d
    return dirs


def write_both(dirs, name, text):
    for d in dirs.values():
        (d / name).write_text(text)


def spec_for(dirs, side, template):
    # Postfix's proxy: needs a running proxymap(8) (postmap would wait for it); Correio
    # reads the table directly, so its proxy:X must answer as Postfix's X.
    if side == "postfix":
        template = template.replace("proxy:", "")
    return template.replace("DIR", str(dirs[side]))


def compare(dirs, template, keys, compare_warnings=True):
    for key in keys:
        pf = run(POSTFIX_POSTMAP, dirs["postfix"], ["-q", key, spec_for(dirs, "postfix", template)])
        co = run(POSTMAP, dirs["correio"], ["-q", key, spec_for(dirs, "correio", template)])
        assert (co.stdout, co.returncode) == (pf.stdout, pf.returncode), (template, key)
        if compare_warnings:
            assert co.stderr.replace(str(dirs["correio"]), "DIR").replace("proxy:", "") == \
                pf.stderr.replace(str(dirs["postfix"]), "DIR"), (template, key)
    # -q -: the keys on stdin; found ones printed as "key<TAB>value".
    line_keys = "".join(k + "\n" for k in keys if "\n" not in k)
    pf = run(POSTFIX_POSTMAP, dirs["postfix"], ["-q", "-", spec_for(dirs, "postfix", template)],
             stdin=line_keys)
    co = run(POSTMAP, dirs["correio"], ["-q", "-", spec_for(dirs, "correio", template)],
             stdin=line_keys)
    assert (co.stdout, co.returncode) == (pf.stdout, pf.returncode), template


@pytest.mark.parametrize("kind", ["regexp", "pcre"])
def test_pattern_tables_answer_and_warn_as_postfix(tables, kind):
    write_both(tables, "patterns", PATTERN_TABLE)
    compare(tables, f"{kind}:DIR/patterns", PATTERN_KEYS)


def test_pcre_flags_as_postfix(tables):
    write_both(tables, "pcre", "/a.b/s nodotall\n/^(\\d+)x$/X digits-$1\n/^A/A anchored\n"
                               "/^(a+?)(a*)$/U greedy-$1-$2\n/^a$\\n/E endonly\n"
                               "/^(?<name>n)(.)$/ named-$2\n/c/ $10\n")
    compare(tables, "pcre:DIR/pcre", ["a\nb", "axb", "42x", "A", "a", "aaa", "nx", "c"])


def test_cidr_tables_answer_and_warn_as_postfix(tables):
    write_both(tables, "cidr", CIDR_TABLE)
    compare(tables, "cidr:DIR/cidr", CIDR_KEYS)


def test_union_pipe_and_proxy_as_postfix(tables):
    write_both(tables, "re", "/^(.*)@example\\.com$/ $1\n/^x/ ex\n")
    write_both(tables, "cidr", "10.0.0.0/8 ten\n")
    keys = ["joe@example.com", "ann@example.com", "joe@other.org", "x1", "10.1.1.1"]
    for template in [
        "unionmap:{regexp:DIR/re, inline:{joe@example.com=one, x1=two}}",
        "unionmap:{regexp:DIR/re,cidr:DIR/cidr}",
        "pipemap:{regexp:DIR/re, inline:{joe=joe@elsewhere.org, ex=found}}",
        "proxy:regexp:DIR/re",
        "proxy:cidr:DIR/cidr",
    ]:
        compare(tables, template, keys)


def test_missing_file_fails_as_postfix(tables):
    for kind in ("regexp", "pcre", "cidr"):
        pf = run(POSTFIX_POSTMAP, tables["postfix"], ["-q", "k", f"{kind}:/nonexistent/x"])
        co = run(POSTMAP, tables["correio"], ["-q", "k", f"{kind}:/nonexistent/x"])
        assert pf.returncode != 0 and co.returncode != 0
        assert "/nonexistent/x" in co.stderr


def test_cdb_files_are_shared_with_postfix(tables):
    """postmap cdb:FILE by either program; the other's postmap -q reads it."""
    source = "Example.com  smtp:[relay.example]\nalice@x.org alice@y.org\n# c\nbad\n"
    write_both(tables, "transport", source)
    keys = ["example.com", "EXAMPLE.COM", "alice@x.org", "bob@x.org"]
    for builder, reader in ((POSTFIX_POSTMAP, POSTMAP), (POSTMAP, POSTFIX_POSTMAP)):
        d = tables["correio"]
        (d / "transport.cdb").unlink(missing_ok=True)
        built = run(builder, d, [f"cdb:{d}/transport"])
        assert built.returncode == 0, built.stderr
        for key in keys:
            want = run(builder, d, ["-q", key, f"cdb:{d}/transport"])
            got = run(reader, d, ["-q", key, f"cdb:{d}/transport"])
            assert (got.stdout, got.returncode) == (want.stdout, want.returncode), (builder, key)
        # Postfix's cdb: has no sequential access (postmap -s fails); Correio's lists it.
        dumped = run(POSTMAP, d, ["-s", f"cdb:{d}/transport"]).stdout.splitlines()
        assert sorted(dumped) == ["alice@x.org\talice@y.org", "example.com\tsmtp:[relay.example]"]
