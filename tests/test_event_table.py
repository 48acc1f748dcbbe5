"""The event table (`kg events`, /export/events): one row per stored event, ACLED-like columns,
values that agree with the graph, in CSV, TSV and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store

from kg.cli import main
from kg.event_table import COLUMNS, event_rows, write_table
from kg.serve import create_app

KGO = "https://w3id.org/kg-conflict/ontology#"


def _events_in_graph(store: Store) -> set[str]:
    query = f"SELECT DISTINCT ?e WHERE {{ ?e <{KGO}subEventType> ?t }}"
    return {r["e"].value for r in store.query(query, use_default_graph_as_union=True)}


@pytest.fixture(scope="module")
def rows(sample_store: Store) -> list[dict[str, str]]:
    return list(event_rows(sample_store))


def test_one_row_per_event_in_date_order(rows: list[dict[str, str]],
                                         sample_store: Store) -> None:
    assert [r["event_id"] for r in rows] and \
        sorted(r["event_id"] for r in rows) == sorted(_events_in_graph(sample_store))
    dated = [r["event_date"] for r in rows if r["event_date"]]
    assert dated == sorted(dated)
    assert all(list(r) == COLUMNS for r in rows)


def test_values_agree_with_the_graph(rows: list[dict[str, str]], sample_store: Store) -> None:
    """Each row's date, type, place and toll are the ones its event has in the store."""
    for row in rows:
        e = f"<{row['event_id']}>"
        query = f"""PREFIX kgo: <{KGO}> PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
          SELECT ?date ?sub ?lat ?fat WHERE {{ {e} kgo:subEventType ?sub .
          OPTIONAL {{ {e} kgo:date ?date }} OPTIONAL {{ {e} kgo:fatalities ?fat }}
          OPTIONAL {{ {e} kgo:hasPlace/wgs:lat ?lat }} }}"""
        (r,) = list(sample_store.query(query, use_default_graph_as_union=True))
        got = tuple("" if r[v] is None else r[v].value for v in ("date", "sub", "lat", "fat"))
        assert got == (row["event_date"], row["sub_event_type"], row["latitude"],
                       row["fatalities"])


def test_precision_codes_and_parties(rows: list[dict[str, str]]) -> None:
    assert {r["time_precision"] for r in rows} <= {"1", "2", "3", ""}
    assert {r["geo_precision"] for r in rows} <= {"1", "2", "3", ""}
    assert any(r["time_precision"] == "1" and r["geo_precision"] == "1" for r in rows)
    strike = next(r for r in rows if r["sub_event_type"] == "Air/drone strike" and r["actors"])
    # actors and their QIDs line up, one entry each (empty where an actor is not linked)
    assert len(strike["actors"].split("; ")) == len(strike["actor_qids"].split("; "))
    assert all(r["notes"] and r["article_id"] and r["source"] for r in rows)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_formats_round_trip(rows: list[dict[str, str]], fmt: str) -> None:
    buf = io.StringIO()
    assert write_table(rows, buf, fmt) == len(rows)
    text = buf.getvalue()
    if fmt == "jsonl":
        back = [json.loads(line) for line in text.splitlines()]
    else:
        back = list(csv.DictReader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t"))
    assert back == rows


def test_unknown_format_is_refused(rows: list[dict[str, str]]) -> None:
    with pytest.raises(ValueError, match="unknown table format"):
        write_table(rows, io.StringIO(), "xlsx")


def test_cli_writes_the_format_of_the_suffix(tmp_path: Path, sample_store: Store,
                                             rows: list[dict[str, str]]) -> None:
    path = tmp_path / "copy"  # the session store is open here: the CLI reads a copy
    copy = Store(str(path))
    copy.bulk_extend(sample_store)
    copy.flush()
    del copy
    out = tmp_path / "events.tsv"
    result = CliRunner().invoke(main, ["events", "--store", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(rows)} events written" in result.output
    back = list(csv.DictReader(out.open(encoding="utf-8"), delimiter="\t"))
    assert [r["event_id"] for r in back] == [r["event_id"] for r in rows]


def test_http_table_download(sample_store: Store, rows: list[dict[str, str]]) -> None:
    client = create_app({"store": None}, store=sample_store).test_client()
    r = client.get("/export/events", query_string={"format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "events.csv" in r.headers["Content-Disposition"]
    assert len(list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))) == len(rows)
    bad = client.get("/export/events", query_string={"format": "xlsx"})
    assert bad.status_code == 400 and b"unknown table format" in bad.data
