"""Dereferenceable IRIs: https://w3id.org/kg-conflict/id/... served at /id/... on this host.

A browser gets an HTML page of the resource's facts, outgoing and incoming, with links to
other resources rewritten to stay on this server, and a small map when the resource has
wgs:lat/wgs:long; an RDF client (Accept: text/turtle, ...) gets those triples as RDF.
Facts come straight from the store's quad index (no SPARQL), with a per-direction cap so a
hub node (a country with thousands of events) still answers quickly. Each fact lists the
graphs stating it: an entity's description (type, label, link, coordinates) comes from the
entities graph, where it is stated once; `kgo:mentionedIn` and the mentions pointing at it
come from the article graphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from kg.ontology import ID, KGO, PREFIXES
from kg.serve import get_store
from kg.serve.sparql import GRAPH_OFFERS, BadRequest

bp = Blueprint("resource", __name__, template_folder="templates")

MAX_FACTS = 500
LABEL = NamedNode(PREFIXES["rdfs"] + "label")
LAT = NamedNode(PREFIXES["wgs"] + "lat")
LONG = NamedNode(PREFIXES["wgs"] + "long")


@dataclass
class Fact:
    """One (predicate, other term) row of the page, with the article graphs stating it."""

    predicate: object
    term: object
    graphs: set[str] = field(default_factory=set)


def local_href(iri: str) -> str:
    """Where a link to `iri` should point: our /id/ page for kg IRIs, else the IRI itself."""
    if iri.startswith(ID):
        return "/id/" + iri[len(ID):]
    if iri.startswith(KGO):
        return "/ontology#" + iri[len(KGO):]
    return iri


def short(iri: str) -> str:
    """Prefixed form (kgo:date) when a known namespace matches."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _candidates(rest: str) -> list[str]:
    # Flask decodes %XX in the path; kg IRIs percent-encode article ids, so try both forms.
    encoded = "/".join(quote(seg, safe="") for seg in rest.split("/"))
    return list(dict.fromkeys([ID + rest, ID + encoded, ID + quote(rest, safe="/")]))


def _facts(node: NamedNode, outgoing: bool) -> tuple[list[Fact], bool]:
    store = get_store()
    pattern = store.quads_for_pattern(node, None, None) if outgoing \
        else store.quads_for_pattern(None, None, node)
    rows: dict[tuple[str, str], Fact] = {}
    for q in pattern:
        other = q.object if outgoing else q.subject
        key = (str(q.predicate), str(other))
        if key not in rows:
            if len(rows) >= MAX_FACTS:
                return list(rows.values()), True
            rows[key] = Fact(q.predicate, other)
        if isinstance(q.graph_name, NamedNode):
            rows[key].graphs.add(q.graph_name.value)
    return list(rows.values()), False


def _label(term: object) -> str | None:
    if not isinstance(term, NamedNode):
        return None
    for q in get_store().quads_for_pattern(term, LABEL, None):
        return q.object.value
    return None


def _coordinate(facts: list[Fact], prop: NamedNode) -> float | None:
    for f in facts:
        if f.predicate == prop and isinstance(f.term, Literal):
            try:
                return float(f.term.value)
            except ValueError:
                return None
    return None


@bp.route("/id/<path:rest>")
def resource(rest: str) -> Response | str:
    """HTML or RDF description of one kg resource; 404 when the store knows nothing of it."""
    for iri in _candidates(rest):
        node = NamedNode(iri)
        out, out_cut = _facts(node, outgoing=True)
        inc, inc_cut = _facts(node, outgoing=False)
        if out or inc:
            break
    else:
        raise BadRequest(f"no facts about {ID + rest} in this knowledge graph", 404)
    best = request.accept_mimetypes.best_match(["text/html", *GRAPH_OFFERS], default="text/html")
    wanted = request.args.get("format")
    if wanted or best != "text/html":
        from kg.serve.sparql import negotiate

        mime = negotiate(GRAPH_OFFERS)
        fmt = RdfFormat.from_media_type(mime)
        triples = [Triple(node, f.predicate, f.term) for f in out] + \
            [Triple(f.term, f.predicate, node) for f in inc]
        if fmt in {RdfFormat.N_QUADS, RdfFormat.TRIG}:
            mime, fmt = "text/turtle", RdfFormat.TURTLE
        pre = PREFIXES if fmt == RdfFormat.TURTLE else None
        resp = Response(serialize(triples, format=fmt, prefixes=pre), mimetype=mime)
    else:
        resp = Response(render_template(
            "resource.html", iri=iri, label=_label(node), outgoing=out, incoming=inc,
            truncated=out_cut or inc_cut, max_facts=MAX_FACTS, lat=_coordinate(out, LAT),
            long=_coordinate(out, LONG), href=local_href, short=short, label_of=_label),
            mimetype="text/html")
    resp.headers["Vary"] = "Accept"
    return resp
