"""Offline entity linking: gazetteer entries (and their Wikidata QIDs) for extracted entities.

Why a linker after the entity ruler: the ruler matches names without looking at the
article, so "Tripoli" always becomes the most populous Tripoli and "Georgia" always the
country. The linker re-decides with what the article says: the countries of the other
entities, places that lie in (or contain) a candidate, cue words ("Aleppo province"),
class compatibility and a prior. A wrong QID poisons every join downstream, so a decision
whose confidence is below `LINK_THRESHOLD` leaves the entity unlinked (NIL): no QID, no
coordinates, and the mapping gives it a local IRI instead.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from kg.gazetteer import Entry, Gazetteer, default_gazetteer, fold
from kg.link.areas import ADMIN_WORDS, area_of, same_area
from kg.link.areas import core_name as _core
from kg.link.index import Candidate, CandidateIndex, index_for
from kg.link.normalise import translit_key
from kg.records import Entity, Extraction

LINK_THRESHOLD = 0.7
SHARE_TEMPERATURE = 0.1  # a score lead of 0.2 over a rival gives ~88% of the mass
# How well an entry of class (column) fits an entity typed (row); absent pairs never link.
CLASS_FIT: dict[tuple[str, str], float] = {
    ("Location", "Location"): 1.0, ("StateActor", "StateActor"): 1.0,
    ("ArmedGroup", "ArmedGroup"): 1.0, ("Organization", "Organization"): 1.0,
    ("Person", "Person"): 1.0, ("Weapon", "Weapon"): 1.0,
    ("StateActor", "Location"): 0.9, ("Location", "StateActor"): 0.9,  # Syria the state/land
    ("ArmedGroup", "StateActor"): 0.8, ("StateActor", "ArmedGroup"): 0.8,
    ("ArmedGroup", "Organization"): 0.7, ("Organization", "ArmedGroup"): 0.7,
}
ADMIN_CUE = re.compile(r"^\W{0,2}\s*(province|governorate|region|oblast|district|state)\b",
                       re.IGNORECASE)
TOWN_CUE = re.compile(r"\b(city|town|village|suburb|district) of\s*$", re.IGNORECASE)
# Words around a bare name that make its area reading plausible ("Hama countryside",
# "rural Daraa", "the province of Idlib"): then an eponymous area stays a rival.
AREA_AFTER = re.compile(r"^(\W{0,2}\s*(province|governorate|region|oblast|district|state)\b"
                        r"|(['’]s)?\s*(countryside|outskirts|suburbs)\b)", re.IGNORECASE)
AREA_BEFORE = re.compile(r"\b(rural|countryside of|province of|governorate of|region of)\s*$",
                         re.IGNORECASE)
# An explicit first-level area word after or before a name ("Idlib province", "the province
# of Idlib"). Not "district": news writes city quarters so ("the Zahraa district").
AREA_WORD_AFTER = re.compile(r"^\W{0,2}\s*(province|governorate|region|oblast|state)\b",
                             re.IGNORECASE)
AREA_WORD_BEFORE = re.compile(r"\b(province|governorate|region|oblast|state) of\s*$",
                              re.IGNORECASE)
# "rural Idlib", "the Idlib countryside": the land around the town, in its area. Such a
# name makes the eponymous area a rival of the town (then usually neither wins: NIL).
RURAL_BEFORE = re.compile(r"\brural\s+$", re.IGNORECASE)
RURAL_AFTER = re.compile(r"(['’]s)?\s+countryside\b", re.IGNORECASE)
MAJOR_PLACE = 1_000_000  # places this populous are plausible in any article
# "X in Y province", "X, in the western Y countryside", "X in rural Y", "X in the province
# of Y": the text puts X in Y's first-level area. Matched right after X's mention; Y's
# mention must begin where the match ends. Without a cue word ("X in Y") Y may be a town.
PLACED_IN = re.compile(r"\s*,?\s+(?:in|of)\s+(?:the\s+)?(?:[a-z-]+ern\s+)?"
                       r"(rural\s+|(?:province|governorate)\s+of\s+)?", re.IGNORECASE)
AREA_WORD_NEXT = re.compile(r"\s+(province|governorate|countryside)\b", re.IGNORECASE)
# "X neighbourhood of Y", "X district in Y": X is a quarter of the town Y.
QUARTER_OF = re.compile(r"\s+(?:neighbou?rhood|quarter|district)\s+(?:of|in)\s+",
                        re.IGNORECASE)
AREA_KM = 50.0  # a place named "in Y province" but outside it may lie this close (borders)
QUARTER_KM = 15.0  # a quarter of a town lies this close to the town's point
COARSE_METHODS = {"translit", "skeleton", "fuzzy"}  # keys that also reach other names
DATELINE_CHARS = 80  # a place named this early is the article's dateline or lede
EARTH_KM = 6371.0


def _km(a: Entry, b: Entry) -> float | None:
    """Great-circle distance between two entries' points (None without coordinates)."""
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))  # type: ignore[arg-type]
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Placement:
    """Where the text explicitly puts a place: in an area ("in Quneitra province") or in a
    town as one of its quarters ("the al-Zahraa neighbourhood of Homs")."""

    where: Entry
    quarter: bool

    def admits(self, entry: Entry) -> bool:
        """Could `entry` be the place so placed? Unknown positions are given the benefit."""
        if entry.cls != "Location" or entry.subclass in {"Country", "State"}:
            return True
        dist = _km(entry, self.where)
        if self.quarter:
            return entry.key != self.where.key and (dist is None or dist <= QUARTER_KM)
        if entry.country != self.where.country:
            return False
        return same_area(entry.admin1, self.where.admin1) or (dist is not None
                                                               and dist <= AREA_KM)


@dataclass
class ArticleContext:
    """What the rest of the article says, for ranking one entity's candidates."""

    text: str
    countries: Counter[str] = field(default_factory=Counter)
    anchors: dict[str, list[Entry]] = field(default_factory=dict)  # entity id -> sure entries
    names: dict[str, set[str]] = field(default_factory=dict)  # entity id -> folded names
    # (key, class, names) -> candidates: context() and decide() both need every entity's
    # candidates, and computing them is most of the linking time
    candidates: dict[tuple[str | None, str, tuple[str, ...]], list[Candidate]] = field(
        default_factory=dict)
    placed: dict[str, list[Placement]] = field(default_factory=dict)  # entity id -> where
    dateline: str | None = None  # country of a place named at the very start
    mentioned: Counter[str] = field(default_factory=Counter)  # country -> sure mentions

    def main_countries(self) -> set[str]:
        """The article's own countries: most named (by sure entities), and the dateline's.

        Coarse name keys (transliteration, skeleton, fuzzy) reach only places there:
        "Jesreen" in a Syrian article must not become an Iranian town because Iran is
        mentioned once.
        """
        top = max(self.mentioned.values(), default=0)
        main = {c for c, n in self.mentioned.items() if n == top and n}
        return main | ({self.dateline} if self.dateline else set())

    def countries_without(self, entity_id: str) -> Counter[str]:
        own = Counter(e.country for e in self.anchors.get(entity_id, ()) if e.country)
        return self.countries - own

    def other_names(self, entity_id: str) -> set[str]:
        return {n for eid, names in self.names.items() if eid != entity_id for n in names}

    def other_anchors(self, entity_id: str) -> list[Entry]:
        return [e for eid, es in self.anchors.items() if eid != entity_id for e in es]


@dataclass(frozen=True)
class LinkDecision:
    """The linker's answer for one entity: an entry (or None = NIL) and why."""

    entry: Entry | None
    confidence: float
    method: str
    score: float = 0.0
    qid: str | None = None


def _fits(cls: str, entry: Entry) -> bool:
    """Class compatibility; a place may be a state only as a whole country."""
    if cls == "Location" and entry.cls == "StateActor":
        return entry.subclass == "State"
    return (cls, entry.cls) in CLASS_FIT


def _identity(entry: Entry) -> str:
    """Entries that are the same real-world thing (the state and the country) share it."""
    return entry.qid or entry.key


class Linker:
    """Decide, for every entity of an extraction, which gazetteer entry (if any) it is."""

    def __init__(self, gazetteer: Gazetteer | None = None, *,
                 threshold: float = LINK_THRESHOLD) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        self.threshold = threshold

    @cached_property
    def index(self) -> CandidateIndex:
        """Built on first use: a process that never links never pays for it."""
        return index_for(self.gazetteer)

    # -- candidates
    def _names(self, entity: Entity) -> list[str]:
        return list(dict.fromkeys([entity.label, *(m.text for m in entity.mentions)]))

    def candidates(self, entity: Entity, ctx: ArticleContext | None = None) -> list[Candidate]:
        """Class-compatible candidates from every name of the entity, best level per entry.

        With a context, remembered there: they depend only on the entity's key, class and
        names, which do not change while its article is linked.
        """
        if ctx is None:
            return self._candidates(entity)
        written_as_area = self._written_as_area(entity, ctx.text)
        memo_key = (entity.key, entity.cls, tuple(self._names(entity)), written_as_area)
        found = ctx.candidates.get(memo_key)
        if found is None:
            found = ctx.candidates[memo_key] = self._candidates(entity, written_as_area)
        return found

    def _written_as_area(self, entity: Entity, text: str | None) -> bool:
        """Does the article write this place with a first-level area word at most mentions?

        Only at most mentions: the linker decides once per entity, and "Aleppo province"
        once among two bare "Aleppo" is still the city.
        """
        if entity.cls != "Location" or not text or not entity.mentions:
            return False
        cued = sum(bool(AREA_WORD_AFTER.match(text[m.end:m.end + 20])
                        or AREA_WORD_BEFORE.search(text[max(0, m.start - 25):m.start])
                        or RURAL_AFTER.match(text[m.end:m.end + 20])
                        or RURAL_BEFORE.search(text[max(0, m.start - 10):m.start]))
                   for m in entity.mentions)
        return 2 * cued > len(entity.mentions)

    def _eponymous_areas_of(self, cands: list[Candidate]) -> list[Candidate]:
        """The first-level areas named after candidate towns that lie in them.

        "Idlib province": the ruler stops at the capitalised "Idlib", and many areas go
        only by names that carry the area word ("Idlib Governorate"), so the bare name
        reaches the town alone and the cue bonus has nothing to favour. The area a cued
        name means is the one named after the town it reaches (same match quality).
        """
        out = []
        for cand in cands:
            town = cand.entry
            if town.subclass != "PopulatedPlace" or not town.admin1 \
                    or translit_key(_core(town.admin1)) != translit_key(town.label):
                continue
            out += [Candidate(area, cand.quality, cand.method)
                    for area in self.gazetteer.lookup(town.admin1)
                    if area.subclass == "AdministrativeArea" and area.country == town.country]
        return out

    def _candidates(self, entity: Entity, written_as_area: bool = False) -> list[Candidate]:
        coarse = entity.cls in {"Location", "ArmedGroup", "Organization", "StateActor"}
        best: dict[str, Candidate] = {}
        if entity.key and entity.key in self.gazetteer.entries:  # the ruler's key match
            best[entity.key] = Candidate(self.gazetteer.entries[entity.key], 1.0, "exact")
        for name in self._names(entity):
            for cand in self.index.candidates(name, coarse=coarse,
                                              fuzzy=entity.cls == "Location"):
                if not _fits(entity.cls, cand.entry):
                    continue
                old = best.get(cand.entry.key)
                if old is None or cand.quality > old.quality:
                    best[cand.entry.key] = cand
        if written_as_area:
            for cand in self._eponymous_areas_of(list(best.values())):
                old = best.get(cand.entry.key)
                if old is None or cand.quality > old.quality:
                    best[cand.entry.key] = cand
        return list(best.values())

    # -- context
    def context(self, extraction: Extraction) -> ArticleContext:
        """Countries and places the article is sure about: entities with one exact identity."""
        ctx = ArticleContext(text=extraction.article.text)
        first = len(ctx.text or "")
        for ent in extraction.entities:
            ctx.names[ent.id] = {fold(n) for n in self._names(ent)}
            exact = [c for c in self.candidates(ent, ctx) if c.quality >= 0.95]
            if len({_identity(c.entry) for c in exact}) == 1:
                ctx.anchors[ent.id] = [c.entry for c in exact]
                for country in {c.entry.country for c in exact if c.entry.country}:
                    ctx.countries[country] += 1
                    ctx.mentioned[country] += len(ent.mentions)
                start = min((m.start for m in ent.mentions), default=first)
                if start < min(first, DATELINE_CHARS) and exact[0].entry.country:
                    first, ctx.dateline = start, exact[0].entry.country
        self._placements(extraction, ctx)
        return ctx

    def _placements(self, extraction: Extraction, ctx: ArticleContext) -> None:
        """Record, per place entity, where the text explicitly puts it (see `Placement`).

        Y is taken as the ruler keyed it: a first-level area ("Quneitra province"), or a
        town whose area a cue word names ("the Aleppo countryside") or whose quarter X is.
        """
        text = ctx.text or ""
        at = {m.start: ent for ent in extraction.entities if ent.cls == "Location"
              for m in ent.mentions}
        if not text or len(at) < 2:
            return
        for ent in extraction.entities:
            if ent.cls != "Location":
                continue
            for m in ent.mentions:
                placement = self._placement(text, m.end, at, ctx)
                if placement is not None and placement.where.key != ent.key:
                    ctx.placed.setdefault(ent.id, []).append(placement)

    def _placement(self, text: str, end: int, at: dict[int, Entity],
                   ctx: ArticleContext) -> Placement | None:
        quarter = QUARTER_OF.match(text, end)
        cue = PLACED_IN.match(text, end) if quarter is None else None
        found = quarter or cue
        other = at.get(found.end()) if found else None
        if other is None:
            return None
        sure = ctx.anchors.get(other.id, [])
        where = self.gazetteer.entries.get(other.key or "") or (sure[0] if sure else None)
        if where is None:
            return None
        if quarter is not None:
            return Placement(where, quarter=True) if where.subclass == "PopulatedPlace" \
                else None
        mention = next(m for m in other.mentions if m.start == found.end())  # type: ignore[union-attr]
        named_area = where.subclass == "AdministrativeArea" or bool(cue.group(1)) \
            or bool(AREA_WORD_NEXT.match(text, mention.end))  # type: ignore[union-attr]
        area = area_of(self.gazetteer, where) if named_area else None
        return Placement(area, quarter=False) if area is not None else None

    # -- scoring
    def _prior(self, entry: Entry) -> float:
        if entry.cls != "Location" or entry.subclass == "Country":
            return 1.0
        if entry.subclass == "AdministrativeArea":
            return 0.3
        if entry.population:
            return min(1.0, math.log10(entry.population + 1) / 7)
        return 0.4

    def _country_fit(self, entry: Entry, countries: Counter[str]) -> float:
        if entry.country and countries.get(entry.country):
            return 1.0
        if entry.subclass in {"Country", "State"} or not countries:
            return 0.5
        if entry.cls != "Location":
            return 0.5 if entry.country is None else 0.25
        return 0.3 if (entry.population or 0) >= MAJOR_PLACE else 0.0

    def _cooccurrence(self, entry: Entry, entity: Entity, ctx: ArticleContext) -> float:
        if entry.cls != "Location":
            return 0.0
        bonus = 0.0
        core = _core(entry.label)
        others = ctx.other_anchors(entity.id)
        if entry.subclass in {"AdministrativeArea", "Country"} and any(
                _core(o.admin1) == core and o.country == entry.country for o in others):
            bonus += 0.25  # a place the article names lies in this area
        if entry.admin1 and entry.subclass == "PopulatedPlace" and (
                _core(entry.admin1) in ctx.other_names(entity.id)
                or any(o.subclass == "AdministrativeArea" and o.label == entry.admin1
                       for o in others)):
            bonus += 0.1  # the article names the area this place lies in
        for m in entity.mentions:
            after = ctx.text[m.end:m.end + 20] if ctx.text else ""
            before = ctx.text[max(0, m.start - 20):m.start] if ctx.text else ""
            if ADMIN_CUE.match(after) or AREA_WORD_BEFORE.search(before):
                bonus += 0.2 if entry.subclass == "AdministrativeArea" else -0.1
                break
            if TOWN_CUE.search(before) and entry.subclass == "PopulatedPlace":
                bonus += 0.05
                break
        return bonus

    def score(self, cand: Candidate, entity: Entity, ctx: ArticleContext) -> float:
        entry = cand.entry
        fit = CLASS_FIT[(entity.cls, entry.cls)]
        if entity.cls == "StateActor" and entry.cls == "Location" \
                and entry.subclass != "Country":
            fit = 0.9  # "Georgia" typed as a state may still be the US state
        countries = ctx.countries_without(entity.id)
        base = (0.55 + 0.30 * self._country_fit(entry, countries) + 0.10 * self._prior(entry)
                + (0.05 if entry.key == entity.key else 0.0))
        return cand.quality * fit * base + self._cooccurrence(entry, entity, ctx)

    def _area_cue(self, entity: Entity, ctx: ArticleContext) -> bool:
        """Does the article write this entity as an area ("Daraa province", "rural Hama")?"""
        if any(w in ADMIN_WORDS for n in self._names(entity) for w in fold(n).split()):
            return True
        text = ctx.text or ""
        return any(AREA_AFTER.match(text[m.end:m.end + 20])
                   or AREA_BEFORE.search(text[max(0, m.start - 25):m.start])
                   for m in entity.mentions)

    def _eponymous_areas(self, cands: list[Candidate], entity: Entity,
                         ctx: ArticleContext) -> set[str]:
        """Areas a bare name does not mean: those named after a candidate city inside them.

        "Hama", "Daraa", "Izmir" name both a city and the governorate or province around
        it. News writes the area with a cue ("Hama province", "rural Daraa"); a bare name
        is the city. Left as rivals, the two readings split the confidence and the city
        never links. With a cue the area stays a candidate and scoring decides.
        """
        cities = [c.entry for c in cands if c.entry.subclass == "PopulatedPlace"]
        areas = [c.entry for c in cands if c.entry.subclass == "AdministrativeArea"]
        if not cities or not areas or self._area_cue(entity, ctx):
            return set()
        dropped = set()
        for area in areas:
            core = translit_key(_core(area.label))
            if any(city.country == area.country and translit_key(city.label) == core
                   and translit_key(_core(city.admin1)) == core for city in cities):
                dropped.add(area.key)
        return dropped

    def decide(self, entity: Entity, ctx: ArticleContext) -> LinkDecision:
        """Best candidate and its confidence; NIL when none reaches the threshold."""
        groups: dict[str, tuple[float, Candidate]] = {}
        cands = self.candidates(entity, ctx)
        dropped = self._eponymous_areas(cands, entity, ctx)
        placed = ctx.placed.get(entity.id, [])
        main = ctx.main_countries()
        for cand in cands:
            if not _fits(entity.cls, cand.entry) or cand.entry.key in dropped:
                continue
            if placed and not any(p.admits(cand.entry) for p in placed):
                continue  # "Hader in Quneitra province" is no al-Hader in Aleppo
            if cand.method in COARSE_METHODS and main and cand.entry.country not in main:
                continue  # a guessed spelling reaches only the article's own countries
            s = self.score(cand, entity, ctx)
            ident = _identity(cand.entry)
            old = groups.get(ident)
            if old is None or s > old[0] or (s == old[0] and cand.entry.key == entity.key):
                groups[ident] = (s, cand)
        if not groups:
            return LinkDecision(None, 0.0, "nil")
        ranked = sorted(groups.values(), key=lambda sc: (-sc[0], sc[1].entry.key))
        top, cand = ranked[0]
        # softmax share of the top identity: two equally good readings give 0.5 each
        share = 1.0 / sum(math.exp((s - top) / SHARE_TEMPERATURE) for s, _ in ranked)
        confidence = round(min(1.0, top) * share, 3)
        if confidence < self.threshold:
            return LinkDecision(None, confidence, "nil", top)
        entry, method = cand.entry, f"offline:{cand.method}"
        qid = entry.qid
        state = self.gazetteer.entries.get(entry.parent or "")
        if qid is None and entry.subclass == "Government" and state is not None \
                and state.subclass == "State" and state.qid:
            # a national government acts as its state ("the Syrian government" is Syria
            # the actor, as ACLED codes it): it shares the state's QID
            qid, method = state.qid, method + "+state"
        return LinkDecision(entry, confidence, method, top, qid)

    # -- applying
    def link(self, extraction: Extraction) -> Extraction:
        """Set wikidata, coordinates, country, confidence and method on every entity."""
        ctx = self.context(extraction)
        for ent in extraction.entities:
            if ent.link_method and not ent.link_method.startswith(("offline", "nil")):
                continue  # decided by a stronger method (online, manual)
            apply_decision(ent, self.decide(ent, ctx))
        return extraction


def apply_decision(ent: Entity, decision: LinkDecision) -> None:
    """Write a decision onto an entity (NIL clears what an earlier stage guessed)."""
    ent.link_confidence, ent.link_method = decision.confidence, decision.method
    entry = decision.entry
    if entry is None:
        ent.wikidata = ent.lat = ent.lon = None
        ent.key = None
        return
    if entry.cls != ent.cls and entry.cls == "Location" and entry.subclass != "Country":
        ent.cls, ent.label = entry.cls, entry.label  # "Georgia": the US state, not the country
    ent.key, ent.wikidata, ent.subclass = entry.key, decision.qid, entry.subclass
    ent.country = entry.country
    ent.lat, ent.lon = entry.lat, entry.lon


_DEFAULT: dict[int, Linker] = {}


def default_linker(gazetteer: Gazetteer | None = None) -> Linker:
    """One linker per gazetteer and process (the candidate index takes a second to build)."""
    gaz = gazetteer or default_gazetteer()
    linker = _DEFAULT.get(id(gaz))
    if linker is None or linker.gazetteer is not gaz:
        linker = _DEFAULT[id(gaz)] = Linker(gaz)
    return linker


def link_extraction(extraction: Extraction, linker: Linker | None = None) -> Extraction:
    """Link the entities of one extraction in place (offline) and return it."""
    return (linker or default_linker()).link(extraction)
