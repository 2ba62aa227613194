"""Test settings: the real settings module with test-only switches, nothing else."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("STATIC_MANIFEST", "0")
# The test client and live server speak plain HTTP; tests that need the redirect turn it on.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from bma_tracker.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
ALLOWED_HOSTS = ["*"]
WHITENOISE_AUTOREFRESH = True  # serve static/ directly; tests never run collectstatic
