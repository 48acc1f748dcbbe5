"""`kg serve --in-memory`: the same answers as from disk, from a snapshot taken at start.

Real parts throughout: the sample store copied on disk, the real query worker processes
loading the real snapshot dump, waitress and `kg serve` over HTTP.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.cli import main
from kg.queries import ExampleQuery, load_examples
from kg.serve import ServeConfigError, create_app
from kg.serve.executor import ProcessExecutor
from kg.serve.results import QueryJob

EXAMPLES = load_examples()
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, sample_store: Store) -> Path:
    """The sample store copied to a path of its own (the session store stays open for
    writing in this process, and a server opens its store by path)."""
    path = tmp_path_factory.mktemp("memory") / "store"
    sample_store.backup(str(path))
    return path


def _app(path: Path, **settings: object) -> Flask:
    return create_app({"store": str(path), **settings})


@pytest.fixture(scope="module")
def apps(store_path: Path) -> Iterator[dict[str, Flask]]:
    """The disk app and the in-memory app (worker processes, and in the request thread)."""
    made = {"disk": _app(store_path), "memory": _app(store_path, in_memory=True),
            "memory-inline": _app(store_path, in_memory=True, query_workers=0)}
    yield made
    for app in made.values():
        app.extensions["kg_executor"].close()


def _rows(body: dict) -> Counter[tuple[str, ...]]:
    """SELECT rows as a bag (row order is only defined up to ORDER BY ties)."""
    names = body["head"]["vars"]
    return Counter(tuple(repr(sorted(b[v].items())) if v in b else "" for v in names)
                   for b in body["results"]["bindings"])


def deterministic(query: str) -> str:
    """The query with SAMPLE read as MIN: SAMPLE may pick any value of its group (an entity
    with two labels), and the two stores list a group's values in different orders."""
    return re.sub(r"\bSAMPLE\s*\(", "MIN(", query, flags=re.IGNORECASE)


def _answer(app: Flask, query: str) -> tuple[int, Counter[tuple[str, ...]] | bytes]:
    r = app.test_client().post("/sparql", data={"query": deterministic(query)},
                               headers={"Accept": "application/sparql-results+json"})
    return r.status_code, (_rows(r.get_json()) if r.status_code == 200 else r.data)


@pytest.mark.parametrize("example", EXAMPLES, ids=[ex.name for ex in EXAMPLES])
def test_in_memory_gives_the_rows_of_the_disk(apps: dict[str, Flask],
                                              example: ExampleQuery) -> None:
    disk = _answer(apps["disk"], example.query)
    if "SERVICE" not in example.query:
        assert disk[0] == 200 and disk[1], f"{example.name} answers nothing on the sample"
    assert _answer(apps["memory"], example.query) == disk
    assert _answer(apps["memory-inline"], example.query) == disk


def _open_files(pid: int) -> list[str]:
    files = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            files.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed meanwhile
            continue
    return files


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_in_memory_workers_hold_no_store_file(apps: dict[str, Flask], store_path: Path) -> None:
    """The workers answer from memory: unlike the disk workers, none has a file of the store
    open (nor the snapshot dump, closed once loaded)."""
    for name in ("disk", "memory"):
        assert apps[name].extensions["kg_executor"].wait_ready(60) is None
        assert _answer(apps[name], COUNT)[0] == 200
    disk_pids = apps["disk"].extensions["kg_executor"].worker_pids()
    memory = apps["memory"].extensions["kg_executor"]
    dump = os.readlink(f"/proc/self/fd/{memory.snapshot.fileno()}")  # unnamed: "/tmp/#n"
    assert all(any(f.startswith(str(store_path)) for f in _open_files(p)) for p in disk_pids)
    for pid in memory.worker_pids():
        files = _open_files(pid)
        assert not [f for f in files if f.startswith(str(store_path)) or f == dump]


def test_kg_serve_in_memory_over_http(store_path: Path, apps: dict[str, Flask]) -> None:
    """`kg serve --in-memory` listens once its workers have loaded, and answers every example
    over HTTP as the disk app does."""
    from waitress.server import create_server

    probe = create_server(Flask("probe"), host="127.0.0.1", port=0)  # a free port
    port = probe.socket.getsockname()[1]
    probe.close()
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from kg.cli import main; sys.argv=['kg']"
         "+sys.argv[1:]; main()", "serve", "--in-memory", "--store", str(store_path),
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline(), server.stdout.readline()]
        assert "into memory" in lines[0] and "kg endpoint on" in lines[1], server.stderr
        deadline = time.monotonic() + 30
        for example in EXAMPLES:
            while True:  # waitress binds just after the line is printed
                try:
                    r = requests.post(base + "/sparql",
                                      data={"query": deterministic(example.query)},
                                      headers={"Accept": "application/sparql-results+json"},
                                      timeout=60)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "kg serve did not listen"
                    time.sleep(0.2)
            got = (r.status_code, _rows(r.json()) if r.status_code == 200 else r.content)
            assert got == _answer(apps["disk"], example.query), example.name
    finally:
        server.terminate()
        server.wait(10)


def _small_store(path: Path, n: int) -> None:
    s = Store(str(path))
    s.extend(Quad(NamedNode(f"http://e.org/s{i}"), NamedNode("http://e.org/p"), Literal(i),
                  NamedNode("https://w3id.org/kg-conflict/graph/x")) for i in range(n))
    s.flush()
    del s


def _count(app: Flask) -> int:
    r = app.test_client().get("/sparql", query_string={"query": COUNT})
    assert r.status_code == 200, r.data
    return int(r.get_json()["results"]["bindings"][0]["n"]["value"])


def test_timeout_kills_an_in_memory_worker_and_its_replacement_loads_the_start_snapshot(
        tmp_path: Path) -> None:
    """The deadline still kills the worker; the new one loads the snapshot taken at start,
    not what a writer added since (the whole app answers as of its start)."""
    path = tmp_path / "store"
    _small_store(path, 3000)
    app = _app(path, in_memory=True, query_timeout=1.0, query_workers=1)
    executor = app.extensions["kg_executor"]
    try:
        assert executor.wait_ready(60) is None and _count(app) == 3000
        write = ("import sys; from pyoxigraph import *; from kg.store import open_store, "
                 "release; s = open_store(sys.argv[1]); s.add(Quad(NamedNode('http://e.org/n'),"
                 " NamedNode('http://e.org/p'), Literal(1), "
                 "NamedNode('https://w3id.org/kg-conflict/graph/y'))); release(s, sys.argv[1])")
        subprocess.run([sys.executable, "-c", write, str(path)], check=True, timeout=60)
        assert len(Store.read_only(str(path))) == 3001  # the write is on disk
        before = executor.worker_pids()
        r = app.test_client().get("/sparql", query_string={"query": SLOW})
        assert r.status_code == 503 and b"timeout" in r.data
        for pid in before:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert executor.wait_ready(60) is None
        assert executor.worker_pids() != before
        assert _count(app) == 3000
    finally:
        executor.close()


def test_no_ready_worker_is_a_prompt_503_that_says_why(tmp_path: Path) -> None:
    """While the workers load, a query gets a 503 naming the load by its deadline instead of
    waiting for them; once they are ready it is answered."""
    path = tmp_path / "store"
    _small_store(path, 10)
    app = _app(path, in_memory=True, query_timeout=0.05)  # workers need ~0.5 s to start
    executor = app.extensions["kg_executor"]
    try:
        t0 = time.monotonic()
        r = app.test_client().get("/sparql", query_string={"query": COUNT})
        assert time.monotonic() - t0 < 5
        assert r.status_code == 503, r.data
        assert b"no query worker is ready: 2 still loading the store into memory" in r.data
        assert executor.wait_ready(60) is None
        assert _count(app) == 10
    finally:
        executor.close()


def test_workers_that_cannot_load_are_a_503_with_the_reason(tmp_path: Path) -> None:
    """A snapshot the workers cannot load: the request is answered with the parser's reason
    as soon as every worker has failed, not at its deadline; `kg serve` would stop on it."""
    import tempfile

    with tempfile.TemporaryFile() as bad:  # the executor owns it (closes it) from here
        bad.write(b"<http://e.org/s> <http://e.org/p> not-a-term .\n")
        bad.flush()
        executor = ProcessExecutor(tmp_path, workers=2, snapshot=bad)
        try:
            t0 = time.monotonic()
            outcome = executor.run(QueryJob(COUNT, timeout=120.0), False)
            assert time.monotonic() - t0 < 60
            assert outcome.status == 503 and b"query workers failed to start" in outcome.body
            assert b"line 1" in outcome.body.lower() or b"syntax" in outcome.body.lower()
            assert executor.wait_ready(60)  # the reason, for `kg serve` to report
        finally:
            executor.close()


def test_in_memory_refuses_updates(store_path: Path) -> None:
    """A snapshot cannot take writes: the app factory and `kg serve` say so."""
    with pytest.raises(ServeConfigError, match="cannot take writes"):
        create_app({"store": str(store_path), "in_memory": True, "allow_update": True,
                    "update_token": "t"})
    result = CliRunner().invoke(main, ["serve", "--in-memory", "--allow-update", "--token", "t",
                                       "--store", str(store_path)])
    assert result.exit_code == 2 and "cannot take writes" in result.output


def test_in_memory_from_the_environment(store_path: Path, monkeypatch) -> None:
    """KG_IN_MEMORY=1 is read like the other settings."""
    monkeypatch.setenv("KG_IN_MEMORY", "1")
    app = create_app({"store": str(store_path), "query_workers": 0})
    assert app.config["KG"].in_memory
    assert _count(app) > 100
