"""Plain records passed between stages.

Extraction produces these dataclasses and nothing else, so that the ontology mapping
(`kg.mapping`) is a pure function testable without NLP or a store, and so that
`kg extract --format json` writes exactly the scoring format of the shared evaluation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ENTITY_CLASSES = ("ArmedGroup", "StateActor", "Location", "Organization", "Person", "Weapon")


@dataclass(frozen=True)
class Article:
    """One news article as read from disk; `text` is what character offsets refer to."""

    id: str
    text: str
    date: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    origin: str | None = None  # file (and line) it was read from, for error messages


@dataclass
class Mention:
    """A span of the article text that names an entity."""

    text: str
    start: int
    end: int
    sentence: str | None = None
    sentence_start: int | None = None
    confidence: float = 1.0


@dataclass
class Entity:
    """An entity as found in one article (all its mentions merged)."""

    id: str
    label: str
    cls: str
    wikidata: str | None = None
    subclass: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    key: str | None = None  # gazetteer key when known: stable across articles
    link_confidence: float | None = None
    link_method: str | None = None
    mentions: list[Mention] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The scoring format: `class` instead of `cls`, no empty optional fields."""
        out: dict[str, Any] = {"id": self.id, "label": self.label, "class": self.cls,
                               "wikidata": self.wikidata}
        for name in ("subclass", "country", "lat", "lon", "key", "link_confidence",
                     "link_method"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out["mentions"] = [asdict(m) for m in self.mentions]
        return out


@dataclass
class Event:
    """One real-world event reported by the article, typed with the ACLED codebook."""

    id: str
    event_type: str
    sub_event_type: str
    text: str
    start: int
    end: int
    date: str | None = None
    date_end: str | None = None
    date_phrase: str | None = None
    # Without a day ("last week", "in late September"): the first and last day the report
    # allows, and ACLED's time_precision (1 a day, 2 a week or a few days, 3 a month).
    date_earliest: str | None = None
    date_latest: str | None = None
    time_precision: int | None = None
    location: str | None = None
    # ACLED's geo_precision of that place: 1 the town itself, 2 near it, 3 a region or country
    geo_precision: int | None = None
    actors: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    weapons: list[str] = field(default_factory=list)
    fatalities: int | None = None
    fatalities_approximate: bool = False
    fatalities_phrase: str | None = None
    injuries: int | None = None
    injuries_approximate: bool = False
    injuries_phrase: str | None = None
    reported_by: list[str] = field(default_factory=list)
    trigger: str | None = None
    confidence: float = 0.5
    # Territory changes: local entity ids of who held the area before and who holds it after.
    territory_lost_by: list[str] = field(default_factory=list)
    territory_gained_by: list[str] = field(default_factory=list)
    # Agreements: the period of the ceasefire or truce agreed (YYYY-MM-DD), when stated.
    ceasefire_start: str | None = None
    ceasefire_end: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Relation:
    """A typed relation between two entities of the same article."""

    subject: str
    predicate: str
    object: str
    text: str | None = None
    start: int | None = None
    end: int | None = None
    confidence: float = 0.5

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Extraction:
    """Everything extracted from one article."""

    article: Article
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    extractor: str = ""

    def to_json(self) -> dict[str, Any]:
        """One line of `kg extract --format json` (the shared scoring format)."""
        a = self.article
        return {
            "article_id": a.id,
            "article": {"title": a.title, "date": a.date, "source": a.source, "url": a.url},
            "extractor": self.extractor,
            "entities": [e.to_json() for e in self.entities],
            "events": [e.to_json() for e in self.events],
            "relations": [r.to_json() for r in self.relations],
        }
