"""Several processes, one store: a clear lock message, stale locks ignored, and a server
that keeps answering (and catches up) while `kg ingest` writes. Real processes throughout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from pyoxigraph import Literal, NamedNode, Quad

from kg.store import LiveStore, StoreError, open_store, release

HOLD = ("import sys, time; from kg.store import open_store; s = open_store(sys.argv[1]); "
        "print('ready', flush=True); time.sleep(120)")


def _kg(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from kg.cli import main; sys.argv=['kg']"
            "+sys.argv[1:]; main()", *args]


def _holder(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    return proc


def test_second_writer_is_told_the_pid_and_a_dead_holder_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "st"
    holder = _holder(path)
    try:
        with pytest.raises(StoreError, match=f"locked by PID {holder.pid}"):
            open_store(path)
        src = tmp_path / "a.txt"
        src.write_text("Rebels shelled Homs.")
        cli = subprocess.run(_kg("ingest", str(src), "--store", str(path)),
                             capture_output=True, timeout=120)
        assert cli.returncode == 1
        assert f"locked by PID {holder.pid}".encode() in cli.stderr
        assert b"Traceback" not in cli.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (path / "kg-writer.pid").read_text() == str(holder.pid)  # stale file left behind
    store = open_store(path)  # the dead PID is ignored: RocksDB's lock died with it
    release(store, path)


WRITE = ("import sys, time; from pyoxigraph import *; from kg.store import open_store, release;"
         " s = open_store(sys.argv[1]);"
         " [s.extend([Quad(NamedNode(f'http://e/{i}'), NamedNode('http://p'), Literal('x'),"
         "  NamedNode(f'https://w3id.org/kg-conflict/graph/t{i}'))]) for i in range(50)];"
         " release(s, sys.argv[1])")


def test_live_store_follows_a_writer_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "st"
    first = open_store(path)
    first.add(Quad(NamedNode("http://e/0"), NamedNode("http://p"), Literal("x"),
                   NamedNode("https://w3id.org/kg-conflict/graph/t0")))
    release(first, path)
    del first
    live = open_store(path, read_only=True)
    assert isinstance(live, LiveStore) and len(live) == 1
    subprocess.run([sys.executable, "-c", WRITE, str(path)], check=True, timeout=60)
    deadline = time.monotonic() + 15
    while len(live) != 50 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(live) == 50


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _count_articles(base: str) -> int:
    q = ("SELECT (COUNT(?a) AS ?n) { ?a a <https://w3id.org/kg-conflict/ontology#Article> }")
    r = requests.get(base + "/sparql", params={"query": q},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_server_keeps_answering_while_ingest_writes(tmp_path: Path) -> None:
    path = tmp_path / "st"
    src = tmp_path / "first.jsonl"
    src.write_text(json.dumps({"id": "a0", "text": "Rebels shelled Homs."}) + "\n")
    subprocess.run(_kg("ingest", str(src), "--store", str(path), "-q"), check=True,
                   timeout=300, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(_kg("serve", "--store", str(path), "--port", str(port)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _count_articles(base) == 1
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        more = tmp_path / "more.jsonl"
        more.write_text("".join(json.dumps({"id": f"b{i}", "text": f"Warplanes struck "
                                            f"Aleppo {i} times."}) + "\n" for i in range(20)))
        ingest = subprocess.Popen(_kg("ingest", str(more), "--store", str(path), "-q"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env={**os.environ, "KG_BATCH_SIZE": "2"})
        answered = 0
        while ingest.poll() is None:  # every query during the ingest is answered
            assert _count_articles(base) >= 1
            answered += 1
            time.sleep(0.2)
        assert ingest.returncode == 0, ingest.stderr.read() if ingest.stderr else ""
        assert answered > 0
        deadline = time.monotonic() + 30
        while _count_articles(base) != 21:  # and the server catches up afterwards
            assert time.monotonic() < deadline, "server never saw the new articles"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(10)
