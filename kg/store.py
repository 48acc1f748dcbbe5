"""The only module that knows the storage backend: an embedded Oxigraph store on disk.

One named graph per article plus the shared entities graph (`ENTITIES_GRAPH`: what is said
about entities rather than by one article; see `kg.mapping`). An article is written in one
transaction together with the descriptions of its entities: a new article with
`Store.extend` (transactional, and several times faster than parsing a SPARQL update), a
changed one with one SPARQL update (Oxigraph runs an update as one transaction) that first
removes the descriptions of entities no other article mentions, then `DROP SILENT GRAPH g`
and `INSERT DATA` the new graph and descriptions. So a killed ingest leaves each article
either in its old or its new version, never half-written, and an entity's description never
outlives the last article that mentions it. Writing a description that is already stored is
a no-op (a store is a set of quads), so shared entities are stated once.

Concurrency. RocksDB allows one writer process; its LOCK file is the truth about who
writes, and our `kg-writer.pid` file only names that process in the error message (a PID
left behind by a killed process is ignored because the OS released the RocksDB lock).
Readers (`kg serve`, `kg query`, `kg export`) open the store read-only, which in Oxigraph
0.5 is a snapshot as of opening time (there is no secondary/catch-up mode any more):
`LiveStore` re-opens that snapshot in the background when the files on disk change, so a
server keeps answering from the last snapshot while `kg ingest` writes, and sees the new
articles a moment later.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, Store

from kg.ontology import ENTITIES_GRAPH, KGO, PREFIXES, article_iri, graph_iri

LOCK_FILE = "kg-writer.pid"
REFRESH_CHECK_SECONDS = 1.0  # how often a LiveStore looks at the files for new writes


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


def _disk_state(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of the store's files: changes whenever a writer commits."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return ()
    state = []
    for e in entries:
        try:
            st = e.stat()
        except OSError:
            continue
        state.append((e.name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(state))


class LiveStore:
    """A read-only store that follows a writer in another process.

    Oxigraph's read-only mode sees the store as it was when opened. Every
    `REFRESH_CHECK_SECONDS` a call looks at the files; if a writer changed them, a new
    snapshot is opened in a background thread (replaying the writer's log can take a second)
    and swapped in when ready. Calls never wait for a refresh: they use the latest snapshot.
    Everything else is delegated to the current pyoxigraph `Store`.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._state = _disk_state(path)
        self._store = Store.read_only(str(path))
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._refreshing = False

    @property
    def snapshot(self) -> Store:
        """The current snapshot, after starting a refresh if the files changed."""
        now = time.monotonic()
        if now - self._checked >= REFRESH_CHECK_SECONDS:
            self._checked = now
            state = _disk_state(self._path)
            with self._lock:
                start = state != self._state and not self._refreshing
                if start:
                    self._refreshing = True
            if start:
                threading.Thread(target=self._refresh, args=(state,), daemon=True).start()
        return self._store

    def _refresh(self, state: tuple[tuple[str, int, int], ...]) -> None:
        try:
            fresh = Store.read_only(str(self._path))
        except OSError:
            fresh = None  # files mid-rewrite: keep the old snapshot, retry on the next check
        with self._lock:
            if fresh is not None:
                self._store, self._state = fresh, state
            self._refreshing = False

    def refresh_now(self) -> None:
        """Open a new snapshot synchronously (tests and one-shot commands)."""
        self._refresh(_disk_state(self._path))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.snapshot, name)

    def __len__(self) -> int:
        return len(self.snapshot)

    def __iter__(self) -> Iterator[Quad]:
        return iter(self.snapshot)

    def __contains__(self, quad: Quad) -> bool:
        return quad in self.snapshot


def open_store(path: str | Path | None, *, read_only: bool = False) -> Store:
    """Open (creating if needed) the on-disk store, or an in-memory one for `None`.

    Read-only opens give a `LiveStore` (a Store look-alike that follows new writes).
    A second writer gets a StoreError naming the PID that holds the store.
    """
    if path is None:
        return Store()
    path = Path(path)
    if read_only:
        if not path.is_dir():
            raise StoreError(f"no store at {path} (run `kg ingest` first)")
        try:
            return LiveStore(path)  # type: ignore[return-value]
        except OSError as exc:
            raise StoreError(f"cannot open store {path} read-only: {exc}") from None
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a store directory")
    lock = path / LOCK_FILE
    try:
        store = Store(str(path))
    except OSError as exc:
        if "lock" not in str(exc).lower():
            raise StoreError(f"cannot open store {path}: {exc}") from None
        holder = _read_pid(lock)
        if holder == os.getpid() or "current process" in str(exc):
            who = f"PID {os.getpid()} (this process already has it open)"
        elif holder and _pid_alive(holder):
            who = f"PID {holder}"
        else:
            who = "another process (PID unknown)"
        raise StoreError(f"store {path} is locked by {who}: another kg process is writing "
                         "to it; wait for it to finish or stop it") from None
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
    """`DROP SILENT GRAPH graph` then `INSERT DATA` the quads, each into its own graph."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(
            f"{q.subject} {q.predicate} {q.object} .")
    body = "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}"
                     for g, lines in by_graph.items())
    return f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{\n{body}\n}}"


def _forget_entities(graph: str) -> str:
    """Update that removes, from the entities graph, the descriptions (and geometries) of
    the entities mentioned in `graph` and in no other graph: run before `graph` is replaced
    or dropped, so what the new version still mentions is written afresh and the rest goes."""
    return f"""PREFIX kgo: <{KGO}>
PREFIX geo: <{PREFIXES['geo']}>
DELETE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?e ?p ?o . ?geom ?gp ?go }} }}
WHERE {{
  GRAPH <{graph}> {{ ?e kgo:mentionedIn ?article }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?e kgo:mentionedIn ?a2 }} FILTER(?other != <{graph}>) }}
  GRAPH <{ENTITIES_GRAPH}> {{ ?e ?p ?o }}
  OPTIONAL {{ GRAPH <{ENTITIES_GRAPH}> {{ ?e geo:hasGeometry ?geom . ?geom ?gp ?go }} }}
}}"""


def replace_graph(store: Store, graph: str, quads: Iterable[Quad]) -> None:
    """Atomically replace one article graph and add its entity descriptions (one
    transaction either way).

    `quads` must be in `graph` or in `ENTITIES_GRAPH` (what `kg.mapping` returns); a graph
    not yet in the store is written with `Store.extend`, an existing one with one update:
    forget the descriptions only it needed, DROP it, INSERT DATA the new quads.
    """
    quads = list(quads)
    if not store.contains_named_graph(NamedNode(graph)):
        store.extend(quads)
    else:
        store.update(_forget_entities(graph) + " ;\n" + _insert_data(graph, quads))


def stored_hash(store: Store, article_id: str) -> str | None:
    """Content hash of the stored version of an article (the ingest manifest), if any."""
    g, a = graph_iri(article_id), article_iri(article_id)
    for q in store.quads_for_pattern(NamedNode(a), NamedNode(KGO + "contentHash"), None,
                                     NamedNode(g)):
        return q.object.value
    return None


def has_quads(store: Store, quads: Iterable[Quad]) -> bool:
    """True if every quad is stored (point lookups; used for the ingest manifest check)."""
    return all(q in store for q in quads)


def manifest(store: Store) -> Iterator[tuple[str, str, str]]:
    """(article id, content hash, graph) of every stored article: the ingest manifest."""
    q = (f"SELECT ?id ?h ?g {{ GRAPH ?g {{ ?a <{KGO}articleId> ?id ; <{KGO}contentHash> ?h }} }}"
         " ORDER BY ?id")
    for row in store.query(q):
        yield row[0].value, row[1].value, row[2].value


def delete_article(store: Store, article_id: str) -> None:
    """Drop an article graph and the entity descriptions only it needed (one update)."""
    graph = graph_iri(article_id)
    store.update(_forget_entities(graph) + f" ;\nDROP SILENT GRAPH <{graph}>")


OLD_LAYOUT = f"""PREFIX kgo: <{KGO}>
PREFIX rdfs: <{PREFIXES['rdfs']}>
SELECT (COUNT(DISTINCT ?g) AS ?n) {{ GRAPH ?g {{ ?e kgo:mentionedIn ?a ; rdfs:label ?l }} }}"""


def old_layout_graphs(store: Store) -> int:
    """Article graphs written by kg < 0.2, which kept entity descriptions inside each article
    graph (so the union repeats them): re-ingesting their inputs moves them to the entities
    graph (the extractor version in the manifest changed, so `kg ingest` re-extracts them)."""
    return int(next(iter(store.query(OLD_LAYOUT)))[0].value)


@dataclass
class Stats:
    """What a store holds, for `kg stats` and VoID descriptions."""

    triples: int
    graphs: int  # named graphs: one per article, plus the entities graph
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
