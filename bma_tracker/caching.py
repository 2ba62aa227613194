"""Key-based caching: an entry's key names the revisions of everything it was computed from.

The database moves those revisions on itself, in the same transaction as any change
(projects.models.ChangeCounter, Project.revision: triggers), and a reader reads them with its
first query. A changed record makes a new key, so an entry is never invalidated and never stale,
whoever wrote the change and however (a service, the admin, `update()`, raw SQL, another process).
Entries expire after PAGE_CACHE_SECONDS only to give memory back.

That makes a per-process cache as correct as a shared one: without REDIS_URL each worker
caches in its own memory, and a change made through another worker still changes the key.
"""

from django.conf import settings
from django.core.cache import cache


def cache_key(*parts):
    """A key from its parts: "kind:part:part…"."""
    return ":".join(str(part) for part in parts)


def cached(key, compute):
    """The value cached under `key`, or compute() stored under it (PAGE_CACHE_SECONDS=0: always
    compute). `key` must name every revision, language and day the value depends on."""
    if not settings.PAGE_CACHE_SECONDS:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value
