"""The gazetteer the package ships: actors (hand-written) and places (built from open data).

Both extraction (the entity ruler) and linking (Wikidata QIDs, coordinates) read it, so it
is loaded once per process and shared. Files live in `kg/data/`; each entry records the
source it comes from (see `kg/data/SOURCES.md`).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

DATA_FILES = ("actors.jsonl", "places.jsonl", "places_extra.jsonl")
CACHE_ENV = "KG_CACHE_DIR"  # where derived data is cached; "off" (or "") disables the cache
T = TypeVar("T")


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


# ASCII letters and digits stay, every other ASCII character becomes a space: what the
# general path below does to ASCII text, as one C-level str.translate.
_ASCII_FOLD = {c: " " for c in range(128) if not chr(c).isalnum()}


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to compare names.

    Memoised and with an ASCII fast path because loading the gazetteer, the entity ruler
    and the linker fold the same few thousand names over and over.
    """
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_FOLD).split())
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


def data_paths() -> tuple[Path, ...]:
    """The package's gazetteer files (some may be absent)."""
    base = resources.files("kg") / "data"
    return tuple(Path(str(base / name)) for name in DATA_FILES)


def load_gazetteer(paths: tuple[Path, ...] | None = None) -> Gazetteer:
    """Load the given JSONL files (default: the package's data files that exist)."""
    if paths is None:
        paths = data_paths()
    gaz = Gazetteer()
    for path in paths:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    gaz.add(entry_from_json(json.loads(line)))
    return gaz


def cache_dir() -> Path | None:
    """Directory for derived-data caches: $KG_CACHE_DIR, else the user cache dir; None = off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured not in {"", "off"} else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kg"


def cached_build(name: str, inputs: Iterable[Path], build: Callable[[], T]) -> T:
    """`build()`, or its pickle from an earlier process built from the same inputs.

    Why: every process (each `kg` command, each test worker) otherwise re-parses the
    gazetteer and re-normalises its 57,000 names, about a second of CPU before the first
    article. The cache key hashes the content of `inputs` (data files and the modules
    whose code shapes the result) and the Python version, so an edit of either misses.
    The cache is a convenience, never a source of truth: an unreadable, corrupt or
    unwritable cache falls back to building. It lives in the user's own cache dir, as
    trusted as the installed package (pickles are code).
    """
    directory = cache_dir()
    if directory is None:
        return build()
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for path in inputs:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
        digest.update(b"\0")
    target = directory / f"{name}-{digest.hexdigest()[:24]}.pickle"
    collecting = gc.isenabled()
    gc.disable()  # unpickling allocates ~10^5 objects: GC passes over them cost more than it
    try:
        with target.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # absent, truncated, stale or foreign: rebuild
        pass
    finally:
        if collecting:
            gc.enable()
    value = build()
    tmp = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)  # atomic: concurrent processes never read half a file
        tmp = None
        for stale in directory.glob(f"{name}-*.pickle"):  # one version per name, no growth
            if stale != target:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # read-only or full disk: the built value is still right
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return value


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The package gazetteer, loaded once per process (from the disk cache when fresh)."""
    paths = data_paths()
    return cached_build("gazetteer", (*paths, Path(__file__)), lambda: load_gazetteer(paths))
