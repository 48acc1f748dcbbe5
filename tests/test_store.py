"""Store and ingest: one graph per article, atomic replace, idempotent re-ingest, stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.extract.pipeline import Extractor
from kg.ingest import ingest
from kg.ontology import graph_iri
from kg.store import StoreError, open_store, release, stats


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
    assert graphs == {graph_iri("s1"), graph_iri("s2")}


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
    assert s.articles == 5 and s.graphs == 5
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
