"""The mapping from records to quads: pure, deterministic, and using only declared terms."""

from __future__ import annotations

import rdflib
from pyoxigraph import NamedNode

from kg.mapping import extraction_to_quads
from kg.ontology import KGO, article_iri, entity_iri, graph_iri, ontology_path
from kg.records import Article, Entity, Event, Extraction, Mention, Relation


def _record() -> Extraction:
    art = Article(id="a-1", text="Syrian warplanes struck Aleppo. Iran-backed Hezbollah.",
                  date="2016-05-08", title="T", source="S", url="http://example.org/a")
    ents = [
        Entity("e1", "Syria", "StateActor", wikidata="Q858",
               mentions=[Mention("Syrian", 0, 6, sentence="Syrian warplanes struck Aleppo.")]),
        Entity("e2", "Aleppo", "Location", wikidata="Q41183", lat=36.2, lon=37.16,
               mentions=[Mention("Aleppo", 24, 30)]),
        Entity("e3", "Iran", "StateActor", wikidata="Q794", mentions=[Mention("Iran", 32, 36)]),
        Entity("e4", "Hezbollah", "ArmedGroup", mentions=[Mention("Hezbollah", 44, 53)]),
    ]
    ev = Event("v1", "Explosions/Remote violence", "Air/drone strike", "Syrian warplanes struck "
               "Aleppo.", 0, 31, date="2016-05-08", location="e2", actors=["e1"], injuries=7,
               injuries_approximate=True, injuries_phrase="at least seven")
    rel = Relation("e3", "supports", "e4", text="Iran-backed Hezbollah.", start=32, end=54)
    return Extraction(art, ents, [ev], [rel], extractor="kg-extract/test")


def test_deterministic() -> None:
    assert extraction_to_quads(_record()) == extraction_to_quads(_record())


def test_everything_in_the_article_graph() -> None:
    quads = extraction_to_quads(_record())
    assert {q.graph_name for q in quads} == {NamedNode(graph_iri("a-1"))}


def test_event_shape() -> None:
    quads = extraction_to_quads(_record())
    events = {q.subject for q in quads if q.predicate.value == KGO + "subEventType"}
    assert len(events) == 1
    ev = next(iter(events))
    props = {q.predicate.value.split("#")[-1]: q.object for q in quads if q.subject == ev}
    assert props["hasPlace"] == NamedNode(entity_iri("Location", "Aleppo", "Q41183"))
    assert props["hasActor"] == NamedNode("https://w3id.org/kg-conflict/id/entity/Q858")
    assert props["date"].value == "2016-05-08"
    assert props["injuries"].value == "7"
    assert props["injuriesApproximate"].value == "true"
    assert props["sourceArticle"] == NamedNode(article_iri("a-1"))


def test_unlinked_entity_gets_class_and_label_iri() -> None:
    assert entity_iri("ArmedGroup", "al-Nusra Front") == \
        "https://w3id.org/kg-conflict/id/entity/armedgroup/nusra-front"
    assert entity_iri("ArmedGroup", "The Nusra Front") == entity_iri("ArmedGroup", "Nusra Front")


def test_mentions_carry_offsets() -> None:
    quads = extraction_to_quads(_record())
    begins = {q.object.value for q in quads if q.predicate.value == KGO + "beginIndex"}
    assert {"0", "24", "32", "44"} <= begins


def test_every_term_used_is_declared_in_the_ontology() -> None:
    onto = rdflib.Graph().parse(ontology_path())
    declared = {str(s) for s in onto.subjects() if str(s).startswith(KGO)}
    used = set()
    for q in extraction_to_quads(_record()):
        used.add(q.predicate.value)
        if q.predicate.value.endswith("#type"):
            used.add(q.object.value)
    undeclared = {u for u in used if u.startswith(KGO)} - declared
    assert not undeclared
