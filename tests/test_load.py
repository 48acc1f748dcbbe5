"""Restore: export -> kg load into a fresh store -> the same graph; bad files are clear."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from pyoxigraph import NamedNode, Store

from kg.cli import main
from kg.export import META_GRAPH, export
from kg.load import IMPORT_GRAPH, LoadError, load


def _write(store: Store, path: Path, fmt: str) -> Path:
    buf = io.BytesIO()
    export(store, buf, fmt)
    path.write_bytes(gzip.compress(buf.getvalue()) if path.suffix == ".gz" else buf.getvalue())
    return path


@pytest.mark.parametrize("name", ["d.nq", "d.trig", "d.nq.gz"])
def test_quad_dump_restores_every_quad(tmp_path: Path, sample_store: Store, name: str) -> None:
    fresh = Store(str(tmp_path / "fresh"))
    report = load(fresh, [_write(sample_store, tmp_path / name, name.split(".")[1])])
    assert set(fresh) == set(sample_store)  # same quads, same graphs; no dump-metadata graph
    assert not fresh.contains_named_graph(NamedNode(META_GRAPH))
    assert report.quads_added == len(sample_store)


@pytest.mark.parametrize("name", ["d.ttl", "d.nt", "d.jsonld", "d.rdf", "d.ttl.gz"])
def test_triple_dump_restores_the_union_isomorphically(tmp_path: Path, sample_store: Store,
                                                       name: str) -> None:
    fresh = Store(str(tmp_path / "fresh"))
    fmt = {"ttl": "turtle", "nt": "nt", "jsonld": "jsonld", "rdf": "xml"}[name.split(".")[1]]
    load(fresh, [_write(sample_store, tmp_path / name, fmt)])
    assert {g.value for g in fresh.named_graphs()} == {IMPORT_GRAPH + "d"}
    original = rdflib.Graph()
    for q in sample_store:
        original.add(_rdflib_triple(q))
    restored = rdflib.Graph()
    for q in fresh:
        restored.add(_rdflib_triple(q))
    from rdflib.compare import isomorphic

    assert isomorphic(original, restored)  # the dump description was dropped again


def _rdflib_triple(q) -> tuple:
    def term(t):
        if isinstance(t, NamedNode):
            return rdflib.URIRef(t.value)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value),
                              lang=t.language) if not t.language else \
            rdflib.Literal(t.value, lang=t.language)
    return term(q.subject), term(q.predicate), term(q.object)


def test_graph_option_and_cli(tmp_path: Path, sample_store: Store) -> None:
    dump = _write(sample_store, tmp_path / "x.ttl", "turtle")
    store_dir = tmp_path / "st"
    result = CliRunner().invoke(main, ["load", str(dump), "--store", str(store_dir),
                                       "--graph", "https://example.org/g", "-q"])
    assert result.exit_code == 0, result.output
    st = Store.read_only(str(store_dir))
    assert {g.value for g in st.named_graphs()} == {"https://example.org/g"}


def test_broken_triple_file_leaves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://a> <http://b> <http://c> .\n" * 50 + "<http://a> <http://b> .\n")
    store = Store(str(tmp_path / "st"))
    with pytest.raises(LoadError, match=r"bad\.nt"):
        load(store, [bad])
    assert len(store) == 0


@pytest.mark.parametrize("name", ["notes.txt", "dump"])
def test_unknown_suffix_is_refused_before_loading(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_text("x")
    with pytest.raises(LoadError, match="cannot tell the RDF format"):
        load(Store(), [f])
