"""Evaluate one query and serialize its result with a row cap and a deadline.

Pure function of (store, job): the same code runs inside the killable worker processes and,
for stores that cannot be reopened by path (in-memory, or writable), in the request thread.
SELECT results are written by our own serializers because pyoxigraph can only serialize a
whole result: we need to stop at `max_rows` and say so (the truncation signal).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from kg.ontology import GRAPH

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
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
CHECK_EVERY = 256  # rows between deadline checks while streaming


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
    article graphs are listed explicitly. The graph list is recomputed at most every
    `ttl` seconds (0: on every query, for writable stores).
    """

    def __init__(self, store: Store, ttl: float = 0.0) -> None:
        self.store = store
        self.ttl = ttl
        self._at = -1.0
        self._kwargs: dict[str, object] = {}

    def kwargs(self) -> dict[str, object]:
        now = time.monotonic()
        if self._at < 0 or now - self._at >= self.ttl:
            self._kwargs, self._at = self._compute(), now
        return self._kwargs

    def _compute(self) -> dict[str, object]:
        article: list[NamedNode | DefaultGraph] = []
        foreign = False
        for g in self.store.named_graphs():
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


def term_json(term: object) -> dict[str, object]:
    """SPARQL 1.1 JSON results encoding of one RDF term."""
    cls = type(term)
    if cls is NamedNode:
        return {"type": "uri", "value": term.value}
    if cls is BlankNode:
        return {"type": "bnode", "value": term.value}
    if cls is Literal:
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _term_xml(term: object) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                    f"{escape(term.value)}</literal>")
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (f"<triple><subject>{_term_xml(term.subject)}</subject><predicate>"
                f"{_term_xml(term.predicate)}</predicate><object>{_term_xml(term.object)}"
                "</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _csv_cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        value = "_:" + term.value
    elif isinstance(term, Triple):
        value = str(term)
    else:
        value = term.value  # type: ignore[attr-defined]
    if any(c in value for c in ',"\r\n'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def _collect(rows: QuerySolutions, cap: int, deadline: float) -> tuple[list, bool]:
    out = []
    for n, row in enumerate(rows, 1):
        _check(deadline, n)
        if n > cap:
            return out, True
        out.append(row)
    return out, False


def serialize_select(result: QuerySolutions, media: str, cap: int,
                     deadline: float) -> tuple[bytes, bool]:
    """Serialize up to `cap` solutions; the flag says whether rows were cut off."""
    names = [v.value for v in result.variables]
    rows, truncated = _collect(result, cap, deadline)
    if media == "application/sparql-results+json":
        bindings = [{n: term_json(t) for n, t in zip(names, row, strict=True) if t is not None}
                    for row in rows]
        doc: dict[str, object] = {"head": {"vars": names}, "results": {"bindings": bindings}}
        if truncated:
            doc["truncated"] = True
            doc["maxRows"] = cap
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), truncated
    if media == "application/sparql-results+xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                 "<head>", *(f"<variable name={quoteattr(n)}/>" for n in names)]
        if truncated:
            parts.append(f'<link href="urn:kg:truncated:max-rows={cap}"/>')
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts.extend(f"<binding name={quoteattr(n)}>{_term_xml(row[i])}</binding>"
                         for i, n in enumerate(names) if row[i] is not None)
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode(), truncated
    if media == "text/csv":
        lines = [",".join(names)]
        lines.extend(",".join(_csv_cell(row[i]) for i in range(len(names))) for row in rows)
        return ("\r\n".join(lines) + "\r\n").encode(), truncated
    lines = ["\t".join("?" + n for n in names)]
    lines.extend("\t".join("" if row[i] is None else str(row[i]) for i in range(len(names)))
                 for row in rows)
    return ("\n".join(lines) + "\n").encode(), truncated


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
