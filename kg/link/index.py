"""Candidate index over the gazetteer: exact, transliteration, skeleton and fuzzy keys.

Built once per gazetteer (the gazetteer's own index only knows folded names); kept in
kg.link so the gazetteer module stays a plain loader.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from kg.gazetteer import Entry, Gazetteer, default_gazetteer, fold
from kg.link.normalise import skeleton, translit_key

# Match quality of each way a name can reach an entry (1.0 = the name as written).
QUALITY = {"exact": 1.0, "demonym": 0.95, "translit": 0.9, "skeleton": 0.8}
FUZZY_MIN = 90  # rapidfuzz ratio (0-100) below which a fuzzy key is no candidate
FUZZY_MIN_LEN = 6  # shorter keys differ in one letter too often to fuzz safely
SKELETON_MIN_KEY = 6  # translit key length below which skeleton matches are not used


@dataclass(frozen=True)
class Candidate:
    """An entry one of the entity's names reaches, and how well."""

    entry: Entry
    quality: float
    method: str


class CandidateIndex:
    """Name keys -> gazetteer keys, at several levels of coarseness."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.by_translit: dict[str, set[str]] = {}
        self.by_skeleton: dict[str, set[str]] = {}
        for entry in gazetteer.entries.values():
            for name in entry.names:
                key = translit_key(name)
                if not key:
                    continue
                self.by_translit.setdefault(key, set()).add(entry.key)
                frame = skeleton(name)
                if frame and len(key) >= SKELETON_MIN_KEY:
                    self.by_skeleton.setdefault(frame, set()).add(entry.key)
        self._fuzzy_keys = [k for k in self.by_translit if len(k) >= FUZZY_MIN_LEN]

    def _entries(self, keys: set[str] | list[str]) -> list[Entry]:
        return [self.gazetteer.entries[k] for k in sorted(keys)]

    def candidates(self, name: str, *, fuzzy: bool = True,
                   coarse: bool = True) -> list[Candidate]:
        """Entries reachable from `name`, best match level per entry.

        Coarser levels are only tried when the name as written reaches nothing ("Syria"
        must not also reach "Sire"); `coarse=False` never tries them (person names: a
        one-letter difference is a different person).
        """
        best: dict[str, Candidate] = {}

        def offer(entries: list[Entry], quality: float, method: str) -> None:
            for entry in entries:
                old = best.get(entry.key)
                if old is None or quality > old.quality:
                    best[entry.key] = Candidate(entry, quality, method)

        folded = fold(name)
        offer(self._entries(self.gazetteer.by_name.get(folded, [])), QUALITY["exact"], "exact")
        dem = self.gazetteer.by_demonym.get(folded)
        if dem:
            offer(self._entries([dem]), QUALITY["demonym"], "demonym")
        if not coarse or best:  # a name found as written needs no guessing
            return list(best.values())
        key = translit_key(name)
        offer(self._entries(self.by_translit.get(key, set())), QUALITY["translit"], "translit")
        frame = skeleton(name)
        if frame and len(key) >= SKELETON_MIN_KEY:
            offer(self._entries(self.by_skeleton.get(frame, set())), QUALITY["skeleton"],
                  "skeleton")
        if fuzzy and len(key) >= FUZZY_MIN_LEN:
            for other, score, _ in process.extract(key, self._fuzzy_keys, scorer=fuzz.ratio,
                                                   score_cutoff=FUZZY_MIN, limit=5):
                # 90 -> 0.7, 100 -> 0.85: always below the transliteration levels
                quality = 0.7 + 0.15 * (score - FUZZY_MIN) / (100 - FUZZY_MIN)
                offer(self._entries(self.by_translit[other]), round(quality, 3), "fuzzy")
        return list(best.values())


_INDEXES: dict[int, CandidateIndex] = {}


def index_for(gazetteer: Gazetteer | None = None) -> CandidateIndex:
    """The (cached) index of a gazetteer, default the package gazetteer."""
    gaz = gazetteer or default_gazetteer()
    idx = _INDEXES.get(id(gaz))
    if idx is None or idx.gazetteer is not gaz:
        idx = _INDEXES[id(gaz)] = CandidateIndex(gaz)
    return idx
