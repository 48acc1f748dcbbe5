"""spaCy components that find and type entities: gazetteer ruler and entity typer.

The gazetteer ruler puts our domain knowledge ahead of the statistical NER (which tags
Palmyra as PERSON and TOW as ORG); the typer then maps what the model still contributes
onto our six classes, using context ("the town of X") and the gazetteer.

Precision matters as much as recall: the places gazetteer holds thousands of GeoNames towns
whose alternate names are also English words or first names ("Since", "Human", "Karim").
Such *weak* names only count when the model or the context agrees that a place is meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.extract.triggers import default_lexicon
from kg.gazetteer import Entry, Gazetteer, default_gazetteer, fold
from kg.link.areas import eponymous_area

CASE_SENSITIVE_MAX = 4  # aliases this short (acronyms: IS, SDF, AP) must match exactly
BIG_PLACE = 250_000  # a GeoNames place this populous is named often enough to trust its label
KG_CLASSES = {"ArmedGroup", "StateActor", "Location", "Organization", "Person", "Weapon"}
MODEL_LABELS = {"GPE": "Location", "LOC": "Location", "FAC": "Location", "ORG": "Organization",
                "PERSON": "Person", "NORP": "NORP"}
MODEL_PLACE_LABELS = {"GPE", "LOC", "FAC"}
# A word right before a name that makes it a place ("near X", "outside X").
PLACE_CUES = {"near", "outside", "towards", "toward", "around", "into", "across", "inside",
              "outskirts", "besieged", "rebel-held", "government-held"}
# Weaker cues: prepositions that also precede people and organisations ("in X", "at X").
PLACE_PREPOSITIONS = {"in", "at", "from"}
# "the town of X", "Aleppo province", "the Idlib countryside".
PLACE_NOUNS = {"town", "city", "village", "villages", "province", "governorate", "district",
               "region", "countryside", "suburb", "suburbs", "neighbourhood", "neighborhood",
               "area", "camp", "state", "county", "municipality", "outskirts", "port",
               "quarter", "quarters", "districts", "neighbourhoods", "neighborhoods"}
# "the shelling of X", "an attack on X": a name that is struck or besieged is a place.
STRUCK_OF = {"shelling", "bombing", "bombardment", "siege", "liberation", "shelled"}
STRUCK_ON = {"shelling", "attack", "attacks", "offensive", "assault", "raid", "raids",
             "strikes", "airstrikes"}
# "Nayrab airport", "the Shaalan district": a name before these is a place.
FACILITY_NOUNS = {"airport", "airbase", "dam", "crossing", "valley", "plain", "street"}
# Communities (sects, ethnic groups) are victims or parties of reports but none of our six
# classes; the model tags them as places, people or organisations.
COMMUNITIES = {"alawite", "alawites", "sunni", "sunnis", "shia", "shias", "shiite", "shiites",
               "druze", "christian", "christians", "yazidi", "yazidis", "ismaili", "ismailis",
               "copts", "coptic", "muslim", "muslims", "kurd", "kurdish", "arab", "arabs",
               "turkmen"}
NOT_NAMES = {"gmt", "utc",  # time zones the model calls organisations
             "takfiri", "takfiris", "q a",  # an epithet, an interview format
             "parliament", "cabinet", "presidency",  # institutions named without a country
             "n", "s", "e", "w", "ne", "nw", "se", "sw"}  # compass points ("in NE Syria")
ARTICLES = {"al", "el"}
# Words that begin many Arabic place names ("gate", "hill", "spring", "bridge", "village",
# "monastery", "inn"): alone they may be the short name of one town ("Bab" for al-Bab), but
# followed by another capital word they are the start of a different place's name.
TOPONYM_HEADS = {"bab", "tal", "tel", "tell", "ain", "ayn", "jisr", "kafr", "deir", "khan",
                 "ras", "beit", "jabal", "jebel", "wadi", "bir", "qasr", "maarat", "marat"}
CALENDAR_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday", "january", "february", "march", "april", "may", "june", "july",
                  "august", "september", "october", "november", "december"}
# A word after a town's name that makes the name its eponymous first-level area ("Idlib
# province"), or before it with "of" ("the province of Idlib").
AREA_WORDS = {"province", "governorate", "region", "oblast"}
# Words after a name that name an area only as a whole phrase the gazetteer knows
# ("Damascus Countryside" is Rif Dimashq; "Aleppo countryside" is no area of its own).
AREA_PHRASE_WORDS = {"countryside", "state"}  # "Borno State"; not "Aleppo state TV"
NAME_PARTICLES = {"al", "el", "bin", "ibn", "abu", "of", "for", "de", "the", "and"}
# Words that start an Arabic name by kinship ("Abu Omar al-Golani"): what follows is a person.
KUNYA = {"abu", "umm", "ibn", "bin"}
# The last word of an organisation's name ("the Syria Revolutionaries Front"): a country
# name inside it is part of the name, not the country.
ORG_HEADS = {"front", "army", "forces", "brigade", "brigades", "battalion", "battalions",
             "movement", "party", "council", "union", "committee", "observatory", "network",
             "agency", "centre", "center", "coalition", "organization", "organisation",
             "corps", "group", "legion", "regiment", "revolutionaries", "militia"}
# Heads that make an unknown organisation an armed group ("the Syria Revolutionaries
# Front", "the Alwiyat al-Furqan militant group").
ARMED_HEADS = {"front", "army", "brigade", "brigades", "battalion", "battalions", "legion",
               "regiment", "corps", "militia", "militias"}
ARMED_AFTER = {"militant", "rebel", "armed", "jihadist", "insurgent", "terrorist"}
TOWN_NOUNS = {"town", "towns", "village", "villages", "city", "hamlet", "suburb", "neighbourhood",
              "neighborhood", "district", "quarter"}
BYLINE_WORDS = {"reporting", "editing", "writing", "compiled", "additional", "photo", "photos"}
# Titles the model sometimes appends to the name before a person ("Daraa National
# Hospital Dr. Farid al-Asfar").
TRAILING_TITLES = {"dr", "mr", "mrs", "ms", "capt", "gen", "col", "lt", "maj", "sgt", "prof"}


@dataclass(frozen=True)
class _Name:
    """What a matched gazetteer name stands for, and how much to trust it alone."""

    key: str
    weak: bool


def _is_weak(entry: Entry, alias: str) -> bool:
    """Names of imported places that need corroboration before we call them places.

    Hand-written entries, countries and the labels of big cities are trusted; GeoNames
    alternate names and small towns are not (many are common words or first names).
    """
    if entry.cls != "Location" or entry.source == "kg-team" or entry.subclass == "Country":
        return False
    return not (alias == entry.label and (entry.population or 0) >= BIG_PLACE)


def _alias_variants(alias: str) -> list[str]:
    """The alias plus the spellings of its Arabic article: al-Hader, al Hader, Hader."""
    out = [alias]
    if "'" in alias:
        out.append(alias.replace("'", "’"))
    head, sep, rest = alias.partition("-")
    if sep and head.lower() in ARTICLES and " " not in head:
        out.append(f"{head} {rest}")
        if len(rest) >= 4:
            out.append(rest)
    # An article inside the name is written both ways: "Fateh al-Sham", "Fateh Al Sham".
    spaced = _INNER_ARTICLE.sub(r" \1 ", alias)
    if spaced != alias:
        out.append(spaced)
    return out


_INNER_ARTICLE = re.compile(r" (al|Al|el|El)-")


def _fused_possessive(span: Span, entry: Entry) -> bool:
    """Whether the span matched a name only through its apostrophe-less possessive."""
    names = {fold(n) for n in entry.names}
    return fold(span.text) not in names and fold(span.text[:-1]) in names


def _possessive_position(span: Span) -> bool:
    """Whether "Syrias" stands where "Syria's" would: right before a word of the same
    phrase ("Syrias war", "Assads forces"), not ending a clause."""
    doc = span.doc
    return span.end < len(doc) and doc[span.end].is_alpha and \
        doc[span.end].pos_ in {"NOUN", "PROPN", "ADJ", "NUM"}


def _capitalised(span: Span) -> bool:
    """Proper names start with a capital, allowing a lower-case article (al-Hader)."""
    first = span[0]
    if first.lower_ in ARTICLES and len(span) > 1:
        nxt = span[2] if len(span) > 2 and span[1].text == "-" else span[1]
        return nxt.text[:1].isupper()
    return first.text[:1].isupper()


def _sentence(span: Span) -> Span:
    """The span's sentence, or the whole doc when nothing set sentence boundaries (a
    pipeline without parser or sentencizer)."""
    return span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]


def _shouting(sent: Span) -> bool:
    """All-caps sentences (headlines, transcripts) where "IS" may be the verb."""
    letters = [t for t in sent if t.is_alpha]
    return len(letters) > 2 and sum(t.is_upper for t in letters) > len(letters) / 2


def place_context(doc: Doc, start: int, end: int, *, strict: bool = False) -> bool:
    """Whether the words around tokens [start, end) say a place is named there.

    With `strict`, bare prepositions ("in", "at") do not count: they also precede
    organisations and people ("in Reuters' report", "at Amnesty").
    """
    prev = doc[start - 1].lower_ if start > 0 else ""
    prev2 = doc[start - 2].lower_ if start > 1 else ""
    nxt = doc[end].lower_ if end < len(doc) else ""
    if prev in PLACE_CUES or (prev == "of" and prev2 in PLACE_NOUNS | STRUCK_OF) \
            or (prev == "on" and prev2 in STRUCK_ON):
        return True
    if (nxt in PLACE_NOUNS and nxt not in {"state", "port", "camp"}) or nxt in FACILITY_NOUNS:
        return True
    if nxt == "," and end + 2 < len(doc) and doc[end + 1].lower_ in {"a", "an", "the"} \
            and any(t.lower_ in PLACE_NOUNS for t in doc[end + 2:end + 4]):
        return True  # "Sabboura, an area outside Damascus"
    return not strict and prev in PLACE_PREPOSITIONS


@Language.factory(
    "kg_gazetteer",
    default_config={"overwrite_ents": True, "min_length": 2},
)
def make_gazetteer_ruler(nlp: Language, name: str, overwrite_ents: bool,
                         min_length: int) -> GazetteerRuler:
    """Factory registered as `kg_gazetteer` (assembled from the pipeline config)."""
    return GazetteerRuler(nlp, name, overwrite_ents=overwrite_ents, min_length=min_length)


class GazetteerRuler:
    """Match gazetteer names and give them precedence over model entities.

    Matched spans get the ontology class as label and the gazetteer key as `kb_id_`.
    Precedence: a trusted gazetteer name replaces overlapping model entities, except that a
    place name inside a longer model PERSON/ORG/FAC name ("Ahmad" in "Ahmad al Wawi",
    "Aleppo" in "Aleppo Media Center") leaves the model's name alone. A weak name is kept
    only when the model has an entity on exactly that span and it or the context says place.
    """

    def __init__(self, nlp: Language, name: str = "kg_gazetteer", *, overwrite_ents: bool = True,
                 min_length: int = 2, gazetteer: Gazetteer | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.overwrite_ents = overwrite_ents
        self.min_length = min_length
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.gazetteer = gazetteer or default_gazetteer()
        self.names: dict[str, _Name] = {}
        self._load(self.gazetteer)

    def _load(self, gaz: Gazetteer) -> None:
        exact: dict[str, set[str]] = {}
        folded: dict[str, set[str]] = {}
        for entry in gaz.entries.values():
            for alias in entry.names:
                if len(alias) < self.min_length:
                    continue
                if entry.cls == "Location" and not alias[:1].isupper() \
                        and alias.split("-")[0].lower() not in ARTICLES:
                    continue  # lower-case place aliases are words, not names
                weak = _is_weak(entry, alias)
                match_id = f"{entry.key}|{'w' if weak else 's'}"
                self.names[match_id] = _Name(entry.key, weak)
                variants = _alias_variants(alias)
                if not weak and alias.isalpha() and alias[0].isupper() and alias[-1] != "s" \
                        and (len(alias) > CASE_SENSITIVE_MAX or alias.isupper()):  # not "Shams"
                    variants.append(alias + "s")  # "Syrias war": an apostrophe lost
                for variant in variants:
                    target = exact if len(variant) <= CASE_SENSITIVE_MAX else folded
                    target.setdefault(variant, set()).add(match_id)
        for table, matcher in ((exact, self.exact), (folded, self.folded)):
            texts = list(table)
            for text, doc in zip(texts, self.nlp.tokenizer.pipe(texts), strict=True):
                for match_id in sorted(table[text]):
                    matcher.add(match_id, [doc])

    def _rank(self, name: _Name) -> tuple[int, int, int]:
        """Prefer trusted names, actors over places of the same name, then populous places."""
        entry = self.gazetteer.entries[name.key]
        return (not name.weak, entry.cls != "Location", entry.population or 0)

    def _matches(self, doc: Doc) -> dict[tuple[int, int], _Name]:
        best: dict[tuple[int, int], _Name] = {}
        for matcher in (self.exact, self.folded):
            for match_id, start, end in matcher(doc):
                name = self.names[self.nlp.vocab.strings[match_id]]
                old = best.get((start, end))
                if old is None or self._rank(name) > self._rank(old):
                    best[(start, end)] = name
        return best

    def _acceptable(self, span: Span, name: _Name, model: dict[tuple[int, int], Span]) -> bool:
        entry = self.gazetteer.entries[name.key]
        if _fused_possessive(span, entry) and not (
                span.text[0].isupper() and _possessive_position(span)):
            return False
        if entry.cls == "Location" and not _capitalised(span):
            return False
        if len(span.text) <= CASE_SENSITIVE_MAX and _shouting(_sentence(span)):
            return False
        if not name.weak:
            return True
        same = model.get((span.start, span.end))
        if same is None:
            return False
        return same.label_ in MODEL_PLACE_LABELS or place_context(span.doc, span.start, span.end)

    @staticmethod
    def _merge_same_key(spans: list[Span]) -> list[Span]:
        """Overlapping matches of one entry become one span ("UK-based Syrian Observatory
        for Human Rights"), so a sub-word such as "Human" cannot match on its own."""
        spans = sorted(spans, key=lambda s: (s.kb_id_, s.start, -s.end))
        out: list[Span] = []
        for span in spans:
            last = out[-1] if out else None
            if last is not None and last.kb_id_ == span.kb_id_ and span.start < last.end:
                if span.end > last.end:
                    out[-1] = Span(span.doc, last.start, span.end, label=last.label_,
                                   kb_id=last.kb_id_)
                continue
            out.append(span)
        return out

    @staticmethod
    def _with_article(span: Span) -> Span:
        """Extend "Hader" to "al-Hader" when the text writes the article."""
        doc, start = span.doc, span.start
        if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ in ARTICLES \
                and not doc[start - 2].whitespace_ and not doc[start - 1].whitespace_:
            return Span(doc, start - 2, span.end, label=span.label_, kb_id=span.kb_id_)
        return span

    def _area(self, span: Span, name: _Name, phrase: bool) -> Entry | None:
        """The first-level area meant by `span` written with an area word after it.

        The whole phrase first ("Homs Province", "Damascus Countryside" = Rif Dimashq);
        else, unless only the phrase may name an area (`phrase`), the area named after
        the town the name reaches ("Deir Ezzor province": Deir ez-Zor Governorate).
        """
        areas = [a for a in self.gazetteer.lookup(span.text) if a.subclass == "AdministrativeArea"]
        if areas:
            entry = self.gazetteer.entries[name.key]
            return next((a for a in areas if a.country == entry.country), areas[0])
        if phrase:
            return None
        found = {a.key: a for e in [self.gazetteer.entries[name.key],
                                    *self.gazetteer.lookup(span[:-1].text)]
                 if (a := eponymous_area(self.gazetteer, e)) is not None}
        return next(iter(found.values())) if len(found) == 1 else None

    def _area_span(self, span: Span, name: _Name) -> Span | None:
        """'Idlib province', 'the province of Idlib': a span keyed to the area, not the town.

        Why here and not in the linker: entities are formed from the ruler's keys, and one
        entity gets one link. With the town's key, "Idlib province" and "Idlib" become one
        entity and the province is lost (or the town is); with the area's key they are two.
        The area word itself is the evidence that a place is meant, so weak names count.
        A following area word joins the mention ("Idlib province"); "province of" before
        it does not (the mention stays the name, as written).
        """
        entry = self.gazetteer.entries[name.key]
        if entry.cls != "Location" or entry.subclass not in {"PopulatedPlace",
                                                             "AdministrativeArea"} \
                or not _capitalised(span):
            return None
        doc, start, end = span.doc, span.start, span.end
        nxt = doc[end].lower_ if end < len(doc) else ""
        if nxt in AREA_WORDS | AREA_PHRASE_WORDS:
            area = self._area(doc[start:end + 1], name, phrase=nxt in AREA_PHRASE_WORDS)
            return None if area is None else Span(doc, start, end + 1, label="Location",
                                                  kb_id=area.key)
        if start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in AREA_WORDS:
            area = eponymous_area(self.gazetteer, entry)
            return None if area is None else Span(doc, start, end, label="Location",
                                                  kb_id=area.key)
        return None

    def __call__(self, doc: Doc) -> Doc:
        model = {(e.start, e.end): e for e in doc.ents}
        spans = []
        weak: set[tuple[int, int]] = set()
        for (start, end), name in self._matches(doc).items():
            span = Span(doc, start, end, label=self.gazetteer.entries[name.key].cls,
                        kb_id=name.key)
            area = self._area_span(span, name)
            if area is not None:
                spans.append(area)
            elif self._acceptable(span, name, model):
                spans.append(self._with_article(span))
                if name.weak:
                    weak.add((span.start, span.end))
        spans = [s for s in spans if not _part_of_longer_name(s, spans, model.values())
                 and not _after_kunya(s)]
        spans = _merge_weapon_types(filter_spans(self._merge_same_key(spans)))
        names = [e for e in doc.ents if e.label_ in {"PERSON", "ORG", "FAC"} and _proper(e)]
        if names:
            spans = [s for s in spans if not _inside_name(s, names, weak)
                     and not self._country_in_org_name(s, names)]
        if self.overwrite_ents:
            taken = {i for span in spans for i in range(span.start, span.end)}
            kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
            kept += self._after_possessives(spans, doc.ents, taken)
        else:
            kept = list(doc.ents)
            spans = [s for s in spans if not any(k.start < s.end and s.start < k.end for k in kept)]
        doc.ents = filter_spans([*spans, *kept])
        return doc


    def _after_possessives(self, spans: list[Span], model: Iterable[Span],
                           taken: set[int]) -> list[Span]:
        """The model's "Aleppos Marjeh" less the possessive matched here: "Marjeh"."""
        out = []
        for span in spans:
            if not _fused_possessive(span, self.gazetteer.entries[span.kb_id_]):
                continue
            for e in model:
                if e.start == span.start and e.end > span.end and not any(
                        i in taken for i in range(span.end, e.end)):
                    out.append(Span(e.doc, span.end, e.end, label=e.label_))
        return out

    def _country_in_org_name(self, span: Span, names: list[Span]) -> bool:
        """ "Syria" in "the Syria Revolutionaries Front": a country name at the start of a
        longer model organisation name that ends in an organisation word is part of it."""
        entry = self.gazetteer.entries[span.kb_id_]
        if entry.subclass not in {"State", "Country"}:
            return False
        return any(e.label_ == "ORG" and e.start <= span.start and span.end < e.end
                   and e[-1].lower_ in ORG_HEADS for e in names)


def _after_kunya(span: Span) -> bool:
    """ "al-Golani" in "Abu Omar al-Golani": a known name right after "Abu X" (or "Abu")
    ends a person's name; matching it would make the man a brigade or a town."""
    doc, i = span.doc, span.start
    if span.label_ == "Person":
        return False  # the person's own entry ("al-Baghdadi")
    if i >= 1 and doc[i - 1].lower_ in KUNYA:
        return True
    return i >= 2 and doc[i - 2].lower_ in KUNYA and doc[i - 2].text[:1].isupper() \
        and doc[i - 1].text[:1].isupper() and doc[i - 1].is_alpha


def _article_then_name(doc: Doc, i: int) -> bool:
    """Tokens i.. read "al-Faraj": an Arabic article joined by a hyphen to a capital word."""
    return i + 2 < len(doc) and doc[i].lower_ in ARTICLES and doc[i + 1].text == "-" \
        and not doc[i].whitespace_ and not doc[i + 1].whitespace_ \
        and doc[i + 2].text[:1].isupper()


def _part_of_longer_name(span: Span, spans: list[Span], model: Iterable[Span]) -> bool:
    """A place name that is only the start or end of a longer proper name: "Bab" (al-Bab)
    in the Aleppo quarter "Bab al-Faraj". Linking the part would put the quarter in another
    town; dropped, the whole name stays what the model makes of it (unlinked).

    The name goes on when an article-joined capital word follows ("Bab al-Faraj"), or when a
    model entity runs from capital words before it into an article-led match ("Bab
    al-Faraj" with "al-Faraj" matched). Not when the rest is itself a known name ("Idlib
    al-Nusra" in text without commas is two names).
    """
    if span.label_ != "Location":
        return False
    doc = span.doc
    others = [s for s in spans if s is not span]

    def known(i: int) -> bool:
        return any(s.start <= i < s.end for s in others)

    if _article_then_name(doc, span.end) and not known(span.end + 2):
        return True
    if len(span) == 1 and span.root.lower_ in TOPONYM_HEADS and span.end < len(doc) \
            and doc[span.end].is_title and doc[span.end].is_alpha and not known(span.end) \
            and doc[span.end].lower_ not in CALENDAR_WORDS:
        return True  # "Bab Alnairab", "Tal Rifaat": a generic head word, then its name
    if doc[span.start].lower_ not in ARTICLES or span.start == 0:
        return False
    return any(e.start < span.start and span.end <= e.end
               and all(t.text[:1].isupper() and not known(t.i)
                       for t in doc[e.start:span.start])
               for e in model)


def _merge_weapon_types(spans: list[Span]) -> list[Span]:
    """"TOW guided anti-tank missiles": a named weapon followed by its generic type
    (lower-case, at most two words apart) is one mention of the named weapon."""
    spans = sorted(spans, key=lambda s: s.start)
    out: list[Span] = []
    for span in spans:
        last = out[-1] if out else None
        if last is not None and last.label_ == span.label_ == "Weapon" \
                and 0 <= span.start - last.end <= 2 and span.text.islower() \
                and not last.text.islower() \
                and all(t.is_lower and t.is_alpha for t in span.doc[last.end:span.start]):
            out[-1] = Span(span.doc, last.start, span.end, label="Weapon", kb_id=last.kb_id_)
            continue
        out.append(span)
    return out


@Language.factory("kg_entity_typer", default_config={"drop_other": True})
def make_entity_typer(nlp: Language, name: str, drop_other: bool) -> EntityTyper:
    """Factory registered as `kg_entity_typer`."""
    return EntityTyper(name, drop_other=drop_other)


class EntityTyper:
    """Map model NER labels onto the ontology classes, correcting them from context.

    Non-entity model labels (DATE, CARDINAL...) move to `doc.spans["kg_other"]` so later
    components (dates, casualty counts) still see them. Junk the model calls an entity
    ("Overnight" as GPE, lower-case words) is dropped.
    """

    def __init__(self, name: str = "kg_entity_typer", *, drop_other: bool = True,
                 gazetteer: Gazetteer | None = None) -> None:
        self.name = name
        self.drop_other = drop_other
        self.gazetteer = gazetteer or default_gazetteer()

    def _without_fused_possessive(self, span: Span) -> Span:
        """ "Aleppos Bustan al-Qasr" -> "Bustan al-Qasr": scraped text that lost its
        apostrophes fuses a known place's possessive onto the name after it."""
        first = span[0].text
        if len(span) < 2 or not first.endswith("s") or not first[:1].isupper() or any(
                e.cls != "Location" for e in self.gazetteer.lookup(first[:-1])) or \
                not self.gazetteer.lookup(first[:-1]):
            return span
        return Span(span.doc, span.start + 1, span.end, label=span.label_, kb_id=span.kb_id_)

    def _type(self, span: Span) -> tuple[str | None, str]:
        label = MODEL_LABELS.get(span.label_)
        if label is None:
            return None, ""
        if label == "NORP":
            key = self.gazetteer.by_demonym.get(fold(span.text))
            return ("StateActor", key) if key else (None, "")
        if _junk(span):
            return None, ""
        if label in {"Person", "Organization"} and place_context(
                span.doc, span.start, span.end, strict=label == "Organization"):
            label = "Location"
        if label in {"Organization", "Person"} and _armed_group_name(span):
            label = "ArmedGroup"
        return label, ""

    def __call__(self, doc: Doc) -> Doc:
        ents: list[Span] = []
        other: list[Span] = []
        for ent in doc.ents:
            if ent.label_ in KG_CLASSES:
                ents.append(ent)
                continue
            ent = self._without_fused_possessive(_without_trailing_title(ent))
            cls, key = self._type(ent)
            if cls is None:
                other.append(ent)
            else:
                ents.append(Span(doc, ent.start, ent.end, label=cls, kb_id=key or ent.kb_id_))
        ents = _whole_names(_coordinated_places(ents))
        doc.ents = filter_spans(ents + _unknown_places(doc, ents))
        doc.spans["kg_other"] = other
        return doc


def _coordinated_places(ents: list[Span]) -> list[Span]:
    """ "the villages of Zaytan and Khalasa": an unkeyed name coordinated with a place is a
    place too (the model tags the second one as a person or organisation)."""
    places = {e.root.i for e in ents if e.label_ == "Location"}
    out = []
    for e in ents:
        if e.label_ in {"Person", "Organization"} and not e.kb_id_ and (
                (e.root.dep_ == "conj" and e.root.head.i in places)
                or any(c.dep_ == "conj" and c.i in places for c in e.root.children)):
            e = Span(e.doc, e.start, e.end, label="Location")
        out.append(e)
    return out


def _unknown_places(doc: Doc, ents: list[Span]) -> list[Span]:
    """ "the key town of Ibtraa": a capitalised name after "town of" (village, city...) that
    neither the model nor the gazetteer knows is a place all the same."""
    taken = {i for e in ents for i in range(e.start, e.end)}
    out = []
    for tok in doc:
        i = tok.i
        if i < 2 or i in taken or tok.lower_ != "of" or doc[i - 1].lower_ not in TOWN_NOUNS:
            continue
        end = i + 1
        while end < len(doc) and end not in taken and (
                (doc[end].text[:1].isupper() and doc[end].is_alpha)
                or (doc[end].lower_ in ARTICLES and _article_then_name(doc, end))
                or (doc[end].text == "-" and end > i + 1 and doc[end - 1].lower_ in ARTICLES)):
            end += 1
        if end > i + 1 and not doc[i + 1].is_sent_start:
            out.append(Span(doc, i + 1, end, label="Location"))
    return out


def _byline(span: Span) -> bool:
    """Agency credits, not actors: "Editing by Nick Macfie Our Standards", "Reporting by
    M. al-Frieh/H. Said" (names joined by a slash)."""
    doc = span.doc
    if any(t.text == "/" or ("/" in t.text and t.is_alpha is False and len(t) > 1)
           for t in span):
        return True
    return span.start >= 2 and doc[span.start - 1].lower_ == "by" \
        and doc[span.start - 2].lower_ in BYLINE_WORDS


def _without_trailing_title(span: Span) -> Span:
    """ "Daraa National Hospital Dr." -> "Daraa National Hospital": the title belongs to
    the person named next."""
    if len(span) > 1 and span[-1].lower_.rstrip(".") in TRAILING_TITLES:
        return Span(span.doc, span.start, span.end - 1, label=span.label_, kb_id=span.kb_id_)
    return span


def _armed_group_name(span: Span) -> bool:
    """An unknown organisation named as a fighting unit: "the Syria Revolutionaries Front",
    "the Alwiyat al-Furqan militant group"."""
    if span[-1].lower_ in ARMED_HEADS and span[-1].text[:1].isupper():
        return True
    doc = span.doc
    nxt = [t.lower_ for t in doc[span.end:span.end + 2]]
    return len(nxt) == 2 and nxt[0] in ARMED_AFTER and nxt[1] in {"group", "groups",
                                                                   "faction", "militia"}


def _whole_names(ents: list[Span]) -> list[Span]:
    """ "in Sheikh Maqsood" where the model tagged only "Maqsood": a name written again
    with its first words left out of the model's span is the longer name seen elsewhere
    in the article, with its class and key."""
    longer = [e for e in ents if len(e) > 1]
    if not longer:
        return ents
    out = []
    for e in ents:
        for full in longer:
            extra = len(full) - len(e)
            if extra <= 0 or e.start < extra or full.start == e.start - extra:
                continue
            if e.doc[e.start - extra:e.end].text == full.text:
                e = Span(e.doc, e.start - extra, e.end, label=full.label_, kb_id=full.kb_id_)
                break
        out.append(e)
    return out


def _credit_lead(span: Span) -> bool:
    """ "Writing" in "Writing by David Cutler": the word that opens a credit line."""
    doc = span.doc
    return len(span) == 1 and span[0].lower_ in BYLINE_WORDS and span.end < len(doc) \
        and doc[span.end].lower_ == "by"


def _headline_clause(span: Span) -> bool:
    """A title-case headline read as a name: "Regime Commits Massacre", "Intensified Russian
    & Regime Airstrikes". Names do not hold a finite verb or an event noun."""
    nouns = default_lexicon().nouns

    def event_noun(word: str) -> bool:  # "Airstrikes", "Clashes": a title keeps its plural
        return any(form in nouns for form in (word, word.removesuffix("s"),
                                              word.removesuffix("es")))

    return len(span) > 1 and any(t.tag_ == "VBZ" or event_noun(t.lemma_.lower())
                                 or event_noun(t.lower_) for t in span)


def _junk(span: Span) -> bool:
    """Model entities that are not names: no capital letter, communities ("Alawites"),
    time zones, or a single sentence-initial word the tagger does not read as a proper noun
    ("Overnight, Turkey said...")."""
    if not any(t.text[:1].isupper() for t in span):
        return True
    if fold(span.text) in COMMUNITIES | NOT_NAMES:
        return True
    if span.end >= len(span.doc) - 2 and len(span.text) <= 3 and span.text.isupper():
        return True  # a sign-off's initials ("... Press TV reported. SSH")
    if _byline(span) or _credit_lead(span) or _headline_clause(span):
        return True
    if any(t.is_digit and len(t) >= 5 for t in span):
        return True  # "Jul 262016": a date whose space a scraper ate
    first = span[0]
    return len(span) == 1 and first.is_sent_start and first.pos_ not in {"PROPN", "X"}


def _inside_name(span: Span, names: list[Span], weak: set[tuple[int, int]]) -> bool:
    """A place name inside a longer model name that it does not explain: "Ahmad" in
    "Ahmad al Wawi" (weak name), "Aleppo" in "Aleppo Media Center" (the name goes on
    past the place). "Aleppo Hama" or "Khan Sheikhun Idlib" are model errors instead."""
    if span.label_ != "Location":
        return False
    return any(e.start <= span.start and span.end <= e.end and len(e) > len(span)
               and ((span.start, span.end) in weak or (e.label_ != "PERSON" and e.end > span.end))
               for e in names)


def _proper(span: Span) -> bool:
    """Every word capitalised, bar particles: "Ahmad al Wawi", "Aleppo Media Center"."""
    return all(t.text[:1].isupper() or t.lower_ in NAME_PARTICLES or not t.is_alpha
               for t in span)


def entity_spans(doc: Doc) -> Iterable[Span]:
    """The typed entity spans of a processed doc."""
    return doc.ents
