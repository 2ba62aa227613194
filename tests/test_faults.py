"""Faults users must not see (issue 19, item 5): with Redis down cache reads are misses and
writes are dropped, sessions come from the database, the login lockout still counts, /healthz
says "degraded"; a database connection PostgreSQL closed is replaced before a request uses it.
`make faulttest` (loadtest/faulttest.py) does the same against the running production stack."""

import logging
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from bma_tracker.redis_cache import ReusedClientRedisCache, outage_of

CLOSED = "redis://127.0.0.1:1/0"  # tcpmux: nobody listens there on any sane machine


def redis_cache(location, retry_seconds=30):
    return {
        "BACKEND": "bma_tracker.redis_cache.ReusedClientRedisCache",
        "LOCATION": location,
        "OPTIONS": {"retry_seconds": retry_seconds, "socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


@pytest.fixture
def redis_down(settings):
    """The default cache is Redis on a closed port; sessions cached_db, as in production."""
    outage_of([CLOSED]).__init__()  # a fresh outage: nothing left from an earlier test
    settings.CACHES = {**settings.CACHES, "default": redis_cache(CLOSED)}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield caches["default"]
    outage_of([CLOSED]).__init__()


# --- The cache backend ---------------------------------------------------------------------


def test_with_redis_down_reads_are_misses_and_writes_are_dropped(redis_down):
    cache = redis_down
    assert cache.get("page", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("page") is False and "page" not in cache
    assert cache.set("page", "html", 60) is None
    assert cache.add("page", "html", 60) is False
    assert cache.set_many({"a": 1, "b": 2}) == []
    assert cache.delete("page") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.touch("page") is False
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert cache.ping() is False


def test_the_outage_is_logged_once_not_per_request(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="bma_tracker.redis_cache"):
        for _ in range(50):
            redis_down.get("page")
            redis_down.set("page", "html")
    assert [record.getMessage()[:40] for record in caplog.records] == ["Redis cache redis://127.0.0.1:1/0 does n"]


def test_after_a_failure_the_process_leaves_redis_alone_for_the_retry_interval(redis_down):
    redis_down.get("page")  # the one attempt that finds Redis down
    started = time.perf_counter()
    for _ in range(1000):
        redis_down.get("page")
    assert time.perf_counter() - started < 0.5  # no connection attempted: no socket, no timeout


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port, that it can stop and start again with
    its data (SHUTDOWN SAVE, then the same directory): Redis out of reach, not emptied."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    processes = []

    def start():
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        processes.append(process)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop():
        import redis

        redis.Redis(port=port).shutdown(save=True)
        processes[-1].wait(timeout=10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    for process in processes:
        process.kill()
        process.wait()


def test_a_write_dropped_during_the_outage_leaves_no_stale_entry_behind(own_redis):
    """A logout while Redis was out of reach deletes the session row but not Redis' copy: that
    copy must not sign the user in again once Redis is back."""
    location, start, stop = own_redis
    cache = ReusedClientRedisCache(location, redis_cache(location, retry_seconds=1))
    cache.set("session", "signed in", 600)
    cache.set("other", "kept", 600)
    stop()
    assert cache.get("session") is None
    cache.delete("session")  # dropped: Redis does not answer
    start()
    assert cache.get("session") is None  # still within the retry interval: a miss, not the old copy
    time.sleep(1.1)
    assert cache.get("other") == "kept"  # Redis answers again; the dropped delete was done first
    assert cache.get("session") is None
    assert cache.ping() is True


# --- Sessions, login lockout and pages with Redis down ---------------------------------------


def test_with_redis_down_a_user_signs_in_works_and_signs_out(client, redis_down, staff, project):
    response = client.post("/accounts/login/", {"username": "staff", "password": "pw-test-12345"})
    assert response.status_code == 302
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.get(session_key=session_key).get_decoded()[SESSION_KEY] == str(staff.pk)
    assert client.get("/").status_code == 200
    page = client.get(f"/projects/{project.code}/")  # a cached page: computed, its storing dropped
    assert page.status_code == 200 and project.name in page.content.decode()
    assert client.get(f"/projects/{project.code}/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get("/").status_code == 302  # to the login page


def test_a_session_made_while_redis_answered_survives_redis_going_down(client, staff, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(staff)  # the local-memory cache of the test settings holds a copy
    outage_of([CLOSED]).__init__()
    with override_settings(CACHES={**settings.CACHES, "default": redis_cache(CLOSED)}):
        assert client.get("/").status_code == 200
        assert client.get("/").wsgi_request.user == staff


def test_with_redis_down_the_login_lockout_still_counts(client, redis_down, staff):
    codes = [
        client.post("/accounts/login/", {"username": "staff", "password": "wrong-password-1"}).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]
    assert client.post("/accounts/login/", {"username": "staff", "password": "pw-test-12345"}).status_code == 429


# --- /healthz --------------------------------------------------------------------------------


def test_healthz_says_degraded_with_200_when_only_redis_is_down(client, db, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_healthz_says_local_without_redis(client, db):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "local"}


# --- Database connections --------------------------------------------------------------------


def test_database_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_postgres_url_gets_the_backend_that_rides_out_restarts():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bma_tracker.settings'; django.setup(); "
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_HEALTH_CHECKS'], settings.DB_CONNECT_WAIT_SECONDS)"
    )
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": "postgres://u@db:5432/bma"}

    def run(**more):
        return subprocess.run(
            [sys.executable, "-c", code], cwd=settings.BASE_DIR, env={**env, **more}, capture_output=True, text=True
        ).stdout

    assert run() == "bma_tracker.postgresql True 5\n"
    assert run(DB_CONN_HEALTH_CHECKS="0", DB_CONNECT_WAIT_SECONDS="0") == "bma_tracker.postgresql False 0\n"


def postgresql_only():
    return pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server processes")


def terminate(pid):
    import psycopg2

    params = connection.get_connection_params()
    other = psycopg2.connect(**{key: value for key, value in params.items() if key != "cursor_factory"})
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    time.sleep(0.2)  # the server's goodbye reaches our socket


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_between_two_queries_is_replaced_before_the_second(staff):
    from projects.models import User

    assert User.objects.filter(username="staff").exists()
    pid = connection.connection.info.backend_pid
    terminate(pid)
    assert User.objects.filter(username="staff").exists()  # no OperationalError: a new connection
    assert connection.connection.info.backend_pid != pid


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_inside_a_transaction_fails_it_and_writes_nothing(staff):
    from django.db import OperationalError, transaction

    from projects.models import User

    with pytest.raises(OperationalError), transaction.atomic():
        User.objects.filter(username="staff").update(first_name="ไม่ควรบันทึก")
        terminate(connection.connection.info.backend_pid)
        User.objects.filter(username="staff").exists()
    assert User.objects.get(username="staff").first_name != "ไม่ควรบันทึก"


@postgresql_only()
def test_connecting_waits_for_a_server_that_is_not_up_yet_then_gives_up(db, settings):
    from django.db import OperationalError

    from bma_tracker.postgresql.base import DatabaseWrapper

    settings.DB_CONNECT_WAIT_SECONDS = 1
    down = DatabaseWrapper({**connection.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}, alias="down")
    started = time.monotonic()
    with pytest.raises(OperationalError):
        down.ensure_connection()
    assert 1 <= time.monotonic() - started < 3
