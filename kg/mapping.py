"""Map extraction records to RDF: a pure function from an Extraction to quads.

No NLP and no store here: the same record always gives the same quads (deterministic
IRIs), which is what makes re-ingesting an article idempotent and the mapping testable.
Every fact lands in the article's named graph; entities, events and relations carry their
provenance (article, sentence, character offsets, confidence, extractor version).
"""

from __future__ import annotations

import hashlib

from pyoxigraph import Literal, NamedNode, Quad

from kg.ontology import (
    EVENT_TYPE_CLASSES,
    ID,
    KGO,
    PREFIXES,
    SUB_EVENT_CLASSES,
    article_iri,
    entity_iri,
    graph_iri,
)
from kg.records import Entity, Event, Extraction, Mention

RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = NamedNode(PREFIXES["rdfs"] + "label")
XSD = PREFIXES["xsd"]
WD = PREFIXES["wd"]


def kgo(name: str) -> NamedNode:
    return NamedNode(KGO + name)


def _ns(prefix: str, name: str) -> NamedNode:
    return NamedNode(PREFIXES[prefix] + name)


def _typed(value: object, datatype: str) -> Literal:
    return Literal(str(value).lower() if isinstance(value, bool) else str(value),
                   datatype=NamedNode(XSD + datatype))


def content_hash(text: str) -> str:
    """SHA-256 of the article text: tells a changed article from an unchanged one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_iri(article_id: str, event: Event, location_iri: str | None) -> str:
    """Deterministic event IRI: article + type + place + date + evidence offsets."""
    basis = "|".join([article_id, event.sub_event_type, location_iri or "", event.date or "",
                      str(event.start), str(event.end)])
    return ID + f"event/{graph_iri(article_id).rsplit('/', 1)[1]}/" \
        + hashlib.sha1(basis.encode()).hexdigest()[:16]


def mention_iri(article_id: str, start: int, end: int) -> str:
    return ID + f"mention/{graph_iri(article_id).rsplit('/', 1)[1]}/{start}-{end}"


class _Builder:
    """Collects quads for one article graph."""

    def __init__(self, graph: str) -> None:
        self.graph = NamedNode(graph)
        self.quads: list[Quad] = []

    def add(self, s: str | NamedNode, p: NamedNode, o: NamedNode | Literal | str) -> None:
        subj = NamedNode(s) if isinstance(s, str) else s
        obj = NamedNode(o) if isinstance(o, str) else o
        self.quads.append(Quad(subj, p, obj, self.graph))

    def lit(self, s: str, p: NamedNode, value: object, datatype: str | None = None) -> None:
        if value is None:
            return
        self.add(s, p, _typed(value, datatype) if datatype else Literal(str(value)))


def entity_iris(extraction: Extraction) -> dict[str, str]:
    """Local entity id -> stable IRI for the entities of one extraction."""
    return {e.id: entity_iri(e.cls, e.label, e.wikidata) for e in extraction.entities}


def _map_mention(b: _Builder, article: str, art_id: str, target: str, m: Mention,
                 extractor: str) -> None:
    node = mention_iri(art_id, m.start, m.end)
    b.add(node, RDF_TYPE, kgo("Mention"))
    b.add(node, kgo("mentionOf"), target)
    b.lit(node, kgo("anchorOf"), m.text)
    b.lit(node, kgo("beginIndex"), m.start, "nonNegativeInteger")
    b.lit(node, kgo("endIndex"), m.end, "nonNegativeInteger")
    b.lit(node, kgo("sentence"), m.sentence)
    b.lit(node, kgo("confidence"), round(m.confidence, 3), "decimal")
    b.lit(node, kgo("extractorVersion"), extractor)
    b.add(node, kgo("sourceArticle"), article)


def _map_entity(b: _Builder, article: str, art_id: str, iri: str, e: Entity,
                extractor: str) -> None:
    b.add(iri, RDF_TYPE, kgo(e.cls))
    b.lit(iri, RDFS_LABEL, e.label)
    if e.wikidata:
        b.add(iri, _ns("owl", "sameAs"), WD + e.wikidata)
        b.lit(iri, kgo("wikidataId"), e.wikidata)
        if e.link_confidence is not None:
            b.lit(iri, kgo("linkConfidence"), round(e.link_confidence, 3), "decimal")
        b.lit(iri, kgo("linkMethod"), e.link_method)
    if e.lat is not None and e.lon is not None:
        b.lit(iri, _ns("wgs", "lat"), e.lat, "decimal")
        b.lit(iri, _ns("wgs", "long"), e.lon, "decimal")
    b.lit(iri, kgo("countryName"), e.country)
    b.add(iri, kgo("mentionedIn"), article)
    for m in e.mentions:
        _map_mention(b, article, art_id, iri, m, extractor)


def _map_event(b: _Builder, article: str, iri: str, ev: Event, ents: dict[str, str],
               extractor: str) -> None:
    b.add(iri, RDF_TYPE, kgo(SUB_EVENT_CLASSES.get(ev.sub_event_type, "Event")))
    b.add(iri, RDF_TYPE, kgo(EVENT_TYPE_CLASSES.get(ev.event_type, "Event")))
    b.lit(iri, kgo("eventType"), ev.event_type)
    b.lit(iri, kgo("subEventType"), ev.sub_event_type)
    b.lit(iri, RDFS_LABEL, f"{ev.sub_event_type} ({ev.trigger or ev.event_type})")
    b.lit(iri, kgo("date"), ev.date, "date")
    b.lit(iri, kgo("dateEnd"), ev.date_end, "date")
    b.lit(iri, kgo("datePhrase"), ev.date_phrase)
    if ev.location:
        b.add(iri, kgo("hasPlace"), ents[ev.location])
    for prop, ids in (("hasActor", ev.actors), ("hasTarget", ev.targets),
                      ("reportedBy", ev.reported_by), ("usedWeapon", ev.weapons)):
        for local in ids:
            b.add(iri, kgo(prop), ents[local])
    for name, value, approx, phrase in (
            ("fatalities", ev.fatalities, ev.fatalities_approximate, ev.fatalities_phrase),
            ("injuries", ev.injuries, ev.injuries_approximate, ev.injuries_phrase)):
        if value is not None:
            b.lit(iri, kgo(name), value, "nonNegativeInteger")
            b.lit(iri, kgo(name + "Approximate"), approx, "boolean")
            b.lit(iri, kgo(name + "Phrase"), phrase)
    b.add(iri, kgo("sourceArticle"), article)
    b.lit(iri, kgo("evidence"), ev.text)
    b.lit(iri, kgo("beginIndex"), ev.start, "nonNegativeInteger")
    b.lit(iri, kgo("endIndex"), ev.end, "nonNegativeInteger")
    b.lit(iri, kgo("confidence"), round(ev.confidence, 3), "decimal")
    b.lit(iri, kgo("extractorVersion"), extractor)


def extraction_to_quads(extraction: Extraction) -> list[Quad]:
    """All quads of one article's named graph. Pure and deterministic."""
    art = extraction.article
    article = article_iri(art.id)
    b = _Builder(graph_iri(art.id))
    b.add(article, RDF_TYPE, kgo("Article"))
    b.lit(article, kgo("articleId"), art.id)
    b.lit(article, _ns("dcterms", "title"), art.title)
    b.lit(article, _ns("dcterms", "date"), art.date, "date")
    b.lit(article, _ns("dcterms", "source"), art.source)
    if art.url:
        b.lit(article, _ns("schema", "url"), art.url, "anyURI")
    b.lit(article, kgo("contentHash"), content_hash(art.text))
    b.lit(article, kgo("extractorVersion"), extraction.extractor)
    ents = entity_iris(extraction)
    for e in extraction.entities:
        _map_entity(b, article, art.id, ents[e.id], e, extraction.extractor)
    for ev in extraction.events:
        loc = ents.get(ev.location) if ev.location else None
        _map_event(b, article, event_iri(art.id, ev, loc), ev, ents, extraction.extractor)
    for rel in extraction.relations:
        s, o = ents[rel.subject], ents[rel.object]
        b.add(s, kgo(rel.predicate), o)
        node = ID + "assertion/" + hashlib.sha1(f"{art.id}|{s}|{rel.predicate}|{o}".encode()
                                                ).hexdigest()[:16]
        b.add(node, RDF_TYPE, kgo("RelationAssertion"))
        b.add(node, kgo("assertedSubject"), s)
        b.add(node, kgo("assertedPredicate"), kgo(rel.predicate))
        b.add(node, kgo("assertedObject"), o)
        b.lit(node, kgo("sentence"), rel.text)
        b.lit(node, kgo("beginIndex"), rel.start, "nonNegativeInteger")
        b.lit(node, kgo("endIndex"), rel.end, "nonNegativeInteger")
        b.lit(node, kgo("confidence"), round(rel.confidence, 3), "decimal")
        b.add(node, kgo("sourceArticle"), article)
    return list(dict.fromkeys(b.quads))
