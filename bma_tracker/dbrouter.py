"""A read replica for the read-heavy pages (DATABASE_REPLICA_URL, settings).

The middleware marks a request to a read-only page (the dashboards) and the router sends that
request's reads of the tracked data to the replica. Everything else reads and writes the
primary: users, sessions and login attempts must never be a replica's lag behind."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
# URL namespaces whose views only read (bma_tracker.urls mounts the dashboards as "dashboard",
# the public site as "public" and "public-en").
READ_ONLY_NAMESPACES = {"dashboard", "public", "public-en"}
# The data the dashboards read; auth, sessions, axes and the user table stay on the primary.
REPLICA_APPS = {"projects", "indicators", "reports"}

_on_replica = ContextVar("on_replica", default=False)


@contextmanager
def reading_from_replica():
    """Reads of the tracked data inside this block go to the replica (when one is configured)."""
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _on_replica.get()
            and REPLICA in settings.DATABASES
            and model._meta.app_label in REPLICA_APPS
            and model._meta.label != settings.AUTH_USER_MODEL
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaForReadPagesMiddleware:
    """Runs the views of READ_ONLY_NAMESPACES inside reading_from_replica()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if REPLICA not in settings.DATABASES or match is None or not READ_ONLY_NAMESPACES & set(match.namespaces):
            return None
        with reading_from_replica():
            return view_func(request, *view_args, **view_kwargs)
