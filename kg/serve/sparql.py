"""SPARQL 1.1 Protocol query endpoint at /sparql.

GET ?query=, POST form and POST application/sparql-query; `default-graph-uri` and
`named-graph-uri`; results chosen by the Accept header or `format=`. Without either
graph parameter the default graph is the union of all article graphs.
A bad query is a 400 carrying the parser's message, never a 500.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    serialize,
)
from werkzeug.exceptions import HTTPException

from kg.ontology import PREFIXES
from kg.serve import get_store

bp = Blueprint("sparql", __name__)

RESULT_TYPES: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
GRAPH_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                "ttl": "text/turtle", "nt": "application/n-triples",
                "ntriples": "application/n-triples", "nq": "application/n-quads",
                "trig": "application/trig", "jsonld": "application/ld+json",
                "rdfxml": "application/rdf+xml"}


class BadRequest(Exception):
    """A client error: answered with 400 and the message as text."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _choose(offers: dict[str, object], default: str) -> str:
    fmt = request.values.get("format")
    if fmt:
        mime = FORMAT_PARAM.get(fmt.lower(), fmt)
        if mime in offers:
            return mime
        raise BadRequest(f"unsupported format {fmt!r} for this query", 406)
    best = request.accept_mimetypes.best_match(list(offers), default=None)
    if best is None or (request.accept_mimetypes.best == "*/*" and best not in offers):
        return default
    return best


def _query_text() -> str:
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == "application/sparql-query":
            return request.get_data(as_text=True)
        if ctype not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            raise BadRequest(f"unsupported Content-Type {ctype!r}: use "
                             "application/sparql-query or a form", 415)
        query = request.form.get("query")
    else:
        query = request.args.get("query")
    if query is None:
        raise BadRequest("missing 'query' parameter")
    return query


def run_query(query: str) -> QuerySolutions | QueryBoolean | QueryTriples:
    """Evaluate with the protocol's dataset parameters; SyntaxError becomes 400."""
    default = request.values.getlist("default-graph-uri")
    named = request.values.getlist("named-graph-uri")
    kwargs: dict[str, object] = {"prefixes": None}
    if default:
        kwargs["default_graph"] = [NamedNode(u) for u in default]
    else:
        kwargs["use_default_graph_as_union"] = True
    if named:
        kwargs["named_graphs"] = [NamedNode(u) for u in named]
    try:
        return get_store().query(query, **kwargs)
    except SyntaxError as exc:
        raise BadRequest(f"SPARQL syntax error: {exc}") from None
    except ValueError as exc:
        raise BadRequest(f"invalid request: {exc}") from None


def _respond(result: QuerySolutions | QueryBoolean | QueryTriples) -> Response:
    if isinstance(result, (QuerySolutions, QueryBoolean)):
        mime = _choose(RESULT_TYPES, "application/sparql-results+json")
        body = result.serialize(format=RESULT_TYPES[mime])
        if mime in {"application/json", "application/xml"}:
            mime = mime.replace("/", "/sparql-results+")
        return Response(body, mimetype=mime)
    mime = _choose(GRAPH_TYPES, "text/turtle")
    fmt = GRAPH_TYPES[mime]
    prefixes = PREFIXES if fmt in {RdfFormat.TURTLE, RdfFormat.TRIG} else None
    if fmt in {RdfFormat.N_QUADS, RdfFormat.TRIG}:
        quads = (Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in result)
        return Response(serialize(quads, format=fmt, prefixes=prefixes), mimetype=mime)
    return Response(serialize(result, format=fmt, prefixes=prefixes), mimetype=mime)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """The SPARQL 1.1 query endpoint (service description when called without a query)."""
    if request.method == "GET" and "query" not in request.args:
        from kg.serve.describe import service_description

        return service_description()
    return _respond(run_query(_query_text()))


def register_error_handlers(app: Flask) -> None:
    """Client errors as 4xx with a readable message; never a bare 500 for bad input."""

    @app.errorhandler(BadRequest)
    def _bad(exc: BadRequest) -> Response:
        return Response(str(exc) + "\n", status=exc.status, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if request.path.startswith("/sparql") or request.accept_mimetypes.best != "text/html":
            return Response(f"{exc.code} {exc.name}: {exc.description}\n", status=exc.code,
                            mimetype="text/plain")
        return exc

