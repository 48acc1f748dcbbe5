"""The ontology (ontology/kg.ttl) and the SHACL shapes (ontology/shapes.ttl).

Checks that the ontology parses and says what the issue promises (ACLED classes with our
definitions and the ACLED strings, alignments, property characteristics), that the sample
graph is consistent under OWL-RL and conforms to the shapes, that the shapes catch each kind
of bad data, and that `kg validate` and `/ontology` work.
"""

from __future__ import annotations

import json
from pathlib import Path

import owlrl
import pytest
import rdflib
import requests
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, Store
from rdflib import OWL, RDF, RDFS, SKOS, URIRef
from rdflib.compare import isomorphic

from kg.cli import main
from kg.mapping import extraction_to_quads
from kg.ontology import (
    ENTITY_SUBCLASSES,
    EVENT_TYPE_CLASSES,
    ID,
    KGO,
    PROJECT_ROOT,
    SUB_EVENT_CLASSES,
    entity_iri,
    graph_iri,
    ontology_path,
)
from kg.records import Article, Entity, Event, Extraction, Mention
from kg.store import replace_graph
from kg.validate import quads_to_graph, validate_quads, validate_store

K = rdflib.Namespace(KGO)
SEM = rdflib.Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
# A plain Namespace: pytest probes module attributes, and rdflib.XSD warns on unknown names.
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")

# The ACLED codebook: event type -> its sub-event types (facts, not text).
ACLED = {
    "Battles": ["Armed clash", "Government regains territory",
                "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Air/drone strike", "Shelling/artillery/missile attack",
                                   "Remote explosive/landmine/IED", "Suicide bomb", "Grenade",
                                   "Chemical weapon"],
    "Violence against civilians": ["Attack", "Abduction/forced disappearance",
                                   "Sexual violence"],
    "Protests": ["Peaceful protest", "Protest with intervention",
                 "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Looting/property destruction",
                               "Headquarters or base established",
                               "Non-violent transfer of territory", "Change to group/activity",
                               "Disrupted weapons use", "Other"],
}


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_path("kg.ttl"), format="turtle")


# ---- the ontology document ------------------------------------------------------------------

def test_header_has_version_iri_and_changelog(onto: rdflib.Graph) -> None:
    node = URIRef("https://w3id.org/kg-conflict/ontology")
    assert (node, RDF.type, OWL.Ontology) in onto
    version = str(onto.value(node, OWL.versionInfo))
    assert str(onto.value(node, OWL.versionIRI)).endswith("/" + version)
    history = str(onto.value(node, SKOS.historyNote))
    assert history.startswith(version + ":")


def test_acled_tree_matches_the_codebook(onto: rdflib.Graph) -> None:
    assert set(EVENT_TYPE_CLASSES) == set(ACLED)
    assert set(SUB_EVENT_CLASSES) == {s for subs in ACLED.values() for s in subs}
    for event_type, subs in ACLED.items():
        parent = K[EVENT_TYPE_CLASSES[event_type]]
        assert (parent, RDFS.subClassOf, K.Event) in onto
        for sub in subs:
            assert (K[SUB_EVENT_CLASSES[sub]], RDFS.subClassOf, parent) in onto, sub


@pytest.mark.parametrize("acled", [*ACLED, *SUB_EVENT_CLASSES])
def test_event_class_has_notation_and_our_definition(onto: rdflib.Graph, acled: str) -> None:
    cls = K[SUB_EVENT_CLASSES.get(acled) or EVENT_TYPE_CLASSES[acled]]
    assert (cls, RDF.type, OWL.Class) in onto
    assert [str(n) for n in onto.objects(cls, SKOS.notation)] == [acled]
    definition = onto.value(cls, SKOS.definition)
    assert definition is not None and definition.language == "en" and len(definition) > 30


def test_every_kgo_term_has_a_label_and_definition(onto: rdflib.Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {s for k in kinds for s in onto.subjects(RDF.type, k) if str(s).startswith(KGO)}
    assert len(terms) > 90
    missing = {t for t in terms if onto.value(t, RDFS.label) is None
               or onto.value(t, SKOS.definition) is None}
    assert not missing


def test_gazetteer_subclasses_are_all_in_the_ontology(onto: rdflib.Graph) -> None:
    seen: set[tuple[str, str]] = set()
    for path in sorted((PROJECT_ROOT / "kg" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            if obj.get("subclass"):
                seen.add((obj["class"], obj["subclass"]))
    assert seen
    for cls, sub in seen:
        assert sub in ENTITY_SUBCLASSES[cls], (cls, sub)
        assert (K[sub], RDFS.subClassOf, K[cls]) in onto


@pytest.mark.parametrize(("subject", "predicate", "obj"), [
    (K.hasActor, RDFS.subPropertyOf, SEM.hasActor),
    (K.hasTarget, RDFS.subPropertyOf, SEM.hasActor),
    (K.hasPlace, RDFS.subPropertyOf, SEM.hasPlace),
    (K.date, RDFS.subPropertyOf, SEM.hasTimeStamp),
    (K.date, RDFS.range, XSD.date),
    (K.dateBegin, RDFS.subPropertyOf, SEM.hasBeginTimeStamp),
    (K.dateEnd, RDFS.subPropertyOf, SEM.hasEndTimeStamp),
    (K.fatalities, RDFS.range, XSD.nonNegativeInteger),
    (K.injuries, RDFS.range, XSD.nonNegativeInteger),
    (K.alliedWith, RDF.type, OWL.SymmetricProperty),
    (K.locatedIn, RDF.type, OWL.TransitiveProperty),
    (K.Event, RDFS.subClassOf, SEM.Event),
    (K.Event, RDFS.subClassOf, URIRef("https://schema.org/Event")),
    (K.Actor, RDFS.subClassOf, SEM.Actor),
    (K.Location, RDFS.subClassOf, URIRef("http://www.opengis.net/ont/geosparql#Feature")),
    (K.Article, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")),
    (K.sourceArticle, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")),
    (K.Country, RDFS.subClassOf, URIRef("http://www.wikidata.org/entity/Q6256")),
    (K.Person, OWL.equivalentClass, URIRef("http://www.wikidata.org/entity/Q5")),
])
def test_alignments_and_characteristics(onto: rdflib.Graph, subject, predicate, obj) -> None:
    assert (subject, predicate, obj) in onto


@pytest.mark.parametrize("prop", ["alliedWith", "supports", "affiliatedWith", "locatedIn",
                                  "controlledBy", "basedIn", "memberOf", "reportedBy",
                                  "usedWeapon", "territoryLostBy", "territoryGainedBy"])
def test_relation_properties_declared(onto: rdflib.Graph, prop: str) -> None:
    assert (K[prop], RDF.type, OWL.ObjectProperty) in onto


# ---- OWL-RL consistency ---------------------------------------------------------------------

def owlrl_errors(data: rdflib.Graph, onto: rdflib.Graph) -> list[str]:
    """Inconsistencies OWL-RL finds in data + ontology (disjointness, owl:Nothing members)."""
    g = rdflib.Graph()
    g += onto
    g += data
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [str(o) for o in g.objects(None, OWLRL_ERROR)]
    errors += [f"{s} is owl:Nothing" for s in g.subjects(RDF.type, OWL.Nothing)]
    return errors


def test_sample_is_consistent_under_owl_rl(sample_store: Store, onto: rdflib.Graph) -> None:
    data = quads_to_graph(sample_store.quads_for_pattern(None, None, None))
    assert len(data) > 500
    assert owlrl_errors(data, onto) == []


def test_owl_rl_check_catches_disjointness(onto: rdflib.Graph) -> None:
    data = rdflib.Graph()
    node = URIRef(ID + "event/x/1")
    data.add((node, RDF.type, K.ArmedClash))
    data.add((node, K.hasPlace, URIRef(ID + "entity/Q41183")))
    data.add((URIRef(ID + "entity/Q41183"), RDF.type, K.Weapon))  # a place that is a weapon
    errors = owlrl_errors(data, onto)
    assert any("Location" in e and "Weapon" in e for e in errors), errors


# ---- SHACL ----------------------------------------------------------------------------------

def test_sample_conforms_to_shapes(sample_store: Store) -> None:
    report = validate_store(sample_store)
    assert report.triples > 500
    assert report.violations == [], "\n".join(map(str, report.violations))


def _record() -> Extraction:
    art = Article(id="v-1", text="Rebels shelled Aleppo, killing five.", date="2020-01-08")
    ents = [Entity("e1", "Aleppo", "Location", wikidata="Q41183", lat=36.2, lon=37.16,
                   mentions=[Mention("Aleppo", 15, 21, sentence=art.text)]),
            Entity("e2", "Rebels", "ArmedGroup", mentions=[Mention("Rebels", 0, 6)])]
    ev = Event("v1", "Explosions/Remote violence", "Shelling/artillery/missile attack",
               art.text, 0, 36, date="2020-01-06", location="e1", actors=["e2"], fatalities=5)
    return Extraction(art, ents, [ev], extractor="kg-extract/test")


def _quads() -> list[Quad]:
    return extraction_to_quads(_record())


GRAPH = NamedNode(graph_iri("v-1"))
MENTION = NamedNode(ID + "mention/v-1/15-21")
PLACE = NamedNode(entity_iri("Location", "Aleppo", "Q41183"))
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def _event() -> NamedNode:
    return next(q.subject for q in _quads() if q.predicate.value == KGO + "subEventType")


def _set(quads: list[Quad], subject: NamedNode, prop: str, value) -> list[Quad]:
    """Replace all values of subject/prop with `value` (None: remove them)."""
    pred = NamedNode(KGO + prop) if ":" not in prop else NamedNode(prop)
    out = [q for q in quads if not (q.subject == subject and q.predicate == pred)]
    if value is not None:
        out.append(Quad(subject, pred, value, GRAPH))
    return out


def _int(v: int) -> Literal:
    return Literal(str(v), datatype=NamedNode(XSD_NS + "integer"))


def test_mapped_record_conforms() -> None:
    report = validate_quads(_quads())
    assert report.conforms, "\n".join(map(str, report.violations))


def _bad(case: str) -> list[Quad]:
    q, ev = _quads(), _event()
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    if case == "two event classes":
        return [*q, Quad(ev, NamedNode(rdf_type), NamedNode(KGO + "ArmedClash"), GRAPH)]
    if case == "only the event-type class":
        return _set(q, ev, rdf_type, NamedNode(KGO + "ExplosionRemoteViolence"))
    if case == "no place and no explicit unknown":
        return _set(q, ev, "hasPlace", None)
    if case == "place and placeUnknown":
        return _set(q, ev, "placeUnknown",
                    Literal("true", datatype=NamedNode(XSD_NS + "boolean")))
    if case == "no date and no explicit unknown":
        return _set(q, ev, "date", None)
    if case == "no source article":
        return _set(q, ev, "sourceArticle", None)
    if case == "negative fatalities":
        return _set(q, ev, "fatalities", _int(-3))
    if case == "bad QID":
        return _set(q, PLACE, "wikidataId", Literal("41183"))
    if case == "begin not before end":
        return _set(q, MENTION, "beginIndex", _int(21))
    if case == "negative offset":
        return _set(q, MENTION, "beginIndex", _int(-1))
    if case == "confidence above 1":
        return _set(q, ev, "confidence",
                    Literal("1.5", datatype=NamedNode(XSD_NS + "decimal")))
    raise AssertionError(case)


@pytest.mark.parametrize(("case", "path", "words"), [
    ("two event classes", "rdf:type", "exactly one ACLED sub-event class"),
    ("only the event-type class", "rdf:type", "exactly one ACLED sub-event class"),
    ("no place and no explicit unknown", None, "placeUnknown"),
    ("place and placeUnknown", None, "not both"),
    ("no date and no explicit unknown", None, "dateUnknown"),
    ("no source article", "kgo:sourceArticle", "source article"),
    ("negative fatalities", "kgo:fatalities", "non-negative"),
    ("bad QID", "kgo:wikidataId", "^Q[0-9]+$"),
    ("begin not before end", "kgo:beginIndex", "smaller than kgo:endIndex"),
    ("negative offset", "kgo:beginIndex", "non-negative"),
    ("confidence above 1", "kgo:confidence", "between 0 and 1"),
])
def test_shapes_catch_bad_data(case: str, path: str | None, words: str) -> None:
    report = validate_quads(_bad(case))
    assert not report.conforms
    hits = [v for v in report.violations if words in v.message and v.path == path]
    assert hits, "\n".join(map(str, report.violations))


# ---- kg validate ----------------------------------------------------------------------------

def _store_with(path: Path, quads: list[Quad]) -> None:
    store = Store(str(path))
    replace_graph(store, GRAPH.value, quads)
    store.flush()
    del store


def test_cli_validate_conforming_store(tmp_path: Path) -> None:
    _store_with(tmp_path / "store", _quads())
    result = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def test_cli_validate_reports_violations_and_exits_1(tmp_path: Path) -> None:
    _store_with(tmp_path / "store", _bad("negative fatalities"))
    result = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "store")])
    assert result.exit_code == 1
    assert "kgo:fatalities must be one non-negative integer" in result.output
    assert graph_iri("v-1") in result.output  # says which article graph
    assert "1 SHACL violation(s)" in result.output


def test_cli_validate_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "no store at" in result.output


# ---- /ontology ------------------------------------------------------------------------------

@pytest.mark.slow
def test_ontology_page_html_for_browsers(live_server: str) -> None:
    resp = requests.get(live_server + "/ontology", timeout=60,
                        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    for name in ("ArmedGroup", "AirDroneStrike", "Air/drone strike", "hasActor", "0.3.0"):
        assert name in resp.text, name


@pytest.mark.slow
def test_ontology_turtle_on_accept(live_server: str, onto: rdflib.Graph) -> None:
    resp = requests.get(live_server + "/ontology", headers={"Accept": "text/turtle"},
                        timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/turtle")
    served = rdflib.Graph().parse(data=resp.text, format="turtle")
    assert isomorphic(served, onto)
    shapes = requests.get(live_server + "/ontology/shapes", timeout=30)
    assert shapes.status_code == 200 and "sh:NodeShape" in shapes.text
