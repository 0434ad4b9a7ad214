"""gunicorn's settings for Coalition, read from the environment (docs/operations.md, "Serving").

`gunicorn -c config/gunicorn.py config.wsgi` is how the platform is served, by `make run` (through `manage.py
run_platform`) and in production (deploy/systemd/coalition-web.service). Options given on gunicorn's command line
win over this file.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from config.env import env_int, env_str

_cores = multiprocessing.cpu_count()

# One thread each for NumPy's BLAS in web workers (set before the application imports NumPy): the semantic search's
# small matrix product gains nothing from a pool of threads, whose spinning cost a library search as much CPU again
# as the rest of the page (bench/README.md, "Page cost"); the processes already share the cores. The task worker,
# which embeds many paragraphs at once, keeps its threads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

bind = env_str("WEB_BIND", f"127.0.0.1:{env_int('PORT', 8000)}").split(",")
# Django's pages are CPU-bound Python: one process per core and one spare, each with one thread, unless a
# deployment measures better (threads help where requests wait on the database or the library index).
workers = env_int("WEB_WORKERS", 2 * _cores + 1)
threads = env_int("WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# A request still running after this long is killed with its worker (the worker is replaced); the slowest pages
# (a large export) finish in a few seconds, and longer work belongs to the task worker.
timeout = env_int("WEB_TIMEOUT", 30)
# On SIGTERM, requests under way have this long to finish before their workers are killed.
graceful_timeout = env_int("WEB_GRACEFUL_TIMEOUT", 25)
keepalive = env_int("WEB_KEEPALIVE", 5)
# Each worker is replaced after this many requests (with jitter, so they do not all restart at once): a slow leak in
# a library cannot grow without bound. 0 turns it off.
max_requests = env_int("WEB_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("WEB_MAX_REQUESTS_JITTER", 200)
# Request-line and header limits, refused with 400 before Django sees them (bodies: MAX_REQUEST_BYTES in Django).
limit_request_line = env_int("WEB_LIMIT_REQUEST_LINE", 8190)
limit_request_fields = env_int("WEB_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = env_int("WEB_LIMIT_REQUEST_FIELD_SIZE", 8190)
# Where X-Forwarded-* headers are believed from: the reverse proxy on this machine only, unless named.
forwarded_allow_ips = env_str("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory, not on a disk that may stall (gunicorn's own advice for containers and VMs).
_SHARED_MEMORY = "/dev/shm"  # noqa: S108 - a fixed system folder gunicorn only writes its own heartbeat files in
worker_tmp_dir = _SHARED_MEMORY if os.path.isdir(_SHARED_MEMORY) else None

proc_name = "coalition-web"
# One line per request on standard error, with the request id the platform answers with, and the time taken in
# microseconds; "" turns the access log off (a proxy that logs requests already).
accesslog = env_str("WEB_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus rid=%({x-request-id}o)s'
errorlog = "-"
loglevel = env_str("WEB_LOG_LEVEL", "info")


def child_exit(_server: Any, worker: Any) -> None:
    """Prometheus metrics in multiprocess mode (PROMETHEUS_MULTIPROC_DIR set) drop a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Imported here: only a deployment that shares metrics across processes needs it.
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
