"""Run queries so that a timeout really stops them.

pyoxigraph cannot cancel a running query, and an aggregate or ORDER BY over the whole store
produces nothing to interrupt until it is done. So, when the store is on disk and the server
is read-only, each query runs in one of a few worker processes that open the store read-only;
at the deadline the worker is killed (SIGKILL) and a fresh one is started in its place.

With `kg serve --in-memory` each worker instead loads the server's snapshot dump
(kg.serve.snapshot) into its own in-memory Store. That takes seconds (~4.5 s per million
quads), so a worker joins the pool of idle workers only once it is ready: a request never
waits on a worker that is still loading, and when none is ready by its deadline it gets a
503 saying so. A worker replaced after a timeout loads again while the others serve.

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
from typing import IO

from pyoxigraph import Store

from kg.serve.results import DefaultGraphView, Outcome, QueryJob, evaluate, timeout_outcome

POLL_SECONDS = 0.25  # how often a waiting request looks whether every worker has failed


def _worker_main(path: str, conn_in: Connection, conn_out: Connection,
                 snapshot_fd: int | None = None) -> None:
    """Worker loop: open the store read-only (or load the snapshot dump into memory), then
    answer (job, has_from) messages forever."""
    from kg.store import open_store

    try:
        if snapshot_fd is None:
            store = open_store(Path(path), read_only=True)
        else:
            from kg.serve.snapshot import load_snapshot

            store = load_snapshot(snapshot_fd)
            os.close(snapshot_fd)
    except Exception as exc:  # reported to the parent, which answers 503
        conn_out.send(("error", str(exc)))
        return
    view = DefaultGraphView(store, frozen=snapshot_fd is not None)
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

    def __init__(self, path: str, snapshot_fd: int | None = None) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        args = [sys.executable, "-m", "kg.serve.executor", str(to_child_r), str(from_child_w),
                path]
        fds = [to_child_r, from_child_w]
        if snapshot_fd is not None:
            args.append(str(snapshot_fd))
            fds.append(snapshot_fd)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(args, pass_fds=fds, stdin=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.send_conn = Connection(to_child_w, readable=False)
        self.conn = Connection(from_child_r, writable=False)
        self.ready = False
        self.problem = ""  # why it did not start, once settled
        self.settled = threading.Event()  # ready or failed

    def wait_ready(self) -> str | None:
        """Block until the child has opened or loaded the store: None, or why it did not."""
        try:
            kind, message = self.conn.recv()
        except (EOFError, OSError):
            return f"query worker exited (code {self.proc.poll()})"
        if kind != "ready":
            return message
        self.ready = True
        return None

    def kill(self) -> None:
        """Stop the child; its pipes are closed here once no thread is reading them."""
        self.proc.kill()
        self.proc.wait(5)
        if self.settled.is_set():
            self.send_conn.close()
            self.conn.close()


class ProcessExecutor:
    """A fixed pool of killable query worker processes over a read-only on-disk store, or
    over in-memory copies of a snapshot dump (`snapshot`, from kg.serve.snapshot).

    `idle` only ever holds ready workers: a thread per new worker waits for it to start and
    only then adds it. A worker that fails to start is not replaced by that thread (a store
    that cannot be loaded would be reloaded forever); the next request tops the pool up.
    """

    def __init__(self, path: Path, workers: int = 2, snapshot: IO[bytes] | None = None) -> None:
        self.path = str(path)
        self.size = workers
        self.snapshot = snapshot
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()  # starting or ready
        self._lock = threading.RLock()
        self._closed = False
        self._problem = ""  # why the last worker that failed to start failed
        self.last_start_s: float | None = None  # how long the last ready worker took to start
        with self._lock:
            for _ in range(workers):
                self._spawn()

    def _spawn(self) -> None:
        w = _Worker(self.path, None if self.snapshot is None else self.snapshot.fileno())
        with self._lock:
            self._all.add(w)
        threading.Thread(target=self._settle, args=(w,), daemon=True,
                         name=f"kg-worker-start-{w.proc.pid}").start()

    def _settle(self, w: _Worker) -> None:
        """Wait for a new worker to start; then it is idle, or it is dropped with its reason."""
        problem = w.wait_ready()
        with self._lock:
            keep = problem is None and not self._closed and w in self._all
            if problem is not None:
                w.problem = self._problem = problem
                self._all.discard(w)
            elif keep:
                self.last_start_s = time.monotonic() - w.started
        w.settled.set()
        if keep:
            self.idle.put(w)
        else:
            w.kill()

    def _retire(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)
            if not self._closed:
                self._spawn()

    def _top_up(self) -> None:
        """Start workers in place of those that failed to start."""
        with self._lock:
            for _ in range(0 if self._closed else self.size - len(self._all)):
                self._spawn()

    def worker_pids(self) -> list[int]:
        """PIDs of the live workers, starting or ready (tests check that a timed-out worker
        was killed)."""
        with self._lock:
            return [w.proc.pid for w in self._all]

    def wait_ready(self, timeout: float | None = None) -> str | None:
        """Block until every current worker has started or failed: None when all are ready,
        else why not. `kg serve` calls it before listening (loading takes seconds in memory)."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            workers = list(self._all)
        for w in workers:
            if not w.settled.wait(None if end is None else max(0.0, end - time.monotonic())):
                return f"query worker still starting after {timeout:g} s"
            if w.problem:
                return w.problem
        with self._lock:
            return None if self._all else self._problem or "no query worker is running"

    def _acquire(self, deadline: float) -> _Worker | Outcome:
        """A ready worker, or a 503 saying why there is none by the deadline."""
        while True:
            try:
                return self.idle.get(timeout=max(0.0, min(POLL_SECONDS,
                                                          deadline - time.monotonic())))
            except queue.Empty:
                pass
            with self._lock:
                starting = [w for w in self._all if not w.ready]
                alive = len(self._all)
            if not alive:
                return Outcome(503, f"query workers failed to start: {self._problem}\n".encode())
            if time.monotonic() >= deadline:
                return Outcome(503, self._not_ready(starting).encode())

    def _not_ready(self, starting: list[_Worker]) -> str:
        if not starting:
            return "all query workers are busy; try again shortly\n"
        what = ("loading the store into memory" if self.snapshot is not None
                else "opening the store")
        since = time.monotonic() - min(w.started for w in starting)
        last = (f"; the last start took {self.last_start_s:.0f} s"
                if self.last_start_s is not None else "")
        return (f"no query worker is ready: {len(starting)} still {what} (for {since:.0f} s"
                f"{last}); try again shortly\n")

    def run(self, job: QueryJob, has_from: bool) -> Outcome:
        """Answer in a worker; kill it at the deadline (waiting for a free one counts too)."""
        deadline = time.monotonic() + job.timeout
        self._top_up()
        w = self._acquire(deadline)
        if isinstance(w, Outcome):
            return w
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
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
        if self.snapshot is not None:
            self.snapshot.close()


class InlineExecutor:
    """Queries in the request thread (in-memory or writable stores); deadline while streaming.

    `frozen`: the store never changes (an in-memory snapshot), so its graphs are listed once.
    """

    def __init__(self, store: Store, frozen: bool = False) -> None:
        self.view = DefaultGraphView(store, frozen)  # writable: graphs listed on every query

    def run(self, job: QueryJob, has_from: bool) -> Outcome:
        return evaluate(self.view, job, has_from)

    def wait_ready(self, timeout: float | None = None) -> None:
        """Always ready: there is no worker to start."""

    def close(self) -> None:
        """Nothing to release."""


if __name__ == "__main__":
    _worker_main(sys.argv[3], Connection(int(sys.argv[1]), writable=False),
                 Connection(int(sys.argv[2]), readable=False),
                 int(sys.argv[4]) if len(sys.argv) > 4 else None)
