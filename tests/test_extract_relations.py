"""kg_relations on sentences written for these tests, from several conflicts."""

from __future__ import annotations

import pytest
from spacy.language import Language

from kg.extract.pipeline import Extractor
from kg.records import Article


@pytest.fixture(scope="module")
def nlp(extractor: Extractor) -> Language:
    return extractor.nlp


def relations(nlp: Language, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    return {(r.subject.text, r.predicate, r.object.text) for r in doc._.kg_relations}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Iran-backed Houthi movement fired missiles at Riyadh.",
         ("Iran", "supports", "Houthi movement")),
        ("Iraq's main ally, Iran, sent advisers to Baghdad.", ("Iraq", "alliedWith", "Iran")),
        ("The London-based Syrian Network for Human Rights counted the dead.",
         ("Syrian Network for Human Rights", "basedIn", "London")),
        ("The Amaq agency, which is affiliated with Islamic State, claimed the attack.",
         ("Amaq", "affiliatedWith", "Islamic State")),
        ("Warplanes struck the rebel-held town of Maarat al-Numan on Sunday.",
         ("Maarat al-Numan", "controlledBy", "rebel")),
        ("Kurdish fighters advanced on the IS-held city of Raqqa.",
         ("Raqqa", "controlledBy", "IS")),
        ("Shells fell on Kafr Nabl, in the southern Idlib countryside.",
         ("Kafr Nabl", "locatedIn", "Idlib")),
        ("Jihadists killed 12 soldiers near Djibo in northern Burkina Faso.",
         ("Djibo", "locatedIn", "Burkina Faso")),
        ("Wagner mercenaries and Malian soldiers killed civilians in Moura, central Mali.",
         ("Moura", "locatedIn", "Mali")),
        ("The Lebanese militia Hezbollah, which is supporting Syrian government forces, "
         "sent reinforcements.",
         ("Hezbollah", "supports", "Syrian government forces")),
    ],
)
def test_relation_patterns(nlp: Language, sentence: str,
                           expected: tuple[str, str, str]) -> None:
    assert expected in relations(nlp, sentence)


@pytest.mark.parametrize(
    ("sentence", "predicate"),
    [
        ("Shells fell on government-held parts of Aleppo.", "controlledBy"),  # a part only
        ("Aleppo, Idlib and Hama were shelled by Syrian government forces.", "locatedIn"),
    ],
)
def test_no_relation_from_lists_or_parts(nlp: Language, sentence: str, predicate: str) -> None:
    assert not {r for r in relations(nlp, sentence) if r[1] == predicate}


def test_demonym_is_skipped_as_supported_party(nlp: Language) -> None:
    """"Iran-backed, Lebanese militia Hezbollah": Iran backs Hezbollah, not Lebanon."""
    rels = relations(nlp, "The Iran-backed, Lebanese militia Hezbollah fought near Aleppo.")
    assert ("Iran", "supports", "Hezbollah") in rels
    assert not any(r[2] == "Lebanese" for r in rels)


def test_relations_refer_to_entities_of_the_record(extractor: Extractor) -> None:
    text = ("Syrian troops shelled the rebel-held town of Kafr Nabl, in the southern Idlib "
            "countryside. The UK-based Syrian Observatory for Human Rights reported the toll.")
    rec = extractor.extract_one(Article(id="rel", text=text, date="2019-05-01"))
    ids = {e.id: e for e in rec.entities}
    got = {(ids[r.subject].label, r.predicate, ids[r.object].label) for r in rec.relations}
    assert ("Kafr Nabl", "controlledBy", "Syrian rebels") in got
    assert ("Kafr Nabl", "locatedIn", "Idlib") in got
    assert ("Syrian Observatory for Human Rights", "basedIn", "United Kingdom") in got
