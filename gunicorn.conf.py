"""gunicorn settings for `make serve` and `make loadtest` (and a production start:
`gunicorn -c gunicorn.conf.py bma_tracker.wsgi`). Everything can be changed by environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers (gthread): cores+1 processes of GUNICORN_THREADS threads. Threads keep
# HTTP keep-alive connections open (a sync worker closes the connection after every request,
# so each page paid a new TCP connection) and let a slow PDF occupy one thread, not a whole
# process. Measured with `make loadtest` on 2 cores: 3 workers × 4 threads 137 req/s, p99
# 2.9 s; 3 sync workers 117 req/s, p99 8.0 s; 4×2 124; 2×8 90; 6×1 103.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
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
