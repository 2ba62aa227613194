"""Production settings pass `manage.py check --deploy` with no warnings (issue 7).

Each check runs the real settings module in a subprocess with a production environment, as a
server would start: DEBUG off, a long random SECRET_KEY, ALLOWED_HOSTS, behind an HTTPS proxy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "bma.example",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
    "SECURE_HSTS_PRELOAD": "1",
}


def run_manage(*args, env):
    # A clean environment: nothing from this test run (DJANGO_SETTINGS_MODULE=tests.settings,
    # a developer's .env values) may leak into what the production check sees.
    base = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "DATABASE_URL")}
    base["DJANGO_SETTINGS_MODULE"] = "bma_tracker.settings"
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "STATIC_MANIFEST", "REDIS_URL"):
        base[name] = ""  # set-but-empty means "not set", and wins over a developer's .env
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_without_opting_into_hsts_preload_the_only_warning_is_preload():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECURE_HSTS_PRELOAD"}
    result = run_manage("check", "--deploy", env=env)
    assert "security.W021" in result.stderr
    assert "identified 1 issue" in result.stderr


def test_turning_the_redirect_off_for_plain_http_on_loopback_is_reported():
    result = run_manage("check", "--deploy", env={**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"})
    for warning in ("security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_the_production_settings_values():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS, s.SESSION_COOKIE_AGE)"
    )
    result = run_manage("shell", "-v", "0", "-c", code, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True", "True", "True", "31536000", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "DENY", "28800",
    ]  # fmt: skip
