"""The ontology at /ontology: pyLODE HTML for browsers, the Turtle source for RDF clients.

The HTML is generated from `ontology/kg.ttl` at the first request and kept in the app's
extensions for the life of the process. Why not a file generated at build time: the HTML
could then go stale against kg.ttl (nothing in a plain checkout regenerates it), and a
generated 120 kB file in the repository is noise in every diff of the ontology. Generation
takes about a second, once per process, under a lock so that concurrent first requests
generate it only once.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, request

from kg.ontology import ontology_path

bp = Blueprint("ontology_doc", __name__)

TURTLE = "text/turtle"
HTML = "text/html"
_CACHE_KEY = "kg_ontology_html"
_LOCK_KEY = "kg_ontology_lock"


def render_html() -> str:
    """pyLODE's OntPub documentation of kg.ttl (imported here: only this page needs it)."""
    from pylode import OntPub

    return OntPub(ontology=str(ontology_path("kg.ttl"))).make_html()


def _cached_html() -> str:
    ext = current_app.extensions
    lock = ext.setdefault(_LOCK_KEY, threading.Lock())
    with lock:
        if _CACHE_KEY not in ext:
            ext[_CACHE_KEY] = render_html()
    return ext[_CACHE_KEY]


def _turtle(name: str) -> Response:
    resp = Response(ontology_path(name).read_bytes(), mimetype=TURTLE)
    resp.headers["Vary"] = "Accept"
    return resp


@bp.route("/ontology")
def ontology() -> Response:
    """HTML unless the client prefers Turtle (Accept: text/turtle) or asks ?format=ttl."""
    wanted = request.args.get("format")
    best = request.accept_mimetypes.best_match([HTML, TURTLE], default=HTML)
    if wanted == "ttl" or (wanted is None and best == TURTLE):
        return _turtle("kg.ttl")
    resp = Response(_cached_html(), mimetype=HTML)
    resp.headers["Vary"] = "Accept"
    return resp


@bp.route("/ontology/shapes")
def shapes() -> Response:
    """The SHACL shapes article graphs are validated against."""
    return _turtle("shapes.ttl")
