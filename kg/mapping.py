"""Map extraction records to RDF: a pure function from an Extraction to quads.

No NLP and no store here: the same record always gives the same quads (deterministic
IRIs), which is what makes re-ingesting an article idempotent and the mapping testable.

Two named graphs. What the article says goes into the article's graph: the article node,
its prov:Activity, events, relations and their assertions, the mentions (NIF offsets,
sentence, confidence), `kgo:mentionedIn`, and the linker's decision for the article
(`kgo:linkConfidence`, `kgo:linkMethod` on each mention: the linker decides per article, from
the article's context, so two articles may link one entity with different confidence).
What describes an entity whoever mentions it — rdf:type, rdfs:label, owl:sameAs and
kgo:wikidataId, coordinates and geometry, kgo:countryName, all from the gazetteer entry the
linker chose — goes into `ENTITIES_GRAPH` (with the extractor agent, shared by every
article of one extractor version), so the union default graph states each such fact
once however many articles mention the entity (Oxigraph's union is a bag: a label in k
graphs used to match k times). The store holds quads as a set, so writing a description
that is already there is a no-op. The terms used here are declared in `ontology/kg.ttl` and
constrained by `ontology/shapes.ttl`.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad

from kg.ontology import (
    ENTITIES_GRAPH,
    ENTITY_SUBCLASSES,
    EVENT_TYPE_CLASSES,
    ID,
    KGO,
    PREFIXES,
    SUB_EVENT_CLASSES,
    article_iri,
    entity_iri,
    extraction_iri,
    extractor_iri,
    geometry_iri,
    graph_iri,
)
from kg.records import Entity, Event, Extraction, Mention, Relation

RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = NamedNode(PREFIXES["rdfs"] + "label")
XSD = PREFIXES["xsd"]
WD = PREFIXES["wd"]


def kgo(name: str) -> NamedNode:
    return NamedNode(KGO + name)


def _ns(prefix: str, name: str) -> NamedNode:
    return NamedNode(PREFIXES[prefix] + name)


def _lexical(value: object, datatype: str) -> str:
    """Canonical-enough lexical form: `true`/`false`, and decimals never in exponent form
    (str(1e-05) is not a valid xsd:decimal)."""
    if isinstance(value, bool):
        return str(value).lower()
    if datatype == "decimal" and isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def _typed(value: object, datatype: str, ns: str = XSD) -> Literal:
    return Literal(_lexical(value, datatype), datatype=NamedNode(ns + datatype))


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


def assertion_iri(article_id: str, subject: str, predicate: str, obj: str) -> str:
    """One reified relation per (article, s, p, o): a repeated sentence adds no node."""
    basis = f"{article_id}|{subject}|{predicate}|{obj}"
    return ID + "assertion/" + hashlib.sha1(basis.encode()).hexdigest()[:16]


def event_class(event: Event) -> str:
    """The single, most specific class of an event: its ACLED sub-event class.

    An unknown sub-event string falls back to the event-type class (or kgo:Event), which the
    SHACL shapes then report, so a bad record is visible rather than silently retyped.
    """
    return SUB_EVENT_CLASSES.get(event.sub_event_type) \
        or EVENT_TYPE_CLASSES.get(event.event_type, "Event")


class _Builder:
    """Collects quads for one graph."""

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

    def provenance(self, node: str, article: str, activity: str, *, sentence: str | None,
                   start: int | None, end: int | None, confidence: float,
                   extractor: str) -> None:
        """The provenance every extracted fact carries (see README, "Provenance")."""
        self.add(node, kgo("sourceArticle"), article)
        self.add(node, _ns("prov", "wasGeneratedBy"), activity)
        self.lit(node, kgo("sentence"), sentence)
        self.lit(node, kgo("beginIndex"), start, "nonNegativeInteger")
        self.lit(node, kgo("endIndex"), end, "nonNegativeInteger")
        self.lit(node, kgo("confidence"), round(confidence, 3), "decimal")
        self.lit(node, kgo("extractorVersion"), extractor)


class _ArticleMapper:
    """Maps the records of one extraction; holds the article-level IRIs they all share."""

    def __init__(self, extraction: Extraction) -> None:
        art = extraction.article
        self.x = extraction
        self.article = article_iri(art.id)
        self.activity = extraction_iri(art.id)
        self.b = _Builder(graph_iri(art.id))
        self.shared = _Builder(ENTITIES_GRAPH)  # entity descriptions, see the module doc
        self.ents = entity_iris(extraction)

    def run(self) -> list[Quad]:
        self.map_article()
        for e in self.x.entities:
            self.map_entity(self.ents[e.id], e)
        for ev in self.x.events:
            self.map_event(ev)
        for rel in self.x.relations:
            self.map_relation(rel)
        return list(dict.fromkeys(self.b.quads + self.shared.quads))

    def map_article(self) -> None:
        b, art, article = self.b, self.x.article, self.article
        b.add(article, RDF_TYPE, kgo("Article"))
        b.lit(article, kgo("articleId"), art.id)
        b.lit(article, _ns("dcterms", "title"), art.title)
        b.lit(article, _ns("dcterms", "date"), art.date, "date")
        b.lit(article, _ns("dcterms", "source"), art.source)
        if art.url:
            b.lit(article, _ns("schema", "url"), art.url, "anyURI")
        b.lit(article, kgo("contentHash"), content_hash(art.text))
        b.lit(article, kgo("extractorVersion"), self.x.extractor)
        agent = extractor_iri(self.x.extractor)
        b.add(self.activity, RDF_TYPE, kgo("Extraction"))
        b.add(self.activity, _ns("prov", "used"), article)
        b.add(self.activity, _ns("prov", "wasAssociatedWith"), agent)
        self.shared.add(agent, RDF_TYPE, kgo("Extractor"))  # one agent for every article
        self.shared.lit(agent, RDFS_LABEL, self.x.extractor)

    def map_mention(self, target: str, m: Mention, e: Entity) -> None:
        node = mention_iri(self.x.article.id, m.start, m.end)
        self.b.add(node, RDF_TYPE, kgo("Mention"))
        self.b.add(node, kgo("mentionOf"), target)
        self.b.lit(node, kgo("anchorOf"), m.text)
        _decision_facts(self.b, node, e)
        self.b.provenance(node, self.article, self.activity, sentence=m.sentence,
                          start=m.start, end=m.end, confidence=m.confidence,
                          extractor=self.x.extractor)

    def map_entity(self, iri: str, e: Entity) -> None:
        b = self.shared
        b.add(iri, RDF_TYPE, kgo(e.cls))
        if e.subclass in ENTITY_SUBCLASSES.get(e.cls, ()):
            b.add(iri, RDF_TYPE, kgo(e.subclass))
        b.lit(iri, RDFS_LABEL, e.label)
        _link_facts(b, iri, e)
        self.b.add(iri, kgo("mentionedIn"), self.article)
        for m in e.mentions:
            self.map_mention(iri, m, e)

    def map_event(self, ev: Event) -> None:
        b, ents = self.b, self.ents
        place = ents[ev.location] if ev.location else None
        iri = event_iri(self.x.article.id, ev, place)
        b.add(iri, RDF_TYPE, kgo(event_class(ev)))
        b.lit(iri, kgo("eventType"), ev.event_type)
        b.lit(iri, kgo("subEventType"), ev.sub_event_type)
        b.lit(iri, RDFS_LABEL, f"{ev.sub_event_type} ({ev.trigger or ev.event_type})")
        if place:
            b.add(iri, kgo("hasPlace"), place)
            b.lit(iri, kgo("geoPrecision"), ev.geo_precision, "integer")
        else:
            b.lit(iri, kgo("placeUnknown"), True, "boolean")
        if ev.date:
            b.lit(iri, kgo("date"), ev.date, "date")
            if ev.date_end:
                b.lit(iri, kgo("dateBegin"), ev.date, "date")
        else:
            b.lit(iri, kgo("dateUnknown"), True, "boolean")
        b.lit(iri, kgo("dateEnd"), ev.date_end, "date")
        b.lit(iri, kgo("datePhrase"), ev.date_phrase)
        b.lit(iri, kgo("timePrecision"), ev.time_precision, "integer")
        b.lit(iri, kgo("dateEarliest"), ev.date_earliest, "date")
        b.lit(iri, kgo("dateLatest"), ev.date_latest, "date")
        b.lit(iri, kgo("ceasefireStart"), ev.ceasefire_start, "date")
        b.lit(iri, kgo("ceasefireEnd"), ev.ceasefire_end, "date")
        for prop, ids in (("hasActor", ev.actors), ("hasTarget", ev.targets),
                          ("reportedBy", ev.reported_by), ("usedWeapon", ev.weapons),
                          ("territoryLostBy", ev.territory_lost_by),
                          ("territoryGainedBy", ev.territory_gained_by)):
            for local in ids:
                b.add(iri, kgo(prop), ents[local])
        for name, value, approx, phrase in (
                ("fatalities", ev.fatalities, ev.fatalities_approximate, ev.fatalities_phrase),
                ("injuries", ev.injuries, ev.injuries_approximate, ev.injuries_phrase)):
            if value is not None:
                b.lit(iri, kgo(name), value, "nonNegativeInteger")
                b.lit(iri, kgo(name + "Approximate"), approx, "boolean")
                b.lit(iri, kgo(name + "Phrase"), phrase)
        b.lit(iri, kgo("evidence"), ev.text)
        b.provenance(iri, self.article, self.activity, sentence=ev.text, start=ev.start,
                     end=ev.end, confidence=ev.confidence, extractor=self.x.extractor)

    def map_relation(self, rel: Relation) -> None:
        b = self.b
        s, o = self.ents[rel.subject], self.ents[rel.object]
        b.add(s, kgo(rel.predicate), o)
        node = assertion_iri(self.x.article.id, s, rel.predicate, o)
        b.add(node, RDF_TYPE, kgo("RelationAssertion"))
        b.add(node, kgo("assertedSubject"), s)
        b.add(node, kgo("assertedPredicate"), kgo(rel.predicate))
        b.add(node, kgo("assertedObject"), o)
        b.provenance(node, self.article, self.activity, sentence=rel.text, start=rel.start,
                     end=rel.end, confidence=rel.confidence, extractor=self.x.extractor)


def _link_facts(b: _Builder, iri: str, e: Entity) -> None:
    """What a link to a gazetteer entry / Wikidata says about the entity itself."""
    if e.wikidata:
        b.add(iri, _ns("owl", "sameAs"), WD + e.wikidata)
        b.lit(iri, kgo("wikidataId"), e.wikidata)
    if e.lat is not None and e.lon is not None:
        b.lit(iri, _ns("wgs", "lat"), e.lat, "decimal")
        b.lit(iri, _ns("wgs", "long"), e.lon, "decimal")
        geom = geometry_iri(iri)
        b.add(iri, _ns("geo", "hasGeometry"), geom)
        b.add(geom, RDF_TYPE, _ns("geo", "Geometry"))
        wkt = f"POINT({_lexical(e.lon, 'decimal')} {_lexical(e.lat, 'decimal')})"
        b.add(geom, _ns("geo", "asWKT"), _typed(wkt, "wktLiteral", PREFIXES["geo"]))
    b.lit(iri, kgo("countryName"), e.country)


def _decision_facts(b: _Builder, mention: str, e: Entity) -> None:
    """One article's linking decision for the entity, stated on a mention of it there."""
    if e.wikidata:
        if e.link_confidence is not None:
            b.lit(mention, kgo("linkConfidence"), round(e.link_confidence, 3), "decimal")
        b.lit(mention, kgo("linkMethod"), e.link_method)


def link_quads(iri: str, e: Entity, mentions: dict[str, list[str]]) -> list[Quad]:
    """The quads a (later) link of entity `iri` adds, in the shape of the ingest mapping:
    its description in the entities graph, and the decision on its mentions, given as
    {article graph IRI: mention IRIs} (`kg link` uses this)."""
    shared = _Builder(ENTITIES_GRAPH)
    _link_facts(shared, iri, e)
    quads = shared.quads
    for graph, nodes in mentions.items():
        b = _Builder(graph)
        for node in nodes:
            _decision_facts(b, node, e)
        quads += b.quads
    return quads


def entity_iris(extraction: Extraction) -> dict[str, str]:
    """Local entity id -> stable IRI for the entities of one extraction."""
    return {e.id: entity_iri(e.cls, e.label, e.wikidata,
                             None if e.link_method in (None, "nil") else e.key)
            for e in extraction.entities}


def extraction_to_quads(extraction: Extraction) -> list[Quad]:
    """The article graph's quads, then the descriptions of its entities (in
    `ENTITIES_GRAPH`). Pure and deterministic."""
    return _ArticleMapper(extraction).run()
