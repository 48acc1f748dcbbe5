"""spaCy component that finds relations between entities of one sentence.

Patterns are the ones conflict reporting uses: "Iran-backed X" and "X, which is supporting
Y" (supports), "its ally X" / "Syria's main ally, Russia" (alliedWith), "UK-based X"
(basedIn), "X, which is associated with Y" (affiliatedWith), "the rebel-held town of X",
"IS-held X" and "X, a stronghold for Y" (controlledBy), "X, in the Aleppo countryside" and
"Palmyra, Syria" (locatedIn). Entities are looked up through a token index, so the cost is
linear in the document, not in entities x tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.actors import index_countries
from kg.gazetteer import Gazetteer, default_gazetteer

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

ACTORS = {"ArmedGroup", "StateActor", "Organization"}
PLACES = {"Location", "StateActor"}
SUPPORT_WORDS = {"backed", "sponsored", "supported", "funded", "armed", "trained"}
HELD_WORDS = {"held", "controlled", "run", "occupied", "besieged"}
PLACE_NOUNS = {"town", "city", "village", "area", "district", "neighbourhood", "neighborhood",
               "province", "region", "suburb", "areas", "districts", "villages", "towns"}
DIRECTIONS = {"northern", "southern", "eastern", "western", "central", "north", "south", "east",
              "west", "northeastern", "northwestern", "southeastern", "southwestern", "rural"}
REGION_NOUNS = {"countryside", "province", "governorate", "region", "district", "state"}
ALLY_WORDS = {"ally", "allies", "partner", "backer"}
AFFILIATION = {("associated", "with"), ("affiliated", "with"), ("linked", "to"),
               ("allied", "with"), ("affiliate", "of"), ("loyal", "to"), ("part", "of")}
GENERIC_ACTORS = {"rebel": "rebels", "opposition": "rebels", "insurgent": "rebels",
                  "government": "government", "regime": "government", "army": "force"}


@dataclass
class RelationMention:
    """A relation between two entity spans, with the sentence that states it."""

    subject: Span
    predicate: str
    object: Span
    sentence: Span
    confidence: float = 0.6


@Language.factory("kg_relations", default_config={"window": 8})
def make_relation_finder(nlp: Language, name: str, window: int) -> RelationFinder:
    """Factory registered as `kg_relations`."""
    return RelationFinder(name, window=window)


class RelationFinder:
    """Pattern-based relation extraction over typed entity spans."""

    def __init__(self, name: str = "kg_relations", *, window: int = 8,
                 gazetteer: Gazetteer | None = None) -> None:
        self.name = name
        self.window = window
        self.gazetteer = gazetteer or default_gazetteer()
        self.countries = index_countries(self.gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        at: list[int] = [-1] * len(doc)
        for n, ent in enumerate(ents):
            for i in range(ent.start, ent.end):
                at[i] = n
        finder = _Sentences(doc, ents, at, self.window, self.gazetteer.by_demonym)
        found: list[RelationMention] = []
        for n, ent in enumerate(ents):
            found += self._around_entity(finder, n, ent)
        for token in doc:
            found += self._at_token(finder, token.i)
        doc._.kg_relations = found
        return doc

    def _around_entity(self, f: _Sentences, n: int, ent: Span) -> list[RelationMention]:
        doc, out = f.doc, []
        end = ent.end
        # "Iran-backed X", "IS-held X", "UK-based X" (the last may sit inside X's name)
        if end + 1 < len(doc) and doc[end].text == "-":
            word = doc[end + 1].lower_
            if word in SUPPORT_WORDS and ent.label_ in ACTORS:
                obj = f.next_ent(end + 2, ACTORS, skip_demonyms=True)
                if obj is not None:
                    out.append(RelationMention(ent, "supports", obj, ent.sent))
            elif word in HELD_WORDS and ent.label_ in ACTORS:
                obj = _held_place(f, end + 2)
                if obj is not None:
                    out.append(RelationMention(obj, "controlledBy", ent, ent.sent, 0.5))
            elif word == "based" and ent.label_ in PLACES:
                obj = f.next_ent(end + 2, ACTORS, limit=3)
                if obj is not None:
                    out.append(RelationMention(obj, "basedIn", ent, ent.sent))
        if len(ent) > 3 and ent[1].text == "-" and ent[2].lower_ == "based":
            place = self._place_span(doc, ent.start, ent.start + 1)
            if place is not None:
                out.append(RelationMention(ent, "basedIn", place, ent.sent))
        prev = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        prev = doc[ent.start - 2].lower_ if prev == "," and ent.start > 1 else prev
        if prev in ALLY_WORDS and ent.label_ in ACTORS:
            subj = f.prev_ent(ent.start - 1, ACTORS, skip=n)
            if subj is not None:
                out.append(RelationMention(subj, "alliedWith", ent, ent.sent))
        if ent.label_ == "Location":
            out += self._located(f, n, ent)
        return out

    def _located(self, f: _Sentences, n: int, ent: Span) -> list[RelationMention]:
        """ "Kafrnaha, in the western Aleppo countryside", "Palmyra, Syria"."""
        doc, i = f.doc, ent.end
        comma = i < len(doc) and doc[i].text == ","
        i += comma
        prep = i < len(doc) and doc[i].lower_ == "in"
        if not (comma or prep):
            return []
        i += prep
        while i < len(doc) and (doc[i].lower_ == "the" or doc[i].lower_ in DIRECTIONS):
            i += 1
        if i >= len(doc) or f.at[i] < 0 or f.ents[f.at[i]].start != i or f.at[i] == n:
            return []
        outer = f.ents[f.at[i]]
        entry = self.gazetteer.entries.get(outer.kb_id_) if outer.kb_id_ else None
        region = outer.end < len(doc) and doc[outer.end].lower_ in REGION_NOUNS
        big = entry is not None and entry.subclass in {"Country", "AdministrativeArea", "State"}
        if outer.label_ not in PLACES or not (region or big or (prep and comma)):
            return []
        if outer.end < len(doc) and doc[outer.end].lower_ in {"and", "or"}:
            return []  # a list of places, not a containment
        return [RelationMention(ent, "locatedIn", outer, ent.sent, 0.6 if region else 0.5)]

    def _at_token(self, f: _Sentences, i: int) -> list[RelationMention]:
        doc, tok = f.doc, f.doc[i]
        word = tok.lower_
        nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
        out = []
        if (word, nxt) in AFFILIATION and f.at[i] < 0:
            subj = f.prev_ent(i, ACTORS)
            obj = f.next_ent(i + 2, ACTORS, limit=3)
            if subj is not None and obj is not None:
                pred = "alliedWith" if word == "allied" else "affiliatedWith"
                out.append(RelationMention(subj, pred, obj, tok.sent))
        elif tok.lemma_ == "support" and tok.pos_ == "VERB" and f.at[i] < 0:
            subj = f.prev_ent(i, ACTORS)
            obj = f.next_ent(i + 1, ACTORS, limit=3)
            if subj is not None and obj is not None:
                out.append(RelationMention(subj, "supports", obj, tok.sent, 0.5))
        elif word == "stronghold" and nxt in {"for", "of"}:
            place = f.prev_ent(i, {"Location"})
            actor = f.next_ent(i + 2, ACTORS, limit=3)
            if place is not None and actor is not None:
                out.append(RelationMention(place, "controlledBy", actor, tok.sent, 0.5))
        elif word in GENERIC_ACTORS and nxt == "-" and i + 2 < len(doc) \
                and doc[i + 2].lower_ in HELD_WORDS and f.at[i] < 0:
            place = _held_place(f, i + 3)
            actor = self._generic_actor(doc, i, GENERIC_ACTORS[word])
            if place is not None and actor is not None:
                out.append(RelationMention(place, "controlledBy", actor, tok.sent, 0.5))
        return out

    def _generic_actor(self, doc: Doc, i: int, role: str) -> Span | None:
        """"rebel" in "rebel-held" as a span of the article country's generic actor."""
        country = self.countries.get(doc._.kg_country) if doc._.kg_country else None
        if country is None:
            return None
        key = {"rebels": country.rebels, "government": country.government or country.state,
               "force": country.force}[role]
        if key is None:
            return None
        return Span(doc, i, i + 1, label=self.gazetteer.entries[key].cls, kb_id=key)

    def _place_span(self, doc: Doc, start: int, end: int) -> Span | None:
        """A gazetteer place or state named by tokens [start, end) ("UK" in "UK-based")."""
        for entry in self.gazetteer.lookup(doc[start:end].text):
            if entry.cls in PLACES:
                return Span(doc, start, end, label=entry.cls, kb_id=entry.key)
        return None


def _held_place(f: _Sentences, start: int) -> Span | None:
    """The place right after "-held": "the rebel-held town of X", "IS-held Raqqa", but not
    "government-held parts of Aleppo" (a part is not the whole)."""
    i = start
    while i < len(f.doc) and f.at[i] < 0 and (f.doc[i].lower_ in PLACE_NOUNS | DIRECTIONS
                                              or f.doc[i].lower_ in {"the", "of", "a"}):
        i += 1
    if i < len(f.doc) and i - start <= 4 and f.at[i] >= 0:
        ent = f.ents[f.at[i]]
        return ent if ent.label_ == "Location" else None
    return None


@dataclass
class _Sentences:
    """Entity lookups within a sentence through a token -> entity index."""

    doc: Doc
    ents: list[Span]
    at: list[int]
    window: int
    demonyms: dict[str, str]

    def _demonym(self, ent: Span) -> bool:
        """A state adjective ("Lebanese militia"): a modifier, not an actor."""
        return ent.label_ == "StateActor" and len(ent) == 1 and ent.text.lower() in self.demonyms

    def next_ent(self, start: int, classes: set[str], *, limit: int | None = None,
                 skip_demonyms: bool = False) -> Span | None:
        sent_end = self.doc[start - 1].sent.end if start > 0 else len(self.doc)
        for i in range(start, min(start + (limit or self.window) + 1, sent_end)):
            n = self.at[i]
            if n < 0:
                continue
            ent = self.ents[n]
            if skip_demonyms and self._demonym(ent):
                continue
            return ent if ent.label_ in classes else None
        return None

    def prev_ent(self, before: int, classes: set[str], *, skip: int = -1) -> Span | None:
        sent_start = self.doc[before].sent.start if before < len(self.doc) else 0
        for i in range(before - 1, max(before - self.window - 1, sent_start - 1), -1):
            n = self.at[i]
            if n >= 0 and n != skip and self.ents[n].label_ in classes and not self._demonym(
                    self.ents[n]):
                return self.ents[n]
        return None


