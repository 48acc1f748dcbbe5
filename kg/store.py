"""The only module that knows the storage backend: an embedded Oxigraph store on disk.

One named graph per article. An article is written with a single SPARQL update
(`DROP SILENT GRAPH g; INSERT DATA { GRAPH g {...} }`), which Oxigraph applies as one
transaction: an interrupted ingest never leaves a half-written article graph, and
re-ingesting an article replaces its graph instead of duplicating triples.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, Store

from kg.ontology import KGO, PREFIXES, article_iri, graph_iri

LOCK_FILE = "kg-writer.pid"


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says why in plain words."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_store(path: str | Path | None, *, read_only: bool = False) -> Store:
    """Open (creating if needed) the on-disk store, or an in-memory one for `None`.

    A second writer gets a StoreError naming the PID that holds the store.
    """
    if path is None:
        return Store()
    path = Path(path)
    if read_only:
        if not path.is_dir():
            raise StoreError(f"no store at {path} (run `kg ingest` first)")
        try:
            return Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open store {path} read-only: {exc}") from None
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a store directory")
    lock = path / LOCK_FILE
    holder = _read_pid(lock)
    if holder and holder != os.getpid() and _pid_alive(holder):
        raise StoreError(f"store {path} is locked by PID {holder} (another kg process is "
                         "writing to it); wait for it to finish or stop it")
    try:
        store = Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreError(f"store {path} is locked by another process: {exc}") from None
        raise StoreError(f"cannot open store {path}: {exc}") from None
    lock.write_text(str(os.getpid()))
    return store


def _read_pid(lock: Path) -> int | None:
    try:
        return int(lock.read_text().strip())
    except (OSError, ValueError):
        return None


def release(store: Store, path: str | Path | None) -> None:
    """Flush and drop our writer lock file (the RocksDB lock goes with the object)."""
    store.flush()
    if path is not None:
        lock = Path(path) / LOCK_FILE
        if _read_pid(lock) == os.getpid():
            lock.unlink(missing_ok=True)


def _insert_data(graph: str, quads: Iterable[Quad]) -> str:
    body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    return f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


def replace_graph(store: Store, graph: str, quads: Iterable[Quad]) -> None:
    """Atomically replace the content of one named graph."""
    store.update(_insert_data(graph, quads))


def stored_hash(store: Store, article_id: str) -> str | None:
    """Content hash of the stored version of an article (the ingest manifest), if any."""
    g, a = graph_iri(article_id), article_iri(article_id)
    for q in store.quads_for_pattern(NamedNode(a), NamedNode(KGO + "contentHash"), None,
                                     NamedNode(g)):
        return q.object.value
    return None


def delete_article(store: Store, article_id: str) -> None:
    store.update(f"DROP SILENT GRAPH <{graph_iri(article_id)}>")


@dataclass
class Stats:
    """What a store holds, for `kg stats` and VoID descriptions."""

    triples: int
    graphs: int
    articles: int
    entities_by_class: dict[str, int]
    events_by_class: dict[str, int]


def _count(store: Store, query: str) -> int:
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))[0].value)


def stats(store: Store) -> Stats:
    """Counts of triples (quads), graphs, articles, entities and events per class."""
    pre = f"PREFIX kgo: <{KGO}> PREFIX rdf: <{PREFIXES['rdf']}>\n"
    triples = len(store)
    graphs = sum(1 for _ in store.named_graphs())
    articles = _count(store, pre + "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a a kgo:Article }")
    ent: dict[str, int] = {}
    for cls in ("ArmedGroup", "StateActor", "Location", "Organization", "Person", "Weapon"):
        ent[cls] = _count(store, pre + f"SELECT (COUNT(DISTINCT ?e) AS ?n) {{ ?e a kgo:{cls} }}")
    events: dict[str, int] = {}
    q = pre + ("SELECT ?t (COUNT(DISTINCT ?e) AS ?n) { ?e kgo:subEventType ?t } "
               "GROUP BY ?t ORDER BY DESC(?n)")
    for row in store.query(q, use_default_graph_as_union=True):
        events[row[0].value] = int(row[1].value)
    return Stats(triples, graphs, articles, ent, events)
