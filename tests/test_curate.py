"""Curating actor QIDs: proposals from (recorded) Wikidata answers, applied only when confirmed.

The recorded answers in tests/data/wikidata-curate are invented items in Wikidata's shape;
no test reaches the network.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kg.link.curate import ReviewError, apply_review, propose, write_review
from kg.link.online import ReplayTransport, WikidataClient

RECORDED = Path(__file__).parent / "data" / "wikidata-curate"
FRONT = {"key": "example-front", "label": "Example Front", "class": "ArmedGroup",
         "aliases": [], "country": "Syria", "qid": None}
LINKED = {"key": "linked-group", "label": "Linked Group", "class": "ArmedGroup",
          "aliases": [], "country": "Syria", "qid": "Q100009", "qid_source": "test"}


def _client(tmp_path: Path) -> WikidataClient:
    return WikidataClient(transport=ReplayTransport(RECORDED), cache_dir=tmp_path / "cache",
                          min_interval=0)


def _actors(tmp_path: Path, *actors: dict) -> Path:
    path = tmp_path / "actors.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in actors), encoding="utf-8")
    return path


def _review(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "review.tsv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["key", "qid", "confirmed"], delimiter="\t")
        w.writeheader()
        w.writerows(rows)
    return path


def test_propose_keeps_exact_names_of_a_fitting_class(tmp_path: Path) -> None:
    proposals = propose([FRONT, LINKED], _client(tmp_path))
    # Q100002 (a film) has no compatible class, Q100003 is another name, LINKED has a QID.
    assert [(p.key, p.qid) for p in proposals] == [("example-front", "Q100001")]
    assert proposals[0].item_country == "Syria"
    assert proposals[0].wikidata_description.startswith("armed group")


def test_review_round_trip_writes_only_confirmed_rows(tmp_path: Path) -> None:
    review = tmp_path / "review.tsv"
    assert write_review(propose([FRONT], _client(tmp_path)), review) == 1
    actors = _actors(tmp_path, FRONT, LINKED)
    assert apply_review(review, actors, "A. Reviewer", "2026-11-26") == []  # nothing confirmed
    text = review.read_text(encoding="utf-8").replace("\t\n", "\tyes\n")
    review.write_text(text, encoding="utf-8")
    assert apply_review(review, actors, "A. Reviewer", "2026-11-26") == ["example-front"]
    written = {a["key"]: a for a in map(json.loads, actors.read_text().splitlines())}
    assert written["example-front"]["qid"] == "Q100001"
    assert "A. Reviewer" in written["example-front"]["qid_source"]
    assert written["linked-group"] == LINKED


@pytest.mark.parametrize(("rows", "message"), [
    ([{"key": "nobody", "qid": "Q1", "confirmed": "yes"}], "no actor with this key"),
    ([{"key": "example-front", "qid": "Q0x", "confirmed": "yes"}], "is not a QID"),
    ([{"key": "example-front", "qid": "Q100009", "confirmed": "yes"}], "already belongs to"),
    ([{"key": "linked-group", "qid": "Q100001", "confirmed": "yes"}], "already has Q100009"),
    ([{"key": "example-front", "qid": "Q100001", "confirmed": "yes"},
      {"key": "example-front", "qid": "Q100004", "confirmed": "yes"}], "second confirmed row"),
])
def test_a_doubtful_review_writes_nothing(tmp_path: Path, rows: list[dict[str, str]],
                                          message: str) -> None:
    actors = _actors(tmp_path, FRONT, LINKED)
    before = actors.read_text()
    with pytest.raises(ReviewError, match=message):
        apply_review(_review(tmp_path, rows), actors, "A. Reviewer", "2026-11-26")
    assert actors.read_text() == before


def test_a_reviewer_must_be_named(tmp_path: Path) -> None:
    actors = _actors(tmp_path, FRONT)
    rows = [{"key": "example-front", "qid": "Q100001", "confirmed": "yes"}]
    with pytest.raises(ReviewError, match="reviewer"):
        apply_review(_review(tmp_path, rows), actors, " ", "2026-11-26")
