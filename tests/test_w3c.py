"""W3C SPARQL 1.1 query, syntax and update test suites against a real `kg serve` process.

The runner (../shared/sparql11/run_w3c.py) wipes its target with DROP ALL, so it gets its own
throwaway server on an empty temporary store, started exactly as a user would
(`kg serve --allow-update --token T`). Every failure must be listed in docs/conformance.md.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
MIN_PASS_RATE = 0.97


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def update_server(tmp_path: Path) -> Iterator[str]:
    """`kg serve --allow-update` on an empty store in tmp_path; yields the base URL."""
    port = free_port()
    kg = Path(sys.executable).with_name("kg")
    proc = subprocess.Popen([str(kg), "serve", "--store", str(tmp_path / "store"), "--port",
                             str(port), "--allow-update", "--token", "w3c-token"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/sparql", timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None:
                    pytest.fail(f"kg serve exited: {proc.stderr.read().decode()}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.slow
def test_w3c_sparql11_suite(shared: Path, update_server: str, tmp_path: Path) -> None:
    out = tmp_path / "w3c.json"
    run = subprocess.run(
        [sys.executable, str(shared / "sparql11" / "run_w3c.py"),
         "--query-url", update_server + "/sparql", "--update-url", update_server + "/update",
         "--token", "w3c-token", "--include-update", "-q", "--json", str(out)],
        capture_output=True, text=True, timeout=900)
    assert out.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    report = json.loads(out.read_text())
    failed = [t for t in report["tests"] if t["status"] in {"FAIL", "ERROR"}]
    passed = sum(1 for t in report["tests"] if t["status"] == "PASS")
    rate = passed / (passed + len(failed))
    assert rate >= MIN_PASS_RATE, f"{passed} passed, {len(failed)} failed:\n{run.stdout[-3000:]}"
    documented = (ROOT / "docs" / "conformance.md").read_text()
    undocumented = [t["id"] for t in failed if f"`{t['id']}`" not in documented]
    assert not undocumented, f"failures not explained in docs/conformance.md: {undocumented}"
    assert not [t for t in failed if "HTTP 500" in t["reason"]], "a test got HTTP 500"
