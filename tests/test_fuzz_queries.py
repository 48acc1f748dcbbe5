"""Hypothesis fuzzing of /sparql: random and mutated queries and parameters never get a 5xx.

Every answer must be 2xx or a 4xx with a message (503 only for the timeout, which these
small queries do not reach).
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

from kg.queries import load_examples
from kg.serve import create_app

SEEDS = [ex.query for ex in load_examples()] + [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "ASK { ?s a ?c }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1",
    'SELECT (STRLEN("x") AS ?n) (1/0 AS ?z) (xsd:foo(1) AS ?w) WHERE {}',
]
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
SPARQL_BITS = st.sampled_from(["{", "}", "(", ")", "<", ">", "?x", "\"", "'", "#", "\\u0053",
                               "SERVICE", "GRAPH", "FROM", "SELECT", "*", ".", ";", ",",
                               "LIMIT -1", "OFFSET", "FILTER", "BIND", "VALUES", "\n", "\x00",
                               "\ud7ff", "^^", "@", "_:b", "UNION", "MINUS", "%"])


@pytest.fixture(scope="module")
def client(sample_store: Store) -> FlaskClient:
    return create_app({"store": None, "max_rows": 50, "query_timeout": 5},
                      store=sample_store).test_client()


def _ok(status: int) -> bool:
    return status < 500 or status == 503


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 20)))
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        bit = draw(st.one_of(SPARQL_BITS, st.text(max_size=5)))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + bit + text[i:]
        elif op == "replace":
            text = text[:i] + bit + text[j:]
        else:
            text = text[:j] + text[i:j] + text[j:]
    return text


@FUZZ
@given(query=mutated())
def test_mutated_queries_never_5xx(client: FlaskClient, query: str) -> None:
    r = client.post("/sparql", data={"query": query})
    assert _ok(r.status_code), (r.status_code, r.data[:300])
    if r.status_code >= 400:
        assert r.data.strip(), "an error without a message"


@FUZZ
@given(query=st.text(max_size=200))
def test_random_text_never_5xx(client: FlaskClient, query: str) -> None:
    r = client.get("/sparql", query_string={"query": query})
    assert _ok(r.status_code), (r.status_code, r.data[:300])


@FUZZ
@given(body=st.binary(max_size=200),
       ctype=st.sampled_from(["application/sparql-query", "application/sparql-query; "
                              "charset=latin-9", "application/x-www-form-urlencoded",
                              "text/plain", "", "multipart/form-data; boundary=x"]))
def test_random_bodies_never_5xx(client: FlaskClient, body: bytes, ctype: str) -> None:
    r = client.post("/sparql", data=body, headers={"Content-Type": ctype})
    assert _ok(r.status_code), (r.status_code, r.data[:300])


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["format", "default-graph-uri", "named-graph-uri", "query"]),
    st.one_of(st.text(max_size=30), st.sampled_from(["http://e.org/g", "json", "ttl", "x y"])),
    max_size=4),
    # no CR/LF: the test client itself refuses them (a real server never sees such a header)
    accept=st.one_of(st.text(st.characters(blacklist_characters="\r\n"), max_size=40),
                     st.sampled_from(["*/*;q=x", "text/csv;q=0,*/*"])))
def test_random_parameters_never_5xx(client: FlaskClient, params: dict[str, str],
                                     accept: str) -> None:
    params.setdefault("query", SEEDS[0])
    r = client.get("/sparql", query_string=params, headers={"Accept": accept})
    assert _ok(r.status_code), (r.status_code, r.data[:300])
