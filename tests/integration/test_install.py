"""`make install` (cmake/install.cmake) staged with DESTDIR, as a package build does: the
binary stripped with its debug info in a separate file that the stripped binary links to,
Postfix's command names as links that behave as those commands, the man pages rendering
without a warning and agreeing with the binary (postconf(5) lists exactly `postconf -d`'s
parameters; each command's page names every option its usage line has), a default main.cf
and master.cf that pass `correio check` and never replace an administrator's files, and
the systemd unit pointing at the installed binary."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from correio_fixture import CORREIO_BIN

BUILD_DIR = Path(CORREIO_BIN).resolve().parents[1]
SBIN_LINKS = ["postfix", "postconf", "postmap", "postalias", "postqueue", "postsuper",
              "postcat", "qshape", "sendmail"]
BIN_LINKS = ["mailq", "newaliases"]
COMMAND_PAGES = ["postconf", "postmap", "postalias", "postqueue", "postsuper", "postcat",
                 "qshape", "sendmail"]


def install(destdir: Path, prefix: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DESTDIR=str(destdir))
    return subprocess.run(["cmake", "--install", str(BUILD_DIR), "--prefix", prefix],
                          env=env, capture_output=True, text=True, timeout=300)


def sections(binary: Path) -> str:
    return subprocess.run(["readelf", "-S", "-W", str(binary)], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    root = tmp_path_factory.mktemp("destdir")
    # An administrator's main.cf is already there: it must survive the install.
    (root / "etc" / "correio").mkdir(parents=True)
    (root / "etc" / "correio" / "main.cf").write_text("myhostname = mine.example\n")
    done = install(root, "/usr")
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def test_binary_is_stripped_and_its_debug_info_is_beside_it(staged):
    binary = staged / "usr" / "sbin" / "correio"
    debug = staged / "usr" / "lib" / "debug" / "usr" / "sbin" / "correio.debug"
    assert os.access(binary, os.X_OK)
    stripped = sections(binary)
    assert ".debug_info" not in stripped and ".gnu_debuglink" in stripped
    assert ".debug_info" in sections(debug)
    # (No size comparison: in a sanitizer build the code outweighs its debug info.)
    link = subprocess.run(["readelf", "--string-dump=.gnu_debuglink", str(binary)],
                          capture_output=True, check=True).stdout  # name, then a CRC
    assert b"correio.debug" in link


def test_postfix_command_names_run_those_commands(staged, tmp_path):
    for name in SBIN_LINKS:
        assert os.readlink(staged / "usr" / "sbin" / name) == "correio", name
    for name in BIN_LINKS:
        assert os.readlink(staged / "usr" / "bin" / name) == "../sbin/correio", name
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "main.cf").write_text("mail_name = Staged\n")
    out = subprocess.run([str(staged / "usr" / "sbin" / "postconf"), "-c", str(conf), "-h",
                          "mail_name"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout == "Staged\n", out
    usage = subprocess.run([str(staged / "usr" / "sbin" / "postqueue"), "-Z"],
                           capture_output=True, text=True, timeout=30)
    assert "usage: postqueue" in usage.stderr


def test_default_configuration_checks_and_an_existing_one_is_kept(staged, tmp_path):
    etc = staged / "etc" / "correio"
    assert (etc / "main.cf").read_text() == "myhostname = mine.example\n"
    master = (etc / "master.cf").read_text()
    assert re.search(r"^smtp\s+inet\s", master, re.M) and re.search(r"^qmgr\s+unix", master, re.M)
    # The shipped main.cf, with the queue and data directories moved under tmp_path so that
    # the check creates nothing outside it.
    shipped = (Path(__file__).resolve().parents[2] / "packaging" / "main.cf").read_text()
    conf = tmp_path / "conf"
    conf.mkdir()
    owner = "" if os.getuid() == 0 else f"mail_owner = {pwd_name()}\n"  # root: correio
    # The alias database too: the shipped hash:/etc/aliases exists only after the package's
    # newaliases, and this machine's may not have been built yet (or be rebuilt meanwhile
    # by another test); the package's step is done here, on a copy.
    aliases = tmp_path / "aliases"
    aliases.write_text("postmaster: root\n")
    shipped = re.sub(r"^(alias_maps|alias_database) = hash:/etc/aliases$",
                     rf"\1 = hash:{aliases}", shipped, flags=re.M)
    assert shipped.count(str(aliases)) == 2, shipped  # both were in the shipped file
    (conf / "main.cf").write_text(
        shipped + f"queue_directory = {tmp_path}/queue\ndata_directory = {tmp_path}/data\n"
        + owner)
    (conf / "master.cf").write_text(master)
    built = subprocess.run([CORREIO_BIN, "-c", str(conf), "newaliases"], capture_output=True,
                           text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    check = subprocess.run([CORREIO_BIN, "-c", str(conf), "check"], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    assert "warning" not in check.stderr, check.stderr


def pwd_name() -> str:
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def render(page: Path) -> str:
    done = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ, MANWIDTH="80"))
    assert done.returncode == 0, done.stderr
    # Long default values (a whole restriction list) cannot be broken across lines; that is
    # layout, not a fault of the page.
    faults = [line for line in done.stderr.splitlines()
              if "cannot adjust line" not in line and "can't break line" not in line]
    assert faults == [], f"{page.name}: {faults}"
    return done.stdout


def test_man_pages_render_and_agree_with_the_binary(staged):
    man = staged / "usr" / "share" / "man"
    pages = sorted(p.name for p in man.rglob("*.[158]"))
    assert pages == sorted(["correio.8", "master.5", "postconf.5", "mailq.1", "newaliases.1"]
                           + [f"{c}.1" for c in COMMAND_PAGES])
    for page in man.rglob("*.[158]"):
        if page.name in ("mailq.1", "newaliases.1"):
            assert page.read_text() == ".so man1/sendmail.1\n"
            continue
        assert page.name.split(".")[0].upper() in render(page)

    # postconf(5): exactly the parameters `postconf -d` prints, with their defaults.
    defaults = subprocess.run([CORREIO_BIN, "postconf", "-d"], capture_output=True, text=True,
                              check=True, timeout=30).stdout
    names = [line.split(" = ")[0].rstrip(" =") for line in defaults.splitlines()]
    source = (man / "man5" / "postconf.5").read_text()
    documented = re.findall(r"^\.TP\n\.B (\S+)\n", source, re.M)
    assert sorted(documented) == sorted(names)

    # Each command's page names every option of the usage line the command prints.
    for command in COMMAND_PAGES:
        usage = subprocess.run([CORREIO_BIN, command, "-Z"], capture_output=True, text=True,
                               timeout=30)
        text = usage.stdout + usage.stderr
        assert "usage" in text, (command, text)
        options = set(re.findall(r"(?<![\w-])-([A-Za-z#])", text))
        options |= {c for group in re.findall(r"\[-([A-Za-z]{2,})\]", text) for c in group}
        page = (man / "man1" / f"{command}.1").read_text()
        missing = sorted(o for o in options if f"\\-{o}" not in page and f"\\fB\\-{o}" not in page
                         and not re.search(rf"\\-[A-Za-z]*{re.escape(o)}", page))
        assert missing == [], f"{command}.1 lacks options {missing}"


def test_unit_points_at_the_installed_binary(tmp_path):
    done = install(tmp_path, "/opt/correio")
    assert done.returncode == 0, done.stderr
    unit = (tmp_path / "opt" / "correio" / "lib" / "systemd" / "system" /
            "correio.service").read_text()
    assert "ExecStart=/opt/correio/sbin/correio -c /etc/correio start-fg" in unit
    assert "/usr/sbin/correio" not in unit
    assert (tmp_path / "opt" / "correio" / "sbin" / "postmap").is_symlink()
