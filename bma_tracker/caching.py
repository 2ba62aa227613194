"""Key-based caching: an entry's key names the revisions of everything it was computed from.

The database moves those revisions on itself, in the same transaction as any change
(projects.models.ChangeCounter, Project.revision: triggers), and a reader reads them with its
first query. A changed record makes a new key, so an entry is never invalidated and never stale,
whoever wrote the change and however (a service, the admin, `update()`, raw SQL, another process).
Entries expire after PAGE_CACHE_SECONDS only to give memory back.

That makes a per-process cache as correct as a shared one: without REDIS_URL each worker
caches in its own memory, and a change made through another worker still changes the key.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache

# What a cached value is computed and rendered by: the code, the templates and the compiled
# translations. A release that changes any of them gets keys of its own, so that no process of
# a new release serves a page rendered by the old one (they share Redis during a deployment).
RELEASE_SOURCES = ("bma_tracker", "projects", "indicators", "reports", "templates", "locale")
RELEASE_SUFFIXES = {".py", ".html", ".mo"}


@functools.cache
def release():
    """A short digest of the files a cached value depends on, computed once per process."""
    digest = hashlib.blake2b(digest_size=6)
    for folder in RELEASE_SOURCES:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(*parts):
    """A key from its parts: "release:kind:part:part…"."""
    return ":".join(str(part) for part in (release(), *parts))


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
