"""Dumps of the store (or a selection of it) in the standard RDF formats, in constant memory.

Quad formats (N-Quads, TriG) keep one named graph per article. Triple formats (Turtle,
N-Triples, JSON-LD, RDF/XML) hold the union of the graphs, each triple once.

Why not `CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }` for the union: Oxigraph
removes duplicate triples from a CONSTRUCT result with a hash set of everything emitted so
far, so memory grows with the dump (bench/bench_dumps.py: 4.4x the peak RSS of a native dump
on 520 k quads; ours: 1.06x). Instead the union is streamed subject by subject: each graph
is read in subject order (Oxigraph's GSPO index), and a subject's triples are written, from all
selected graphs at once, only in the subject's *owner* graph — the graph of the first quad
Oxigraph returns for that subject (one index lookup). Memory is bounded by the largest
subject (the triples of one entity), not by the store, and the Turtle stays readable:
one block per subject, with prefixes.

Selections pick whole article graphs (`Selection`): by graph/article id, by article date
(`dcterms:date` of the article, inclusive range; undated articles drop out of a dated
selection), and by event class (articles reporting at least one such event). Anything finer
is a CONSTRUCT query (`Selection.construct`), whose result Oxigraph holds in memory.
Entities are described once, in the entities graph (`ENTITIES_GRAPH`, see `kg.mapping`): a
whole dump holds all of it; a selection holds the descriptions of the entities its articles
mention (`kgo:mentionedIn`), with their geometries, and of their extractors. Those subjects
are collected first, so a selection's memory grows with the entities it mentions (not with
the store).

Every dump ends with its description (VoID + DCAT): counts of triples, entities, events and
articles written, date range, licence, generator version, creation time. Triple formats
carry it as a block at the end of the same graph; quad formats in the named graph
`META_GRAPH`. It comes last because its counts are those of what was actually written,
gathered while streaming. `kg load` drops it again: it describes a file, not the data.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import IO

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from kg import __version__
from kg.ontology import (
    BASE,
    ENTITIES_GRAPH,
    EVENT_TYPE_CLASSES,
    GRAPH,
    ID,
    KGO,
    PREFIXES,
    SUB_EVENT_CLASSES,
    graph_iri,
)
from kg.read import ArticleError, check_date

FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "ntriples": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "json-ld": RdfFormat.JSON_LD,
    "xml": RdfFormat.RDF_XML,
    "rdfxml": RdfFormat.RDF_XML,
}
QUAD_FORMATS = {RdfFormat.N_QUADS, RdfFormat.TRIG}
SUFFIX_FORMATS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE, ".turtle": RdfFormat.TURTLE, ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS, ".trig": RdfFormat.TRIG, ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD, ".rdf": RdfFormat.RDF_XML, ".xml": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML, ".n3": RdfFormat.N3,
}
# Formats that are one document (no comments, no second serialisation appended).
SINGLE_DOCUMENT = {RdfFormat.JSON_LD, RdfFormat.RDF_XML}
META_GRAPH = GRAPH + "dump-metadata"
DUMP_BASE = BASE + "dump/"
SPDX = "https://spdx.org/licenses/"
DCAT = "http://www.w3.org/ns/dcat#"
# Extra prefixes make the dump readable: `article:x` rather than `kg:article\/x`.
DUMP_PREFIXES = {**PREFIXES, "dcat": DCAT, "article": ID + "article/",
                 "entity": ID + "entity/", "kgraph": GRAPH}

_RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
_DCT = PREFIXES["dcterms"]
_ARTICLE_DATE = NamedNode(_DCT + "date")
_DATE_PREDICATES = {_DCT + "date", KGO + "date", KGO + "dateEnd"}
_ARTICLE = NamedNode(KGO + "Article")
_ENTITIES = NamedNode(ENTITIES_GRAPH)
_MENTIONED_IN = NamedNode(KGO + "mentionedIn")
_HAS_GEOMETRY = NamedNode(PREFIXES["geo"] + "hasGeometry")
_ASSOCIATED = NamedNode(PREFIXES["prov"] + "wasAssociatedWith")
_KINDS = {"entities": ID + "entity/", "events": ID + "event/", "articles": ID + "article/"}


class ExportError(ValueError):
    """Unknown format, graph, event class or a bad CONSTRUCT query; says which."""


def rdf_format(name: str) -> RdfFormat:
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise ExportError(f"unknown format {name!r}; choose one of "
                          f"{', '.join(sorted(set(FORMATS)))}") from None


def format_for_name(name: str) -> str:
    """Export format name for a file name (`dump.nq.gz` -> `nq`); turtle if unknown."""
    parts = [s.lower() for s in name.split(".")[1:] if s.lower() != "gz"]
    rf = SUFFIX_FORMATS.get("." + parts[-1]) if parts else None
    return next((k for k, v in FORMATS.items() if v == rf), "turtle")


def event_class_iri(name: str) -> str:
    """IRI of an event class given as `AirDroneStrike`, `kgo:AirDroneStrike`, an IRI, or
    an ACLED (sub-)event type string such as `Air/drone strike` or `Battles`."""
    classes = {**SUB_EVENT_CLASSES, **EVENT_TYPE_CLASSES}
    local = name.removeprefix("kgo:").removeprefix(KGO)
    if local in classes.values():
        return KGO + local
    by_label = {k.lower(): v for k, v in classes.items()}
    if name.strip().lower() in by_label:
        return KGO + by_label[name.strip().lower()]
    raise ExportError(f"unknown event class {name!r}; use an ontology class such as "
                      "AirDroneStrike or an ACLED type such as 'Air/drone strike'")


@dataclass(frozen=True)
class Selection:
    """Which part of the store a dump holds; empty = everything."""

    graphs: tuple[str, ...] = ()  # article graph IRIs
    since: str | None = None  # article date >= since (ISO date)
    until: str | None = None  # article date <= until
    event_classes: tuple[str, ...] = ()  # event class IRIs: any of them
    construct: str | None = None  # a CONSTRUCT query instead of graphs

    @property
    def by_graph(self) -> bool:
        """True if graphs are filtered (not the whole store)."""
        return bool(self.graphs or self.since or self.until or self.event_classes)


def make_selection(*, graphs: Iterable[str] = (), articles: Iterable[str] = (),
                   since: str | None = None, until: str | None = None,
                   event_classes: Iterable[str] = (),
                   construct: str | None = None) -> Selection:
    """Validate user-facing filter values (CLI options, HTTP parameters) into a Selection."""
    try:
        since_d = check_date(since, what="--since date")
        until_d = check_date(until, what="--until date")
        article_graphs = [graph_iri(a) for a in articles]
    except (ArticleError, ValueError) as exc:
        raise ExportError(str(exc)) from None
    sel = Selection(graphs=(*graphs, *article_graphs), since=since_d,
                    until=until_d,
                    event_classes=tuple(event_class_iri(c) for c in event_classes),
                    construct=construct or None)
    if sel.construct and sel.by_graph:
        raise ExportError("a CONSTRUCT query cannot be combined with graph, date or event "
                          "class filters: put the conditions into the query")
    return sel


@dataclass
class DumpStats:
    """What a dump holds; filled while streaming, written as its VoID/DCAT description."""

    triples: int = 0
    entities: int = 0
    events: int = 0
    articles: int = 0
    graphs: int = 0
    first_date: str | None = None
    last_date: str | None = None
    extra: dict[str, int] = field(default_factory=dict)

    def count(self, subject_kind: str | None) -> None:
        if subject_kind:
            setattr(self, subject_kind, getattr(self, subject_kind) + 1)

    def see(self, predicate: NamedNode, obj: object) -> None:
        self.triples += 1
        if predicate.value in _DATE_PREDICATES and isinstance(obj, Literal):
            value = obj.value[:10]
            if self.first_date is None or value < self.first_date:
                self.first_date = value
            if self.last_date is None or value > self.last_date:
                self.last_date = value


def _kind(subject: object) -> str | None:
    if isinstance(subject, NamedNode):
        for kind, prefix in _KINDS.items():
            if subject.value.startswith(prefix):
                return kind
    return None


GraphName = NamedNode | DefaultGraph


def _article_date(store: Store, graph: NamedNode) -> str | None:
    for q in store.quads_for_pattern(None, _RDF_TYPE, _ARTICLE, graph):
        for d in store.quads_for_pattern(q.subject, _ARTICLE_DATE, None, graph):
            return d.object.value[:10]
    return None


def _matches(store: Store, sel: Selection, graph: GraphName) -> bool:
    """Does this graph belong to the selection? A few index lookups, no scan."""
    if not sel.by_graph:
        return True
    if not isinstance(graph, NamedNode):
        return False
    if sel.graphs and graph.value not in sel.graphs:
        return False
    if sel.since or sel.until:
        date = _article_date(store, graph)
        if date is None or (sel.since and date < sel.since) or (sel.until and date > sel.until):
            return False
    if sel.event_classes:
        return any(next(iter(store.quads_for_pattern(None, _RDF_TYPE, NamedNode(c), graph)),
                        None) is not None for c in sel.event_classes)
    return True


def candidate_graphs(store: Store, sel: Selection) -> list[GraphName] | Iterator[GraphName]:
    """The graphs to look at: the listed ones (and the entities graph, for the descriptions
    of their entities), else the default graph and all named graphs."""
    if sel.graphs:
        extra = [ENTITIES_GRAPH] if ENTITIES_GRAPH not in sel.graphs \
            and store.contains_named_graph(_ENTITIES) else []
        return [NamedNode(g) for g in (*sel.graphs, *extra)]
    return chain([DefaultGraph()], store.named_graphs())


def _partial_entities(sel: Selection) -> bool:
    """Does the selection take only part of the entities graph (its articles' entities)?"""
    return sel.by_graph and ENTITIES_GRAPH not in sel.graphs


def check_selection(store: Store, sel: Selection) -> None:
    """Raise ExportError for a missing graph or a bad CONSTRUCT query, before any output."""
    for g in sel.graphs:
        if not store.contains_named_graph(NamedNode(g)):
            raise ExportError(f"no graph <{g}> in the store")
    if sel.construct:
        _construct_result(store, sel.construct)  # parsed now, evaluated lazily


def _construct_result(store: Store, query: str) -> QueryTriples:
    try:
        result = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise ExportError(f"SPARQL syntax error in the CONSTRUCT query: {exc}") from None
    if not isinstance(result, QueryTriples):
        raise ExportError("--construct needs a CONSTRUCT (or DESCRIBE) query")
    return result


class _Walker:
    """Streams the selected graphs subject by subject (see the module docstring)."""

    def __init__(self, store: Store, sel: Selection, stats: DumpStats,
                 on_graph: Callable[[], None] | None) -> None:
        self.store, self.sel, self.stats, self.on_graph = store, sel, stats, on_graph
        # Bounded cache: the selection test of a graph is asked once per subject in it.
        self.selected = functools.lru_cache(maxsize=4096)(
            lambda g: _matches(store, sel, g))
        self.described = self._described() if _partial_entities(sel) else None

    def _described(self) -> set[object]:
        """Subjects of the entities graph the selection needs: the entities its articles
        mention, their geometries, and the extractors of those articles."""
        out: set[object] = set()
        for graph in candidate_graphs(self.store, self.sel):
            if graph == _ENTITIES or not self.selected(graph):
                continue
            for q in self.store.quads_for_pattern(None, _MENTIONED_IN, None, graph):
                out.add(q.subject)
                out.update(g.object for g in self.store.quads_for_pattern(
                    q.subject, _HAS_GEOMETRY, None, _ENTITIES))
            out.update(q.object for q in self.store.quads_for_pattern(
                None, _ASSOCIATED, None, graph))
        return out

    def takes(self, graph: GraphName, subject: object) -> bool:
        """Is this subject's run in this graph part of the selection?"""
        if graph == _ENTITIES and self.described is not None:
            return subject in self.described
        return self.selected(graph)

    def owner(self, subject: object) -> GraphName | None:
        """The first selected graph holding `subject`, in Oxigraph's index order."""
        for q in self.store.quads_for_pattern(subject, None, None, None):
            if self.takes(q.graph_name, subject):
                return q.graph_name
        return None

    def _subject_runs(self, graph: GraphName) -> Iterator[list[Quad]]:
        """The quads of a graph, one list per subject (the needed subjects only for a
        partly selected entities graph: point lookups instead of a scan)."""
        if graph == _ENTITIES and self.described is not None:
            for subject in sorted(self.described, key=str):
                run = list(self.store.quads_for_pattern(subject, None, None, graph))
                if run:
                    yield run
            return
        run: list[Quad] = []
        for q in self.store.quads_for_pattern(None, None, None, graph):
            if run and q.subject != run[0].subject:
                yield run
                run = []
            run.append(q)
        if run:
            yield run

    def runs(self) -> Iterator[tuple[GraphName, object, list[Quad]]]:
        """(graph, subject, its quads in that graph) for every selected graph."""
        for graph in candidate_graphs(self.store, self.sel):
            if self.on_graph:
                self.on_graph()
            if graph == _ENTITIES and self.described is not None:
                if not self.described:
                    continue
            elif not self.selected(graph):
                continue
            self.stats.graphs += isinstance(graph, NamedNode)
            for run in self._subject_runs(graph):
                yield graph, run[0].subject, run

    def union(self) -> Iterator[Triple]:
        """Each triple of the selected graphs once, grouped by subject."""
        for graph, subject, _ in self.runs():
            if self.owner(subject) != graph:
                continue
            self.stats.count(_kind(subject))
            seen: set[tuple[object, object]] = set()
            for q in self.store.quads_for_pattern(subject, None, None, None):
                key = (q.predicate, q.object)
                if key in seen or not self.takes(q.graph_name, subject):
                    continue
                seen.add(key)
                self.stats.see(q.predicate, q.object)
                yield q.triple

    def quads(self) -> Iterator[Quad]:
        """Every quad of the selected graphs; entities etc. counted once (in their owner)."""
        for graph, subject, run in self.runs():
            kind = _kind(subject)
            if kind and self.owner(subject) == graph:
                self.stats.count(kind)
            for q in run:
                self.stats.see(q.predicate, q.object)
                yield q


def _construct(result: QueryTriples, stats: DumpStats) -> Iterator[Triple]:
    subjects: dict[str, set[str]] = {kind: set() for kind in _KINDS}
    for t in result:
        kind = _kind(t.subject)
        if kind and t.subject.value not in subjects[kind]:
            subjects[kind].add(t.subject.value)
            stats.count(kind)
        stats.see(t.predicate, t.object)
        yield t


def license_iri(value: str) -> NamedNode | None:
    """An SPDX id (`CC-BY-4.0`) or a licence IRI; empty: no licence stated."""
    value = value.strip()
    if not value:
        return None
    if value.startswith(("http://", "https://")):
        return NamedNode(value)
    return NamedNode(SPDX + value)


def description(dump: str, stats: DumpStats, fmt: RdfFormat, *, license: str = "",
                created: dt.datetime | None = None, sel: Selection | None = None
                ) -> list[Triple]:
    """The VoID/DCAT description of a dump (`dump` is its IRI)."""
    created = created or dt.datetime.now(dt.UTC).replace(microsecond=0)
    d, void, xsd = NamedNode(dump), PREFIXES["void"], PREFIXES["xsd"]
    dist, agent, period, events, articles = (
        NamedNode(dump + s) for s in ("#file", "#generator", "#period", "#events", "#articles"))

    def p(prefix: str, local: str) -> NamedNode:
        return NamedNode(DUMP_PREFIXES[prefix] + local)

    def n(value: int) -> Literal:
        return Literal(str(value), datatype=NamedNode(xsd + "integer"))

    out = [
        Triple(d, _RDF_TYPE, NamedNode(void + "Dataset")),
        Triple(d, _RDF_TYPE, p("dcat", "Dataset")),
        Triple(d, p("dcterms", "title"), Literal("kg-conflict knowledge graph dump")),
        Triple(d, p("dcterms", "created"),
               Literal(created.isoformat().replace("+00:00", "Z"),
                       datatype=NamedNode(xsd + "dateTime"))),
        Triple(d, p("void", "triples"), n(stats.triples)),
        Triple(d, p("void", "entities"), n(stats.entities)),
        Triple(d, p("void", "classPartition"), events),
        Triple(events, p("void", "class"), p("kgo", "Event")),
        Triple(events, p("void", "entities"), n(stats.events)),
        Triple(d, p("void", "classPartition"), articles),
        Triple(articles, p("void", "class"), p("kgo", "Article")),
        Triple(articles, p("void", "entities"), n(stats.articles)),
        Triple(d, p("void", "vocabulary"), NamedNode(KGO)),
        Triple(d, p("dcterms", "creator"), agent),
        Triple(agent, _RDF_TYPE, p("prov", "SoftwareAgent")),
        Triple(agent, p("rdfs", "label"), Literal(f"kg {__version__}")),
        Triple(agent, p("schema", "softwareVersion"), Literal(__version__)),
        Triple(d, p("dcat", "distribution"), dist),
        Triple(dist, _RDF_TYPE, p("dcat", "Distribution")),
        Triple(dist, p("dcat", "mediaType"), Literal(fmt.media_type)),
    ]
    lic = license_iri(license)
    if lic is not None:
        out += [Triple(d, p("dcterms", "license"), lic), Triple(dist, p("dcterms", "license"),
                                                                 lic)]
    else:
        out.append(Triple(d, p("dcterms", "rights"), Literal(
            "No licence stated by the publisher of this dump (set KG_LICENSE or --license).")))
    if stats.first_date and stats.last_date:
        out += [Triple(d, p("dcterms", "temporal"), period),
                Triple(period, _RDF_TYPE, p("dcterms", "PeriodOfTime")),
                Triple(period, p("dcat", "startDate"),
                       Literal(stats.first_date, datatype=NamedNode(xsd + "date"))),
                Triple(period, p("dcat", "endDate"),
                       Literal(stats.last_date, datatype=NamedNode(xsd + "date")))]
    if sel is not None and (sel.by_graph or sel.construct):
        out.append(Triple(d, p("dcterms", "description"), Literal(_describe_selection(sel))))
    out.sort(key=lambda t: (t.subject != d, t.subject.value))  # one readable block each
    return out


def _describe_selection(sel: Selection) -> str:
    parts = []
    if sel.graphs:
        parts.append(f"{len(sel.graphs)} listed article graph(s)")
    if sel.since or sel.until:
        parts.append(f"article date from {sel.since or '...'} to {sel.until or '...'}")
    if sel.event_classes:
        parts.append("articles with events of class " + ", ".join(
            c.removeprefix(KGO) for c in sel.event_classes))
    if sel.construct:
        parts.append("result of a CONSTRUCT query: " + " ".join(sel.construct.split())[:500])
    return "Selection: " + "; ".join(parts)


def new_dump_iri() -> str:
    """A fresh IRI for one dump: creation time plus a random part."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{DUMP_BASE}{stamp}-{uuid.uuid4().hex[:8]}"


def export(store: Store, output: IO[bytes], fmt: str = "turtle", *,
           graph: str | None = None, selection: Selection | None = None,
           license: str = "", describe: bool = True,
           on_graph: Callable[[], None] | None = None) -> DumpStats:
    """Stream the store (or a selection) to `output` in format `fmt`; returns what it wrote.

    Args:
        graph: shorthand for a selection of one graph (kept for callers of the old API).
        selection: graphs/dates/event classes/CONSTRUCT to dump (default: everything).
        license: SPDX id or IRI for the description; empty = none stated.
        describe: append the VoID/DCAT description (default yes).
        on_graph: called once per graph looked at (progress).
    """
    rf = rdf_format(fmt)
    sel = selection or Selection()
    if graph is not None:
        sel = Selection(graphs=(graph,))
    check_selection(store, sel)
    stats = DumpStats()
    dump = new_dump_iri()
    if sel.construct:
        data: Iterator[Triple | Quad] = _construct(_construct_result(store, sel.construct),
                                                   stats)
        if rf in QUAD_FORMATS:
            data = (Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in data)
    else:
        walker = _Walker(store, sel, stats, on_graph)
        data = walker.quads() if rf in QUAD_FORMATS else walker.union()

    def meta() -> list[Triple | Quad]:
        triples = description(dump, stats, rf, license=license, sel=sel)
        if rf in QUAD_FORMATS:
            return [Quad(t.subject, t.predicate, t.object, NamedNode(META_GRAPH))
                    for t in triples]
        return list(triples)

    prefixes = DUMP_PREFIXES if rf in {RdfFormat.TURTLE, RdfFormat.TRIG,
                                       RdfFormat.RDF_XML, RdfFormat.JSON_LD} else None
    if rf in SINGLE_DOCUMENT:
        tail: Iterable[Triple | Quad] = _lazy(meta) if describe else ()
        serialize(chain(data, tail), output, rf, prefixes=prefixes)
        return stats
    if describe:
        output.write(f"# kg {__version__} dump <{dump}>; its VoID/DCAT description is at "
                     "the end.\n".encode())
    serialize(data, output, rf, prefixes=prefixes)
    if describe:
        where = f" (graph <{META_GRAPH}>)" if rf in QUAD_FORMATS else ""
        output.write(f"\n# Description of this dump{where}: counts of what is above.\n"
                     .encode())
        serialize(meta(), output, rf, prefixes=prefixes)
    return stats


def _lazy(make: Callable[[], list[Triple | Quad]]) -> Iterator[Triple | Quad]:
    """Build the description only when the data before it has been streamed (and counted)."""
    yield from make()
