"""Several app servers (issue 7): the cache (and cached sessions) in Redis when REDIS_URL is
set, shared by every process; the dashboards read from a replica when DATABASE_REPLICA_URL is
set, while logins and writes stay on the primary. Each case runs the real settings in fresh
processes, as separate servers would."""

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from bma_tracker.dbrouter import REPLICA, ReplicaRouter, reading_from_replica
from projects.models import Project, User
from tests.servers import redis_reachable

ROOT = Path(__file__).resolve().parent.parent


def python(code, **env):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.skipif(
    not redis_reachable(), reason="Redis is not running on 127.0.0.1:6379 (apt-get install redis-server)"
)
def test_with_redis_url_every_process_shares_the_cache_and_sessions():
    env = {"REDIS_URL": "redis://127.0.0.1:6379/15"}
    key, value = f"scale-out-{uuid.uuid4().hex}", "ค่าที่ตั้งจากโพรเซสแรก"
    backend = python(
        f"""
        from django.conf import settings
        from django.core.cache import cache
        cache.set({key!r}, {value!r}, 60)
        print(settings.CACHES["default"]["BACKEND"], settings.SESSION_ENGINE, settings.PAGE_CACHE_SECONDS > 0)
        """,
        **env,
    )
    assert backend == "bma_tracker.redis_cache.ReusedClientRedisCache django.contrib.sessions.backends.cached_db True"
    read = python(f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})", **env)
    assert read == value


def test_without_redis_each_process_caches_alone_and_sessions_live_in_the_database():
    """Pages are cached in each process (their keys carry the database's revisions, so a change
    made through another process still shows: tests/test_freshness.py); sessions are not (a
    logged-out session would live on in the other processes)."""
    out = python(
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE, settings.PAGE_CACHE_SECONDS)",
        REDIS_URL="",
    )
    assert out == "django.core.cache.backends.locmem.LocMemCache django.contrib.sessions.backends.db 86400"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # the router only reads the aliases
def test_the_router_sends_only_the_dashboards_data_reads_to_the_replica(settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    router = ReplicaRouter()
    assert router.db_for_read(Project) == "default"
    with reading_from_replica():
        assert router.db_for_read(Project) == REPLICA
        assert router.db_for_read(User) == "default"  # logins never read a lagging copy
        from django.contrib.sessions.models import Session

        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Project) == "default"
    assert router.allow_migrate(REPLICA, "projects") is False


def test_a_dashboard_request_reads_the_replica_and_the_session_from_the_primary(tmp_path):
    """A second alias pointing at the same database file: the queries each connection ran
    show who answered what."""
    database = f"sqlite:///{tmp_path / 'primary.sqlite3'}"
    env = {"DATABASE_URL": database, "DATABASE_REPLICA_URL": database, "SECURE_SSL_REDIRECT": "0"}
    out = python(
        """
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from tests import factories
        from projects.models import User

        call_command("migrate", verbosity=0)
        unit = factories.make_unit(code="24000000")
        factories.make_project(unit=unit)
        client = Client()
        client.force_login(factories.make_user("dir", unit=unit, role=User.Role.DIRECTOR))
        with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(
            connections["replica"]
        ) as replica:
            assert client.get("/dashboard/").status_code == 200
            assert client.get("/projects/").status_code == 200
        sql = lambda queries: " ".join(q["sql"] for q in queries)
        print("replica-projects", "projects_project" in sql(replica))
        print("replica-sessions", "django_session" in sql(replica))
        print("primary-sessions", "django_session" in sql(primary))
        print("primary-list", "projects_project" in sql(primary))
        """,
        **env,
    )
    assert out.split("\n") == [
        "replica-projects True",
        "replica-sessions False",
        "primary-sessions True",
        "primary-list True",  # the project list is not a dashboard: it stays on the primary
    ]
