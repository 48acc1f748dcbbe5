"""The mapping from records to quads: pure, deterministic, and using only declared terms.

No NLP and no store: records are built by hand, so every expectation here is exact.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad

from kg.mapping import entity_iris, event_iri, extraction_to_quads
from kg.ontology import (
    ENTITIES_GRAPH,
    ENTITY_SUBCLASSES,
    ID,
    KGO,
    PREFIXES,
    article_iri,
    entity_iri,
    extraction_iri,
    geometry_iri,
    graph_iri,
    ontology_path,
)
from kg.records import Article, Entity, Event, Extraction, Mention, Relation

RDF_TYPE = PREFIXES["rdf"] + "type"
XSD = PREFIXES["xsd"]
BUILTIN = (PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"])


def _record(article_id: str = "a-1") -> Extraction:
    art = Article(id=article_id, text="Syrian warplanes struck Aleppo. Iran-backed Hezbollah.",
                  date="2016-05-08", title="T", source="S", url="http://example.org/a")
    ents = [
        Entity("e1", "Syria", "StateActor", wikidata="Q858", subclass="State",
               mentions=[Mention("Syrian", 0, 6, sentence="Syrian warplanes struck Aleppo.")]),
        Entity("e2", "Aleppo", "Location", wikidata="Q41183", lat=36.2, lon=37.16,
               subclass="PopulatedPlace", mentions=[Mention("Aleppo", 24, 30)]),
        Entity("e3", "Iran", "StateActor", wikidata="Q794", mentions=[Mention("Iran", 32, 36)]),
        Entity("e4", "Hezbollah", "ArmedGroup", subclass="PoliticalMilitia",
               mentions=[Mention("Hezbollah", 44, 53, confidence=0.8)]),
    ]
    ev = Event("v1", "Explosions/Remote violence", "Air/drone strike", "Syrian warplanes struck "
               "Aleppo.", 0, 31, date="2016-05-08", location="e2", actors=["e1"], injuries=7,
               injuries_approximate=True, injuries_phrase="at least seven")
    rel = Relation("e3", "supports", "e4", text="Iran-backed Hezbollah.", start=32, end=54)
    return Extraction(art, ents, [ev], [rel], extractor="kg-extract/test")


def _props(quads: list[Quad], subject: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for q in quads:
        if q.subject.value == subject:
            name = q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            out.setdefault(name, []).append(q.object)
    return out


def _event_subject(quads: list[Quad]) -> str:
    events = {q.subject.value for q in quads if q.predicate.value == KGO + "subEventType"}
    assert len(events) == 1
    return next(iter(events))


def test_deterministic() -> None:
    assert extraction_to_quads(_record()) == extraction_to_quads(_record())


ENTITY_FACTS = {"type", "label", "sameAs", "wikidataId", "lat", "long", "hasGeometry",
                "countryName", "asWKT"}


def _in(quads: list[Quad], graph: str) -> list[Quad]:
    return [q for q in quads if q.graph_name == NamedNode(graph)]


def test_article_facts_in_the_article_graph_entity_facts_in_the_entities_graph() -> None:
    rec = _full_record()
    quads = extraction_to_quads(rec)
    assert {q.graph_name.value for q in quads} == {graph_iri("a-1"), ENTITIES_GRAPH}
    entities = {entity_iri(e.cls, e.label, e.wikidata) for e in rec.entities}
    shared = _in(quads, ENTITIES_GRAPH)
    described = entities | {geometry_iri(ID + "entity/Q41183"),
                            ID + "extractor/kg-extract-test"}
    assert {q.subject.value for q in shared} == described
    assert {q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for q in shared} \
        <= ENTITY_FACTS
    article = _in(quads, graph_iri("a-1"))
    # the article graph says which entities it mentions, and nothing else about them
    assert {q.predicate.value for q in article if q.subject.value in entities} == \
        {KGO + "mentionedIn", KGO + "supports"}


def test_link_decision_is_on_the_mentions_of_the_article() -> None:
    """The linker decides per article: confidence and method are keyed by the article's
    mentions, so two articles deciding differently never give an entity two values."""
    quads = extraction_to_quads(_full_record())
    props = _props(quads, ID + "mention/a-1/24-30")
    assert props["linkConfidence"] == [Literal("0.9", datatype=NamedNode(XSD + "decimal"))]
    assert props["linkMethod"][0].value == "exact"
    link = [q for q in quads if q.predicate.value in {KGO + "linkConfidence",
                                                       KGO + "linkMethod"}]
    assert link and all(q.graph_name == NamedNode(graph_iri("a-1"))
                        and "/mention/" in q.subject.value for q in link)


def test_two_articles_describe_a_shared_entity_identically() -> None:
    """What the entities graph gets from two articles is the same quads: stored once."""
    one, two = extraction_to_quads(_record("a-1")), extraction_to_quads(_record("b-2"))
    assert set(_in(one, ENTITIES_GRAPH)) == set(_in(two, ENTITIES_GRAPH))
    assert not set(_in(one, graph_iri("a-1"))) & set(_in(two, graph_iri("b-2")))


def test_article_id_naming_the_entities_graph_is_refused() -> None:
    with pytest.raises(ValueError, match="reserved"):
        extraction_to_quads(_record("entities"))


def test_event_shape() -> None:
    quads = extraction_to_quads(_record())
    props = {k: v[0] for k, v in _props(quads, _event_subject(quads)).items()}
    assert props["hasPlace"] == NamedNode(entity_iri("Location", "Aleppo", "Q41183"))
    assert props["hasActor"] == NamedNode("https://w3id.org/kg-conflict/id/entity/Q858")
    assert props["date"] == Literal("2016-05-08", datatype=NamedNode(XSD + "date"))
    assert props["injuries"] == Literal("7", datatype=NamedNode(XSD + "nonNegativeInteger"))
    assert props["injuriesApproximate"].value == "true"
    assert props["injuriesPhrase"].value == "at least seven"
    assert props["sourceArticle"] == NamedNode(article_iri("a-1"))
    assert "placeUnknown" not in props and "dateUnknown" not in props


def test_event_has_only_its_sub_event_class() -> None:
    """The most specific class only: the event-type class follows by rdfs:subClassOf."""
    quads = extraction_to_quads(_record())
    types = [o.value for o in _props(quads, _event_subject(quads))["type"]]
    assert types == [KGO + "AirDroneStrike"]


def test_unknown_place_and_date_are_explicit() -> None:
    rec = _record()
    rec.events[0] = replace(rec.events[0], location=None, date=None)
    quads = extraction_to_quads(rec)
    props = _props(quads, _event_subject(quads))
    assert "hasPlace" not in props and "date" not in props
    assert props["placeUnknown"] == [Literal("true", datatype=NamedNode(XSD + "boolean"))]
    assert props["dateUnknown"] == [Literal("true", datatype=NamedNode(XSD + "boolean"))]


def test_date_range_and_ceasefire() -> None:
    rec = _record()
    rec.events[0] = replace(rec.events[0], event_type="Strategic developments",
                            sub_event_type="Agreement", date="2016-05-08",
                            date_end="2016-05-10", ceasefire_start="2016-05-09",
                            ceasefire_end="2016-05-11")
    quads = extraction_to_quads(rec)
    props = {k: v[0].value for k, v in _props(quads, _event_subject(quads)).items()}
    assert props["type"] == KGO + "Agreement"
    assert (props["date"], props["dateBegin"], props["dateEnd"]) == \
        ("2016-05-08", "2016-05-08", "2016-05-10")
    assert (props["ceasefireStart"], props["ceasefireEnd"]) == ("2016-05-09", "2016-05-11")


def test_period_bounds_and_acled_precision_codes() -> None:
    """An event dated only by "last week" keeps dateUnknown and carries the days the period
    allows with ACLED's time_precision; a placed event carries its geo_precision."""
    rec = _record()
    rec.events[0] = replace(rec.events[0], date=None, date_phrase="last week",
                            date_earliest="2016-05-02", date_latest="2016-05-08",
                            time_precision=2, geo_precision=2)
    quads = extraction_to_quads(rec)
    props = _props(quads, _event_subject(quads))
    assert "date" not in props and props["dateUnknown"][0].value == "true"
    assert (props["dateEarliest"][0], props["dateLatest"][0]) == (
        Literal("2016-05-02", datatype=NamedNode(XSD + "date")),
        Literal("2016-05-08", datatype=NamedNode(XSD + "date")))
    integer = NamedNode(XSD + "integer")
    assert props["timePrecision"] == [Literal("2", datatype=integer)]
    assert props["geoPrecision"] == [Literal("2", datatype=integer)]


def test_no_geo_precision_without_a_place() -> None:
    rec = _record()
    rec.events[0] = replace(rec.events[0], location=None, geo_precision=1)
    quads = extraction_to_quads(rec)
    assert "geoPrecision" not in _props(quads, _event_subject(quads))


def test_territory_change_who_lost_who_gained() -> None:
    rec = _record()
    rec.events[0] = replace(rec.events[0], event_type="Battles",
                            sub_event_type="Non-state actor overtakes territory",
                            territory_lost_by=["e1"], territory_gained_by=["e4"])
    quads = extraction_to_quads(rec)
    props = _props(quads, _event_subject(quads))
    assert props["territoryLostBy"] == [NamedNode(ID + "entity/Q858")]
    assert props["territoryGainedBy"] == [NamedNode(entity_iri("ArmedGroup", "Hezbollah"))]


@pytest.mark.parametrize(("cls", "subclass", "expected"), [
    ("ArmedGroup", "PoliticalMilitia", {"ArmedGroup", "PoliticalMilitia"}),
    ("StateActor", "State", {"StateActor", "State"}),
    ("Location", "Site", {"Location", "Site"}),
    ("Organization", "NewsAgency", {"Organization", "NewsAgency"}),
    ("Weapon", "WeaponSystem", {"Weapon", "WeaponSystem"}),
    ("Person", None, {"Person"}),
    # A subclass that does not belong to the class is not asserted (no ArmedGroup-State).
    ("ArmedGroup", "State", {"ArmedGroup"}),
])
def test_entity_class_and_subclass(cls: str, subclass: str | None, expected: set[str]) -> None:
    rec = _record()
    rec.entities[3] = replace(rec.entities[3], cls=cls, subclass=subclass)
    iri = entity_iri(cls, "Hezbollah")
    quads = extraction_to_quads(rec)
    assert {o.value.rsplit("#", 1)[1] for o in _props(quads, iri)["type"]} == expected


def test_place_geometry_wkt_and_wgs84() -> None:
    quads = extraction_to_quads(_record())
    place = entity_iri("Location", "Aleppo", "Q41183")
    props = _props(quads, place)
    assert props["lat"] == [Literal("36.2", datatype=NamedNode(XSD + "decimal"))]
    assert props["long"] == [Literal("37.16", datatype=NamedNode(XSD + "decimal"))]
    assert props["hasGeometry"] == [NamedNode(geometry_iri(place))]
    wkt = _props(quads, geometry_iri(place))["asWKT"]
    assert wkt == [Literal("POINT(37.16 36.2)",
                           datatype=NamedNode(PREFIXES["geo"] + "wktLiteral"))]


def test_small_coordinates_are_valid_decimals() -> None:
    """str(1e-05) is '1e-05', not an xsd:decimal: regression for exponent notation."""
    rec = _record()
    rec.entities[1] = replace(rec.entities[1], lat=1e-05, lon=-0.0001)
    quads = extraction_to_quads(rec)
    props = _props(quads, entity_iri("Location", "Aleppo", "Q41183"))
    assert (props["lat"][0].value, props["long"][0].value) == ("0.00001", "-0.0001")


def test_unlinked_entity_gets_class_and_label_iri() -> None:
    assert entity_iri("ArmedGroup", "al-Nusra Front") == \
        "https://w3id.org/kg-conflict/id/entity/armedgroup/nusra-front"
    assert entity_iri("ArmedGroup", "The Nusra Front") == entity_iri("ArmedGroup", "Nusra Front")
    assert entity_iri("ArmedGroup", "Nusra Front") != entity_iri("Organization", "Nusra Front")


def test_same_entity_in_two_articles_gets_the_same_iri() -> None:
    one, two = extraction_to_quads(_record("a-1")), extraction_to_quads(_record("b-2"))

    def entities(quads: list[Quad]) -> set[str]:
        return {q.subject.value for q in quads if q.predicate.value == KGO + "mentionedIn"}

    assert entities(one) == entities(two) == {
        ID + "entity/Q858", ID + "entity/Q41183", ID + "entity/Q794",
        ID + "entity/armedgroup/hezbollah"}
    assert _event_subject(one) != _event_subject(two)


def test_same_event_ingested_twice_gets_the_same_iri() -> None:
    first, second = _record(), _record()
    second.events[0] = replace(second.events[0], confidence=0.9, fatalities=2)
    assert _event_subject(extraction_to_quads(first)) == _event_subject(
        extraction_to_quads(second))
    moved = replace(first.events[0], start=40, end=60)
    assert event_iri("a-1", moved, None) != event_iri("a-1", first.events[0], None)


def test_every_extracted_fact_carries_provenance() -> None:
    quads = extraction_to_quads(_record())
    facts = {q.subject.value for q in quads if q.predicate.value == RDF_TYPE
             and q.object.value in {KGO + "Mention", KGO + "RelationAssertion",
                                    KGO + "AirDroneStrike"}}
    assert len(facts) == 4 + 1 + 1
    for fact in facts:
        props = _props(quads, fact)
        assert props["sourceArticle"] == [NamedNode(article_iri("a-1"))], fact
        assert props["wasGeneratedBy"] == [NamedNode(extraction_iri("a-1"))], fact
        assert props["extractorVersion"][0].value == "kg-extract/test", fact
        assert {"beginIndex", "endIndex", "confidence"} <= props.keys(), fact
    mention = _props(quads, ID + "mention/a-1/44-53")
    assert mention["anchorOf"][0].value == "Hezbollah"
    assert mention["confidence"][0] == Literal("0.8", datatype=NamedNode(XSD + "decimal"))
    activity = _props(quads, extraction_iri("a-1"))
    assert activity["used"] == [NamedNode(article_iri("a-1"))]


def test_mentions_carry_offsets() -> None:
    quads = extraction_to_quads(_record())
    begins = {q.object.value for q in quads if q.predicate.value == KGO + "beginIndex"}
    assert {"0", "24", "32", "44"} <= begins


def test_article_node() -> None:
    props = {k: v[0].value for k, v in
             _props(extraction_to_quads(_record()), article_iri("a-1")).items()}
    assert props["title"] == "T" and props["date"] == "2016-05-08"
    assert props["url"] == "http://example.org/a" and len(props["contentHash"]) == 64


# ---- every term used is declared, with the declared datatype --------------------------------

def _ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_path())


def undeclared_terms(quads: list[Quad], onto: rdflib.Graph) -> set[str]:
    """Predicates and classes (kgo: and external) the ontology does not declare."""
    declared = {str(s) for s in onto.subjects(rdflib.RDF.type, None)}
    used = set()
    for q in quads:
        used.add(q.predicate.value)
        if q.predicate.value == RDF_TYPE:
            used.add(q.object.value)
    return {u for u in used if not u.startswith(BUILTIN)} - declared


def wrong_datatypes(quads: list[Quad], onto: rdflib.Graph) -> set[tuple[str, str, str]]:
    """(property, literal datatype, declared range) where they differ or no range is declared."""
    bad = set()
    for q in quads:
        if not isinstance(q.object, Literal) or q.predicate.value.startswith(BUILTIN):
            continue
        ranges = {str(r) for r in onto.objects(rdflib.URIRef(q.predicate.value), rdflib.RDFS.range)}
        if q.object.datatype.value not in ranges:
            bad.add((q.predicate.value, q.object.datatype.value, ",".join(sorted(ranges))))
    return bad


def _full_record() -> Extraction:
    """A record that exercises every optional branch of the mapping."""
    rec = _record()
    rec.entities[1] = replace(rec.entities[1], country="Syria", link_confidence=0.9,
                              link_method="exact")
    rec.events[0] = replace(rec.events[0], date_end="2016-05-09", date_phrase="on Sunday",
                            fatalities=3, fatalities_phrase="three", targets=["e4"],
                            reported_by=["e3"], weapons=["e4"], territory_lost_by=["e1"],
                            territory_gained_by=["e4"], ceasefire_start="2016-05-08",
                            ceasefire_end="2016-05-09")
    return rec


def test_every_term_used_is_declared_in_the_ontology() -> None:
    assert not undeclared_terms(extraction_to_quads(_full_record()), _ontology())


def test_every_literal_has_the_declared_datatype() -> None:
    assert not wrong_datatypes(extraction_to_quads(_full_record()), _ontology())


def test_the_declaration_checks_can_fail() -> None:
    """The two checks above catch an undeclared term and a wrong datatype."""
    g = NamedNode(graph_iri("a-1"))
    bad = [Quad(NamedNode(ID + "x"), NamedNode(KGO + "notAProperty"), NamedNode(ID + "y"), g),
           Quad(NamedNode(ID + "x"), NamedNode(RDF_TYPE), NamedNode(KGO + "NotAClass"), g),
           Quad(NamedNode(ID + "x"), NamedNode(KGO + "fatalities"),
                Literal("3", datatype=NamedNode(XSD + "string")), g)]
    assert undeclared_terms(bad, _ontology()) == {KGO + "notAProperty", KGO + "NotAClass"}
    assert wrong_datatypes(bad[2:], _ontology()) == {
        (KGO + "fatalities", XSD + "string", XSD + "nonNegativeInteger")}


def test_entity_subclasses_are_ontology_subclasses() -> None:
    onto = _ontology()
    for cls, subs in ENTITY_SUBCLASSES.items():
        for sub in subs:
            assert (rdflib.URIRef(KGO + sub), rdflib.RDFS.subClassOf,
                    rdflib.URIRef(KGO + cls)) in onto, sub


@pytest.mark.parametrize(("method", "town_iri", "area_iri"), [
    ("offline:exact", ID + "entity/location/sy-hama", ID + "entity/location/sy-hama-governorate"),
    ("nil", ID + "entity/location/hama", ID + "entity/location/hama"),
])
def test_gazetteer_entries_without_qid_get_their_key_iri(method: str, town_iri: str,
                                                         area_iri: str) -> None:
    """Regression: a town and the province named after it share a label; keyed IRIs keep
    them apart (they had one IRI with two points). A NIL entity keeps the label IRI: the
    linker did not accept the entry, so its key says nothing about identity."""
    rec = _record()
    town = Entity(id="t", label="Hama", cls="Location", key="sy-hama", link_method=method)
    area = Entity(id="a", label="Hama", cls="Location", key="sy-hama-governorate",
                  link_method=method)
    rec.entities[:] = [town, area]
    assert entity_iris(rec) == {"t": town_iri, "a": area_iri}
