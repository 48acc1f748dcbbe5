"""spaCy components that find and type entities: gazetteer ruler and entity typer.

The gazetteer ruler puts our domain knowledge ahead of the statistical NER (which tags
Palmyra as PERSON and TOW as ORG); the typer then maps what the model still contributes
onto our six classes, using context ("the town of X") and the gazetteer.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.gazetteer import Gazetteer, default_gazetteer, fold

CASE_SENSITIVE_MAX = 4  # aliases this short (acronyms: IS, SDF, AP) must match exactly
MODEL_LABELS = {"GPE": "Location", "LOC": "Location", "FAC": "Location", "ORG": "Organization",
                "PERSON": "Person", "NORP": "NORP"}
LOCATION_CUES = {"town", "city", "village", "province", "governorate", "district", "region",
                 "countryside", "near", "outside", "in", "towards", "toward", "around", "into",
                 "from", "at", "of"}


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
        self._load(self.gazetteer)

    def _load(self, gaz: Gazetteer) -> None:
        exact: dict[str, set[str]] = {}
        folded: dict[str, set[str]] = {}
        for entry in gaz.entries.values():
            for alias in entry.names:
                if len(alias) < self.min_length:
                    continue
                target = exact if len(alias) <= CASE_SENSITIVE_MAX else folded
                target.setdefault(alias, set()).add(entry.key)
                if alias.lower().startswith("al-") and len(alias) > 6:
                    folded.setdefault(alias[3:], set()).add(entry.key)
        for table, matcher in ((exact, self.exact), (folded, self.folded)):
            texts = list(table)
            for text, doc in zip(texts, self.nlp.tokenizer.pipe(texts), strict=True):
                for key in sorted(table[text]):
                    matcher.add(key, [doc])

    def _rank(self, key: str) -> tuple[int, int]:
        """Prefer actors over places of the same name, then populous places."""
        entry = self.gazetteer.entries[key]
        return (entry.cls != "Location", entry.population or 0)

    def __call__(self, doc: Doc) -> Doc:
        best: dict[tuple[int, int], str] = {}
        for matcher in (self.exact, self.folded):
            for match_id, start, end in matcher(doc):
                key = self.nlp.vocab.strings[match_id]
                old = best.get((start, end))
                if old is None or self._rank(key) > self._rank(old):
                    best[(start, end)] = key
        spans = [Span(doc, s, e, label=self.gazetteer.entries[k].cls, kb_id=k)
                 for (s, e), k in best.items()]
        spans = filter_spans(spans)
        if self.overwrite_ents:
            taken = {i for span in spans for i in range(span.start, span.end)}
            kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
        else:
            kept = list(doc.ents)
            spans = [s for s in spans if not any(k.start < s.end and s.start < k.end for k in kept)]
        doc.ents = filter_spans([*spans, *kept])
        return doc


@Language.factory("kg_entity_typer", default_config={"drop_other": True})
def make_entity_typer(nlp: Language, name: str, drop_other: bool) -> EntityTyper:
    """Factory registered as `kg_entity_typer`."""
    return EntityTyper(name, drop_other=drop_other)


class EntityTyper:
    """Map model NER labels onto the ontology classes, correcting them from context.

    Non-entity model labels (DATE, CARDINAL...) move to `doc.spans["kg_other"]` so later
    components (dates, casualty counts) still see them.
    """

    def __init__(self, name: str = "kg_entity_typer", *, drop_other: bool = True,
                 gazetteer: Gazetteer | None = None) -> None:
        self.name = name
        self.drop_other = drop_other
        self.gazetteer = gazetteer or default_gazetteer()

    def _type(self, span: Span) -> tuple[str | None, str]:
        label = MODEL_LABELS.get(span.label_)
        if label is None:
            return None, ""
        if label == "NORP":
            key = self.gazetteer.by_demonym.get(fold(span.text))
            return ("StateActor", key) if key else (None, "")
        prev = span.doc[span.start - 1].lower_ if span.start > 0 else ""
        if label in {"Person", "Organization"} and prev in LOCATION_CUES and span[0].is_title:
            label = "Location"
        return label, ""

    def __call__(self, doc: Doc) -> Doc:
        ents: list[Span] = []
        other: list[Span] = []
        for ent in doc.ents:
            if ent.label_ in {"ArmedGroup", "StateActor", "Location", "Organization", "Person",
                              "Weapon"}:
                ents.append(ent)
                continue
            cls, key = self._type(ent)
            if cls is None:
                other.append(ent)
            else:
                ents.append(Span(doc, ent.start, ent.end, label=cls, kb_id=key or ent.kb_id_))
        doc.ents = ents
        doc.spans["kg_other"] = other
        return doc


def entity_spans(doc: Doc) -> Iterable[Span]:
    """The typed entity spans of a processed doc."""
    return doc.ents
