"""Dumps: every format, each union triple once, selections, description, gzip, HTTP."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from kg.cli import main
from kg.export import (
    DUMP_BASE,
    META_GRAPH,
    ExportError,
    Selection,
    export,
    make_selection,
)
from kg.ontology import ENTITIES_GRAPH, ID, KGO, PREFIXES

VOID = "http://rdfs.org/ns/void#"


def _distinct_triples(store: Store) -> set:
    return {q.triple for q in store.quads_for_pattern(None, None, None, None)}


def _dump(store: Store, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    export(store, buf, fmt, **kw)
    return buf.getvalue()


def _split(data: bytes, fmt: RdfFormat) -> tuple[list, list]:
    """(data statements, description statements) of a dump."""
    quads = fmt in {RdfFormat.N_QUADS, RdfFormat.TRIG}
    items = [q if quads else q.triple for q in parse(data, fmt)]
    meta = [x for x in items if x.subject.value.startswith(DUMP_BASE)
            or (isinstance(x, Quad) and x.graph_name == NamedNode(META_GRAPH))]
    return [x for x in items if x not in meta], meta


@pytest.mark.parametrize(("fmt", "rf"), [("turtle", RdfFormat.TURTLE),
                                         ("nt", RdfFormat.N_TRIPLES),
                                         ("jsonld", RdfFormat.JSON_LD),
                                         ("xml", RdfFormat.RDF_XML)])
def test_triple_formats_hold_each_union_triple_once(sample_store: Store, fmt: str,
                                                    rf: RdfFormat) -> None:
    data, meta = _split(_dump(sample_store, fmt), rf)
    assert len(data) == len(set(data))  # no duplicates although entities recur across graphs
    assert set(data) == _distinct_triples(sample_store)
    assert meta, "the description block is missing"


@pytest.mark.parametrize(("fmt", "rf"), [("nq", RdfFormat.N_QUADS), ("trig", RdfFormat.TRIG)])
def test_quad_formats_keep_every_quad(sample_store: Store, fmt: str, rf: RdfFormat) -> None:
    data, meta = _split(_dump(sample_store, fmt), rf)
    assert set(data) == set(sample_store) and len(data) == len(sample_store)
    assert {q.graph_name for q in meta} == {NamedNode(META_GRAPH)}


def _description(data: bytes, fmt: str = "turtle") -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=data, format=fmt)
    return g


def _value(g: rdflib.Graph, query: str) -> object:
    rows = list(g.query("PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: "
                        "<http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#> "
                        f"PREFIX kgo: <{KGO}> " + query))
    assert len(rows) == 1, rows
    return rows[0][0].toPython()


def test_description_counts_what_was_written(sample_store: Store) -> None:
    raw = _dump(sample_store, "turtle", license="CC-BY-4.0")
    g = _description(raw)
    triples = _distinct_triples(sample_store)
    entities = {t.subject for t in triples if t.subject.value.startswith(ID + "entity/")}
    events = {t.subject for t in triples if t.subject.value.startswith(ID + "event/")}
    dates = sorted(t.object.value for t in triples if t.predicate.value in
                   {"http://purl.org/dc/terms/date", KGO + "date", KGO + "dateEnd"})
    assert _value(g, "SELECT ?n { ?d a void:Dataset ; void:triples ?n }") == len(triples)
    assert _value(g, "SELECT ?n { ?d a void:Dataset ; void:entities ?n }") == len(entities)
    assert _value(g, "SELECT ?n { ?d void:classPartition [ void:class kgo:Event ; "
                     "void:entities ?n ] }") == len(events)
    assert str(_value(g, "SELECT ?s { ?d dcterms:temporal/dcat:startDate ?s }")) == dates[0]
    assert str(_value(g, "SELECT ?s { ?d dcterms:temporal/dcat:endDate ?s }")) == dates[-1]
    assert str(_value(g, "SELECT ?l { ?d a void:Dataset ; dcterms:license ?l }")) == \
        "https://spdx.org/licenses/CC-BY-4.0"
    assert _value(g, "SELECT ?v { ?d dcterms:creator/<https://schema.org/softwareVersion> ?v }")
    assert _value(g, "SELECT ?c { ?d a void:Dataset ; dcterms:created ?c }")
    assert raw.startswith(b"# kg ")  # readable: a comment, prefixes, one block per subject
    assert b"@prefix kgo:" in raw


def test_no_licence_is_stated_as_such(sample_store: Store) -> None:
    g = _description(_dump(sample_store, "turtle"))
    assert "No licence" in str(_value(g, "SELECT ?r { ?d a void:Dataset ; dcterms:rights ?r }"))


def _graphs_in(data: bytes) -> set[str]:
    """The article graphs of an N-Quads dump (it also holds part of the entities graph)."""
    return {q.graph_name.value for q in parse(data, RdfFormat.N_QUADS)} - {META_GRAPH,
                                                                          ENTITIES_GRAPH}


def _needed(store: Store, graphs: set[str]) -> set[Quad]:
    """The entities-graph quads a selection of article graphs needs: the descriptions of the
    entities they mention (with geometries) and of their extractors."""
    subjects = set()
    for g in graphs:
        for q in store.quads_for_pattern(None, NamedNode(KGO + "mentionedIn"), None,
                                         NamedNode(g)):
            subjects.add(q.subject)
            subjects.add(NamedNode(q.subject.value + "/geometry"))
        subjects.update(q.object for q in store.quads_for_pattern(
            None, NamedNode(PREFIXES["prov"] + "wasAssociatedWith"), None, NamedNode(g)))
    return {q for q in store.quads_for_pattern(None, None, None, NamedNode(ENTITIES_GRAPH))
            if q.subject in subjects}


def test_selection_carries_the_descriptions_of_its_entities_only(sample_store: Store) -> None:
    graph = sorted(_article_dates(sample_store))[0]
    quads = set(parse(_dump(sample_store, "nq", selection=Selection(graphs=(graph,))),
                      RdfFormat.N_QUADS))
    shared = {q for q in quads if q.graph_name == NamedNode(ENTITIES_GRAPH)}
    needed = _needed(sample_store, {graph})
    everything = set(sample_store.quads_for_pattern(None, None, None,
                                                     NamedNode(ENTITIES_GRAPH)))
    assert shared == needed and needed < everything  # its entities, not all of them
    assert any(q.predicate.value == PREFIXES["rdfs"] + "label" for q in shared)


def _article_dates(store: Store) -> dict[str, str]:
    q = (f"SELECT ?g ?d {{ GRAPH ?g {{ ?a a <{KGO}Article> ; "
         "<http://purl.org/dc/terms/date> ?d } }")
    return {row[0].value: row[1].value for row in store.query(q)}


def test_date_selection_picks_whole_article_graphs(sample_store: Store) -> None:
    dates = _article_dates(sample_store)
    sel = make_selection(since="2016-01-01", until="2019-12-31")
    data = _dump(sample_store, "nq", selection=sel)
    got = _graphs_in(data)
    assert got == {g for g, d in dates.items() if "2016-01-01" <= d <= "2019-12-31"}
    assert 0 < len(got) < len(dates)
    shared = {q for q in parse(data, RdfFormat.N_QUADS)
              if q.graph_name == NamedNode(ENTITIES_GRAPH)}
    assert shared == _needed(sample_store, got)


@pytest.mark.parametrize("name", ["AirDroneStrike", "Air/drone strike", "kgo:AirDroneStrike"])
def test_event_class_selection(sample_store: Store, name: str) -> None:
    q = f"SELECT DISTINCT ?g {{ GRAPH ?g {{ ?e a <{KGO}AirDroneStrike> }} }}"
    expected = {row[0].value for row in sample_store.query(q)}
    assert expected
    got = _graphs_in(_dump(sample_store, "nq", selection=make_selection(event_classes=[name])))
    assert got == expected


def test_article_selection_and_union_of_selection(sample_store: Store) -> None:
    graph = sorted(_article_dates(sample_store))[0]
    article_id = graph.rsplit("/", 1)[1]
    data, _ = _split(_dump(sample_store, "nt", selection=make_selection(articles=[article_id])),
                     RdfFormat.N_TRIPLES)
    expected = {q.triple for q in sample_store.quads_for_pattern(None, None, None,
                                                                 NamedNode(graph))}
    expected |= {q.triple for q in _needed(sample_store, {graph})}
    assert set(data) == expected and len(data) == len(expected)


def test_construct_selection(sample_store: Store) -> None:
    query = f"CONSTRUCT {{ ?e a <{KGO}AirDroneStrike> }} WHERE {{ ?e a <{KGO}AirDroneStrike> }}"
    data, meta = _split(_dump(sample_store, "turtle", selection=make_selection(
        construct=query)), RdfFormat.TURTLE)
    assert data and all(t.object.value == KGO + "AirDroneStrike" for t in data)
    assert meta


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"construct": "SELECT * {"}, "syntax error"),
    ({"construct": "SELECT * { ?s ?p ?o }"}, "CONSTRUCT"),
    ({"event_classes": ["Picnic"]}, "unknown event class"),
    ({"since": "2016-02-30"}, "invalid"),
    ({"construct": "CONSTRUCT WHERE { ?s ?p ?o }", "since": "2016-01-01"}, "cannot be combined"),
    ({"graphs": ["https://w3id.org/kg-conflict/graph/nope"]}, "no graph"),
    ({"articles": ["entities"]}, "reserved"),
])
def test_bad_selections_are_clear_errors(sample_store: Store, kwargs: dict,
                                         message: str) -> None:
    with pytest.raises(ExportError, match=message):
        _dump(sample_store, "turtle", selection=make_selection(**kwargs))


def test_empty_selection_is_a_valid_dump(sample_store: Store) -> None:
    data, meta = _split(_dump(sample_store, "turtle", selection=Selection(
        since="1900-01-01", until="1900-12-31")), RdfFormat.TURTLE)
    assert data == [] and meta


def test_cli_gzip_and_format_from_suffix(tmp_path: Path, sample_store: Store) -> None:
    # The session store is open in this process; dump a copy the CLI can open read-only.
    path = tmp_path / "copy"
    copy = Store(str(path))
    copy.bulk_extend(sample_store)
    copy.flush()
    del copy
    out = tmp_path / "dump.nq.gz"
    result = CliRunner().invoke(main, ["export", "--store", str(path), "-o", str(out),
                                       "--event-class", "Air/drone strike", "-q"])
    assert result.exit_code == 0, result.output
    data = gzip.decompress(out.read_bytes())
    assert _graphs_in(data) and b"void#Dataset" in data
    bad = CliRunner().invoke(main, ["export", "--store", str(path), "--since", "2016-13-01"])
    assert bad.exit_code == 2 and "invalid" in bad.output


def test_http_export_streams_with_filters(sample_store: Store) -> None:
    from kg.serve import create_app

    client = create_app({"store": None}, store=sample_store).test_client()
    r = client.get("/export", query_string={"format": "nq", "event_class": "AirDroneStrike"})
    assert r.status_code == 200 and r.mimetype == "application/n-quads"
    assert r.is_streamed
    full = _dump(sample_store, "nq", selection=make_selection(event_classes=["AirDroneStrike"]))
    assert _graphs_in(r.data) == _graphs_in(full)
    r = client.get("/export", query_string={"format": "ttl", "gzip": "1"})
    assert r.status_code == 200 and r.mimetype == "application/gzip"
    assert b"void#Dataset" in gzip.decompress(r.data) or b"void:Dataset" in \
        gzip.decompress(r.data)
    for bad in ({"construct": "CONSTRUCT {"}, {"since": "yesterday"}, {"format": "bogus"},
                {"event_class": "Picnic"}):
        r = client.get("/export", query_string=bad)
        assert r.status_code == 400, bad
