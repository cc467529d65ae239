"""A throw-away certificate authority made with the openssl command line, for the tests
of the SMTP client's certificate verification: server certificates with chosen names,
an expired one, and a second, unknown CA. Files are world-readable (the receiving
Correio's smtpd loads them after dropping root)."""

import subprocess
import tempfile
from pathlib import Path

CA_CONF = """\
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}
certificate = {dir}/ca.pem
private_key = {dir}/ca.key
serial = {dir}/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
"""


def openssl(*args, cwd=None):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


class TestCA:
    __test__ = False  # not a pytest class

    def __init__(self, name: str = "Correio Test CA"):
        self.dir = Path(tempfile.mkdtemp(prefix="correio-ca-"))
        self.dir.chmod(0o755)
        self.cert = self.dir / "ca.pem"
        self.key = self.dir / "ca.key"
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", str(self.key), "-out", str(self.cert), "-days", "30",
                "-subj", f"/CN={name}",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        (self.dir / "index.txt").write_text("")
        (self.dir / "serial").write_text("1000\n")
        (self.dir / "ca.cnf").write_text(CA_CONF.format(dir=self.dir))
        self.count = 0

    def issue(self, *names: str, expired: bool = False) -> tuple[str, str]:
        """A server certificate for `names` (the first is the CommonName, all are DNS
        SubjectAltNames); `expired` makes one valid only in 2020. Returns (cert, key)."""
        self.count += 1
        base = self.dir / f"server{self.count}"
        key, csr, cert = (base.with_suffix(s) for s in (".key", ".csr", ".pem"))
        ext = base.with_suffix(".ext")
        ext.write_text("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                       "subjectAltName=" + ",".join(f"DNS:{n}" for n in names) + "\n")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={names[0]}")
        dates = (["-startdate", "20200101000000Z", "-enddate", "20200201000000Z"] if expired
                 else ["-days", "30"])
        openssl("ca", "-batch", "-notext", "-config", str(self.dir / "ca.cnf"), "-in", str(csr),
                "-out", str(cert), "-extfile", str(ext), *dates)
        for path in (key, cert):
            path.chmod(0o644)
        return str(cert), str(key)
