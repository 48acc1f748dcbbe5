"""Dumps over HTTP: /export?format=turtle[&graph=IRI]."""

from __future__ import annotations

import io

from flask import Blueprint, Response, request

from kg.export import ExportError, export, rdf_format
from kg.serve import get_store
from kg.serve.sparql import BadRequest

bp = Blueprint("export", __name__)


@bp.route("/export")
def export_dump() -> Response:
    """The whole store, or one article graph, in the requested RDF format."""
    fmt = request.args.get("format", "turtle")
    try:
        media = rdf_format(fmt).media_type
        buf = io.BytesIO()
        export(get_store(), buf, fmt, graph=request.args.get("graph"))
    except ExportError as exc:
        raise BadRequest(str(exc)) from None
    return Response(buf.getvalue(), mimetype=media)
