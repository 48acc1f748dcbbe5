"""The Flask app through the test client: protocol, formats, errors."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Literal, NamedNode, Quad, Store

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
    # Tuned examples carry a button for their readable form, whose text the page embeds.
    assert b'data-name="02-events-with-place-and-date" data-form="plain"' in r.data
    assert b'"plain": {"01-events-by-type"' in r.data or b'"plain":{"01-events-by-type"' in r.data


def test_void(client: FlaskClient) -> None:
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and b"void:triples" in r.data


def test_export_over_http(client: FlaskClient) -> None:
    r = client.get("/export", query_string={"format": "nq"})
    assert r.status_code == 200 and r.data.count(b"\n") > 100
    assert client.get("/export", query_string={"format": "bogus"}).status_code == 400


# --- content negotiation -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("accept", "mime"),
    [
        ("application/sparql-results+json;q=0.5, text/csv", "text/csv"),
        ("text/turtle, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
         "application/sparql-results+xml"),
        ("image/png", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_q_weighted_accept_for_select(client: FlaskClient, accept: str, mime: str) -> None:
    r = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mime


@pytest.mark.parametrize(
    ("accept", "mime"),
    [("application/sparql-results+json, text/turtle;q=0.9", "text/turtle"),
     ("application/n-quads", "application/n-quads"), ("application/trig", "application/trig"),
     ("text/plain", "application/n-triples"), ("*/*", "text/turtle")],
)
def test_accept_for_construct(client: FlaskClient, accept: str, mime: str) -> None:
    q = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5"
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mime and r.data.strip()


@pytest.mark.parametrize(("fmt", "mime"), [("tsv", "text/tab-separated-values"),
                                           ("xml", "application/sparql-results+xml"),
                                           ("json", "application/sparql-results+json")])
def test_format_parameter_beats_accept(client: FlaskClient, fmt: str, mime: str) -> None:
    r = client.get("/sparql", query_string={"query": COUNT, "format": fmt},
                   headers={"Accept": "text/csv"})
    assert r.mimetype == mime


def test_format_not_available_for_query_form_is_406(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNT, "format": "turtle"})
    assert r.status_code == 406 and b"not available" in r.data
    assert client.get("/sparql", query_string={"query": COUNT,
                                               "format": "bogus"}).status_code == 406


# --- dataset ---------------------------------------------------------------------------------

def _graphs(client: FlaskClient) -> list[str]:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    rows = client.get("/sparql", query_string={"query": q}).get_json()["results"]["bindings"]
    return [r["g"]["value"] for r in rows]


def _count(client: FlaskClient, query: str = COUNT, **params: object) -> int:
    r = client.get("/sparql", query_string={"query": query, **params})
    assert r.status_code == 200, r.data
    return int(r.get_json()["results"]["bindings"][0]["n"]["value"])


def test_union_default_graph_and_default_graph_uri(client: FlaskClient) -> None:
    graphs = _graphs(client)
    assert len(graphs) >= 2
    total = _count(client)
    one = _count(client, **{"default-graph-uri": graphs[0]})
    assert 0 < one < total
    both = _count(client, **{"default-graph-uri": graphs[:2]})
    assert one < both <= total


def test_from_replaces_the_union(client: FlaskClient) -> None:
    g = _graphs(client)[0]
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE {{ ?s ?p ?o }}") \
        == _count(client, **{"default-graph-uri": g})


def test_named_graph_uri_limits_graph_patterns(client: FlaskClient) -> None:
    g = _graphs(client)[0]
    q = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert _count(client, q, **{"named-graph-uri": g}) == 1


def test_foreign_named_graph_stays_out_of_the_default_graph(store: Store) -> None:
    """Graphs not named like kg article graphs are reached with GRAPH only (W3C semantics)."""
    store.update("INSERT DATA { <http://e.org/s> <http://e.org/p> 1 . "
                 "GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 2 } . "
                 "GRAPH <https://w3id.org/kg-conflict/graph/a1> { <http://e.org/s> "
                 "<http://e.org/p> 3 } }")
    c = create_app({"store": None}, store=store).test_client()
    q = "SELECT (SUM(?o) AS ?n) WHERE { ?s ?p ?o }"
    assert _count(c, q) == 4  # default graph 1 + article graph 3, not the foreign 2


# --- safety ----------------------------------------------------------------------------------

def test_row_cap_signals_truncation(sample_store: Store) -> None:
    c = create_app({"store": None, "max_rows": 5}, store=sample_store).test_client()
    r = c.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    body = r.get_json()
    assert r.headers["X-KG-Truncated"] == "true" and r.headers["X-KG-Max-Rows"] == "5"
    assert len(body["results"]["bindings"]) == 5 and body["truncated"] is True
    r = c.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert "X-KG-Truncated" not in r.headers and "truncated" not in r.get_json()
    r = c.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
              headers={"Accept": "application/n-triples"})
    assert r.headers["X-KG-Truncated"] == "true" and r.data.count(b"\n") == 5
    r = c.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "xml"})
    assert b"urn:kg:truncated" in r.data


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data> { ?s ?p ?o } }",
    "PREFIX e: <http://10.0.0.1/> SELECT * WHERE { SERVICE SILENT e:sparql { ?s ?p ?o } }",
    "BASE <http://internal/> SELECT * WHERE { service <sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://internal/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }",
])
def test_service_refused_by_default(client: FlaskClient, query: str) -> None:
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 403 and b"SERVICE is not allowed" in r.data


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p 'SERVICE <http://x/>' } LIMIT 1",
    "# SERVICE <http://x/> { }\nSELECT * WHERE { ?s <http://e.org/service> ?o } LIMIT 1",
])
def test_word_service_in_strings_comments_names_is_fine(client: FlaskClient, query: str) -> None:
    assert client.get("/sparql", query_string={"query": query}).status_code == 200


def test_allowlisted_service_is_really_called(store: Store, live_server: str) -> None:
    store.update("INSERT DATA { <http://e.org/a> <http://e.org/p> 1 }")
    host = live_server.split("//")[1]
    c = create_app({"store": None, "service_allowlist": (host,)}, store=store).test_client()
    q = (f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{live_server}/sparql> "
         "{ ?s a <https://w3id.org/kg-conflict/ontology#Article> } }")
    assert _count(c, q) > 1
    other = q.replace(live_server, "http://127.0.0.2:9999")
    assert c.get("/sparql", query_string={"query": other}).status_code == 403


def test_body_limit_is_413(sample_store: Store) -> None:
    c = create_app({"store": None, "max_body_bytes": 1000}, store=sample_store).test_client()
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000
    r = c.post("/sparql", data=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert c.post("/sparql", data={"query": big}).status_code == 413


def test_cors_off_by_default_and_configurable(client: FlaskClient, sample_store: Store) -> None:
    h = {"Origin": "https://example.org"}
    r = client.get("/sparql", query_string={"query": COUNT}, headers=h)
    assert "Access-Control-Allow-Origin" not in r.headers
    c = create_app({"store": None, "cors_origins": "https://example.org"},
                   store=sample_store).test_client()
    r = c.get("/sparql", query_string={"query": COUNT}, headers=h)
    assert r.headers["Access-Control-Allow-Origin"] == "https://example.org"
    pre = c.options("/sparql", headers={**h, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 200 and "POST" in pre.headers["Access-Control-Allow-Methods"]
    r = c.get("/sparql", query_string={"query": COUNT}, headers={"Origin": "https://evil.org"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_timeout_kills_the_worker_and_the_next_query_works(tmp_path) -> None:
    """A cross product that would run for hours is stopped: its worker process is killed."""
    import os

    path = tmp_path / "store"
    s = Store(str(path))
    s.extend(Quad(NamedNode(f"http://e.org/s{i}"), NamedNode("http://e.org/p"), Literal(i),
                  NamedNode("https://w3id.org/kg-conflict/graph/x")) for i in range(3000))
    s.flush()
    del s
    app = create_app({"store": str(path), "query_timeout": 1.0, "query_workers": 1})
    executor = app.extensions["kg_executor"]
    try:
        c = app.test_client()
        assert _count(c) == 3000
        before = executor.worker_pids()
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h }")
        r = c.get("/sparql", query_string={"query": slow})
        assert r.status_code == 503 and b"timeout" in r.data
        for pid in before:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert executor.worker_pids() != before
        assert _count(c) == 3000
    finally:
        executor.close()


def test_inline_timeout_stops_streaming(sample_store: Store) -> None:
    c = create_app({"store": None, "query_timeout": 0.001, "max_rows": 10**9},
                   store=sample_store).test_client()
    q = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d }"
    assert c.get("/sparql", query_string={"query": q}).status_code == 503


# --- Graph Store Protocol --------------------------------------------------------------------

TOKEN = {"Authorization": "Bearer t0k"}


def test_graph_store_protocol(store: Store) -> None:
    c = create_app({"store": None, "allow_update": True, "update_token": "t0k"},
                   store=store).test_client()
    g = {"graph": "http://e.org/g1"}
    ttl = "<http://e.org/a> <http://e.org/p> 1 , 2 ."
    assert c.put("/store", query_string=g, data=ttl,
                  headers={"Content-Type": "text/turtle"}).status_code == 401
    r = c.put("/store", query_string=g, data=ttl,
              headers={**TOKEN, "Content-Type": "text/turtle"})
    assert r.status_code == 201 and len(store) == 2
    r = c.put("/rdf-graph-store", query_string=g, data='<http://e.org/a> <http://e.org/p> "3" .',
              headers={**TOKEN, "Content-Type": "application/n-triples"})
    assert r.status_code == 204 and len(store) == 1
    r = c.post("/store", query_string=g, data=ttl, headers={**TOKEN, "Content-Type": "text/turtle"})
    assert r.status_code == 204 and len(store) == 3
    r = c.get("/store", query_string=g, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.data.count(b"\n") == 3
    assert c.post("/store", query_string={"default": ""}, data=ttl,
                  headers={**TOKEN, "Content-Type": "text/turtle"}).status_code == 204
    assert len(store) == 5
    bad = c.put("/store", query_string=g, data="<a> <b",
                headers={**TOKEN, "Content-Type": "text/turtle"})
    assert bad.status_code == 400 and len(store) == 5
    assert c.delete("/store", query_string=g, headers=TOKEN).status_code == 204
    assert c.delete("/store", query_string=g, headers=TOKEN).status_code == 404
    assert c.get("/store", query_string=g).status_code == 404
    assert c.get("/store").status_code == 400


def test_graph_store_writes_refused_when_read_only(client: FlaskClient) -> None:
    g = {"graph": "http://e.org/g1"}
    r = client.put("/store", query_string=g, data="<http://e.org/a> <http://e.org/p> 1 .",
                   headers={**TOKEN, "Content-Type": "text/turtle"})
    assert r.status_code == 403


# --- dereferenceable IRIs --------------------------------------------------------------------

def _located_entity(client: FlaskClient) -> str:
    q = "SELECT ?e WHERE { ?e <http://www.w3.org/2003/01/geo/wgs84_pos#lat> ?l } LIMIT 1"
    rows = client.get("/sparql", query_string={"query": q}).get_json()["results"]["bindings"]
    return rows[0]["e"]["value"]


def test_resource_page_html_with_local_links_and_map(client: FlaskClient) -> None:
    iri = _located_entity(client)
    path = "/id/" + iri.split("/id/", 1)[1]
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert b'id="map"' in r.data and b"leaflet.js" in r.data
    assert b'href="/id/' in r.data and b"Referenced by" in r.data


def test_resource_turtle_by_accept(client: FlaskClient) -> None:
    import rdflib

    iri = _located_entity(client)
    r = client.get("/id/" + iri.split("/id/", 1)[1], headers={"Accept": "text/turtle"})
    assert r.mimetype == "text/turtle"
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    assert (rdflib.URIRef(iri), None, None) in g


def test_unknown_resource_is_404(client: FlaskClient) -> None:
    assert client.get("/id/entity/nothing-here").status_code == 404


def test_query_workers_start_from_a_script_without_main_guard(tmp_path) -> None:
    """Regression: multiprocessing spawn re-imported the host script; workers are subprocesses."""
    import subprocess
    import sys

    s = Store(str(tmp_path / "store"))
    s.update("INSERT DATA { GRAPH <https://w3id.org/kg-conflict/graph/a> { <http://a> "
             "<http://b> 1 } }")
    s.flush()
    del s
    script = tmp_path / "host.py"
    script.write_text(
        "from kg.serve import create_app\n"
        f"app = create_app({{'store': {str(tmp_path / 'store')!r}}})\n"
        "r = app.test_client().get('/sparql', query_string={'query': 'ASK { ?s ?p 1 }'})\n"
        "print(r.status_code, r.get_json()['boolean'])\n"
        "app.extensions['kg_executor'].close()\n")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "200 True", out.stderr[-2000:]


# --- row cap over pyoxigraph's native serializers --------------------------------------------

TRICKY = 'a},{"b":{"type":"uri"}},{}\\ <result>x</result>\r\n"q",\t\n\\'


def _tricky_store(n: int) -> Store:
    """n solutions whose literals hold every byte sequence the cap looks for, some long enough
    to straddle pyoxigraph's 8 KB write blocks, and every other one unbound (empty rows)."""
    s = Store()
    p, q = NamedNode("http://e.org/p"), NamedNode("http://e.org/q")
    for i in range(n):
        subj = NamedNode(f"http://e.org/s{i}")
        s.add(Quad(subj, p, Literal(i)))
        if i % 2 == 0:
            s.add(Quad(subj, q, Literal(TRICKY * (1 + i * 37 % 400), language="en")))
    return s


def _parse_rows(data: bytes, fmt: str, names: list[str]) -> list[dict[str, str]]:
    """Rows as {var: lexical value}, read back with a parser independent of our cutting."""
    if fmt == "csv":
        import csv
        import io

        reader = csv.reader(io.StringIO(data.decode(), newline=""))
        assert next(reader) == names
        rows = [row or [""] for row in reader]  # one empty column is a blank line
        return [{k: v for k, v in zip(names, row, strict=True) if v} for row in rows]
    from pyoxigraph import QueryResultsFormat, parse_query_results

    kind = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
            "tsv": QueryResultsFormat.TSV}[fmt]
    sols = parse_query_results(data, kind)
    assert [v.value for v in sols.variables] == names
    return [{k: sol[k].value for k in names if sol[k] is not None} for sol in sols]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("n", [0, 1, 40, 41, 200])
@pytest.mark.parametrize("names", [["i", "o"], ["o"]])
def test_row_cap_cuts_native_output_exactly(fmt: str, n: int, names: list[str]) -> None:
    """The cap counts solutions, not marker bytes inside literals; the cut document parses."""
    cap = 40
    c = create_app({"store": None, "max_rows": cap}, store=_tricky_store(n)).test_client()
    q = ("SELECT " + " ".join("?" + v for v in names) + " WHERE { ?s <http://e.org/p> ?i "
         "OPTIONAL { ?s <http://e.org/q> ?o } } ORDER BY ?i")
    r = c.get("/sparql", query_string={"query": q, "format": fmt})
    assert r.status_code == 200, r.data
    rows = _parse_rows(r.data, fmt, names)
    want = [{"i": str(i), "o": TRICKY * (1 + i * 37 % 400)} if i % 2 == 0 else {"i": str(i)}
            for i in range(min(n, cap))]
    assert rows == [{k: v for k, v in row.items() if k in names} for row in want]
    assert ("X-KG-Truncated" in r.headers) == (n > cap)
    if fmt == "json":
        assert r.get_json().get("truncated", False) == (n > cap)
    if fmt == "xml":
        assert (b"urn:kg:truncated:max-rows=40" in r.data) == (n > cap)


def test_worker_graph_list_follows_new_snapshots(tmp_path) -> None:
    """Workers list article graphs once per LiveStore snapshot, and again after a writer adds
    a foreign graph (which must then stay out of the union default graph)."""
    import subprocess
    import sys
    import time

    from kg.serve.results import DefaultGraphView
    from kg.store import open_store, release

    path = tmp_path / "st"
    first = open_store(path)
    first.add(Quad(NamedNode("http://e.org/s"), NamedNode("http://e.org/p"), Literal(1),
                   NamedNode("https://w3id.org/kg-conflict/graph/a1")))
    release(first, path)
    del first
    live = open_store(path, read_only=True)
    view = DefaultGraphView(live)
    assert view.kwargs() == {"use_default_graph_as_union": True}
    write = ("import sys; from pyoxigraph import *; from kg.store import open_store, release; "
             "s = open_store(sys.argv[1]); s.add(Quad(NamedNode('http://e.org/s'), "
             "NamedNode('http://e.org/p'), Literal(2), NamedNode('http://e.org/g'))); "
             "s.flush(); release(s, sys.argv[1])")
    subprocess.run([sys.executable, "-c", write, str(path)], check=True, timeout=60)
    deadline = time.monotonic() + 15
    while len(live) != 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    kwargs = view.kwargs()
    assert "use_default_graph_as_union" not in kwargs
    assert NamedNode("http://e.org/g") not in kwargs["default_graph"]
    assert NamedNode("https://w3id.org/kg-conflict/graph/a1") in kwargs["default_graph"]
