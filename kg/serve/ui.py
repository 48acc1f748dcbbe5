"""The query page at /: an editor with prefixes pre-filled and the example queries."""

from __future__ import annotations

from flask import Blueprint, render_template

from kg.ontology import PREFIXES
from kg.queries import load_examples

bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/kg")

DEFAULT_QUERY = """SELECT ?event ?type ?date ?placeLabel WHERE {
  ?event kgo:subEventType ?type ; kgo:date ?date .
  OPTIONAL { ?event kgo:hasPlace/rdfs:label ?placeLabel }
} ORDER BY DESC(?date) LIMIT 50"""


@bp.route("/")
def index() -> str:
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    return render_template("index.html", examples=load_examples(),
                           default_query=prefixes + "\n" + DEFAULT_QUERY)
