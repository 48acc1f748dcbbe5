"""kg.evaluate: matching rules on hand-made gold, and equality with the shared scorer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.evaluate import GoldArticle, GoldError, load_gold, normalise, score, score_article
from kg.extract.pipeline import Extractor
from kg.read import read_articles

GOLD = {
    "article_id": "a1",
    "entities": [
        {"label": "Aleppo", "class": ["Location"], "qid": "Q41183", "aliases": ["Halab"]},
        {"label": "Syrian Arab Army", "class": ["StateActor"], "qid": None,
         "aliases": ["Syrian army", "government forces"]},
        {"label": "Syrian rebels", "class": ["ArmedGroup"], "qid": None,
         "aliases": ["rebels"], "optional": True},
    ],
    "events": [
        {"id": "E1", "summary": "army shells Aleppo", "event_type": "Explosions/Remote violence",
         "sub_event_type": ["Shelling/artillery/missile attack"], "date": ["2016-05-07"],
         "location": ["Aleppo"], "actors": ["Syrian Arab Army"], "targets": []},
        {"id": "E2", "summary": "rebels fight", "event_type": ["Battles"],
         "sub_event_type": ["Armed clash"], "date": [None], "location": ["Aleppo"],
         "actors": [], "targets": [], "optional": True},
    ],
}


def _ent(eid: str, label: str, cls: str, qid: str | None = None) -> dict:
    return {"id": eid, "label": label, "class": cls, "wikidata": qid,
            "mentions": [{"text": label, "start": 0, "end": len(label)}]}


def _pred(events: list[dict]) -> dict:
    return {"article_id": "a1", "entities": [
        _ent("e1", "the Aleppo", "Location", "Q41183"), _ent("e2", "Syrian Army", "StateActor"),
        _ent("e3", "Halab", "Location"), _ent("e4", "Damascus", "Location")], "events": events}


def _ev(etype: str, sub: str, loc: str, date: str | None = "2016-05-07",
        actors: tuple[str, ...] = ()) -> dict:
    return {"event_type": etype, "sub_event_type": sub, "location": loc, "date": date,
            "actors": list(actors), "targets": []}


SHELL = ("Explosions/Remote violence", "Shelling/artillery/missile attack")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("The Aleppo", "aleppo"), ("al-Hader", "hader"), ("Hezbollah’s", "hezbollah"),
     ("Kafr Nahā", "kafr naha"), ("U.S.", "u s")],
)
def test_normalise(name: str, expected: str) -> None:
    assert normalise(name) == expected


def test_entities_split_class_and_qid() -> None:
    counts = score_article(GoldArticle(GOLD), _pred([]))
    # Aleppo hit (class and QID right), Halab a split, Damascus spurious, army hit.
    assert (counts.entity_tp, counts.entity_split, counts.entity_fp, counts.entity_fn) == \
        (2, 1, 1, 0)
    assert (counts.qid_ok, counts.qid_n, counts.class_ok) == (1, 1, 2)


def test_event_matching_rules() -> None:
    preds = [_ev(*SHELL, "e1", actors=("e2",)),           # matches E1 fully
             _ev("Battles", "Armed clash", "e3", None),   # absorbed by optional E2
             _ev(*SHELL, "e4"),                            # wrong place: spurious
             _ev("Protests", "Peaceful protest", "e1")]   # wrong type: spurious
    counts = score_article(GoldArticle(GOLD), _pred(preds))
    figures = counts.figures()
    assert (counts.event_tp, counts.event_fp, counts.event_fn) == (1, 2, 0)
    assert figures["subtype_accuracy"] == figures["date_accuracy"] == 1.0
    assert figures["actor_accuracy"] == 1.0


def test_required_event_prefers_the_better_agreeing_prediction() -> None:
    preds = [_ev(SHELL[0], "Air/drone strike", "e1", "2016-01-01"), _ev(*SHELL, "e1")]
    counts = score_article(GoldArticle(GOLD), _pred(preds))
    assert (counts.subtype_ok, counts.date_ok, counts.event_fp) == (1, 1, 1)


def test_missing_prediction_scores_as_all_missed() -> None:
    counts = score([GoldArticle(GOLD)], {})
    assert counts.event_fn == 1 and counts.entity_fn == 2
    assert counts.missed_events == ["E1: army shells Aleppo"]


def test_bad_gold_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.gold.json"
    path.write_text('{"article_id": "x"}', encoding="utf-8")
    with pytest.raises(GoldError, match="missing field 'entities'"):
        load_gold(path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(GoldError, match=r"bad\.gold\.json"):
        load_gold(path)


def test_eval_command_needs_exactly_one_source(tmp_path: Path) -> None:
    gold = tmp_path / "g.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(gold)])
    assert result.exit_code == 2 and "exactly one" in result.output


def test_figures_equal_the_shared_scorer(shared: Path, extractor: Extractor,
                                         tmp_path: Path) -> None:
    """`kg eval` prints exactly what ../shared/eval/score.py prints on the sample."""
    golds = sorted(str(p) for p in (shared / "gold").glob("*.gold.json"))
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as fh:
        for rec in extractor.extract(read_articles([shared / "corpus" / "sample.jsonl"])):
            fh.write(json.dumps(rec.to_json()) + "\n")
    reference = subprocess.run(
        [sys.executable, str(shared / "eval" / "score.py"), *golds, "--pred", str(pred)],
        capture_output=True, text=True, check=True).stdout
    ours = CliRunner().invoke(main, ["eval", *golds, "--pred", str(pred)])
    assert ours.exit_code == 0, ours.output
    assert ours.output.strip() == reference.strip()
