"""Real concurrency against the real database: threads, each on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_in_threads(calls: list[Callable], threads: int = 16) -> list:
    """Run `calls` on `threads` threads that start together (a barrier) and take the calls from one queue;
    answers in completion order. Every thread closes its own database connection."""
    answers, lock = [], threading.Lock()
    queue = list(calls)
    start = threading.Barrier(threads)

    def worker():
        try:
            start.wait(timeout=30)
            while True:
                with lock:
                    if not queue:
                        return
                    call = queue.pop()
                result = call()
                with lock:
                    answers.append(result)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    return answers
