"""Version tokens for what the app caches (dashboards, rendered project pages).

A cached entry remembers the tokens of the data it was computed from; a write moves those
tokens on, and the next read sees that the entry is stale and computes it again. Nothing is
ever deleted, so a write costs one cache round trip whatever is cached.

Tokens are random-ish strings rather than counters: if the cache evicts a token, the token
that replaces it cannot collide with one an old entry was cached under.
"""

import time

from django.core.cache import cache
from django.db import transaction


def _new_token():
    return f"{time.time_ns():x}"


def _fill_missing(found, keys):
    for key in keys:
        if key not in found:
            cache.add(key, _new_token(), None)
            found[key] = cache.get(key)
    return found


def bump(keys):
    """Move the tokens on now, and again when the surrounding transaction commits, so that an
    entry computed by another request between the two (still seeing the old rows) does not
    outlive the write."""
    keys = list(keys)
    if not keys:
        return

    def move():
        cache.set_many(dict.fromkeys(keys, _new_token()), None)

    move()
    transaction.on_commit(move)


def cached(key, token_keys, compute, timeout):
    """compute(), or the value cached under `key` while none of `token_keys` has moved since it
    was computed. The entry and the tokens come back in one round trip."""
    found = _fill_missing(cache.get_many([key, *token_keys]), token_keys)
    tokens = [found[token] for token in token_keys]
    entry = found.get(key)
    if entry is not None and entry[0] == tokens:
        return entry[1]
    value = compute()
    cache.set(key, (tokens, value), timeout)
    return value
