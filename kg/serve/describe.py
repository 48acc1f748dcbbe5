"""Self-description of the endpoint: SPARQL 1.1 Service Description and VoID."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for

from kg import __version__
from kg.ontology import ENTITIES_GRAPH, KGO, PREFIXES
from kg.serve import get_store
from kg.store import stats

bp = Blueprint("describe", __name__)


def service_description() -> Response:
    """Turtle description of /sparql: formats, union default graph, language."""
    endpoint = url_for("sparql.sparql", _external=True)
    ttl = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix dcterms: <http://purl.org/dc/terms/> .

[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph, sd:BasicFederatedQuery ;
    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML,
        formats:SPARQL_Results_CSV, formats:SPARQL_Results_TSV, formats:Turtle,
        formats:N-Triples, formats:N-Quads, formats:TriG, formats:JSON-LD, formats:RDF_XML ;
    dcterms:description '''kg {__version__}: knowledge graph of armed-conflict news.
The default graph is the union of all article graphs and the entities graph
<{ENTITIES_GRAPH}>, which states the description of each entity (type, label,
Wikidata link, coordinates) once, however many articles mention it.''' ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ;
        sd:namedGraph [ a sd:NamedGraph ; sd:name <{ENTITIES_GRAPH}> ] ] .
"""
    return Response(ttl, mimetype="text/turtle")


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID statistics of the whole dataset."""
    s = stats(get_store())
    base = request.host_url.rstrip("/")
    lines = [f"@prefix void: <{PREFIXES['void']}> .", f"@prefix kgo: <{KGO}> .",
             f"<{base}/.well-known/void#dataset> a void:Dataset ;",
             f"  void:sparqlEndpoint <{base}/sparql> ;",
             f"  void:triples {s.triples} ;",
             f"  void:entities {sum(s.entities_by_class.values())} ;"]
    for cls, n in s.entities_by_class.items():
        lines.append(f"  void:classPartition [ void:class kgo:{cls} ; void:entities {n} ] ;")
    lines.append(f"  void:documents {s.articles} .")
    return Response("\n".join(lines) + "\n", mimetype="text/turtle")
