"""Evaluate one query and serialize its result with a row cap and a deadline.

Pure function of (store, job): the same code runs inside the killable worker processes and,
for stores that cannot be reopened by path (in-memory, or writable), in the request thread.
SELECT results are written by pyoxigraph's native serializer into a sink that cuts them at
`max_rows` and says so (the truncation signal), since pyoxigraph itself can only serialize a
whole result.
"""

from __future__ import annotations

import re
import time
from contextlib import suppress
from dataclasses import dataclass
from itertools import islice

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    serialize,
)

from kg.ontology import GRAPH

SELECT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values")
GRAPH_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
BOOLEAN_FORMATS = {"application/sparql-results+json": QueryResultsFormat.JSON,
                   "application/sparql-results+xml": QueryResultsFormat.XML,
                   "text/csv": QueryResultsFormat.CSV,
                   "text/tab-separated-values": QueryResultsFormat.TSV}
CHECK_EVERY = 256  # triples between deadline checks while streaming a graph


@dataclass
class QueryJob:
    """Everything needed to answer one request; picklable for the worker processes."""

    query: str
    select_type: str | None = SELECT_TYPES[0]  # negotiated type for SELECT/ASK (None: 406)
    graph_type: str | None = "text/turtle"  # ... for CONSTRUCT/DESCRIBE (None: 406)
    default_graphs: list[str] | None = None  # protocol default-graph-uri
    named_graphs: list[str] | None = None  # protocol named-graph-uri
    max_rows: int = 10_000
    timeout: float = 30.0
    prefixes: dict[str, str] | None = None


@dataclass
class Outcome:
    """A finished answer, or a client error (`status` 4xx) with its message as body."""

    status: int
    body: bytes
    media_type: str = "text/plain"
    truncated: bool = False


class Deadline(Exception):
    """The query ran past its time budget while its results were streamed."""


class DefaultGraphView:
    """The union default graph: the store's default graph plus every kg article graph.

    When the store holds only article graphs (the normal case) this is exactly Oxigraph's
    `use_default_graph_as_union`, which is fast. Graphs with other names (data uploaded through
    the Graph Store Protocol, the W3C test datasets) stay out of the default graph; then the
    article graphs are listed explicitly. Listing the graphs costs ~20 ms at 1M triples, so a
    read-only `LiveStore` (the query workers) lists them once per snapshot: its data only
    changes when it swaps in a new one. A writable store is listed on every query; a `frozen`
    one (the in-memory snapshot of `kg serve --in-memory`, where listing takes ~8 ms at 1M
    quads, as long as a small query) once.
    """

    def __init__(self, store: Store, frozen: bool = False) -> None:
        self.store = store
        self.frozen = frozen
        self._snapshot: object = None
        self._kwargs: dict[str, object] = {}

    def kwargs(self) -> dict[str, object]:
        if self.frozen:
            if not self._kwargs:
                self._kwargs = self._compute(self.store)
            return self._kwargs
        snapshot = getattr(self.store, "snapshot", None)  # LiveStore's current pyoxigraph Store
        if snapshot is None or snapshot is not self._snapshot:
            self._kwargs = self._compute(snapshot or self.store)
            self._snapshot = snapshot
        return self._kwargs

    @staticmethod
    def _compute(store: Store) -> dict[str, object]:
        article: list[NamedNode | DefaultGraph] = []
        foreign = False
        for g in store.named_graphs():
            if isinstance(g, NamedNode) and g.value.startswith(GRAPH):
                article.append(g)
            else:
                foreign = True
        if not foreign:
            return {"use_default_graph_as_union": True}
        return {"default_graph": [DefaultGraph(), *article]}


def dataset_kwargs(job: QueryJob, has_from: bool, view: DefaultGraphView) -> dict[str, object]:
    """Protocol graph parameters > the query's FROM > the union default graph."""
    if job.default_graphs is not None or job.named_graphs is not None:
        kwargs: dict[str, object] = {
            "default_graph": [NamedNode(u) for u in job.default_graphs or []] or [DefaultGraph()]}
        if job.named_graphs is not None:
            kwargs["named_graphs"] = [NamedNode(u) for u in job.named_graphs]
        return kwargs
    if has_from:
        return {}
    return view.kwargs()


def _check(deadline: float, n: int) -> None:
    if n % CHECK_EVERY == 0 and time.monotonic() > deadline:
        raise Deadline


@dataclass(frozen=True)
class _Layout:
    """Where solutions sit in pyoxigraph's output of one results format.

    `marker` is the byte string that occurs once per solution (a cheap upper bound on the
    solutions written, counted with bytes.count); `scan` finds the markers exactly, stepping
    over quoted strings that may contain the marker bytes (group 1: the string is closed).
    `need` is how many markers prove that solution cap + 1 exists, `nth` which marker the cut
    is made at, `after` whether the cut falls after that marker (else before it).
    """

    marker: bytes
    scan: re.Pattern[bytes]
    need: int
    nth: int
    after: bool


def _layout(media: str, cap: int) -> _Layout:
    if media == "application/sparql-results+json":  # [{row},{row}: "},{" separates rows
        return _Layout(b"},{", re.compile(rb'"(?:[^"\\]|\\.)*(?:(")|\\?\Z)|\},\{'),
                       cap, cap, False)
    if media == "application/sparql-results+xml":  # text is escaped: "<result>" is a tag
        return _Layout(b"<result>", re.compile(rb"<result>"), cap + 1, cap + 1, False)
    if media == "text/csv":  # header and rows end in CRLF; quoted fields may hold CRLF
        return _Layout(b"\r\n", re.compile(rb'"[^"]*(?:(")|\Z)|\r\n'), cap + 2, cap + 1, True)
    return _Layout(b"\n", re.compile(rb"\n"), cap + 2, cap + 1, True)  # TSV escapes newlines


class _Full(Exception):
    """Solution cap + 1 was written: stop the native serializer."""


class CappedSink:
    """A binary file for `QuerySolutions.serialize` that stops after `cap` solutions.

    pyoxigraph serializes natively (about twice as fast as building the document in Python)
    but cannot stop after N solutions, so this sink watches its output: it counts a
    per-solution marker with bytes.count (C speed) and, only once that count reaches the cap,
    locates the markers exactly (skipping quoted strings). When solution cap + 1 appears it
    raises, which stops both the serializer and the query. It also enforces the deadline at
    every write (pyoxigraph writes in 8 KB blocks).
    """

    def __init__(self, media: str, cap: int, deadline: float) -> None:
        self.media = media
        self.cap = max(1, cap)
        self.deadline = deadline
        self.layout = _layout(media, self.cap)
        self.buf = bytearray()
        self.raw = 0  # marker bytes seen, strings included: an upper bound
        self.pos = 0  # exact scan done up to here (outside any string)
        self.marks: list[tuple[int, int]] = []  # exact markers (start, end), once raw >= need

    def write(self, chunk: bytes) -> int:
        if time.monotonic() > self.deadline:
            raise Deadline
        m = self.layout.marker
        start = max(0, len(self.buf) - len(m) + 1)
        self.buf += chunk
        self.raw += self.buf.count(m, start)
        if self.raw >= self.layout.need:
            self._scan()
            if len(self.marks) >= self.layout.need:
                raise _Full
        return len(chunk)

    def flush(self) -> None:
        """Nothing buffered here; pyoxigraph calls it at the end."""

    def _scan(self) -> None:
        """Find markers exactly from `pos`; stop before a string still open at the end."""
        end = len(self.buf)
        last = self.pos
        for hit in self.layout.scan.finditer(self.buf, self.pos):
            if self.buf[hit.start()] == 0x22:  # a quoted string
                if hit.group(1) is None:  # not closed yet: rescan it after the next write
                    self.pos = hit.start()
                    return
            else:
                self.marks.append(hit.span())
            last = hit.end()
        self.pos = max(last, end - len(self.layout.marker) + 1)

    def result(self) -> tuple[bytes, bool]:
        """The document, cut after `cap` solutions and marked truncated when there were more."""
        lay = self.layout
        if len(self.marks) < lay.need:
            return bytes(self.buf), False
        begin, end = self.marks[lay.nth - 1]
        body = self.buf[:end if lay.after else begin]
        if self.media == "application/sparql-results+json":  # flag before "results": some
            flag = b',"truncated":true,"maxRows":%d,"results":' % self.cap  # parsers stop there
            body = body.replace(b',"results":', flag, 1) + b"}]}}"
        elif self.media == "application/sparql-results+xml":
            link = b'<link href="urn:kg:truncated:max-rows=%d"/></head>' % self.cap
            body = body.replace(b"</head>", link, 1) + b"</results></sparql>"
        return bytes(body), True


def serialize_select(result: QuerySolutions, media: str, cap: int,
                     deadline: float) -> tuple[bytes, bool]:
    """Serialize up to `cap` solutions natively; the flag says whether rows were cut off."""
    sink = CappedSink(media, cap, deadline)
    with suppress(_Full):
        result.serialize(sink, format=BOOLEAN_FORMATS[media])
    return sink.result()


def serialize_graph(triples, media: str, cap: int, deadline: float,
                    prefixes: dict[str, str] | None) -> tuple[bytes, bool]:
    """Serialize up to `cap` triples of a CONSTRUCT/DESCRIBE result."""
    fmt = GRAPH_TYPES[media]
    out = []
    for n, t in enumerate(islice(triples, cap + 1), 1):
        _check(deadline, n)
        out.append(t)
    truncated = len(out) > cap
    out = out[:cap]
    if fmt in {RdfFormat.N_QUADS, RdfFormat.TRIG}:
        out = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in out]
    pre = prefixes if fmt in {RdfFormat.TURTLE, RdfFormat.TRIG} else None
    return serialize(out, format=fmt, prefixes=pre), truncated


UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")
MAX_UNKNOWN_FUNCTIONS = 8


def _unknown_function(*_args: object) -> None:
    """SPARQL 1.1 §17.3: an unknown function is an expression error (the variable stays unbound)."""
    return None


def _query(view: DefaultGraphView, job: QueryJob, has_from: bool):
    """store.query, treating calls to unknown extension functions as errors, not as a refusal."""
    functions: dict[NamedNode, object] = {}
    kwargs = dataset_kwargs(job, has_from, view)
    while True:
        try:
            return view.store.query(job.query, custom_functions=functions or None, **kwargs)
        except RuntimeError as exc:
            m = UNKNOWN_FUNCTION.search(str(exc))
            if not m or len(functions) >= MAX_UNKNOWN_FUNCTIONS:
                raise
            functions[NamedNode(m.group(1))] = _unknown_function


def evaluate(view: DefaultGraphView, job: QueryJob, has_from: bool) -> Outcome:
    """Run the job; syntax and evaluation errors become 400 outcomes, the deadline a 503."""
    deadline = time.monotonic() + job.timeout
    try:
        result = _query(view, job, has_from)
        wanted = job.graph_type if isinstance(result, QueryTriples) else job.select_type
        if wanted is None:
            kind = "CONSTRUCT/DESCRIBE" if isinstance(result, QueryTriples) else "SELECT/ASK"
            return Outcome(406, f"the requested format is not available for {kind} "
                                "results\n".encode())
        if isinstance(result, QueryBoolean):
            fmt = BOOLEAN_FORMATS[job.select_type]
            return Outcome(200, result.serialize(format=fmt), job.select_type)
        if isinstance(result, QuerySolutions):
            body, cut = serialize_select(result, job.select_type, job.max_rows, deadline)
            return Outcome(200, body, job.select_type, cut)
        body, cut = serialize_graph(result, job.graph_type, job.max_rows, deadline, job.prefixes)
        return Outcome(200, body, job.graph_type, cut)
    except SyntaxError as exc:
        return Outcome(400, f"SPARQL syntax error: {exc}\n".encode())
    except Deadline:
        return timeout_outcome(job.timeout)
    except (ValueError, OSError, TypeError, RuntimeError) as exc:
        return Outcome(400, f"query evaluation failed: {exc}\n".encode())


def timeout_outcome(seconds: float) -> Outcome:
    """The answer for a query stopped at its deadline."""
    return Outcome(503, f"query stopped after the {seconds:g} s timeout; narrow it down "
                        "(LIMIT, more specific patterns) or ask the operator to raise "
                        "--timeout\n".encode())
