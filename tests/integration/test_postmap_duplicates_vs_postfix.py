"""postmap and postalias duplicate handling against Debian's real Postfix 3.7 tools on the
same source files: the default keeps the first value and warns, -w keeps the first
silently, -r keeps the last silently (postmap(1)); -s dumps the same table. -N (keys with
their terminating NUL) is refused by Correio, whose tables are always in the -n form."""
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

SOURCES = {
    "postmap": "a 1\nb 2\nA 3\n# c\nc 4\nb 5 five\n",
    "postalias": "a: x@example.org\nb: y@example.org\na: z@example.org\n",
}


def run(program, config_dir, *args):
    return subprocess.run([str(program), "-c", str(config_dir), *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("tool", ["postmap", "postalias"])
@pytest.mark.parametrize("flag", ["", "-w", "-r"])
def test_duplicates_as_postfix(tmp_path, tool, flag):
    results = {}
    for side, program in (("postfix", POSTFIX[tool]), ("correio", CORREIO[tool])):
        d = tmp_path / side
        d.mkdir()
        (d / "main.cf").write_text("compatibility_level = 3.6\n")
        (d / "table").write_text(SOURCES[tool])
        args = [flag] if flag else []
        built = run(program, d, *args, f"hash:{d / 'table'}")
        assert built.returncode == 0, (side, built.stderr)
        values = {k: run(program, d, "-q", k, f"hash:{d / 'table'}").stdout
                  for k in ("a", "b", "c")}
        # postalias -s is left out: Postfix prints "key:<TAB>value" and its "@" and YP_*
        # entries, Correio "key<TAB>value" (a difference outside duplicate handling).
        dump = run(program, d, "-s", f"hash:{d / 'table'}") if tool == "postmap" else None
        assert dump is None or dump.returncode == 0, (side, dump.stderr)
        results[side] = (values, "duplicate entry" in built.stderr,
                         sorted(dump.stdout.split("\n")) if dump else None)
    assert results["correio"] == results["postfix"]


def test_nul_terminated_keys_are_refused(tmp_path):
    (tmp_path / "main.cf").write_text("")
    (tmp_path / "table").write_text("a 1\n")
    result = run(CORREIO["postmap"], tmp_path, "-N", f"hash:{tmp_path / 'table'}")
    assert result.returncode != 0
    assert "-N is not supported" in result.stderr
    assert run(CORREIO["postmap"], tmp_path, "-n", f"hash:{tmp_path / 'table'}").returncode == 0
    assert run(CORREIO["postmap"], tmp_path, "-n", "-q", "a",
               f"hash:{tmp_path / 'table'}").stdout == "1\n"
