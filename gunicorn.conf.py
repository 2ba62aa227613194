"""gunicorn settings for `make serve` and `make loadtest` (and a production start:
`gunicorn -c gunicorn.conf.py bma_tracker.wsgi`). Everything can be changed by environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: one request per process, 2×cores+1 so a worker waiting on PostgreSQL does not
# leave a core idle. GUNICORN_THREADS>1 switches to gthread (keep-alive connections, more
# concurrent requests per process) at the price of sharing one process' CPU under the GIL.
# Measured with `make loadtest` on 2 cores, runs interleaved (the host's speed drifts ±15 %):
# 3 sync workers 94.8, 88.2, 99.6, 93.9 req/s, p95 2300–3100 ms; 3 gthread workers × 4 threads
# 87.7–114.1 req/s (mean 102), p95 2600–5400 ms; the same CPU per request (14–16 ms). Sync keeps
# the better p95 (a PDF render holds its own process, not three other requests' threads).
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
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Load the app once in the master so workers start fast and share its memory pages.
preload_app = True


def pre_fork(server, worker):
    """The app is loaded once in the master (preload_app): freeze its objects out of the garbage
    collector's sight, so a worker's collections walk only what its requests allocate and the
    shared memory pages are not copied by the collector touching them."""
    gc.freeze()
