"""The gazetteer the package ships: actors (hand-written) and places (built from open data).

Both extraction (the entity ruler) and linking (Wikidata QIDs, coordinates) read it, so it
is loaded once per process and shared. Files live in `kg/data/`; each entry records the
source it comes from (see `kg/data/SOURCES.md`).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

DATA_FILES = ("actors.jsonl", "places.jsonl", "places_extra.jsonl")


@dataclass(frozen=True)
class Entry:
    """One gazetteer entry: a canonical entity with every name it goes by."""

    key: str
    label: str
    cls: str
    subclass: str | None = None
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    country: str | None = None
    qid: str | None = None
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    parent: str | None = None
    admin1: str | None = None
    source: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to compare names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


@dataclass
class Gazetteer:
    """Entries by key, with a folded-name index for lookups."""

    entries: dict[str, Entry] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)
    by_demonym: dict[str, str] = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        old = self.entries.get(entry.key)
        if old is not None:  # a later file augments an earlier entry with the same key
            merged = {**old.__dict__, **{k: v for k, v in entry.__dict__.items() if v}}
            merged["aliases"] = tuple(dict.fromkeys(old.aliases + entry.aliases))
            entry = Entry(**merged)
        self.entries[entry.key] = entry
        for name in entry.names:
            keys = self.by_name.setdefault(fold(name), [])
            if entry.key not in keys:
                keys.append(entry.key)
        for dem in entry.demonyms:
            self.by_demonym.setdefault(fold(dem), entry.key)

    def lookup(self, name: str) -> list[Entry]:
        """All entries one of whose names folds to the same string as `name`."""
        return [self.entries[k] for k in self.by_name.get(fold(name), ())]

    def __len__(self) -> int:
        return len(self.entries)


def entry_from_json(obj: dict) -> Entry:
    return Entry(
        key=obj["key"], label=obj["label"], cls=obj["class"], subclass=obj.get("subclass"),
        aliases=tuple(obj.get("aliases") or ()), demonyms=tuple(obj.get("demonyms") or ()),
        country=obj.get("country"), qid=obj.get("qid"), lat=obj.get("lat"), lon=obj.get("lon"),
        population=obj.get("population"), parent=obj.get("parent"), admin1=obj.get("admin1"),
        source=obj.get("source"),
    )


def load_gazetteer(paths: tuple[Path, ...] | None = None) -> Gazetteer:
    """Load the given JSONL files (default: the package's data files that exist)."""
    if paths is None:
        base = resources.files("kg") / "data"
        paths = tuple(Path(str(base / name)) for name in DATA_FILES)
    gaz = Gazetteer()
    for path in paths:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    gaz.add(entry_from_json(json.loads(line)))
    return gaz


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The package gazetteer, loaded once per process."""
    return load_gazetteer()
