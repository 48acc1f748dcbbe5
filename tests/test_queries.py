"""The example queries in queries/: they parse, answer on the sample, and repeat no rows.

Oxigraph evaluates the union default graph as a bag: a fact stated in k graphs matches k
times. Entity descriptions (a shared place's label) are therefore stated once, in the
entities graph, and the examples join through them without `GRAPH ?g`; these tests are the
regression for the duplicate and exploding rows that copies in every article graph gave.
"""

from __future__ import annotations

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.extract.pipeline import Extractor
from kg.ingest import ingest, sample_paths
from kg.ontology import ENTITIES_GRAPH
from kg.queries import ExampleQuery, load_examples
from kg.querying import run_query

LOCAL = [ex for ex in load_examples() if "SERVICE" not in ex.query]


def test_every_example_has_title_and_description() -> None:
    assert len(load_examples()) >= 5
    for ex in load_examples():
        assert ex.title != ex.name and ex.description


# A follow-up report naming the same places, actors and monitor as the demo articles, so that
# their labels, coordinates and links stand in several article graphs.
FOLLOW_UP = (
    '{"id": "follow-up", "date": "2016-05-10", "text": "Syrian warplanes struck Khan Touman '
    'near Aleppo on Monday, killing five fighters, the Syrian Observatory for Human Rights '
    'said. Iran-backed Hezbollah fighters clashed with rebels in Aleppo. Islamic State '
    'militants shelled Mosul on Monday, wounding three people, Reuters reported."}\n'
    '{"id": "follow-up-2", "date": "2016-05-12", "text": "Rebels shelled Aleppo on Wednesday, '
    'killing two civilians, the Syrian Observatory for Human Rights said. Russian jets struck '
    'Aleppo again on Thursday."}\n')


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Store:
    extra = tmp_path_factory.mktemp("queries") / "follow-up.jsonl"
    extra.write_text(FOLLOW_UP)
    store = Store()
    report = ingest([*sample_paths(), extra], store, extractor=extractor)
    assert report.ok
    return store


@pytest.mark.parametrize("example", LOCAL, ids=[ex.name for ex in LOCAL])
def test_example_answers_without_duplicate_rows(shared_store: Store,
                                                example: ExampleQuery) -> None:
    result = run_query(shared_store, example.query)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [tuple(None if r[n] is None else str(r[n]) for n in names) for r in result]
    assert rows, f"{example.name} returned nothing on the sample"
    assert len(rows) == len(set(rows)), f"{example.name} repeats rows"


def test_events_by_type_counts_every_event_once(shared_store: Store) -> None:
    """01 counts per sub-event type and reads the event type from one example (for speed):
    its rows must equal the plain two-pattern GROUP BY over all events."""
    fast = next(ex for ex in LOCAL if ex.name.startswith("01-"))
    plain = """PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>
    SELECT ?eventType ?subEventType (COUNT(DISTINCT ?event) AS ?events) WHERE {
      ?event kgo:eventType ?eventType ; kgo:subEventType ?subEventType . }
    GROUP BY ?eventType ?subEventType"""

    def rows(text: str) -> set[tuple[str, str, int]]:
        return {(r["eventType"].value, r["subEventType"].value, int(r["events"].value))
                for r in run_query(shared_store, text)}

    expected = rows(plain)
    assert len(expected) >= 3
    assert rows(fast.query) == expected


PREFIXES = """PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""


def test_naive_join_through_a_shared_place_returns_each_row_once(shared_store: Store) -> None:
    """No GRAPH, no DISTINCT: events joined to the label and coordinates of their place, where
    the place is mentioned by several articles, come back once per event."""
    shared = PREFIXES + """SELECT ?p (COUNT(DISTINCT ?g) AS ?articles) WHERE {
      ?event kgo:hasPlace ?p . GRAPH ?g { ?p kgo:mentionedIn ?a } }
    GROUP BY ?p HAVING (COUNT(DISTINCT ?g) >= 3)"""
    assert list(run_query(shared_store, shared)), "no place with events in >= 3 articles"
    naive = PREFIXES + """SELECT ?event ?place ?lat ?long WHERE {
      ?event kgo:hasPlace ?p . ?p rdfs:label ?place .
      OPTIONAL { ?p wgs:lat ?lat ; wgs:long ?long } }"""
    rows = [tuple(str(v) for v in r) for r in run_query(shared_store, naive)]
    placed = PREFIXES + "SELECT DISTINCT ?event ?p WHERE { ?event kgo:hasPlace ?p }"
    assert len(rows) == len(set(rows)) == len(list(run_query(shared_store, placed)))


def test_entity_description_is_stated_once(shared_store: Store) -> None:
    """Labels and coordinates of places many articles mention are in one graph only."""
    query = PREFIXES + """SELECT DISTINCT ?g WHERE {
      ?e kgo:hasPlace ?p . GRAPH ?g { ?p rdfs:label|wgs:lat ?v } }"""
    graphs = {r["g"].value for r in run_query(shared_store, query)}
    assert graphs == {ENTITIES_GRAPH}


def test_casualties_finds_exactly_the_events_with_a_count(shared_store: Store) -> None:
    """04 starts from the events that have a count (for speed): its rows must equal the
    plain form that filters every event on BOUND(?fatalities) || BOUND(?injuries)."""
    fast = next(ex for ex in LOCAL if ex.name.startswith("04-"))
    plain = """PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT DISTINCT ?event ?subEventType ?date ?fatalities ?injuries ?reporter ?evidence {
      ?event kgo:subEventType ?subEventType ; kgo:evidence ?evidence .
      OPTIONAL { ?event kgo:fatalities ?fatalities }
      OPTIONAL { ?event kgo:injuries ?injuries }
      FILTER (BOUND(?fatalities) || BOUND(?injuries))
      OPTIONAL { ?event kgo:date ?date }
      OPTIONAL { ?event kgo:reportedBy/rdfs:label ?reporter } }"""

    def rows(text: str) -> set[tuple[str | None, ...]]:
        result = run_query(shared_store, text)
        names = [v.value for v in result.variables]
        return {tuple(None if r[n] is None else str(r[n]) for n in names) for r in result}

    expected = rows(plain)
    assert len(expected) >= 3
    assert rows(fast.query) == expected
