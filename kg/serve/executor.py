"""Run queries so that a timeout really stops them.

pyoxigraph cannot cancel a running query, and an aggregate or ORDER BY over the whole store
produces nothing to interrupt until it is done. So, when the store is on disk and the server
is read-only, each query runs in one of a few worker processes that open the store read-only;
at the deadline the worker is killed (SIGKILL) and a fresh one is started in its place.

In-memory or writable stores cannot be opened a second time, so they are queried in the
request thread; there the deadline is checked while results are streamed, which bounds
result-heavy queries but not a long aggregate (documented in the README).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import Store

from kg.serve.results import DefaultGraphView, Outcome, QueryJob, evaluate, timeout_outcome


def _worker_main(path: str, conn_in: Connection, conn_out: Connection) -> None:
    """Worker loop: open the store read-only, then answer (job, has_from) messages forever."""
    from kg.store import open_store

    try:
        store = open_store(Path(path), read_only=True)
    except Exception as exc:  # reported to the parent, which answers 503
        conn_out.send(("error", str(exc)))
        return
    view = DefaultGraphView(store)
    conn_out.send(("ready", ""))
    while True:
        try:
            job, has_from = conn_in.recv()
        except EOFError:
            return
        conn_out.send(evaluate(view, job, has_from))


class _Worker:
    """One `python -m kg.serve.executor` child talking pickles over two dedicated pipes.

    A plain subprocess rather than multiprocessing: spawn would re-import the host program's
    __main__ (a script, waitress, gunicorn), and fork is unsafe with RocksDB threads.
    """

    def __init__(self, path: str) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.serve.executor", str(to_child_r), str(from_child_w),
             path], pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.conn = Connection(from_child_r, writable=False)
        self.ready = False

    def wait_ready(self, timeout: float) -> str | None:
        """None when ready, else the reason it is not."""
        if self.ready:
            return None
        try:
            if not self.conn.poll(timeout):
                return "query worker did not start in time"
            kind, message = self.conn.recv()
        except (EOFError, OSError):
            return f"query worker exited (code {self.proc.poll()})"
        if kind != "ready":
            return message
        self.ready = True
        return None

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(5)
        self.send_conn.close()
        self.conn.close()


class ProcessExecutor:
    """A fixed pool of killable query worker processes over a read-only on-disk store."""

    def __init__(self, path: Path, workers: int = 2) -> None:
        self.path = str(path)
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(workers):
            self._spawn()

    def _spawn(self) -> None:
        w = _Worker(self.path)
        with self._lock:
            self._all.add(w)
        self.idle.put(w)

    def _retire(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)
        self._spawn()

    def worker_pids(self) -> list[int]:
        """PIDs of the live workers (tests check that a timed-out worker was killed)."""
        with self._lock:
            return [w.proc.pid for w in self._all]

    def run(self, job: QueryJob, has_from: bool) -> Outcome:
        """Answer in a worker; kill it at the deadline (waiting for a free one counts too)."""
        deadline = time.monotonic() + job.timeout
        try:
            w = self.idle.get(timeout=job.timeout)
        except queue.Empty:
            return Outcome(503, b"all query workers are busy; try again shortly\n")
        problem = w.wait_ready(max(0.1, deadline - time.monotonic()))
        if problem:
            self._retire(w)
            return Outcome(503, f"query worker unavailable: {problem}\n".encode())
        try:
            w.send_conn.send((job, has_from))
            if w.conn.poll(max(0.0, deadline - time.monotonic()) + 0.5):
                outcome = w.conn.recv()
                self.idle.put(w)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            self._retire(w)
            return Outcome(503, b"query worker crashed; the query was not answered\n")
        self._retire(w)
        return timeout_outcome(job.timeout)

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()


class InlineExecutor:
    """Queries in the request thread (in-memory or writable stores); deadline while streaming."""

    def __init__(self, store: Store) -> None:
        self.view = DefaultGraphView(store)  # writable: graphs listed on every query

    def run(self, job: QueryJob, has_from: bool) -> Outcome:
        return evaluate(self.view, job, has_from)

    def close(self) -> None:
        """Nothing to release."""


if __name__ == "__main__":
    _worker_main(sys.argv[3], Connection(int(sys.argv[1]), writable=False),
                 Connection(int(sys.argv[2]), readable=False))
