"""Django's PostgreSQL backend (ENGINE "bma_tracker.postgresql", set by settings.py for any
postgres:// DATABASE_URL), made to ride out a restarted server and terminated connections.

- A kept connection that the server has closed (restart, pg_terminate_backend, a pooler's idle
  timeout) is replaced before the next query that does not run inside a transaction, not only
  when a request starts (CONN_HEALTH_CHECKS): the server's goodbye makes the socket readable,
  and an idle connection that has nothing to read is alive, so one select() call tells, with no
  round trip. A request whose connection dies between two queries goes on; only a query in
  flight, or a transaction open when the server went away, still fails (and writes nothing: the
  transaction is rolled back, and a resubmitted form is stored once, by its submission key).
- Connecting waits up to DB_CONNECT_WAIT_SECONDS for a server that refuses or is starting up
  or shutting down, so a request that arrives during a restart (about a second with
  `pg_ctl restart -m fast`) is answered late instead of with an error.
"""

import select
import time

from django.conf import settings
from django.db.backends.postgresql import base

Database = base.Database


class DatabaseWrapper(base.DatabaseWrapper):
    # None: DB_CONNECT_WAIT_SECONDS. /healthz sets 0 around its probe: it says what is true now.
    connect_wait_seconds = None

    def ensure_connection(self):
        if self.connection is not None and not self.in_atomic_block and self._closed_by_server():
            self.close()
        super().ensure_connection()

    def _closed_by_server(self):
        try:
            if self.connection.closed:
                return True
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError, Database.Error):
            return True
        return bool(readable)

    def get_new_connection(self, conn_params):
        wait = self.connect_wait_seconds
        deadline = time.monotonic() + (settings.DB_CONNECT_WAIT_SECONDS if wait is None else wait)
        while True:
            try:
                return super().get_new_connection(conn_params)
            except Database.OperationalError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)
