"""The local servers some tests need besides the database."""

import socket

REDIS = ("127.0.0.1", 6379)


def redis_reachable():
    """Whether Redis answers on 127.0.0.1:6379 (apt-get install redis-server)."""
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        return False
    return True
