"""Event extraction with the real pipeline, on report sentences from several conflicts.

Each case states what a conflict researcher would code from the sentence: ACLED sub-event
type, date resolved against the article date, place, an actor or target, casualties.
Negative cases are statements that mention violence without reporting an event.
"""

from __future__ import annotations

import pytest

from kg.extract.casualties import find_fatalities, find_injuries
from kg.extract.dates import find_dates
from kg.extract.pipeline import Extractor
from kg.records import Article, Event, Extraction


def _extract(extractor: Extractor, text: str, date: str) -> Extraction:
    return extractor.extract_one(Article(id="t", text=text, date=date))


def _label(rec: Extraction, eid: str | None) -> str | None:
    return next((e.label for e in rec.entities if e.id == eid), None)


def _only_event(rec: Extraction) -> Event:
    assert len(rec.events) == 1, [(e.sub_event_type, e.trigger) for e in rec.events]
    return rec.events[0]


@pytest.mark.parametrize(
    ("text", "date", "sub_type", "when", "place", "party"),
    [
        ("Russian warplanes struck the town of Maarat al-Numan in Idlib province on Tuesday, "
         "killing 12 civilians.", "2019-07-24", "Air/drone strike", "2019-07-23",
         "Maarat al-Numan", "Russian Aerospace Forces"),
        ("Houthi fighters fired a ballistic missile at the Saudi city of Jizan on Monday.",
         "2018-04-03", "Shelling/artillery/missile attack", "2018-04-02", "Jizan", "Houthis"),
        ("A roadside bomb exploded near a police patrol in Mogadishu on Sunday, wounding three "
         "officers.", "2019-03-11", "Remote explosive/landmine/IED", "2019-03-10", "Mogadishu",
         None),
        ("Islamic State militants captured the town of Ramadi after government forces "
         "withdrew.", "2015-05-18", "Non-state actor overtakes territory", "2015-05-18",
         "Ramadi", "Islamic State"),
        ("Iraqi forces recaptured the town of Tal Afar from Islamic State on Thursday.",
         "2017-08-31", "Government regains territory", "2017-08-31", "Tal Afar",
         "Islamic State"),
        ("Russian artillery shelled Kharkiv overnight, the regional governor said.",
         "2022-03-02", "Shelling/artillery/missile attack", "2022-03-01", "Kharkiv", "Russia"),
        ("Gunmen abducted 20 villagers near Katsina on Wednesday, police said.", "2021-06-10",
         "Abduction/forced disappearance", "2021-06-09", "Katsina", None),
        ("A suicide bomber blew himself up at a market in Maiduguri on Saturday, killing at "
         "least five people.", "2020-01-12", "Suicide bomb", "2020-01-11", "Maiduguri", None),
        ("Israeli air strikes hit Gaza City late on Thursday, Palestinian health officials "
         "said.", "2021-05-14", "Air/drone strike", "2021-05-13", "Gaza City", None),
        ("The military junta's soldiers arrested dozens of protesters in Mandalay on Monday.",
         "2021-03-02", "Arrests", "2021-03-01", "Mandalay", "Tatmadaw"),
        ("Hundreds of people protested in Bamako on Friday against the French military "
         "presence.", "2022-01-15", "Peaceful protest", "2022-01-14", "Bamako", None),
        ("Al-Shabaab fighters attacked a military base in Lower Shabelle, according to Garowe "
         "Online.", "2019-09-30", "Armed clash", "2019-09-30", "Lower Shabelle", "al-Shabaab"),
        ("A ceasefire brokered by Russia and Turkey took effect in Idlib last Wednesday.",
         "2020-03-08", "Agreement", "2020-03-04", "Idlib", "Turkey"),
    ],
)
def test_event_type_date_place_and_party(extractor: Extractor, text: str, date: str,
                                         sub_type: str, when: str, place: str,
                                         party: str | None) -> None:
    rec = _extract(extractor, text, date)
    ev = _only_event(rec)
    assert (ev.sub_event_type, ev.date, _label(rec, ev.location)) == (sub_type, when, place)
    if party is not None:
        assert party in {_label(rec, i) for i in ev.actors + ev.targets}


@pytest.mark.parametrize(
    "text",
    [
        "The rebels are seeking to take over the area.",  # intention
        "The army did not attack the village.",  # negation
        "Government forces would attack Daraa if the talks failed.",  # hypothetical
        "Residents said the fear of rockets kept them indoors.",  # weapon, no event
        "“We don’t know how to take cover from the air strikes that are showering us,” a "
        "fighter said.",  # first-person quote of feelings
        "Did the coalition bomb the bridge in Mosul?",  # question
    ],
)
def test_statements_that_are_not_events(extractor: Extractor, text: str) -> None:
    assert _extract(extractor, text, "2017-06-01").events == []


def test_repeated_mentions_merge_and_keep_the_most_specific_place(
        extractor: Extractor) -> None:
    text = ("Syrian warplanes attacked insurgents near the city of Aleppo on Sunday. "
            "Dozens of air strikes hit near the town of Khan Touman, state media reported.")
    rec = _extract(extractor, text, "2016-05-08")
    ev = _only_event(rec)
    assert ev.sub_event_type == "Air/drone strike"
    assert _label(rec, ev.location) == "Khan Touman"


def test_date_comes_from_the_event_clause_not_the_sentence(extractor: Extractor) -> None:
    text = ("Air strikes hit near the town of Khan Touman, which rebels took from government "
            "forces late on Thursday.")
    rec = _extract(extractor, text, "2016-05-08")
    dates = {e.sub_event_type: e.date for e in rec.events}
    assert dates == {"Air/drone strike": "2016-05-08",
                     "Non-state actor overtakes territory": "2016-05-05"}


def test_habitual_attacks_have_no_single_date(extractor: Extractor) -> None:
    text = ("Islamic State rockets frequently hit Kilis, where several people have been killed "
            "in cross-border rocket attacks.")
    ev = _only_event(_extract(extractor, text, "2016-05-08"))
    assert ev.date is None
    assert ev.fatalities == 3 and ev.fatalities_approximate


def test_follow_up_casualties_and_attribution(extractor: Extractor) -> None:
    text = ("The Syrian Observatory for Human Rights said that rebels fired rockets at "
            "residential areas in Aleppo. At least seven people were injured.")
    rec = _extract(extractor, text, "2016-05-08")
    ev = _only_event(rec)
    assert ev.injuries == 7 and ev.injuries_approximate
    assert [_label(rec, r) for r in ev.reported_by] == ["Syrian Observatory for Human Rights"]


def test_location_falls_back_to_the_place_just_named(extractor: Extractor) -> None:
    text = ("Islamic State destroyed a gas plant outside Palmyra on Sunday. "
            "IS were driven out of the ancient city two months ago.")
    rec = _extract(extractor, text, "2016-05-08")
    taken = next(e for e in rec.events if e.sub_event_type == "Government regains territory")
    assert _label(rec, taken.location) == "Palmyra"
    assert taken.date == "2016-03-09"


@pytest.mark.parametrize(
    ("text", "article_date", "expected"),
    [
        ("fighting resumed late Thursday", "2016-05-08", ["2016-05-05"]),
        ("on 3rd of March and again on Friday", "2016-05-08", ["2016-03-03", "2016-05-06"]),
        ("two weeks ago", "2020-01-15", ["2020-01-01"]),
        ("the day before", "2020-01-15", ["2020-01-14"]),
        ("police may 5 people have fled", "2020-01-15", []),  # the verb "may" is no month
        ("on Sunday", None, []),  # nothing to anchor a weekday to
    ],
)
def test_find_dates(text: str, article_date: str | None, expected: list[str]) -> None:
    assert [d.date for d in find_dates(text, article_date)] == expected


@pytest.mark.parametrize(
    ("sentence", "killed", "injured"),
    [
        ("Date of publication 25 August 2016 Eleven children were killed in the raid.", 11,
         None),
        ("More than 300,000 people have been killed since 2011.", None, None),
        ("The car bomb killed 22 people and wounded dozens.", 22, 24),
    ],
)
def test_casualty_counts_skip_years_and_war_tolls(sentence: str, killed: int | None,
                                                  injured: int | None) -> None:
    k, i = find_fatalities(sentence), find_injuries(sentence)
    assert (k.value if k else None, i.value if i else None) == (killed, injured)
