"""Renders deploy/nginx/bma_tracker.conf, the nginx site, for a server or for the loopback.

On a server (README, "Deployment"), with the Python of Debian or of the virtualenv:

    python3 deploy/nginx_site.py --server-name tracker.bangkok.go.th \
        --certificate /etc/ssl/bma/fullchain.pem --certificate-key /etc/ssl/bma/privkey.pem \
        > /etc/nginx/sites-available/bma-tracker

`make loadtest TLS=1` (loadtest/run.py) and tests/test_deploy_nginx.py use `render_site` and
`loopback_nginx_conf`: the same site on 127.0.0.1, inside a copy of Debian's own nginx.conf
whose paths (pid, logs, temporary files) point into a throw-away directory, so an unprivileged
nginx can run it next to, and without touching, the machine's own nginx.

Standard library only: it runs before the virtualenv exists.
"""

import argparse
import getpass
import ipaddress
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
TEMPLATE = DEPLOY / "nginx" / "bma_tracker.conf"
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")
_PLACEHOLDER = re.compile(r"\$\{(BMA_[A-Z_]+)\}")
# Evidence files (EVIDENCE_MAX_MB, default 10) and the form around them.
FORM_OVERHEAD_MB = 2


def render_site(
    *,
    server_name,
    certificate,
    certificate_key,
    upstream="127.0.0.1:8000",
    static_root="/srv/bma-tracker/app/staticfiles",
    error_pages=DEPLOY / "nginx" / "errors",
    https_listen=("443", "[::]:443"),
    http_listen=("80", "[::]:80"),
    evidence_max_mb=10,
    reject_unknown_tls_names=True,
):
    """The site's text. `https_listen`/`http_listen`: nginx listen addresses; the HTTPS port
    of the first decides the redirect target and the Host passed on (port 443: none).
    `reject_unknown_tls_names=False` leaves out the default server that refuses TLS
    handshakes for other names, for a site reached by address (no SNI)."""
    https_port = str(https_listen[0]).rsplit(":", 1)[-1]
    values = {
        "BMA_SERVER_NAME": server_name,
        "BMA_CERTIFICATE": str(certificate),
        "BMA_CERTIFICATE_KEY": str(certificate_key),
        "BMA_UPSTREAM": upstream,
        "BMA_STATIC_ROOT": str(static_root).rstrip("/"),
        "BMA_ERROR_PAGES": str(error_pages).rstrip("/"),
        "BMA_MAX_BODY_MB": str(int(evidence_max_mb) + FORM_OVERHEAD_MB),
        "BMA_HTTPS_PORT_SUFFIX": "" if https_port == "443" else f":{https_port}",
        "BMA_HOST_PORT": "" if https_port == "443" else ":$server_port",
    }
    listens = {"BMA_HTTPS_LISTEN": list(https_listen), "BMA_HTTP_LISTEN": list(http_listen)}
    for name, value in values.items():
        may_be_empty = name in ("BMA_HTTPS_PORT_SUFFIX", "BMA_HOST_PORT")
        if (not value.strip() and not may_be_empty) or re.search(r"[;{}\n]", value):
            raise ValueError(f"{name}: {value!r} is empty or would break the nginx syntax")

    lines, skipping = [], False
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#@"):
            skipping = line == "#@unknown-tls-names" and not reject_unknown_tls_names
            continue
        if skipping:
            continue
        listen = next((name for name in listens if "${" + name + "}" in line), None)
        copies = [line.replace("${" + listen + "}", address) for address in listens[listen]] if listen else [line]
        for copy in copies:
            lines.append(_PLACEHOLDER.sub(lambda match: _value(values, match.group(1)), copy))
    return "\n".join(lines) + "\n"


def _value(values, name):
    if name not in values:
        raise KeyError(f"{TEMPLATE.name} uses ${{{name}}}, which nginx_site.py does not know")
    return values[name]


def loopback_nginx_conf(prefix, site_path, *, started_by_root=None):
    """Debian's /etc/nginx/nginx.conf with every path it writes moved into `prefix` and only
    our site included (not sites-enabled/ or conf.d/): the site is checked and run inside the
    http { } block it gets on a server. Workers run as the user who starts nginx (Debian's
    `user www-data` is dropped; for root it becomes `user root`, `started_by_root`)."""
    if started_by_root is None:
        started_by_root = os.geteuid() == 0
    prefix = Path(prefix)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / name).mkdir(parents=True, exist_ok=True)
    text = DEBIAN_NGINX_CONF.read_text(encoding="utf-8")
    temp_paths = "".join(
        f"\n\t{name}_temp_path {prefix / 'temp' / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    replacements = [
        (r"(?m)^user\s+[^;]+;", f"user {getpass.getuser()};" if started_by_root else ""),
        (r"(?m)^pid\s+[^;]+;", f"pid {prefix / 'nginx.pid'};"),
        (r"(?m)^(\s*)error_log\s+[^;]+;", rf"\g<1>error_log {prefix / 'error.log'};"),
        (r"(?m)^(\s*)access_log\s+[^;]+;", rf"\g<1>access_log {prefix / 'access.log'};"),
        (r"(?m)^\s*include\s+/etc/nginx/conf\.d/\*\.conf;", ""),
        (r"(?m)^(\s*)include\s+/etc/nginx/sites-enabled/\*;", rf"\g<1>include {site_path};{temp_paths}"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, count=1)
        if not count:
            raise RuntimeError(f"{DEBIAN_NGINX_CONF} has no line matching {pattern!r}: Debian's layout changed")
    return text


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_address(name):
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def throwaway_certificate(directory, name="127.0.0.1"):
    """A self-signed certificate for `name` (an address or a host name), valid two days, made
    by openssl: (certificate, key) paths. Clients trust it by its own file (its own CA)."""
    certificate, key = Path(directory) / "loopback-cert.pem", Path(directory) / "loopback-key.pem"
    kind = "IP" if is_address(name) else "DNS"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
            *("-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName={kind}:{name}"),
            *("-keyout", str(key), "-out", str(certificate)),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


class LoopbackNginx:
    """Debian's nginx with the site, on free ports of 127.0.0.1, in front of `upstream`, as a
    foreground process (no daemon) whose files all live in `prefix`:

        with LoopbackNginx(prefix, upstream="127.0.0.1:8765", static_root=...) as nginx:
            nginx.url  # https://127.0.0.1:PORT, nginx.certificate to trust
    """

    def __init__(
        self, prefix, *, upstream, static_root, server_name="127.0.0.1", evidence_max_mb=10, started_by_root=None
    ):
        self.prefix = Path(prefix)
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.https_port, self.http_port = free_port(), free_port()
        self.url, self.http_url = f"https://127.0.0.1:{self.https_port}", f"http://127.0.0.1:{self.http_port}"
        self.server_name = server_name
        self.certificate, self.certificate_key = throwaway_certificate(self.prefix, server_name)
        self.site = self.prefix / "bma_tracker.conf"
        self.site.write_text(
            render_site(
                server_name=server_name,
                certificate=self.certificate,
                certificate_key=self.certificate_key,
                upstream=upstream,
                static_root=static_root,
                https_listen=[f"127.0.0.1:{self.https_port}"],
                http_listen=[f"127.0.0.1:{self.http_port}"],
                evidence_max_mb=evidence_max_mb,
                reject_unknown_tls_names=not is_address(server_name),
            ),
            encoding="utf-8",
        )
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(
            loopback_nginx_conf(self.prefix, self.site, started_by_root=started_by_root), encoding="utf-8"
        )
        self.process = None

    def command(self, *args):
        return ["nginx", "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log"), *args]

    def test_configuration(self):
        """`nginx -t`: (passed, its output)."""
        result = subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)
        return result.returncode == 0, result.stdout + result.stderr

    def start(self, seconds=15):
        self.process = subprocess.Popen(self.command("-g", "daemon off;"))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited ({self.process.returncode}): see {self.prefix / 'error.log'}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not listen on 127.0.0.1:{self.https_port} within {seconds} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-name", required=True, help="host name(s), as in ALLOWED_HOSTS, space-separated")
    parser.add_argument("--certificate", required=True, help="certificate chain (PEM), e.g. fullchain.pem")
    parser.add_argument("--certificate-key", required=True, help="its private key (PEM)")
    parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's GUNICORN_BIND (default %(default)s)")
    parser.add_argument(
        "--static-root",
        default="/srv/bma-tracker/app/staticfiles",
        help="collectstatic's STATIC_ROOT (default %(default)s)",
    )
    parser.add_argument(
        "--evidence-max-mb", type=int, default=int(os.environ.get("EVIDENCE_MAX_MB") or 10), help="EVIDENCE_MAX_MB"
    )
    args = parser.parse_args(argv)
    sys.stdout.write(
        render_site(
            server_name=args.server_name,
            certificate=args.certificate,
            certificate_key=args.certificate_key,
            upstream=args.upstream,
            static_root=args.static_root,
            evidence_max_mb=args.evidence_max_mb,
        )
    )


if __name__ == "__main__":
    main()
