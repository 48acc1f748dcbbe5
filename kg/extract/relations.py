"""spaCy component that finds relations between entities of one sentence.

Patterns are the ones conflict reporting uses: "Iran-backed X" (supports), "its ally X"
(alliedWith), "UK-based X" (basedIn), "X, which is associated with Y" (affiliatedWith),
"rebel-held town of X" (controlledBy), "X in Y" between places (locatedIn).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

ACTORS = {"ArmedGroup", "StateActor", "Organization"}


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

    def __init__(self, name: str = "kg_relations", *, window: int = 8) -> None:
        self.name = name
        self.window = window

    def _next_ent(self, doc: Doc, after: int, classes: set[str]) -> Span | None:
        for ent in doc.ents:
            if after <= ent.start <= after + self.window and ent.label_ in classes:
                return ent
        return None

    def _prev_ent(self, doc: Doc, before: int, classes: set[str]) -> Span | None:
        best = None
        for ent in doc.ents:
            if before - self.window <= ent.end <= before and ent.label_ in classes:
                best = ent
        return best

    def __call__(self, doc: Doc) -> Doc:
        found: list[RelationMention] = []
        for ent in doc.ents:
            end = ent.end
            if end + 1 < len(doc) and doc[end].text == "-":
                word = doc[end + 1].lower_
                if word in {"backed", "sponsored", "supported", "funded", "armed"}:
                    obj = self._next_ent(doc, end + 2, ACTORS)
                    if obj is not None:
                        found.append(RelationMention(ent, "supports", obj, ent.sent))
                elif word == "based" and ent.label_ in {"Location", "StateActor"}:
                    obj = self._next_ent(doc, end + 2, ACTORS)
                    if obj is not None:
                        found.append(RelationMention(obj, "basedIn", ent, ent.sent))
            prev = doc[ent.start - 1].lower_ if ent.start > 0 else ""
            if prev in {"ally", "allies", "partner"} and ent.label_ in ACTORS:
                subj = self._prev_ent(doc, ent.start - 1, ACTORS)
                if subj is not None:
                    found.append(RelationMention(subj, "alliedWith", ent, ent.sent))
        for token in doc:
            if token.lower_ == "associated" and token.i + 1 < len(doc) \
                    and doc[token.i + 1].lower_ == "with":
                subj = self._prev_ent(doc, token.i, ACTORS)
                obj = self._next_ent(doc, token.i + 2, ACTORS)
                if subj is not None and obj is not None:
                    found.append(RelationMention(subj, "affiliatedWith", obj, token.sent))
        doc._.kg_relations = found
        return doc
