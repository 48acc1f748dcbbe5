"""The example queries in queries/: they parse, answer on the sample, and repeat no rows.

Oxigraph evaluates the union default graph as a bag: a fact stated in k graphs matches k
times. Entity descriptions (a shared place's label) are therefore stated once, in the
entities graph, and the examples join through them without `GRAPH ?g`; these tests are the
regression for the duplicate and exploding rows that copies in every article graph gave.
"""

from __future__ import annotations

from collections import Counter

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
    'Aleppo again on Thursday. The UK-based Syrian Observatory for Human Rights said the '
    'raids hit the rebel-held town of Khan Touman."}\n')


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


TUNED = [ex for ex in LOCAL if ex.plain]


def test_the_tuned_examples_are_the_ones_with_a_readable_form() -> None:
    """01, 02, 04 and 05 steer Oxigraph's planner; a reader needs the plain form beside them."""
    assert {ex.name[:2] for ex in TUNED} >= {"01", "02", "04", "05"}
    for ex in LOCAL:
        assert ("SELECT" in ex.query.split("WHERE", 1)[1]) <= bool(ex.plain), (
            f"{ex.name} uses a sub-SELECT but has no queries/plain/ form")


@pytest.mark.parametrize("example", TUNED, ids=[ex.name for ex in TUNED])
def test_tuned_example_gives_the_rows_of_its_plain_form(shared_store: Store,
                                                        example: ExampleQuery) -> None:
    """A query rewritten for speed must answer exactly what its readable form answers: the
    same variables and the same rows, each as often (a bag, not a set)."""

    def rows(text: str) -> tuple[list[str], Counter[tuple[str | None, ...]]]:
        result = run_query(shared_store, text)
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables]
        return names, Counter(tuple(None if r[n] is None else str(r[n]) for n in names)
                              for r in result)

    assert example.plain is not None
    names, expected = rows(example.plain)
    assert sum(expected.values()) >= 3, f"{example.name}: too few rows to compare on the sample"
    assert rows(example.query) == (names, expected)
