"""Shared fixtures: the loaded pipeline (once per session), temporary stores, a live server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.extract.pipeline import Extractor
from kg.ingest import ingest, sample_paths

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The real spaCy pipeline, loaded once: loading it takes seconds."""
    return Extractor()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty on-disk Oxigraph store in a temporary directory."""
    return Store(str(tmp_path / "store"))


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Store:
    """An on-disk store holding the bundled demo articles (read-only use in tests)."""
    store = Store(str(tmp_path_factory.mktemp("sample") / "store"))
    report = ingest(sample_paths(), store, extractor=extractor)
    assert report.ok and report.stored
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(sample_store: Store) -> Iterator[str]:
    """The real app under waitress on 127.0.0.1 and a free port; yields the base URL."""
    from waitress.server import create_server

    from kg.serve import create_app

    app = create_app({"store": None}, store=sample_store)
    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.fixture
def shared() -> Path:
    """The shared material folder; tests using it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")
    return SHARED
