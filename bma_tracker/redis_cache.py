"""Django's Redis cache backend, keeping one redis.Redis client per connection pool.

Django's RedisCacheClient builds a new redis.Redis object for every cache call; its constructor
sets up some two hundred response callbacks, which cost more CPU than the Redis round trip of a
small GET. A redis.Redis client is thread-safe and holds no connection itself (it borrows one
from the pool for each command), so one per pool serves every call. Everything else is Django's.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
