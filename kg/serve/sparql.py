"""SPARQL 1.1 Protocol query endpoint at /sparql.

GET ?query=, POST form and POST application/sparql-query; `default-graph-uri` and
`named-graph-uri`; results chosen by the Accept header (q-values honoured) or `format=`.
Without FROM or graph parameters the default graph is the union of all article graphs.
SERVICE is refused unless its host is allowlisted; queries run with a row cap (signalled by
the `X-KG-Truncated: true` header) and a timeout that really stops them (kg.serve.executor).
A bad query is a 4xx carrying the parser's message, never a 500.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from kg.ontology import PREFIXES
from kg.serve import settings
from kg.serve.query_scan import refused_services, scan_query
from kg.serve.results import QueryJob

bp = Blueprint("sparql", __name__)

# Offered media type -> canonical media type of the answer, in order of preference.
RESULT_OFFERS: dict[str, str] = {
    "application/sparql-results+json": "application/sparql-results+json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "text/csv": "text/csv",
    "text/tab-separated-values": "text/tab-separated-values",
    # aliases last, so that wildcards (text/*, application/*) pick a canonical type first
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
GRAPH_OFFERS: dict[str, str] = {
    "text/turtle": "text/turtle",
    "application/n-triples": "application/n-triples",
    "application/n-quads": "application/n-quads",
    "application/trig": "application/trig",
    "application/ld+json": "application/ld+json",
    "application/rdf+xml": "application/rdf+xml",
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "srj": "application/sparql-results+json", "srx": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                "ttl": "text/turtle", "nt": "application/n-triples",
                "ntriples": "application/n-triples", "nq": "application/n-quads",
                "nquads": "application/n-quads", "trig": "application/trig",
                "jsonld": "application/ld+json", "json-ld": "application/ld+json",
                "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml"}


class BadRequest(Exception):
    """A client error: answered with its status (default 400) and the message as text."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def negotiate(offers: dict[str, str], strict: bool = True) -> str | None:
    """Canonical media type for this request: `format=` wins, then Accept, else the default.

    A `format=` naming a type this query form cannot produce is a 406 (the client asked
    explicitly; None when not `strict`, because the query form is not known yet); an Accept
    header with nothing we offer gets the default, like most endpoints.
    """
    fmt = request.values.get("format")
    if fmt:
        mime = FORMAT_PARAM.get(fmt.lower(), fmt.lower())
        if mime == "application/sparql-results+json" and offers is GRAPH_OFFERS:
            mime = "application/ld+json"  # format=json on CONSTRUCT: JSON-LD
        if mime == "application/sparql-results+xml" and offers is GRAPH_OFFERS:
            mime = "application/rdf+xml"
        if mime in offers:
            return offers[mime]
        if mime not in FORMAT_PARAM.values() and mime not in RESULT_OFFERS | GRAPH_OFFERS:
            raise BadRequest(f"unsupported format {fmt!r}; use one of "
                             f"{', '.join(sorted(FORMAT_PARAM))}", 406)
        if not strict:
            return None
        raise BadRequest(f"unsupported format {fmt!r}; use one of "
                         f"{', '.join(sorted(FORMAT_PARAM))}", 406)
    best = request.accept_mimetypes.best_match(list(offers), default=None)
    return offers[best] if best else next(iter(offers.values()))


def query_text() -> str:
    """The query from GET ?query=, a form body, or an application/sparql-query body."""
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == "application/sparql-query":
            return _decode(request.get_data())
        if ctype not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            raise BadRequest(f"unsupported Content-Type {ctype!r}: use "
                             "application/sparql-query or a form", 415)
        queries = request.form.getlist("query")
    else:
        queries = request.args.getlist("query")
    if len(queries) > 1:
        raise BadRequest("more than one 'query' parameter")
    if not queries:
        raise BadRequest("missing 'query' parameter")
    return queries[0]


def _decode(body: bytes) -> str:
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise BadRequest(f"query body is not valid {charset}: {exc}") from None


def build_job(text: str) -> tuple[QueryJob, bool]:
    """Check the query against the safety settings and describe how to run it."""
    conf = settings()
    scan = scan_query(text)
    refused = refused_services(scan, conf.service_allowlist)
    if refused:
        raise BadRequest("SERVICE is not allowed to " + ", ".join(refused) + " (the operator "
                         "can allow hosts with `kg serve --allow-service HOST`)", 403)
    default = request.values.getlist("default-graph-uri")
    named = request.values.getlist("named-graph-uri")
    # Protocol graph parameters override FROM / FROM NAMED (SPARQL 1.1 Protocol 2.1.4).
    job = QueryJob(
        query=text,
        select_type=negotiate(RESULT_OFFERS, strict=False),
        graph_type=negotiate(GRAPH_OFFERS, strict=False),
        default_graphs=default if (default or named) else None,
        named_graphs=named if named else ([] if default else None),
        max_rows=conf.max_rows,
        timeout=conf.query_timeout,
        prefixes=PREFIXES,
    )
    return job, scan.has_from


def answer(job: QueryJob, has_from: bool) -> Response:
    """Run the job on the app's executor and turn the outcome into a response."""
    outcome = current_app.extensions["kg_executor"].run(job, has_from)
    if outcome.status >= 400:
        raise BadRequest(outcome.body.decode(errors="replace").strip(), outcome.status)
    resp = Response(outcome.body, status=outcome.status, mimetype=outcome.media_type)
    if outcome.truncated:
        resp.headers["X-KG-Truncated"] = "true"
        resp.headers["X-KG-Max-Rows"] = str(job.max_rows)
    return resp


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """The SPARQL 1.1 query endpoint (service description when called without a query)."""
    if request.method == "GET" and "query" not in request.args:
        from kg.serve.describe import service_description

        return service_description()
    job, has_from = build_job(query_text())
    return answer(job, has_from)


def register_error_handlers(app: Flask) -> None:
    """Client errors as 4xx with a readable message; never a bare 500 for bad input."""

    @app.errorhandler(BadRequest)
    def _bad(exc: BadRequest) -> Response:
        return Response(str(exc) + "\n", status=exc.status, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if request.accept_mimetypes.best != "text/html" or request.path.startswith("/sparql"):
            return Response(f"{exc.code} {exc.name}: {exc.description}\n", status=exc.code,
                            mimetype="text/plain")
        return exc  # type: ignore[return-value]
