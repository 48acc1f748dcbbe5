"""Candidate index over the gazetteer: exact, transliteration, skeleton and fuzzy keys.

Built once per gazetteer (the gazetteer's own index only knows folded names); kept in
kg.link so the gazetteer module stays a plain loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from kg import gazetteer as gazetteer_module
from kg.gazetteer import Entry, Gazetteer, cached_build, data_paths, default_gazetteer, fold
from kg.link import normalise
from kg.link.normalise import skeleton_of_key, translit_key

# Match quality of each way a name can reach an entry (1.0 = the name as written).
QUALITY = {"exact": 1.0, "demonym": 0.95, "translit": 0.9, "skeleton": 0.8}
FUZZY_MIN = 90  # rapidfuzz ratio (0-100) below which a fuzzy key is no candidate
FUZZY_MIN_LEN = 6  # shorter keys differ in one letter too often to fuzz safely
SKELETON_MIN_KEY = 6  # translit key length below which skeleton matches are not used
MEMO_SIZE = 1 << 15  # names whose candidates are remembered (cleared when full)


@dataclass(frozen=True)
class Candidate:
    """An entry one of the entity's names reaches, and how well."""

    entry: Entry
    quality: float
    method: str


def name_keys(gazetteer: Gazetteer) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Translit key -> entry keys and skeleton -> entry keys, over every name."""
    by_translit: dict[str, set[str]] = {}
    by_skeleton: dict[str, set[str]] = {}
    for entry in gazetteer.entries.values():
        for name in entry.names:
            key = translit_key(name)
            if not key:
                continue
            by_translit.setdefault(key, set()).add(entry.key)
            frame = skeleton_of_key(key)
            if frame and len(key) >= SKELETON_MIN_KEY:
                by_skeleton.setdefault(frame, set()).add(entry.key)
    return by_translit, by_skeleton


class CandidateIndex:
    """Name keys -> gazetteer keys, at several levels of coarseness."""

    def __init__(self, gazetteer: Gazetteer,
                 keys: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None) -> None:
        """Index `gazetteer`; `keys` are its `name_keys` when already computed (disk cache)."""
        self.gazetteer = gazetteer
        self.by_translit, self.by_skeleton = keys or name_keys(gazetteer)
        self._fuzzy_keys = [k for k in self.by_translit if len(k) >= FUZZY_MIN_LEN]
        self._fuzzy_at: dict[int, list[int]] = {}  # key length -> positions in _fuzzy_keys
        for pos, k in enumerate(self._fuzzy_keys):
            self._fuzzy_at.setdefault(len(k), []).append(pos)
        self._fuzzy_by_len: dict[int, list[str]] = {}
        self._memo: dict[tuple[str, bool, bool], tuple[Candidate, ...]] = {}

    def _entries(self, keys: set[str] | list[str]) -> list[Entry]:
        return [self.gazetteer.entries[k] for k in sorted(keys)]

    def _fuzzy_choices(self, length: int) -> list[str]:
        """The fuzzy keys whose length lets them reach FUZZY_MIN against a key this long.

        fuzz.ratio is 100 * (1 - indel distance / (la + lb)) and the indel distance is at
        least |la - lb|: a key of length lb can reach at most 200 * min / (la + lb). Keys
        that cannot reach the cutoff (integer test, boundary included) are left out, and
        the rest keep their index order, so scores and ties come out as before.
        """
        choices = self._fuzzy_by_len.get(length)
        if choices is None:
            positions = sorted(
                pos for other, at in self._fuzzy_at.items()
                if 200 * min(length, other) >= FUZZY_MIN * (length + other) for pos in at)
            choices = self._fuzzy_by_len[length] = [self._fuzzy_keys[p] for p in positions]
        return choices

    def candidates(self, name: str, *, fuzzy: bool = True,
                   coarse: bool = True) -> list[Candidate]:
        """Entries reachable from `name`, best match level per entry.

        Coarser levels are only tried when the name as written reaches nothing ("Syria"
        must not also reach "Sire"); `coarse=False` never tries them (person names: a
        one-letter difference is a different person). Memoised per (name, levels): the
        index never changes and the same names recur across articles, while a fuzzy
        search costs milliseconds.
        """
        memo_key = (name, fuzzy, coarse)
        found = self._memo.get(memo_key)
        if found is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            found = self._memo[memo_key] = tuple(self._search(name, fuzzy, coarse))
        return list(found)

    def _search(self, name: str, fuzzy: bool, coarse: bool) -> list[Candidate]:
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
        frame = skeleton_of_key(key)
        if frame and len(key) >= SKELETON_MIN_KEY:
            offer(self._entries(self.by_skeleton.get(frame, set())), QUALITY["skeleton"],
                  "skeleton")
        if fuzzy and len(key) >= FUZZY_MIN_LEN:
            choices = self._fuzzy_choices(len(key))
            for other, score, _ in process.extract(key, choices, scorer=fuzz.ratio,
                                                   score_cutoff=FUZZY_MIN, limit=5):
                # 90 -> 0.7, 100 -> 0.85: always below the transliteration levels
                quality = 0.7 + 0.15 * (score - FUZZY_MIN) / (100 - FUZZY_MIN)
                offer(self._entries(self.by_translit[other]), round(quality, 3), "fuzzy")
        return list(best.values())


_INDEXES: dict[int, CandidateIndex] = {}


def index_for(gazetteer: Gazetteer | None = None) -> CandidateIndex:
    """The (cached) index of a gazetteer, default the package gazetteer.

    The package gazetteer's name keys come from the disk cache when its files and the
    normalisation code are unchanged (see `kg.gazetteer.cached_build`).
    """
    gaz = gazetteer or default_gazetteer()
    idx = _INDEXES.get(id(gaz))
    if idx is None or idx.gazetteer is not gaz:
        keys = None
        if gaz is default_gazetteer():
            code = (Path(gazetteer_module.__file__), Path(normalise.__file__), Path(__file__))
            keys = cached_build("name-keys", (*data_paths(), *code), lambda: name_keys(gaz))
        idx = _INDEXES[id(gaz)] = CandidateIndex(gaz, keys)
    return idx
