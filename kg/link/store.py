"""`kg link`: (re-)link the entities already in a store.

Extraction links offline as it goes; this pass is for stores built before a gazetteer
update, and for `--online`, which asks Wikidata about what is still unlinked. The linker
decides per article (the article is the context), and a link is written in the shape
`kg.mapping` writes at ingest time: what it says about the entity (owl:sameAs to the
Wikidata entity, kgo:wikidataId, wgs84 coordinates and geometry, country) once, in the
entities graph; the decision (kgo:linkConfidence, kgo:linkMethod) on the entity's mentions in
each article graph that decided it. An entity whose articles pick different QIDs is left
unlinked and counted as a conflict: one IRI cannot be the same as two Wikidata items.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Quad, Store

from kg.link.linker import Linker, apply_decision, default_linker
from kg.link.online import OnlineLinker
from kg.mapping import link_quads
from kg.ontology import KGO, PREFIXES
from kg.records import ENTITY_CLASSES, Article, Entity, Extraction, Mention

# Which graphs mention an entity comes from the article graphs; what the entity is (class,
# label, link) from wherever it is described (the entities graph), hence the union.
ENTITIES = f"""
PREFIX kgo: <{KGO}>
PREFIX rdfs: <{PREFIXES['rdfs']}>
SELECT ?g ?e ?cls ?label ?wd WHERE {{
  GRAPH ?g {{ ?e kgo:mentionedIn ?article }}
  ?e a ?cls ; rdfs:label ?label .
  OPTIONAL {{ ?e kgo:wikidataId ?wd }}
}}"""
MENTIONS = f"""
PREFIX kgo: <{KGO}>
SELECT ?g ?m ?e ?text ?b ?end WHERE {{
  GRAPH ?g {{ ?m kgo:mentionOf ?e ; kgo:anchorOf ?text ; kgo:beginIndex ?b ;
             kgo:endIndex ?end }}
}}"""


@dataclass
class LinkReport:
    entities: int = 0
    already: int = 0
    offline: int = 0
    online: int = 0
    conflicts: int = 0  # entities whose articles chose different QIDs: left unlinked

    def summary(self) -> str:
        text = (f"{self.entities} entities: {self.already} already linked, {self.offline} "
                f"linked offline, {self.online} linked online")
        return text + (f", {self.conflicts} left unlinked (their articles disagree)"
                       if self.conflicts else "")


def _graph_extractions(store: Store) -> tuple[dict[str, Extraction],
                                               dict[tuple[str, str], list[str]]]:
    """Per article graph, its entities as records; and (graph, entity) -> mention IRIs."""
    by_graph: dict[str, dict[str, Entity]] = {}
    for row in store.query(ENTITIES, use_default_graph_as_union=True):
        cls = row["cls"].value.removeprefix(KGO)
        if cls not in ENTITY_CLASSES:
            continue
        g, e = row["g"].value, row["e"].value
        wd = row["wd"].value if row["wd"] is not None else None
        ents = by_graph.setdefault(g, {})
        ents.setdefault(e, Entity(id=e, label=row["label"].value, cls=cls, wikidata=wd))
    nodes: dict[tuple[str, str], list[str]] = {}
    for row in store.query(MENTIONS, use_default_graph_as_union=False):
        g, e = row["g"].value, row["e"].value
        ent = by_graph.get(g, {}).get(e)
        if ent is not None:
            ent.mentions.append(Mention(row["text"].value, int(row["b"].value),
                                        int(row["end"].value)))
            nodes.setdefault((g, e), []).append(row["m"].value)
    return ({g: Extraction(Article(id=g, text=""), list(ents.values()))
             for g, ents in by_graph.items()}, nodes)


def link_store(store: Store, *, linker: Linker | None = None,
               online: OnlineLinker | None = None) -> LinkReport:
    """Add links for every stored entity that has none; return counts."""
    linker = linker or default_linker()
    report = LinkReport()
    extractions, nodes = _graph_extractions(store)
    # entity IRI -> QID -> [(graph, decided entity, "offline" | "online")]
    decided: dict[str, dict[str, list[tuple[str, Entity, str]]]] = {}
    for graph, extraction in extractions.items():
        before = {e.id for e in extraction.entities if e.wikidata}
        report.entities += len(extraction.entities)
        report.already += len(before)
        todo = [e for e in extraction.entities if not e.wikidata]
        ctx = linker.context(extraction)  # linked entities still give context
        for ent in todo:
            apply_decision(ent, linker.decide(ent, ctx))
        fresh = [(e, "offline") for e in todo if e.wikidata]
        if online is not None:
            fresh += [(e, "online") for e in online.link(extraction)]
        for ent, how in fresh:
            decided.setdefault(ent.id, {}).setdefault(str(ent.wikidata), []).append(
                (graph, ent, how))
    quads: list[Quad] = []
    for iri, by_qid in decided.items():
        if len(by_qid) > 1:
            report.conflicts += 1
            continue
        links = next(iter(by_qid.values()))
        for graph, ent, how in links:
            quads += link_quads(iri, ent, {graph: nodes.get((graph, iri), [])})
            setattr(report, how, getattr(report, how) + 1)
    if quads:
        store.extend(quads)
    return report
