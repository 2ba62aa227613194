"""Django's Redis cache backend, made to serve on when Redis does not answer.

1. One redis.Redis client per connection pool. Django's RedisCacheClient builds a new
   redis.Redis object for every cache call; its constructor sets up some two hundred response
   callbacks, which cost more CPU than the Redis round trip of a small GET. A client is
   thread-safe and holds no connection itself (it borrows one from the pool for each command).

2. Cache errors are misses. PostgreSQL is the source of truth; Redis only saves work. When a
   command fails (Redis stopped, restarting, unreachable, timing out) a read answers its default,
   a write is dropped, and the process leaves Redis alone for RETRY_SECONDS before it tries
   again, so a request never waits on a dead server more than once per interval. The outage is
   logged when it starts, once a minute while it lasts, and when it ends, not per request.
   Sessions (cached_db) then come from the database: Django's cached_db backend itself only
   survives a failed read and a failed save (5.2); its `set` after a database read, its
   `exists` and its `delete` would raise, which this class turns into a miss / a dropped write.

3. No stale entry after the outage. A dropped write or delete may leave an old value in a Redis
   that was only out of reach (not restarted): a session logged out meanwhile would come back.
   So the keys whose write was dropped are remembered (up to MAX_DROPPED, else the whole cache
   database is cleared) and deleted at the first command that reaches Redis again, before it.
   Page entries need no such care (their keys name the database revisions they were computed
   from: bma_tracker/caching.py), but deleting them costs only a recomputation.

The state is per process and per server, shared by the threads' backend instances.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Keys of dropped writes remembered for deletion; past this many, the cache is cleared instead.
MAX_DROPPED = 10_000
# While Redis stays out of reach, one log line per this many seconds.
LOG_EVERY_SECONDS = 60


class Outage:
    """What one process knows about one Redis server being out of reach."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since = None  # time.monotonic() of the first failure, None while Redis answers
        self.retry_at = 0.0
        self.logged_at = 0.0
        self.skipped = 0  # commands not sent since the last log line
        self.dropped = set()  # keys whose write or delete did not reach Redis
        self.clear_needed = False

    def skipping(self):
        return self.since is not None and time.monotonic() < self.retry_at

    def drop(self, keys):
        with self.lock:
            self.skipped += 1
            if self.clear_needed:
                return
            self.dropped.update(keys)
            if len(self.dropped) > MAX_DROPPED:
                self.dropped.clear()
                self.clear_needed = True

    def failed(self, server, exc, retry_seconds):
        now = time.monotonic()
        with self.lock:
            self.retry_at = now + retry_seconds
            if self.since is None:
                self.since, self.logged_at, self.skipped = now, now, 0
                logger.warning(
                    "Redis cache %s does not answer (%s): serving from the database, trying again every %s s",
                    server,
                    exc,
                    retry_seconds,
                )
            elif now - self.logged_at >= LOG_EVERY_SECONDS:
                logger.warning(
                    "Redis cache %s still does not answer after %.0f s (%s): %d cache commands skipped",
                    server,
                    now - self.since,
                    exc,
                    self.skipped,
                )
                self.logged_at, self.skipped = now, 0

    def answered(self, server):
        if self.since is None:
            return
        with self.lock:
            if self.since is not None:
                logger.warning("Redis cache %s answers again after %.0f s", server, time.monotonic() - self.since)
                self.since = None


_outages = {}
_outages_lock = threading.Lock()


def outage_of(servers):
    key = tuple(servers)
    with _outages_lock:
        return _outages.setdefault(key, Outage())


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, retry_seconds=5, **options):
        super().__init__(servers, **options)
        self._clients = {}
        self._retry_seconds = retry_seconds
        self._server = ",".join(servers)
        self._outage = outage_of(servers)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _run(self, command, default, writes=()):
        """command() if Redis answers, else `default`; `writes` are the keys it would change."""
        outage = self._outage
        if outage.skipping():
            outage.drop(writes)
            return default
        try:
            if outage.dropped or outage.clear_needed:
                self._forget_dropped()
            result = command()
        except RedisError as exc:
            outage.failed(self._server, exc, self._retry_seconds)
            outage.drop(writes)
            return default
        outage.answered(self._server)
        return result

    def _forget_dropped(self):
        """Delete what a dropped write may have left stale (raises RedisError if Redis fails)."""
        outage = self._outage
        with outage.lock:
            keys, clear, outage.dropped, outage.clear_needed = list(outage.dropped), outage.clear_needed, set(), False
        try:
            if clear:
                super().clear()
            elif keys:
                super().delete_many(keys)
        except RedisError:
            with outage.lock:
                outage.dropped.update(keys)
                outage.clear_needed = outage.clear_needed or clear
            raise
        logger.warning(
            "Redis cache %s: %s after the outage",
            self._server,
            "cleared" if clear else f"{len(keys)} entries written meanwhile deleted",
        )

    def ping(self):
        """Whether Redis answers right now (one PING, whatever the retry interval says)."""
        try:
            return bool(self.get_client().ping())
        except RedisError:
            return False

    # Reads: a miss. Writes: dropped, their keys remembered.
    def get(self, key, default):
        return self._run(lambda: super(ResilientRedisCacheClient, self).get(key, default), default)

    def get_many(self, keys):
        return self._run(lambda: super(ResilientRedisCacheClient, self).get_many(keys), {})

    def has_key(self, key):
        return self._run(lambda: super(ResilientRedisCacheClient, self).has_key(key), False)

    def add(self, key, value, timeout):
        return self._run(lambda: super(ResilientRedisCacheClient, self).add(key, value, timeout), False, [key])

    def set(self, key, value, timeout):
        return self._run(lambda: super(ResilientRedisCacheClient, self).set(key, value, timeout), None, [key])

    def set_many(self, data, timeout):
        return self._run(lambda: super(ResilientRedisCacheClient, self).set_many(data, timeout), None, list(data))

    def touch(self, key, timeout):
        return self._run(lambda: super(ResilientRedisCacheClient, self).touch(key, timeout), False)

    def delete(self, key):
        return self._run(lambda: super(ResilientRedisCacheClient, self).delete(key), False, [key])

    def delete_many(self, keys):
        return self._run(lambda: super(ResilientRedisCacheClient, self).delete_many(keys), None, list(keys))

    def incr(self, key, delta):
        missing = object()
        value = self._run(lambda: super(ResilientRedisCacheClient, self).incr(key, delta), missing, [key])
        if value is missing:
            raise ValueError(f"Key '{key}' not found (the cache does not answer)")
        return value

    def clear(self):
        missing = object()
        result = self._run(lambda: super(ResilientRedisCacheClient, self).clear(), missing)
        if result is missing:
            self._outage.clear_needed = True  # done when Redis answers again
            return False
        return result


class ReusedClientRedisCache(RedisCache):
    """settings.CACHES["default"] with REDIS_URL. OPTIONS: retry_seconds (the pause after a
    failure), socket_connect_timeout and socket_timeout (seconds, for redis-py's pool)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    def ping(self):
        return self._cache.ping()
