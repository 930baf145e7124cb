"""Gunicorn settings for Touchpoint (read by `gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Every knob can be overridden from the environment, so compose and Kubernetes size the
server without rebuilding the image.
"""

from __future__ import annotations

import math
import os
from pathlib import Path


def _available_cpus() -> int:
    """CPUs this container may really use.

    os.cpu_count() reports the host's cores; a pod limited to 1 CPU on a 32-core node
    would otherwise start 65 workers and be OOM-killed. Honour the cgroup v2 CPU quota
    and the CPU affinity mask, whichever is smaller.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text(encoding="ascii").split()
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass  # cgroup v1 or not in a container: the affinity mask is the best we know
    return max(1, cpus)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# Listen on all interfaces inside the container; nginx / the Service reach it there.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# Threads let one worker overlap requests that wait on PostgreSQL or S3 (photo uploads)
# without the memory cost of another process. The classic 2*cores+1 rule, capped so a big
# box does not exhaust PostgreSQL connections (workers * threads each may hold one).
worker_class = "gthread"
workers = _env_int("WEB_CONCURRENCY", min(2 * _available_cpus() + 1, 9))
threads = _env_int("GUNICORN_THREADS", 4)

# nginx buffers request bodies (photos) before proxying, so a request that takes longer
# than this is a stuck worker, not a slow phone. Heavy work belongs in Celery.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
# Finish in-flight requests on SIGTERM; kept below Kubernetes' default 30 s grace period.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
# Must stay above nginx's upstream keepalive_timeout (4 s) so nginx, not gunicorn, closes
# idle connections; otherwise nginx may reuse a socket gunicorn just closed (a 502).
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then to bound slow memory growth (Pillow, report rendering);
# jitter keeps them from all restarting at once.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The heartbeat file is touched constantly; keep it in memory, not on the overlay
# filesystem (which can stall and get healthy workers killed). The root FS is read-only.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs inside the container, not a shared /tmp

# gunicornc's control socket is of no use in a container and would need a writable $HOME.
control_socket_disable = True

# Trust X-Forwarded-* only from the proxy. nginx (compose) and the ingress controller sit
# on private networks; FORWARDED_ALLOW_IPS narrows or widens this per deployment.
forwarded_allow_ips = os.environ.get(
    "FORWARDED_ALLOW_IPS",
    "127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16",
)

# Logs go to stdout/stderr for the container runtime to collect (12-factor).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client address is the one nginx saw; %(L)s is the request time in seconds.
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(L)ss "%(f)s" "%(a)s"'
