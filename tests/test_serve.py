"""The Flask app through the test client: protocol, formats, errors."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store

from kg.serve import create_app

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def client(sample_store: Store) -> FlaskClient:
    return create_app({"store": None}, store=sample_store).test_client()


def test_get_post_form_and_direct_post_agree(client: FlaskClient) -> None:
    a = client.get("/sparql", query_string={"query": COUNT}).get_json()
    b = client.post("/sparql", data={"query": COUNT}).get_json()
    c = client.post("/sparql", data=COUNT,
                    headers={"Content-Type": "application/sparql-query"}).get_json()
    n = a["results"]["bindings"][0]["n"]["value"]
    assert int(n) > 100
    assert b == a == c


@pytest.mark.parametrize(
    ("accept", "mime", "marker"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", b'"bindings"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
        ("text/csv", "text/csv", b"n\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", b"?n\n"),
        ("*/*", "application/sparql-results+json", b'"bindings"'),
    ],
)
def test_select_content_negotiation(client: FlaskClient, accept: str, mime: str,
                                    marker: bytes) -> None:
    r = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mime and marker in r.data


@pytest.mark.parametrize(
    ("accept", "mime"),
    [("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
     ("application/ld+json", "application/ld+json"), ("application/rdf+xml",
                                                      "application/rdf+xml")],
)
def test_construct_content_negotiation(client: FlaskClient, accept: str, mime: str) -> None:
    q = ("CONSTRUCT { ?s ?p ?o } WHERE "
         "{ ?s a <https://w3id.org/kg-conflict/ontology#Article> ; ?p ?o }")
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mime and len(r.data) > 100


def test_format_parameter(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNT, "format": "csv"})
    assert r.mimetype == "text/csv"


def test_ask(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(r.data)["boolean"] is True


@pytest.mark.parametrize("bad", ["SELEC ?x", "SELECT ?x WHERE { ?x", "", "ASK {{"])
def test_syntax_error_is_400_with_parser_message(client: FlaskClient, bad: str) -> None:
    r = client.get("/sparql", query_string={"query": bad})
    assert r.status_code == 400
    assert b"syntax error" in r.data.lower() or b"error" in r.data.lower()


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    r = client.post("/sparql", data="x", headers={"Content-Type": "image/png"})
    assert r.status_code == 415


def test_service_description_without_query(client: FlaskClient) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and b"sd:Service" in r.data


def test_update_refused_by_default(client: FlaskClient) -> None:
    r = client.post("/update", data={"update": "CLEAR ALL"})
    assert r.status_code == 403


def test_update_with_token(store: Store) -> None:
    c = create_app({"store": None, "allow_update": True, "update_token": "s3cret"},
                   store=store).test_client()
    ins = "INSERT DATA { <http://e.org/a> <http://e.org/p> 1 }"
    assert c.post("/update", data={"update": ins}).status_code == 401
    r = c.post("/update", data={"update": ins}, headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 204 and len(store) == 1


def test_index_lists_examples(client: FlaskClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and b"Events by type" in r.data


def test_void(client: FlaskClient) -> None:
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and b"void:triples" in r.data


def test_export_over_http(client: FlaskClient) -> None:
    r = client.get("/export", query_string={"format": "nq"})
    assert r.status_code == 200 and r.data.count(b"\n") > 100
    assert client.get("/export", query_string={"format": "bogus"}).status_code == 400
