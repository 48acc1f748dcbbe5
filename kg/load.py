"""Restore dumps and load your own RDF with Oxigraph's bulk loader.

The format comes from the file suffix (`.ttl`, `.nt`, `.nq`, `.trig`, `.jsonld`, `.rdf`,
`.n3`, each optionally `.gz`). Quad formats keep their graphs. Triple formats go into one
named graph: `--graph IRI`, by default `https://w3id.org/kg-conflict/graph/import/{file}`,
so loaded triples stay apart from article graphs, can be dropped as a unit, and are still
in the union default graph the endpoint queries. JSON-LD counts as a triple format (it is
how `kg export` writes it); its default-graph triples go into that graph too.

A dump's own VoID/DCAT description (the `dump-metadata` graph, or the description block of
a triple dump) is removed after loading: it describes the file, not the data, and
`kg export` writes a fresh one.

The bulk loader is fast and streams, but is not transactional: a file with a syntax error
half-way leaves what came before it. For a triple file the target graph is then dropped
again; for a quad file the error says so and suggests loading into a fresh store.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode, RdfFormat, Store

from kg.export import DUMP_BASE, META_GRAPH, PREFIXES, QUAD_FORMATS, SUFFIX_FORMATS
from kg.ontology import GRAPH, slug

IMPORT_GRAPH = GRAPH + "import/"


class LoadError(ValueError):
    """A file that cannot be loaded; the message names it and says why."""


@dataclass
class LoadReport:
    """What `load` did: files loaded, quads added (store size difference)."""

    files: list[str] = field(default_factory=list)
    quads_added: int = 0
    graphs: dict[str, str] = field(default_factory=dict)  # triple file -> its graph

    def summary(self) -> str:
        return f"{len(self.files)} file(s) loaded, {self.quads_added} quads added"


def detect_format(path: Path) -> tuple[RdfFormat, bool]:
    """(format, gzipped) from the file name."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in SUFFIX_FORMATS:
        raise LoadError(f"{path}: cannot tell the RDF format from the name; use one of "
                        f"{', '.join(sorted(SUFFIX_FORMATS))} (optionally + .gz)")
    return SUFFIX_FORMATS[suffixes[-1]], gz


def default_graph_for(path: Path) -> str:
    """The named graph a triple file goes into when no --graph is given."""
    name = path.name
    for _ in path.suffixes:
        name = name.rsplit(".", 1)[0]
    return IMPORT_GRAPH + slug(name)


class _Counting:
    """A binary reader that reports how many bytes were read (file-size progress)."""

    def __init__(self, raw: IO[bytes], on_bytes: Callable[[int], None] | None) -> None:
        self.raw, self.on_bytes = raw, on_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.on_bytes and data:
            self.on_bytes(len(data))
        return data

    def readinto(self, buf: bytearray | memoryview) -> int:
        n = self.raw.readinto(buf)  # type: ignore[attr-defined]
        if self.on_bytes and n:
            self.on_bytes(n)
        return n


def _drop_descriptions(store: Store, graph: NamedNode) -> None:
    """Remove dump descriptions (subjects under DUMP_BASE) from one graph."""
    rdf_type = NamedNode(PREFIXES["rdf"] + "type")
    dataset = NamedNode(PREFIXES["void"] + "Dataset")
    dumps = [q.subject for q in store.quads_for_pattern(None, rdf_type, dataset, graph)
             if q.subject.value.startswith(DUMP_BASE)]
    for dump in dumps:
        nodes = {dump} | {q.object for q in store.quads_for_pattern(dump, None, None, graph)
                          if isinstance(q.object, NamedNode)
                          and q.object.value.startswith(dump.value + "#")}
        for node in nodes:
            for q in list(store.quads_for_pattern(node, None, None, graph)):
                store.remove(q)


def load_file(store: Store, path: Path, *, graph: str | None = None,
              on_bytes: Callable[[int], None] | None = None) -> str | None:
    """Bulk-load one file; returns the graph its triples went to (None for quad files)."""
    fmt, gz = detect_format(path)
    target = None if fmt in QUAD_FORMATS else NamedNode(graph or default_graph_for(path))
    try:
        with path.open("rb") as raw:
            counted = _Counting(raw, on_bytes)
            stream = gzip.GzipFile(fileobj=counted, mode="rb") if gz else counted  # type: ignore[arg-type]
            store.bulk_load(stream, fmt, to_graph=target)
    except (SyntaxError, ValueError, OSError, EOFError) as exc:
        if target is not None:
            store.remove_graph(target)
            raise LoadError(f"{path}: {exc} (nothing from this file was kept)") from None
        raise LoadError(f"{path}: {exc} (the quads before the error were loaded; "
                        "load into a fresh store to be sure)") from None
    if target is not None:
        _drop_descriptions(store, target)
    elif store.contains_named_graph(NamedNode(META_GRAPH)):
        store.remove_graph(NamedNode(META_GRAPH))
    return target.value if target is not None else None


def load(store: Store, paths: Iterable[str | Path], *, graph: str | None = None,
         on_bytes: Callable[[int], None] | None = None) -> LoadReport:
    """Bulk-load dumps or other RDF files into `store` (see the module docstring)."""
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.is_file():
            raise LoadError(f"no such file: {p}")
        detect_format(p)
    report = LoadReport()
    before = len(store)
    for p in paths:
        target = load_file(store, p, graph=graph, on_bytes=on_bytes)
        report.files.append(str(p))
        if target:
            report.graphs[str(p)] = target
    report.quads_added = len(store) - before
    return report
