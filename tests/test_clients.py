"""Common SPARQL clients against the live server: rdflib's SPARQLStore, SPARQLWrapper
(XML, CSV, CONSTRUCT) and curl. SPARQLWrapper JSON SELECTs are in test_e2e.py."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, TURTLE, XML, SPARQLWrapper

KGO = "https://w3id.org/kg-conflict/ontology#"


def test_rdflib_sparqlstore(live_server: str) -> None:
    g = rdflib.Graph(store=SPARQLStore(live_server + "/sparql"))
    rows = list(g.query(f"SELECT ?e WHERE {{ ?e <{KGO}subEventType> ?t }} LIMIT 5"))
    assert len(rows) == 5 and all(isinstance(r[0], rdflib.URIRef) for r in rows)
    assert g.query("ASK { ?s ?p ?o }").askAnswer is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_xml_csv_construct(live_server: str, method: str) -> None:
    sw = SPARQLWrapper(live_server + "/sparql")
    sw.setMethod(method)
    sw.setQuery(f"SELECT ?e WHERE {{ ?e <{KGO}subEventType> ?t }} LIMIT 4")
    sw.setReturnFormat(XML)
    assert len(sw.query().convert().getElementsByTagName("result")) == 4
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().count("\r\n") == 5
    sw.setQuery("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 7")
    sw.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) == 7


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl(live_server: str) -> None:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?e <{KGO}subEventType> ?t }}"
    out = subprocess.run(["curl", "-sf", "-H", "Accept: text/csv", "--data-urlencode",
                          f"query={q}", live_server + "/sparql"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "n" and int(lines[1]) > 0
    head = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                           "--data-urlencode", "query=SELEC", live_server + "/sparql"],
                          capture_output=True, text=True, timeout=30).stdout
    assert head == "400"
