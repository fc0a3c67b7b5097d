"""A local RFC 3161 timestamp authority for tests: OpenSSL's `ts -reply` behind a tiny HTTP handler.

    with LocalTsa(tmp_path) as tsa:
        SignerConfig(..., tsa_url=tsa.url)

The TSA's own certificate (EKU timeStamping, critical) is issued by a throw-away CA made here.
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from pathlib import Path

_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class LocalTsa:
    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._server: http.server.HTTPServer | None = None
        self.requests = 0

    def __enter__(self) -> LocalTsa:
        d = self.dir
        (d / "tsa.cnf").write_text(_CONFIG.format(dir=d))
        (d / "serial").write_text("01\n")
        _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key", cwd=d)
        _openssl(
            "req", "-new", "-x509", "-key", "ca.key", "-subj", "/CN=Test TSA Root", "-days", "30",
            "-config", "tsa.cnf", "-extensions", "ca_ext", "-out", "ca.crt", cwd=d,
        )  # fmt: skip
        _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tsa.key", cwd=d)
        _openssl("req", "-new", "-key", "tsa.key", "-subj", "/CN=Test TSA", "-out", "tsa.csr",
                 "-config", "tsa.cnf", cwd=d)  # fmt: skip
        _openssl(
            "x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "30", "-extfile", "tsa.cnf", "-extensions", "tsa_ext",
            "-out", "tsa.crt", cwd=d,
        )  # fmt: skip
        tsa = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                tsa.requests += 1
                request_path = d / f"q{tsa.requests}.tsq"
                reply_path = d / f"r{tsa.requests}.tsr"
                request_path.write_bytes(query)
                _openssl(
                    "ts", "-reply", "-config", "tsa.cnf", "-queryfile", request_path.name,
                    "-chain", "ca.crt", "-out", reply_path.name, cwd=d,
                )  # fmt: skip
                reply = reply_path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def root_pem(self) -> str:
        return (self.dir / "ca.crt").read_text()

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
