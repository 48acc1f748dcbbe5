"""Validate article graphs against the SHACL shapes in `ontology/shapes.ttl` (pyshacl).

The store's quads (all article graphs and the entities graph, which holds the entity
descriptions the article graphs refer to) are merged into one rdflib graph and checked with the
ontology as pyshacl's ontology graph, so shapes that target `kgo:Event` also reach events
typed only with their sub-event class. Results come back as plain `Violation` records with
the article graph(s) the focus node lives in, so `kg validate` can say where to look.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import NamedNode, Quad, Store
from pyshacl import validate as shacl_validate
from rdflib.namespace import RDF, SH

from kg.ontology import PREFIXES, ontology_path


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in the terms a person fixing the data needs."""

    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None = None
    shape: str | None = None
    graphs: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" in {', '.join(self.graphs)}" if self.graphs else ""
        path = f" {self.path}:" if self.path else ":"
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"[{self.severity}] {self.focus}{where}\n   {path.strip()} {self.message}{value}"


@dataclass
class ValidationReport:
    """Outcome of one validation run; `conforms` is False when any violation was found."""

    triples: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations


def _short(term: rdflib.term.Node | None) -> str | None:
    """Prefixed name when a known prefix fits, else the N-Triples form: readable output."""
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        for prefix, ns in PREFIXES.items():
            if str(term).startswith(ns):
                return f"{prefix}:{str(term)[len(ns):]}"
        return f"<{term}>"
    if isinstance(term, rdflib.BNode):
        return "[path expression]"
    return term.n3()


def load_shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_path("shapes.ttl"), format="turtle")


def load_ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_path("kg.ttl"), format="turtle")


def quads_to_graph(quads: Iterable[Quad]) -> rdflib.Graph:
    """Merge quads into one rdflib graph (via N-Triples text: exact term round trip)."""
    lines = [f"{q.subject} {q.predicate} {q.object} ." for q in quads]
    graph = rdflib.Graph()
    if lines:
        graph.parse(data="\n".join(lines), format="nt")
    return graph


def validate_graph(data: rdflib.Graph, *, graphs_of=None) -> ValidationReport:
    """Run the shapes over `data`; `graphs_of(focus_iri)` names the graphs holding a node."""
    conforms, results, _text = shacl_validate(
        data, shacl_graph=load_shapes(), ont_graph=load_ontology(), inference="none",
        abort_on_first=False, allow_warnings=True, advanced=False)
    report = ValidationReport(triples=len(data))
    if conforms:
        return report
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        report.violations.append(Violation(
            focus=_short(focus) or "?",
            path=_short(results.value(result, SH.resultPath)),
            message=str(message) if message is not None else "constraint violated",
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            value=_short(results.value(result, SH.value)),
            shape=_short(results.value(result, SH.sourceShape)),
            graphs=tuple(graphs_of(str(focus))) if graphs_of and isinstance(
                focus, rdflib.URIRef) else ()))
    report.violations.sort(key=lambda v: (v.graphs, v.focus, v.path or "", v.message))
    return report


def validate_store(store: Store) -> ValidationReport:
    """Validate every article graph of the store, merged with the entities graph."""

    def graphs_of(iri: str) -> list[str]:
        return sorted({_short(rdflib.URIRef(q.graph_name.value)) or ""
                       for q in store.quads_for_pattern(NamedNode(iri), None, None)
                       if isinstance(q.graph_name, NamedNode)})

    data = quads_to_graph(store.quads_for_pattern(None, None, None))
    return validate_graph(data, graphs_of=graphs_of)


def validate_quads(quads: Iterable[Quad]) -> ValidationReport:
    """Validate quads that are not in a store (e.g. the mapping of one extraction)."""
    return validate_graph(quads_to_graph(quads))
