"""Extraction with the real spaCy pipeline: entities, events, dates, casualties, relations."""

from __future__ import annotations

import pytest

from kg.extract.casualties import find_fatalities, find_injuries
from kg.extract.dates import resolve_date
from kg.extract.pipeline import Extractor
from kg.records import Article


@pytest.mark.parametrize(
    ("phrase", "article_date", "expected"),
    [
        ("on Sunday", "2016-05-08", "2016-05-08"),  # 2016-05-08 was a Sunday
        ("late on Thursday", "2016-05-08", "2016-05-05"),
        ("last Wednesday", "2016-05-08", "2016-05-04"),
        ("overnight", "2016-05-08", "2016-05-07"),
        ("two months ago", "2016-05-08", "2016-03-09"),
        ("on 3 March", "2016-05-08", "2016-03-03"),
        ("on December 30", "2017-01-02", "2016-12-30"),
        ("yesterday", "2020-01-01", "2019-12-31"),
    ],
)
def test_dates_resolve_against_article_date(phrase: str, article_date: str,
                                            expected: str) -> None:
    assert resolve_date(f"Rebels attacked {phrase}.", article_date)[0] == expected


@pytest.mark.parametrize(
    ("sentence", "killed", "injured", "approximate"),
    [
        ("At least seven people were injured in the attack.", None, 7, True),
        ("The strike hit a hospital, killing several people.", 3, None, True),
        ("Twelve soldiers were killed and 30 wounded.", 12, 30, False),
        ("The blast killed 4 civilians.", 4, None, False),
    ],
)
def test_casualties(sentence: str, killed: int | None, injured: int | None,
                    approximate: bool) -> None:
    k, i = find_fatalities(sentence), find_injuries(sentence)
    assert (k.value if k else None) == killed
    assert (i.value if i else None) == injured
    assert (k or i).approximate is approximate


def test_sample_sentence_gives_typed_event(extractor: Extractor) -> None:
    art = Article(id="t1", date="2016-05-08",
                  text="Syrian warplanes struck rebel positions near the town of Khan Touman "
                       "on Sunday, killing at least five fighters.")
    rec = extractor.extract_one(art)
    subs = {e.sub_event_type for e in rec.events}
    assert "Air/drone strike" in subs
    ev = next(e for e in rec.events if e.sub_event_type == "Air/drone strike")
    assert ev.date == "2016-05-08"
    assert ev.fatalities == 5
    loc = next(e for e in rec.entities if e.id == ev.location)
    assert loc.label == "Khan Touman" and loc.cls == "Location"


def test_record_json_matches_scoring_format(extractor: Extractor) -> None:
    rec = extractor.extract_one(Article(id="t2", date="2019-04-20",
                                        text="Clashes erupted in Tripoli on Friday."))
    data = rec.to_json()
    assert data["article_id"] == "t2"
    for ent in data["entities"]:
        assert {"id", "label", "class", "wikidata", "mentions"} <= set(ent)
    for ev in data["events"]:
        assert {"event_type", "sub_event_type", "date", "location", "actors", "targets",
                "fatalities", "injuries", "reported_by"} <= set(ev)
