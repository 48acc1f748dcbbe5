"""The query page at /: an editor with prefixes pre-filled and the example queries."""

from __future__ import annotations

from flask import Blueprint, render_template

from kg.ontology import PREFIXES
from kg.queries import load_examples
from kg.serve import settings

bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/kg")

DEFAULT_QUERY = """SELECT ?event ?type ?date ?placeLabel WHERE {
  ?event kgo:subEventType ?type ; kgo:date ?date .
  OPTIONAL { ?event kgo:hasPlace/rdfs:label ?placeLabel }
} ORDER BY DESC(?date) LIMIT 50"""


@bp.route("/")
def index() -> str:
    """YASGUI with our prefixes pre-filled and the example queries one click away."""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    conf = settings()
    examples = load_examples()
    queries = {"default": prefixes + "\n" + DEFAULT_QUERY,
               "examples": {ex.name: ex.query for ex in examples},
               "plain": {ex.name: ex.plain for ex in examples if ex.plain}}
    return render_template("index.html", examples=examples, queries=queries,
                           max_rows=conf.max_rows, timeout=f"{conf.query_timeout:g}")
