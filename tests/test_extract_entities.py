"""Entity components (kg_gazetteer, kg_entity_typer, kg_actors, kg_coref) on sentences
written for these tests in the style of conflict reporting from several wars."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.entities import GazetteerRuler
from kg.extract.pipeline import Extractor
from kg.records import Article


@pytest.fixture(scope="module")
def nlp(extractor: Extractor) -> Language:
    return extractor.nlp


def ents(doc: Doc) -> dict[str, tuple[str, str]]:
    return {e.text: (e.label_, e.kb_id_) for e in doc.ents}


@pytest.mark.parametrize(
    ("sentence", "text", "cls", "key"),
    [
        # Syria: generic force resolved through the places of the article
        ("Government forces shelled the village of Kafr Nabl in Idlib province on Monday.",
         "Government forces", "StateActor", "syrian-arab-armed-forces"),
        ("Government forces shelled the village of Kafr Nabl in Idlib province on Monday.",
         "Kafr Nabl", "Location", "sy-kafranbel"),
        # Iraq: demonym + force noun is a gazetteer name
        ("Iraqi troops retook the town of Tal Afar from Islamic State militants.",
         "Islamic State militants", "ArmedGroup", "islamic-state"),
        # Yemen
        ("Saudi-led coalition warplanes struck a market in Saada, a Houthi stronghold.",
         "Saada", "Location", "ye-sadah"),
        # Ukraine: an air noun picks the air force of the demonym's state
        ("Russian warplanes bombed Kharkiv overnight, Ukrainian officials said.",
         "Russian warplanes", "StateActor", "russian-aerospace-forces"),
        # Somalia: a named group followed by a generic noun stays the named group
        ("Al-Shabaab militants attacked an army base outside Mogadishu.",
         "Al-Shabaab militants", "ArmedGroup", "al-shabaab"),
        # Sahel: generic jihadists are the country's generic insurgents
        ("Jihadists killed 12 soldiers near Djibo in northern Burkina Faso.",
         "Jihadists", "ArmedGroup", "rebels-burkina-faso"),
        # Mali: demonym + force noun with no gazetteer name of its own
        ("Wagner mercenaries and Malian soldiers killed civilians in Moura, central Mali.",
         "Malian soldiers", "StateActor", "fama"),
        # Myanmar
        ("The Tatmadaw launched air strikes on villages in Sagaing region, Myanmar.",
         "Tatmadaw", "StateActor", "tatmadaw"),
        # Turkey/Syria: "Turkish special forces" is Turkey's forces, not a place or NORP
        ("Turkish special forces raided positions near Jarabulus.",
         "Turkish special forces", "StateActor", "turkish-special-forces"),
        # Arabic article spellings and possessives
        ("Rebels advanced on al-Bab after a week of fighting.", "al-Bab", "Location",
         "sy-al-bab"),
        ("Rebels advanced on Al Bab after a week of fighting.", "Al Bab", "Location",
         "sy-al-bab"),
        ("Aleppo's eastern districts were shelled by regime warplanes.", "Aleppo",
         "Location", "sy-aleppo"),
        ("The Observatory said Da’esh fighters had withdrawn from the town.", "Da’esh",
         "ArmedGroup", "islamic-state"),
    ],
)
def test_entities_typed_and_keyed(nlp: Language, sentence: str, text: str, cls: str,
                                  key: str) -> None:
    assert ents(nlp(sentence)).get(text) == (cls, key)


@pytest.mark.parametrize(
    ("sentence", "absent"),
    [
        ("Since the ceasefire began, Human Rights Watch has documented abuses.", "Since"),
        ("Since the ceasefire began, Human Rights Watch has documented abuses.", "Human"),
        ("Overnight, the army said it had repelled an attack.", "Overnight"),
        ("He walked south towards the northern edge of the camp.", "south"),
        ("He walked south towards the northern edge of the camp.", "northern"),
        ("THIS IS NOT A DRILL, THE SIREN IS REAL.", "IS"),
        ("Is the truce in Hodeidah holding?", "Is"),
        ("A fighter, Ahmad al Wawi, told reporters the town had fallen.", "Ahmad"),
    ],
)
def test_common_words_are_not_entities(nlp: Language, sentence: str, absent: str) -> None:
    assert absent not in ents(nlp(sentence))


def test_person_name_keeps_model_span(nlp: Language) -> None:
    doc = nlp("A fighter, Ahmad al Wawi, told reporters the town had fallen.")
    assert ents(doc).get("Ahmad al Wawi", ("",))[0] == "Person"


@pytest.mark.parametrize(
    ("sentence", "text", "cls"),
    [
        ("Clashes continued near Sabboura and outside Tabqa on Friday.", "Sabboura",
         "Location"),
        ("Israeli jets struck Sabboura, an area outside Damascus.", "Sabboura", "Location"),
    ],
)
def test_model_entities_retyped_from_context(nlp: Language, sentence: str, text: str,
                                             cls: str) -> None:
    assert ents(nlp(sentence)).get(text, ("",))[0] == cls


def test_gazetteer_ruler_alone_on_blank_pipeline() -> None:
    """The ruler needs no model: trusted names match, acronyms only in capitals, and weak
    GeoNames names never match without a model to corroborate them."""
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_gazetteer")
    doc = nlp("The SDF said IS fighters shelled Hasakah. Is it true? Since then Human rights...")
    found = ents(doc)
    assert found["SDF"] == ("ArmedGroup", "syrian-democratic-forces")
    assert found["IS fighters"] == ("ArmedGroup", "islamic-state")
    assert "Is" not in found and "Since" not in found and "Human" not in found
    assert isinstance(nlp.get_pipe("kg_gazetteer"), GazetteerRuler)


def test_generic_phrases_follow_article_country(nlp: Language) -> None:
    """The same words resolve to different actors in different wars."""
    syria = nlp("Rebels and government forces fought in Idlib and Hama.")
    yemen = nlp("Rebels and government forces fought in Taiz and Marib.")
    assert syria._.kg_country == "syria" and yemen._.kg_country == "yemen"
    assert ents(syria)["Rebels"] == ("ArmedGroup", "rebels-syria")
    assert ents(yemen)["Rebels"] == ("ArmedGroup", "rebels-yemen")
    assert ents(syria)["government forces"][1] == "syrian-arab-armed-forces"
    assert ents(yemen)["government forces"][1] != "syrian-arab-armed-forces"


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Rockets hit Kilis on Monday. Later, more rockets struck Killis.", {"Kilis"}),
        ("Prime Minister Haider al-Abadi visited Mosul. Abadi said the city was free.",
         {"Haider al-Abadi", "Mosul"}),
        ("The Syrian Observatory for Human Rights reported clashes in Idlib. "
         "The Observatory said SOHR sources counted 12 dead.",
         {"Syrian Observatory for Human Rights", "Idlib"}),
    ],
)
def test_aliases_merge_into_one_entity(extractor: Extractor, text: str,
                                       labels: set[str]) -> None:
    rec = extractor.extract_one(Article(id="coref", text=text, date="2020-01-01"))
    assert {e.label for e in rec.entities} == labels


@pytest.mark.parametrize(
    ("sentence", "name"),
    [  # the second of two coordinated names is often tagged as a person or organisation
        ("Pro-government fighters retook the villages of Zaytan and Khalasa on Tuesday.",
         "Khalasa"),
        ("Rebels shelled the towns of Mhardeh and Suqaylabiyah overnight.", "Suqaylabiyah"),
        ("Warplanes struck the Nayrab airport before dawn.", "Nayrab"),
        ("The army held the Abu al-Duhur airport for years.", "Abu al-Duhur"),
    ],
)
def test_coordinated_and_facility_names_are_places(nlp: Language, sentence: str,
                                                   name: str) -> None:
    found = ents(nlp(sentence))
    assert found.get(name, ("missing",))[0] == "Location"


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("Alawite villagers and Druze farmers fled the fighting near Qardaha.", "Alawite"),
        ("Alawite villagers and Druze farmers fled the fighting near Qardaha.", "Druze"),
        ("Gunmen killed 30 Alawites in three villages, the group said.", "Alawites"),
        ("Ten strikes were carried out starting from 1600 GMT, he said.", "GMT"),
    ],
)
def test_communities_and_time_zones_are_not_entities(nlp: Language, sentence: str,
                                                     word: str) -> None:
    assert word not in ents(nlp(sentence))


@pytest.mark.parametrize(
    "sentence",
    [
        "Warplanes from the international anti-jihadist coalition hit the air base.",
        "The anti-insurgent militia patrolled the valley near Kunduz.",
    ],
)
def test_anti_rebel_forces_are_not_rebels(nlp: Language, sentence: str) -> None:
    assert not [e for e in nlp(sentence).ents if e.kb_id_.startswith("rebels-")]


@pytest.mark.parametrize(
    ("sentence", "text"),
    [
        ("Pro-regime fighters stormed the district of Jobar in Damascus.",
         "Pro-regime fighters"),
        ("Pro-government militias entered the town of Tal Afar near Mosul.",
         "Pro-government militias"),
    ],
)
def test_pro_government_fighters_are_state_side(nlp: Language, sentence: str,
                                                text: str) -> None:
    assert ents(nlp(sentence)).get(text, ("missing",))[0] == "StateActor"


@pytest.mark.parametrize(
    ("sentence", "text", "key"),
    [  # a community's generic force is the named group of that community in the article
        ("The YPG said Kurdish fighters repelled the attack near Kobani on Monday.",
         "Kurdish fighters", "ypg"),
        # an adjective beats "Kurdish-led" ("Kurdish YPG" over the Kurdish-led SDF)
        ("The SDF and the SDF command said the YPG and Kurd fighters held Hasakah.",
         "Kurd fighters", "ypg"),
        ("The Kurdish-led SDF advanced; Kurdish forces took three villages near Tabqa.",
         "Kurdish forces", "syrian-democratic-forces"),
        # no named group: the generic entity of its own
        ("Pro-Kurdish fighters clashed with Turkish troops near Cizre at dawn.",
         "Pro-Kurdish fighters", "kurdish-forces"),
        ("Shiite militias shelled the outskirts of Fallujah on Friday.",
         "Shiite militias", "shia-militias"),
        ("Tribal fighters ambushed a patrol south of Hawija.", "Tribal fighters",
         "tribal-fighters"),
    ],
)
def test_community_forces_are_armed_groups(nlp: Language, sentence: str, text: str,
                                           key: str) -> None:
    assert ents(nlp(sentence)).get(text) == ("ArmedGroup", key)


@pytest.mark.parametrize(
    ("sentence", "text", "cls"),
    [
        # a country inside an organisation's name is part of the name
        ("He led the Yemen Patriots Front until the group was crushed in 2019.",
         "the Yemen Patriots Front", "ArmedGroup"),
        # an unknown organisation named as a militant group is an armed group
        ("A spokesman for the Kataib al-Nasr militant group denied the claim.",
         "the Kataib al-Nasr", "ArmedGroup"),
        # the title before a person is not part of the organisation before it
        ("Director of Benghazi Medical Centre Dr. Salem al-Obeidi told reporters.",
         "Benghazi Medical Centre", "Organization"),
        # a struck or besieged name is a place
        ("Nine people died in the shelling of Sheikh Saeed overnight.", "Sheikh Saeed",
         "Location"),
    ],
)
def test_names_typed_from_their_heads_and_context(nlp: Language, sentence: str, text: str,
                                                  cls: str) -> None:
    assert ents(nlp(sentence)).get(text, ("missing",))[0] == cls


def test_name_written_again_without_first_word_is_the_whole_name(nlp: Language) -> None:
    doc = nlp("Nine people died in the shelling of Sheikh Maqsood overnight. The militants "
              "attacked positions in Sheikh Maqsood on April 3.")
    places = [e for e in doc.ents if e.label_ == "Location"]
    assert [e.text for e in places] == ["Sheikh Maqsood", "Sheikh Maqsood"]


def test_known_name_ending_a_kunya_is_the_person(extractor: Extractor) -> None:
    """'al-Golani' (also a brigade's name) in 'Abu Omar al-Golani', and 'Golani' later,
    are the man."""
    rec = extractor.extract_one(Article(id="kunya", date="2020-01-01", text=(
        "An activist identified as Abu Omar al-Golani said the blast killed 20 fighters. "
        "Golani further said the blast occurred during a meeting.")))
    assert [(e.label, e.cls) for e in rec.entities] == [("Abu Omar al-Golani", "Person")]


@pytest.mark.parametrize(
    ("text", "label"),
    [  # an inner article written with a space; a possessive that lost its apostrophe
        ("Jabhat Fateh Al Sham fighters attacked the camp near Inkhil.",
         "al-Nusra Front"),
        ("The Syrian Arab Army said it held the hill. The Syrian Arab Armys Republican "
         "Guard was not involved.", "Syrian Arab Army"),
    ],
)
def test_name_spelling_variants_join_the_known_entity(extractor: Extractor, text: str,
                                                      label: str) -> None:
    rec = extractor.extract_one(Article(id="variants", text=text, date="2020-01-01"))
    labels = [e.label for e in rec.entities]
    assert label in labels
    assert not {"Fatah", "Damascus", "Syrian Arab Armys"} & set(labels)


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("Takfiri terrorists shelled the town, the agency said.", "Takfiri"),
        ("He spoke during an annual Q&A session in Moscow.", "Q&A"),
        ("The blast killed five people, Press TV reported. SSH", "SSH"),
    ],
)
def test_epithets_and_sign_offs_are_not_entities(nlp: Language, sentence: str,
                                                 word: str) -> None:
    assert word not in ents(nlp(sentence))


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("Reporting by K. al-Masri/A. Haddad; Editing by Tom Brown", "K. al-Masri/A. Haddad"),
        ("Reporting by K. al-Masri/A. Haddad; Editing by Tom Brown", "Tom Brown"),
        ("Parliament approved the emergency law on Monday.", "Parliament"),
        ("Writing by David Cutler; Editing by Tom Brown", "Writing"),
        # title-case headlines read as names: a finite verb or an event noun inside
        ("Regime Commits Massacre in Aleppo Kills 54", "Regime Commits Massacre"),
        ("Dozens Killed in Intensified Russian & Regime Airstrikes on Idlib",
         "Intensified Russian & Regime Airstrikes"),
    ],
)
def test_credits_and_bare_institutions_are_not_entities(nlp: Language, sentence: str,
                                                        word: str) -> None:
    assert word not in ents(nlp(sentence))


@pytest.mark.parametrize(
    ("sentence", "name"),
    [  # names no model or gazetteer knows, made places by "town of" / "village of"
        ("The attack on the army camp near the key town of Ibtraa failed.", "Ibtraa"),
        ("The car bomb went off in the village of Asheh on Wednesday.", "Asheh"),
    ],
)
def test_unknown_name_after_town_of_is_a_place(nlp: Language, sentence: str,
                                               name: str) -> None:
    assert ents(nlp(sentence)).get(name, ("missing",))[0] == "Location"


@pytest.mark.parametrize(
    ("sentence", "name", "fused"),
    [  # scraped text without apostrophes: "Aleppos X" is Aleppo's X
        ("Warplanes shelled Aleppos Bustan al-Qasr neighbourhood on Monday.", "Bustan al-Qasr",
         "Aleppos Bustan al-Qasr"),
        ("Shells fell on Aleppos Ansari district.", "Ansari", "Aleppos Ansari"),
    ],
)
def test_a_place_fused_with_a_possessive_keeps_its_own_name(nlp: Language, sentence: str,
                                                            name: str, fused: str) -> None:
    found = ents(nlp(sentence))
    assert found.get(name, ("missing",))[0] == "Location" and fused not in found


@pytest.mark.parametrize(
    ("sentence", "text", "cls"),
    [  # an apostrophe lost before a phrase: "Syrias war" is Syria's war
        ("Thousands fled Syrias war last year.", "Syrias", "StateActor"),
        ("Assads forces shelled Douma.", "Assads", "Person"),
        ("The warplanes hit Aleppos Marjeh district.", "Marjeh", "Location"),
    ],
)
def test_a_name_with_its_apostrophe_lost_is_still_the_name(nlp: Language, sentence: str,
                                                           text: str, cls: str) -> None:
    assert ents(nlp(sentence)).get(text, ("missing",))[0] == cls


@pytest.mark.parametrize("sentence", ["The turkeys were sold in Gaza.",
                                      "Fatah al-Shams presence in the city is minimal."])
def test_plurals_and_short_names_are_no_fused_possessives(nlp: Language, sentence: str) -> None:
    found = ents(nlp(sentence))
    assert "turkeys" not in found and "al-Shams" not in found


@pytest.mark.parametrize(
    ("sentence", "text", "key"),
    [  # "region" and "oblast" name the eponymous area; "state" only as a known phrase
        ("A missile hit the station in Kramatorsk, in the Donetsk region, on Friday.",
         "Donetsk region", "ua-donetsk-oblast"),
        ("Gunmen attacked a village in Borno state.", "Borno state", "ng-borno-state"),
        ("Aleppo state television said the army advanced.", "Aleppo", "sy-aleppo"),
    ],
)
def test_region_words_name_the_area(nlp: Language, sentence: str, text: str, key: str) -> None:
    assert ents(nlp(sentence)).get(text, ("", "missing"))[1] == key
