"""`kg link`: (re-)link the entities already in a store.

Extraction links offline as it goes; this pass is for stores built before a gazetteer
update, and for `--online`, which asks Wikidata about what is still unlinked. Links are
added to each article's named graph next to the entity (owl:sameAs to the Wikidata
entity, kgo:wikidataId, kgo:linkConfidence, kgo:linkMethod, wgs84 coordinates) in the same
shape `kg.mapping` writes at ingest time.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.link.linker import Linker, apply_decision, default_linker
from kg.link.online import OnlineLinker
from kg.ontology import KGO, PREFIXES
from kg.records import ENTITY_CLASSES, Article, Entity, Extraction, Mention

ENTITIES = f"""
PREFIX kgo: <{KGO}>
PREFIX rdfs: <{PREFIXES['rdfs']}>
SELECT ?g ?e ?cls ?label ?wd WHERE {{
  GRAPH ?g {{ ?e a ?cls ; rdfs:label ?label ; kgo:mentionedIn ?article .
             OPTIONAL {{ ?e kgo:wikidataId ?wd }} }}
}}"""
MENTIONS = f"""
PREFIX kgo: <{KGO}>
SELECT ?g ?e ?text ?b ?end WHERE {{
  GRAPH ?g {{ ?m kgo:mentionOf ?e ; kgo:anchorOf ?text ; kgo:beginIndex ?b ;
             kgo:endIndex ?end }}
}}"""


@dataclass
class LinkReport:
    entities: int = 0
    already: int = 0
    offline: int = 0
    online: int = 0

    def summary(self) -> str:
        return (f"{self.entities} entities: {self.already} already linked, {self.offline} "
                f"linked offline, {self.online} linked online")


def _graph_extractions(store: Store) -> dict[str, Extraction]:
    by_graph: dict[str, dict[str, Entity]] = {}
    for row in store.query(ENTITIES, use_default_graph_as_union=False):
        cls = row["cls"].value.removeprefix(KGO)
        if cls not in ENTITY_CLASSES:
            continue
        g, e = row["g"].value, row["e"].value
        wd = row["wd"].value if row["wd"] is not None else None
        ents = by_graph.setdefault(g, {})
        ents.setdefault(e, Entity(id=e, label=row["label"].value, cls=cls, wikidata=wd))
    for row in store.query(MENTIONS, use_default_graph_as_union=False):
        ent = by_graph.get(row["g"].value, {}).get(row["e"].value)
        if ent is not None:
            ent.mentions.append(Mention(row["text"].value, int(row["b"].value),
                                        int(row["end"].value)))
    return {g: Extraction(Article(id=g, text=""), list(ents.values()))
            for g, ents in by_graph.items()}


def _quads(graph: str, ent: Entity) -> list[Quad]:
    g, s = NamedNode(graph), NamedNode(ent.id)
    dec = NamedNode(PREFIXES["xsd"] + "decimal")
    quads = [Quad(s, NamedNode(PREFIXES["owl"] + "sameAs"),
                  NamedNode(PREFIXES["wd"] + str(ent.wikidata)), g),
             Quad(s, NamedNode(KGO + "wikidataId"), Literal(str(ent.wikidata)), g),
             Quad(s, NamedNode(KGO + "linkConfidence"),
                  Literal(str(round(ent.link_confidence or 0.0, 3)), datatype=dec), g),
             Quad(s, NamedNode(KGO + "linkMethod"), Literal(str(ent.link_method)), g)]
    if ent.lat is not None and ent.lon is not None:
        quads += [Quad(s, NamedNode(PREFIXES["wgs"] + "lat"), Literal(str(ent.lat),
                       datatype=dec), g),
                  Quad(s, NamedNode(PREFIXES["wgs"] + "long"), Literal(str(ent.lon),
                       datatype=dec), g)]
    return quads


def link_store(store: Store, *, linker: Linker | None = None,
               online: OnlineLinker | None = None) -> LinkReport:
    """Add links for every stored entity that has none; return counts."""
    linker = linker or default_linker()
    report = LinkReport()
    for graph, extraction in _graph_extractions(store).items():
        before = {e.id for e in extraction.entities if e.wikidata}
        report.entities += len(extraction.entities)
        report.already += len(before)
        todo = [e for e in extraction.entities if not e.wikidata]
        ctx = linker.context(extraction)  # linked entities still give context
        for ent in todo:
            apply_decision(ent, linker.decide(ent, ctx))
        fresh = [e for e in todo if e.wikidata]
        report.offline += len(fresh)
        if online is not None:
            online_new = online.link(extraction)
            report.online += len(online_new)
            fresh += online_new
        quads = [q for e in fresh for q in _quads(graph, e)]
        if quads:
            store.extend(quads)
    return report
