"""Store and ingest: one graph per article, atomic replace, idempotent re-ingest, stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, Store

from kg.extract.pipeline import Extractor
from kg.ingest import ingest, is_stored
from kg.mapping import extraction_to_quads
from kg.ontology import ENTITIES_GRAPH, KGO, PREFIXES, graph_iri
from kg.read import read_articles
from kg.store import (
    StoreError,
    delete_article,
    old_layout_graphs,
    open_store,
    release,
    stats,
)


def _write(path: Path, articles: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles))
    return path


ARTS = [
    {"id": "s1", "date": "2016-05-08", "text": "Syrian warplanes struck Aleppo on Sunday."},
    {"id": "s2", "date": "2017-07-10", "text": "Iraqi forces clashed with Islamic State in Mosul."},
]


def test_one_named_graph_per_article(tmp_path: Path, store: Store, extractor: Extractor) -> None:
    report = ingest([_write(tmp_path / "a.jsonl", ARTS)], store, extractor=extractor)
    assert report.stored == ["s1", "s2"] and report.ok
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {graph_iri("s1"), graph_iri("s2"), ENTITIES_GRAPH}


def test_reingest_is_idempotent_and_replaces_changed(tmp_path: Path, store: Store,
                                                     extractor: Extractor) -> None:
    path = _write(tmp_path / "a.jsonl", ARTS)
    ingest([path], store, extractor=extractor)
    before = len(store)
    again = ingest([path], store, extractor=extractor)
    assert again.stored == [] and again.unchanged == ["s1", "s2"] and len(store) == before
    forced = ingest([path], store, extractor=extractor, force=True)
    assert forced.stored == ["s1", "s2"] and len(store) == before
    changed = [dict(ARTS[0], text="Rebels shelled Homs on Monday."), ARTS[1]]
    report = ingest([_write(path, changed)], store, extractor=extractor)
    assert report.stored == ["s1"]
    old = store.query('ASK { GRAPH ?g { ?s ?p "Syrian warplanes struck Aleppo on Sunday." } }')
    new = store.query('ASK { GRAPH ?g { ?s ?p "Rebels shelled Homs on Monday." } }')
    assert not bool(old) and bool(new)


def test_bad_records_do_not_stop_the_rest(tmp_path: Path, store: Store,
                                          extractor: Extractor) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(ARTS[0]) + "\n{broken\n" + json.dumps(ARTS[1]) + "\n")
    report = ingest([path], store, extractor=extractor)
    assert report.stored == ["s1", "s2"]
    assert len(report.errors) == 1 and report.errors[0].line == 2


def test_stats_counts(sample_store: Store) -> None:
    s = stats(sample_store)
    assert s.articles == 20 and s.graphs == 21  # and the entities graph
    assert old_layout_graphs(sample_store) == 0
    assert s.triples == len(sample_store)
    assert sum(s.events_by_class.values()) > 5
    assert s.entities_by_class["Location"] > 3


def test_second_writer_gets_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "st"
    first = open_store(path)
    with pytest.raises(StoreError, match="locked"):
        open_store(path)
    release(first, path)
    del first


def test_file_instead_of_store(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StoreError, match="not a store"):
        open_store(f)
    with pytest.raises(StoreError, match="no store"):
        open_store(tmp_path / "missing", read_only=True)


def _described(store: Store) -> set[str]:
    return {q.subject.value for q in store.quads_for_pattern(None, None, None,
                                                              NamedNode(ENTITIES_GRAPH))}


SHARED = [
    {"id": "t1", "date": "2016-05-08", "text": "Syrian warplanes struck Aleppo on Sunday."},
    {"id": "t2", "date": "2016-05-09", "text": "Rebels shelled Aleppo and Homs on Monday."},
]


def _mentioned(store: Store, article_id: str) -> set[str]:
    return {q.subject.value for q in store.quads_for_pattern(
        None, NamedNode(KGO + "mentionedIn"), None, NamedNode(graph_iri(article_id)))}


def test_entity_descriptions_follow_the_articles_mentioning_them(
        tmp_path: Path, store: Store, extractor: Extractor) -> None:
    """A description stays while some article mentions the entity, and goes with the last."""
    path = _write(tmp_path / "a.jsonl", SHARED)
    ingest([path], store, extractor=extractor)
    one, two = _mentioned(store, "t1"), _mentioned(store, "t2")
    shared, only_two = one & two, two - one
    assert shared and only_two  # Aleppo; Homs and the rebels
    assert one | two <= _described(store)
    labels = store.quads_for_pattern(None, NamedNode(PREFIXES["rdfs"] + "label"), None, None)
    assert {q.graph_name.value for q in labels if q.subject.value in shared} == \
        {ENTITIES_GRAPH}
    changed = [SHARED[0], dict(SHARED[1], text="Rebels shelled Hama on Monday.")]
    ingest([_write(path, changed)], store, extractor=extractor)
    now_two = _mentioned(store, "t2")
    assert shared <= _described(store)
    gone = only_two - now_two
    assert gone and not gone & _described(store)
    assert now_two <= _described(store)
    delete_article(store, "t1")
    assert not (one - now_two) & _described(store)
    assert now_two <= _described(store)


def test_old_layout_is_detected_and_replaced(tmp_path: Path, store: Store,
                                             extractor: Extractor) -> None:
    """A graph written by kg 0.1 (descriptions inside the article graph) is counted, is not
    taken as stored (the extractor version changed), and re-ingesting moves it."""
    path = _write(tmp_path / "a.jsonl", SHARED[:1])
    article = next(read_articles([path]))
    graph = NamedNode(graph_iri("t1"))
    old = [Quad(q.subject, q.predicate, q.object, graph)
           for q in extraction_to_quads(extractor.extract_one(article))]
    store.extend(old)
    assert old_layout_graphs(store) == 1
    assert not is_stored(store, article)
    report = ingest([path], store, extractor=extractor)
    assert report.stored == ["t1"] and old_layout_graphs(store) == 0


def test_stats_cli_names_old_layout_graphs(tmp_path: Path, extractor: Extractor) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    path = _write(tmp_path / "a.jsonl", SHARED[:1])
    article = next(read_articles([path]))
    store = Store(str(tmp_path / "st"))
    graph = NamedNode(graph_iri("t1"))
    store.extend(Quad(q.subject, q.predicate, q.object, graph)
                 for q in extraction_to_quads(extractor.extract_one(article)))
    store.flush()
    del store
    result = CliRunner().invoke(main, ["stats", "--store", str(tmp_path / "st")])
    assert result.exit_code == 0, result.output
    assert "1 article graph(s) were written by kg < 0.2" in result.output
