"""gunicorn settings for `make serve` and `make loadtest` (and a production start:
`gunicorn -c gunicorn.conf.py bma_tracker.wsgi`). Everything can be changed by environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: one request per process, 2×cores+1 so that while some wait (on PostgreSQL, Redis,
# or a client reading its response and closing the connection) the others keep the cores busy.
# GUNICORN_THREADS>1 switches to gthread (keep-alive connections, more concurrent requests per
# process) at the price of sharing one process' CPU under the GIL.
# Measured with `make loadtest` on 2 cores (2026-11-21, runs interleaved, ~5 ms of CPU a request):
# 5 sync workers p95 140, 110, 110 ms; 3 sync workers p95 210, 140 ms. Behind 3 workers requests
# spent most of their time queued, not served: gunicorn's own request time was p95 20 ms while
# locust saw 210 ms. gthread 3×4 (an earlier release) used more CPU per request (sys time doubled)
# and a PDF render stalled the other threads of its process.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
# PDFs of the quarterly indicator report take a few seconds; the books go to background workers.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: a slow leak (fonts, WeasyPrint caches) never grows unbounded.
# Not too often: a new worker compiles its templates and fills its caches again (at 2,000 a
# worker was replaced about once a minute at the month-end peak).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = 2000
# Behind the reverse proxy; it sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER in settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# A line per request on stdout; GUNICORN_ACCESSLOG= (empty) turns it off, where the reverse proxy
# keeps the access log (each line costs gunicorn a dictionary of atoms and a formatting).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Load the app once in the master so workers start fast and share its memory pages.
preload_app = True


def pre_fork(server, worker):
    """The app is loaded once in the master (preload_app): freeze its objects out of the garbage
    collector's sight, so a worker's collections walk only what its requests allocate and the
    shared memory pages are not copied by the collector touching them."""
    gc.freeze()
