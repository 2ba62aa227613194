"""deploy/: the nginx site passes `nginx -t` as rendered for a server (as root, as there: it
binds ports 80 and 443) and for the loopback (as an unprivileged user, `nobody` under root), and
serves as deployed (HTTPS with HTTP/2, plain HTTP moved to HTTPS, the proxy headers Django
trusts, compression, the body limit, static files from disk, /media/ left to Django); the
systemd units pass `systemd-analyze verify` where the machine has it.

The nginx is Debian's (DEB_PACKAGES in the Makefile), inside a copy of Debian's own nginx.conf
whose pid, logs and temporary files are moved into a throw-away directory
(deploy/nginx_site.py, the same code `make loadtest TLS=1` runs); in front of a small echo
server instead of gunicorn, so these tests need no database."""

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deploy import nginx_site

ROOT = Path(__file__).resolve().parent.parent
SYSTEMD = ROOT / "deploy" / "systemd"

needs_nginx = pytest.mark.skipif(
    not (shutil.which("nginx") and shutil.which("openssl") and nginx_site.DEBIAN_NGINX_CONF.exists()),
    reason="Debian's nginx is not installed (make system-deps)",
)


class EchoApp(BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers with the request it saw, as an HTML page long enough
    to be compressed."""

    def do_GET(self):
        self.answer(0)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.answer(len(self.rfile.read(length)))

    def answer(self, body_length):
        seen = {"path": self.path, "headers": dict(self.headers.items()), "body_length": body_length}
        page = f"<html><body><pre>{json.dumps(seen)}</pre>{'<p>รายงานความก้าวหน้า</p>' * 200}</body></html>"
        data = page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def seen_by_app(body):
    text = body.decode()
    return json.loads(text[text.index("<pre>") + 5 : text.index("</pre>")])


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    app = ThreadingHTTPServer(("127.0.0.1", 0), EchoApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    static_root = tmp_path_factory.mktemp("staticfiles")
    (static_root / "css").mkdir()
    (static_root / "css" / "app.0123456789ab.css").write_text("body { color: #123; }\n")
    (static_root / "css" / "app.css").write_text("body { color: #123; }\n")
    server = nginx_site.LoopbackNginx(
        tmp_path_factory.mktemp("nginx"), upstream=f"127.0.0.1:{app.server_port}", static_root=static_root
    )
    with server:
        yield server
    app.shutdown()


def request(nginx, method, path, *, body=None, headers=None, https=True):
    if https:
        context = ssl.create_default_context(cafile=str(nginx.certificate))
        connection = http.client.HTTPSConnection("127.0.0.1", nginx.https_port, context=context, timeout=10)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", nginx.http_port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


@pytest.fixture
def unprivileged_directory():
    """A directory an unprivileged user owns, and that user: None (the test's own) when the
    test is not root; `nobody` when it is (as in CI)."""
    directory = Path(tempfile.mkdtemp(prefix="bma-nginx-t-"))
    user = "nobody" if os.geteuid() == 0 else None
    yield directory, user
    shutil.rmtree(directory)


def nginx_t(directory, conf, user=None):
    if user:
        for path in [directory, *directory.rglob("*")]:
            shutil.chown(path, user=user)
    result = subprocess.run(
        ["nginx", "-t", "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
        user=user,
    )
    return result.returncode, result.stdout + result.stderr


@needs_nginx
@pytest.mark.skipif(os.geteuid() != 0, reason="nginx -t binds ports 80 and 443: root only, as on the server")
def test_the_site_rendered_for_a_server_passes_nginx_t(tmp_path):
    """As on the server (where nginx -t runs as root): ports 443 and 80 on every address, IPv6
    too, the real host name, inside Debian's nginx.conf."""
    certificate, key = nginx_site.throwaway_certificate(tmp_path)
    site = tmp_path / "bma-tracker"
    site.write_text(
        nginx_site.render_site(
            server_name="tracker.bangkok.go.th", certificate=certificate, certificate_key=key, evidence_max_mb=10
        )
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_site.loopback_nginx_conf(tmp_path, site))
    returncode, output = nginx_t(tmp_path, conf)
    assert returncode == 0, output
    assert "test is successful" in output
    assert "[warn]" not in output and "[emerg]" not in output
    text = site.read_text()
    assert "listen 443 ssl http2;" in text and "listen [::]:443 ssl http2;" in text
    assert "listen 80 default_server;" in text
    assert "client_max_body_size 12m;" in text  # EVIDENCE_MAX_MB 10 + the form around it
    assert not re.search(r"\$\{BMA_[A-Z_]+\}", text)


@needs_nginx
def test_the_loopback_site_passes_nginx_t_without_root(unprivileged_directory):
    """The site as `make loadtest TLS=1` runs it, checked by an nginx -t that is not root."""
    directory, user = unprivileged_directory
    loopback = nginx_site.LoopbackNginx(
        directory, upstream="127.0.0.1:8000", static_root=ROOT / "static", started_by_root=False
    )
    returncode, output = nginx_t(directory, loopback.conf, user)
    assert returncode == 0, output
    assert "test is successful" in output
    assert "[warn]" not in output and "[emerg]" not in output


@needs_nginx
def test_it_speaks_http2_over_tls_1_3_and_1_2(nginx):
    context = ssl.create_default_context(cafile=str(nginx.certificate))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", nginx.https_port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() == "TLSv1.3"
    # TLS 1.2 still, for older clients in district offices.
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with (
        socket.create_connection(("127.0.0.1", nginx.https_port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() == "TLSv1.2"
        assert tls.cipher()[0].startswith("ECDHE-")  # forward secrecy


@needs_nginx
def test_plain_http_moves_to_https_except_the_health_check(nginx):
    response, _ = request(nginx, "GET", "/projects/?unit=1", https=False)
    assert response.status == 301
    assert response.getheader("Location") == f"{nginx.url}/projects/?unit=1"
    response, body = request(nginx, "GET", "/healthz", https=False)
    assert response.status == 200
    assert seen_by_app(body)["headers"]["X-Forwarded-Proto"] == "http"


@needs_nginx
def test_django_gets_the_headers_it_trusts_and_not_the_clients_own(nginx):
    response, body = request(
        nginx,
        "GET",
        "/projects/",
        headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "10.9.9.9", "X-Real-IP": "10.9.9.9"},
    )
    assert response.status == 200
    headers = seen_by_app(body)["headers"]
    assert headers["X-Forwarded-Proto"] == "https"  # overwritten: SECURE_PROXY_SSL_HEADER
    # Appended: TRUSTED_PROXY_COUNT=1 takes the last entry, the address nginx saw.
    assert headers["X-Forwarded-For"] == "10.9.9.9, 127.0.0.1"
    assert headers["X-Real-IP"] == "127.0.0.1"
    # The port the browser used (not 443 here): Django's CSRF origin check compares with it.
    assert headers["Host"] == f"127.0.0.1:{nginx.https_port}"


@needs_nginx
def test_names_it_does_not_serve_reach_nothing(nginx, tmp_path):
    with pytest.raises(http.client.RemoteDisconnected):  # 444: the connection is closed unanswered
        request(nginx, "GET", "/", headers={"Host": "evil.example"}, https=False)
    # Reached by name, as on the server: a handshake for another name, or for none (an
    # address), fails before any certificate is shown.
    with nginx_site.LoopbackNginx(
        tmp_path, upstream="127.0.0.1:9", static_root=tmp_path, server_name="tracker.test"
    ) as by_name:
        context = ssl.create_default_context(cafile=str(by_name.certificate))
        with (
            socket.create_connection(("127.0.0.1", by_name.https_port)) as raw,
            context.wrap_socket(raw, server_hostname="tracker.test") as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
        context.check_hostname = False
        for name in ("evil.example", None):
            with socket.create_connection(("127.0.0.1", by_name.https_port)) as raw, pytest.raises(ssl.SSLError):
                context.wrap_socket(raw, server_hostname=name)


@needs_nginx
def test_pages_are_compressed_for_browsers_that_ask(nginx):
    response, body = request(nginx, "GET", "/", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert "รายงานความก้าวหน้า" in gzip.decompress(body).decode()
    response, body = request(nginx, "GET", "/")
    assert response.getheader("Content-Encoding") is None


@needs_nginx
def test_an_upload_within_the_evidence_limit_passes_and_a_larger_one_gets_413(nginx):
    headers = {"Content-Type": "application/octet-stream"}
    response, body = request(nginx, "POST", "/evidence/", body=b"x" * (11 * 1024 * 1024), headers=headers)
    assert response.status == 200
    assert seen_by_app(body)["body_length"] == 11 * 1024 * 1024
    response, body = request(nginx, "POST", "/evidence/", body=b"x" * (13 * 1024 * 1024), headers=headers)
    assert response.status == 413
    assert "ระบบไม่ได้บันทึกข้อมูล" in body.decode()  # nginx's own page, in Thai


@needs_nginx
def test_while_gunicorn_is_down_users_read_in_thai_that_it_is_temporary(tmp_path):
    with nginx_site.LoopbackNginx(
        tmp_path, upstream=f"127.0.0.1:{nginx_site.free_port()}", static_root=tmp_path
    ) as without_app:
        response, body = request(without_app, "GET", "/projects/")
    assert response.status == 502
    assert "ระบบไม่พร้อมให้บริการชั่วคราว" in body.decode()


@needs_nginx
def test_static_files_come_from_disk_hashed_names_cached_for_a_year(nginx):
    response, body = request(nginx, "GET", "/static/css/app.0123456789ab.css")
    assert response.status == 200 and body == b"body { color: #123; }\n"
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    response, _ = request(nginx, "GET", "/static/css/app.css")
    assert response.getheader("Cache-Control") == "public, max-age=3600"
    response, _ = request(nginx, "GET", "/static/css/missing.css")
    assert response.status == 404


@needs_nginx
def test_media_goes_through_django(nginx):
    """No /media/ location: a download is answered by the app, which checks who may read it."""
    response, body = request(nginx, "GET", "/media/evidence/1/report.pdf")
    assert response.status == 200
    assert seen_by_app(body)["path"] == "/media/evidence/1/report.pdf"


def test_values_that_would_break_the_syntax_are_refused():
    for bad in ("tracker; include /etc/passwd", "a{b}", ""):
        with pytest.raises(ValueError):
            nginx_site.render_site(server_name=bad, certificate="/c.pem", certificate_key="/k.pem")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not on this machine")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """Each unit with its instances, the application directory being this checkout (the units
    name /srv/bma-tracker/app: systemd checks that every ExecStart program exists)."""
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("no .venv in this checkout (make deps)")
    instances = {
        "bma-tracker.service": ["bma-tracker.service"],
        "bma-tracker-worker@.service": ["bma-tracker-worker@1.service"],
        "bma-tracker-daily@.service": [f"bma-tracker-daily@{job}.service" for job in DAILY_JOBS],
        "bma-tracker-daily@.timer": [f"bma-tracker-daily@{job}.timer" for job in DAILY_JOBS],
    }
    assert sorted(path.name for path in SYSTEMD.glob("*.*") if path.is_file()) == sorted(instances)
    units = []
    for template, names in instances.items():
        text = (SYSTEMD / template).read_text().replace("/srv/bma-tracker/app", str(ROOT))
        for name in names:
            (tmp_path / name).write_text(text)
            units.append(str(tmp_path / name))
    dropin = SYSTEMD / "bma-tracker-daily@send_reminders.timer.d"
    shutil.copytree(dropin, tmp_path / dropin.name)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""  # unknown keys are only warnings: none either


DAILY_JOBS = ["clearsessions", "backup", "send_reminders", "axes_logs", "task_results"]


def test_every_daily_job_the_units_document_is_one_the_script_runs():
    script = (ROOT / "deploy" / "daily-job").read_text()
    service = (SYSTEMD / "bma-tracker-daily@.service").read_text()
    for job in DAILY_JOBS:
        assert f"\n{job})" in script
        assert f"#   {job} " in service
    result = subprocess.run([str(ROOT / "deploy" / "daily-job"), "no-such-job"], capture_output=True, text=True)
    assert result.returncode == 64 and "usage" in result.stderr
