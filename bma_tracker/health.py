"""/healthz for the load balancer: what this app server can reach right now, as JSON.

    {"status": "ok",       "database": "ok",          "cache": "ok"}           200
    {"status": "degraded", "database": "ok",          "cache": "unavailable"}  200
    {"status": "down",     "database": "unavailable", "cache": "…"}            503

Only the database decides the code: without Redis the app serves everything from PostgreSQL
(cache misses, sessions from the database), only slower, so the server stays in the pool and
"degraded" tells the operator which part to fix. "cache" is "local" when there is no REDIS_URL
(each process caches in its own memory: nothing to be down). No login, no session, never cached.
"""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_status():
    database = connections["default"]
    waits = getattr(database, "connect_wait_seconds", None)
    database.connect_wait_seconds = 0  # no waiting for a restarting server (bma_tracker/postgresql)
    try:
        with database.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("healthz: the database does not answer: %s", exc)
        return "unavailable"
    finally:
        database.connect_wait_seconds = waits
    return "ok"


def cache_status():
    ping = getattr(cache, "ping", None)  # the Redis backend (bma_tracker.redis_cache)
    if ping is None:
        return "local"
    return "ok" if ping() else "unavailable"


@never_cache
@require_GET
def healthz(request):
    database, cache_state = database_status(), cache_status()
    if database != "ok":
        status = "down"
    elif cache_state == "unavailable":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "database": database, "cache": cache_state}, status=503 if status == "down" else 200
    )
