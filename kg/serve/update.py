"""Writes over HTTP, refused unless the server was started with `--allow-update --token T`.

- SPARQL 1.1 Update at /update (form field `update` or an application/sparql-update body).
- SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store and /store with `?graph=IRI` or
  `?default`: GET (always allowed: it is a read), PUT (replace), POST (add), DELETE (drop).
  `?default` addresses the store's own default graph, which kg itself never writes to.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, request
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse, serialize

from kg.ontology import PREFIXES
from kg.serve import get_store, settings
from kg.serve.sparql import GRAPH_OFFERS, BadRequest, negotiate

bp = Blueprint("update", __name__)


def check_write_access() -> None:
    """Raise a 403/401 unless updates are enabled and the bearer token matches."""
    conf = settings()
    if not conf.allow_update:
        raise BadRequest("updates are disabled: start the server with --allow-update", 403)
    sent = request.headers.get("Authorization", "")
    expected = f"Bearer {conf.update_token}"
    if not conf.update_token or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise BadRequest("missing or wrong bearer token", 401)


@bp.route("/update", methods=["POST"])
def update() -> Response:
    """Apply a SPARQL Update (form field `update` or application/sparql-update body)."""
    check_write_access()
    if request.mimetype == "application/sparql-update":
        try:
            text = request.get_data().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"update body is not valid UTF-8: {exc}") from None
    elif request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        text = request.form.get("update")
    else:
        raise BadRequest(f"unsupported Content-Type {request.mimetype!r}: use "
                         "application/sparql-update or a form", 415)
    if not text:
        raise BadRequest("missing 'update' parameter")
    try:
        get_store().update(text)
    except SyntaxError as exc:
        raise BadRequest(f"SPARQL syntax error: {exc}") from None
    except (ValueError, OSError, RuntimeError) as exc:
        raise BadRequest(f"update failed: {exc}") from None
    return Response(status=204)


def _target() -> NamedNode | DefaultGraph:
    graph = request.args.get("graph")
    if "default" in request.args:
        if graph:
            raise BadRequest("give either ?default or ?graph=IRI, not both")
        return DefaultGraph()
    if not graph:
        raise BadRequest("give ?graph=IRI or ?default")
    try:
        return NamedNode(graph)
    except ValueError as exc:
        raise BadRequest(f"invalid graph IRI {graph!r}: {exc}") from None


def _exists(target: NamedNode | DefaultGraph) -> bool:
    return isinstance(target, DefaultGraph) or target in get_store().named_graphs()


def _body_quads(target: NamedNode | DefaultGraph) -> list[Quad]:
    fmt = RdfFormat.from_media_type(request.mimetype or "")
    if fmt is None or fmt in {RdfFormat.N_QUADS, RdfFormat.TRIG}:
        raise BadRequest(f"unsupported Content-Type {request.mimetype!r} for a graph: use "
                         "text/turtle, application/n-triples, application/rdf+xml or "
                         "application/ld+json", 415)
    base = target.value if isinstance(target, NamedNode) else None
    try:
        return [Quad(t.subject, t.predicate, t.object, target)
                for t in parse(request.get_data(), format=fmt, base_iri=base)]
    except SyntaxError as exc:
        raise BadRequest(f"cannot parse the request body: {exc}") from None


def _graph_update(target: NamedNode | DefaultGraph, quads: list[Quad], replace: bool) -> None:
    """One SPARQL update, so a replace is atomic (no half-written graph)."""
    name = "DEFAULT" if isinstance(target, DefaultGraph) else f"GRAPH {target}"
    ops = [f"DROP SILENT {name}"] if replace else []
    if quads or not replace:
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        inner = body if isinstance(target, DefaultGraph) else f"GRAPH {target} {{\n{body}\n}}"
        ops.append(f"INSERT DATA {{\n{inner}\n}}")
    if isinstance(target, NamedNode) and not quads:
        ops.append(f"CREATE SILENT GRAPH {target}")
    get_store().update(" ;\n".join(ops))


@bp.route("/rdf-graph-store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    """SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification)."""
    target = _target()
    if request.method in {"GET", "HEAD"}:
        if not _exists(target):
            raise BadRequest(f"no graph {target.value}", 404)
        mime = negotiate(GRAPH_OFFERS)
        fmt = RdfFormat.from_media_type(mime)
        triples = [q.triple for q in get_store().quads_for_pattern(None, None, None, target)]
        if fmt in {RdfFormat.N_QUADS, RdfFormat.TRIG}:
            triples = [Quad(t.subject, t.predicate, t.object, target) for t in triples]
        pre = PREFIXES if fmt in {RdfFormat.TURTLE, RdfFormat.TRIG} else None
        return Response(serialize(triples, format=fmt, prefixes=pre), mimetype=mime)
    check_write_access()
    existed = _exists(target)
    if request.method == "DELETE":
        if not existed:
            raise BadRequest(f"no graph {target.value}", 404)
        name = "DEFAULT" if isinstance(target, DefaultGraph) else f"GRAPH {target}"
        get_store().update(f"DROP {name}")
        return Response(status=204)
    quads = _body_quads(target)
    _graph_update(target, quads, replace=request.method == "PUT")
    return Response(status=204 if existed else 201)
