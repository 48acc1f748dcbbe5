"""The place-linking bench's own parts: its gold file, the name matching against the
reference table and the alignment of gold names with our mentions. No network: the
reference table here is a few inline rows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.bench_places import (
    GOLD,
    KINDS,
    GoldError,
    GoldPlace,
    load_gold,
    occurrences,
    ref_key,
    reference_point,
    reference_table,
)

ISO_ALPHA2 = {  # the countries the gold uses; a typo ("UK", "SYR") must fail
    "CN", "FR", "GB", "IL", "IQ", "IR", "LB", "QA", "RU", "SA", "SY", "TR", "US"}


def test_gold_file_parses_and_is_large_enough() -> None:
    golds = load_gold()
    assert len(golds) >= 150
    assert len({g.article_id for g in golds}) == 25
    assert {g.kind for g in golds} == set(KINDS)
    assert {g.country for g in golds} <= ISO_ALPHA2
    # every country row carries the country's own QID, and one QID means one country
    qids = {g.qid: g.country for g in golds if g.kind == "country"}
    assert None not in qids and len(set(qids.values())) == len(qids)


def test_gold_names_occur_in_unseen_articles(shared: Path) -> None:
    golds = load_gold()
    ids = {g.article_id for g in golds}
    tuned = {json.loads(p.read_text(encoding="utf-8")).get("article_id")
             for p in (shared / "gold").glob("*.json")}
    assert not ids & tuned
    with (shared / "corpus" / "fakes-articles.jsonl").open(encoding="utf-8") as fh:
        texts = {r["id"]: r["text"] for r in map(json.loads, fh) if r["id"] in ids}
    assert set(texts) == ids
    for g in golds:
        assert re.search(rf"(?<!\w){re.escape(g.mention)}(?!\w)", texts[g.article_id],
                         re.IGNORECASE), (g.article_id, g.mention)


@pytest.mark.parametrize(
    ("row", "message"),
    [("a\tAleppo\ttown\tAleppo\tSY\t", "kind 'town'"),
     ("a\tAleppo\tcity\tAleppo\tSYR\t", "not ISO alpha-2"),
     ("a\tAleppo\tcity\tAleppo\tSY\t41183", "qid '41183'"),
     ("a\tAleppo\tcity\tAleppo\tSY", "5 columns")],
)
def test_bad_gold_row_is_a_clear_error(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "gold.tsv"
    path.write_text(GOLD.read_text(encoding="utf-8").splitlines()[0] + "\n" + row + "\n",
                    encoding="utf-8")
    with pytest.raises(GoldError, match=re.escape(message)):
        load_gold(path)


@pytest.mark.parametrize(
    ("ours", "reference"),
    [("Deir ez-Zor", "deir ez-zor"), ("Raqqa", "ar raqqah"), ("Afrin", "'afrin"),
     ("Halabja", "halabjah"), ("al-Bab", "al bab"), ("Yabroud", "yabrud"),
     ("Idlib Governorate", "idlib")],
)
def test_reference_names_match_across_romanisations(ours: str, reference: str) -> None:
    assert ref_key(ours) == ref_key(reference)


@pytest.mark.parametrize(("a", "b"), [("Homs", "Hama"), ("Bab", "Babila"), ("Idlib", "Adlib")])
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert ref_key(a) != ref_key(b)


def test_reference_point_never_guesses_between_far_namesakes() -> None:
    table = reference_table(
        "Country,City,Latitude,Longitude\n"
        "sy,aleppo,36.20124,37.16117\n"
        "us,washington,38.89511,-77.03637\nus,washington,40.17396,-80.24617\n"
        "gb,london,51.50853,-0.12574\ngb,london,51.51,-0.13\n")

    def gold(name: str, cc: str) -> GoldPlace:
        return GoldPlace("a", name, "city", name, cc, None)

    assert reference_point(gold("Aleppo", "SY"), table) == ((36.20124, 37.16117), "matched")
    assert reference_point(gold("London", "GB"), table)[1] == "matched"  # same place twice
    assert reference_point(gold("Washington", "US"), table) == (
        None, "ambiguous in reference (2 rows)")
    assert reference_point(gold("Aleppo", "TR"), table) == (None, "not in reference")


def test_longer_gold_name_claims_its_span() -> None:
    text = "Jets hit Aleppo province; in Aleppo, new Aleppo was shelled."
    golds = [GoldPlace("a", m, k, m, "SY", None)
             for m, k in (("Aleppo", "city"), ("Aleppo province", "admin1"),
                          ("new Aleppo", "other"))]
    spans = {g.mention: [text[a:b] for a, b in s] for g, s in occurrences(text, golds).items()}
    assert spans == {"Aleppo province": ["Aleppo province"], "new Aleppo": ["new Aleppo"],
                     "Aleppo": ["Aleppo"]}
