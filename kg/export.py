"""Export the store (or part of it) in the standard RDF formats.

Quad formats (N-Quads, TriG) keep one named graph per article; triple formats (Turtle,
N-Triples, JSON-LD, RDF/XML) hold the union of all article graphs, each triple once.
Serialisation streams from Oxigraph, so a dump never holds the whole graph in memory.
"""

from __future__ import annotations

from typing import IO

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from kg.ontology import PREFIXES

FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "ntriples": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "json-ld": RdfFormat.JSON_LD,
    "xml": RdfFormat.RDF_XML,
    "rdfxml": RdfFormat.RDF_XML,
}
QUAD_FORMATS = {RdfFormat.N_QUADS, RdfFormat.TRIG}
UNION_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class ExportError(ValueError):
    """Unknown format or graph."""


def rdf_format(name: str) -> RdfFormat:
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise ExportError(f"unknown format {name!r}; choose one of "
                          f"{', '.join(sorted(set(FORMATS)))}") from None


def export(store: Store, output: IO[bytes], fmt: str = "turtle", *,
           graph: str | None = None) -> None:
    """Write the store (or one named graph) to `output` in format `fmt`."""
    rf = rdf_format(fmt)
    prefixes = PREFIXES if rf in {RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML} else None
    if graph is not None:
        g = NamedNode(graph)
        if not store.contains_named_graph(g):
            raise ExportError(f"no graph <{graph}> in the store")
        if rf in QUAD_FORMATS:
            serialize(store.quads_for_pattern(None, None, None, g), output, rf, prefixes=prefixes)
        else:
            store.dump(output, rf, from_graph=g, prefixes=prefixes)
        return
    if rf in QUAD_FORMATS:
        store.dump(output, rf, prefixes=prefixes)
    else:
        serialize(store.query(UNION_CONSTRUCT), output, rf, prefixes=prefixes)
