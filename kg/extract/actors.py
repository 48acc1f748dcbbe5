"""spaCy components for actors named without a proper name, and for aliases of one entity.

Conflict reporting names its main actors generically: "government forces", "regime
troops", "the rebels", "Islamist militants", "Turkish special forces". These are the
actors of most events, so `kg_actors` maps them onto canonical gazetteer actors using
the article's country context: in an article about Syria, "government forces" is the
Syrian army and "rebels" the generic Syrian rebels entity. `kg_coref` then ties names
the model found on its own to entities already known in the same article ("Killis" =
Kilis, "Abadi" = Haider al-Abadi, "SDF" = Syrian Democratic Forces).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.gazetteer import Entry, Gazetteer, default_gazetteer, fold

if not Doc.has_extension("kg_country"):
    Doc.set_extension("kg_country", default=None)
if not Doc.has_extension("kg_alias_of"):
    Doc.set_extension("kg_alias_of", default=None)

FORCE_NOUNS = ["forces", "troops", "soldiers", "army", "military", "warplanes", "jets",
               "aircraft", "helicopters", "drones", "navy", "units", "fighter"]
AIR_NOUNS = {"warplanes", "jets", "aircraft", "helicopters", "drones", "air", "aerial",
             "airstrike", "airstrikes", "raids", "barrel", "helicopter", "drone"}
FORCE_MODIFIERS = ["special", "armed", "security", "government", "regime", "air", "ground",
                   "naval", "army", "military", "elite", "allied", "backed", "pro", "-",
                   "and", "paramilitary", "police"]
STATE_WORDS = ["government", "regime", "pro-government", "pro-regime", "loyalist", "junta"]
# The means of an attack a state word can own: "regime air strikes", "government shelling".
MEANS_MODIFIERS = ["air", "aerial", "artillery", "rocket", "missile", "mortar", "barrel", "bomb",
                   "tank", "heavy", "drone", "helicopter"]
ATTACK_NOUNS = ["strike", "strikes", "airstrike", "airstrikes", "raid", "raids", "shelling",
                "bombardment", "bombing", "bombings", "attack", "attacks", "offensive",
                "assault", "barrage", "bombs", "shells", "rockets", "fire"]
REBEL_HEADS = ["rebels", "insurgents", "militants", "jihadists", "guerrillas", "separatists",
               "insurgent", "rebel", "opposition", "jihadist", "islamists"]
REBEL_GROUP_NOUNS = ["groups", "fighters", "forces", "factions", "coalition", "group",
                     "brigades", "militias", "units"]
REBEL_MODIFIERS = ["islamist", "hardline", "sunni", "shia", "shiite", "muslim", "armed",
                   "moderate", "jihadist", "radical", "extremist", "opposition",
                   "local", "allied", "suspected", "islamic", "arab", "kurdish", "tribal"]


@dataclass(frozen=True)
class _CountryActors:
    """The canonical actors a generic phrase can stand for in one country."""

    state: str
    force: str | None
    air_force: str | None
    government: str | None
    rebels: str | None


def index_countries(gaz: Gazetteer) -> dict[str, _CountryActors]:
    """For each state: its main armed force, air force, government and generic rebels.

    Done once at construction from the gazetteer's parent links, so adding a country's
    entries to the data is enough to make its generic phrases resolve.
    """
    children: dict[str, list[Entry]] = {}
    for entry in gaz.entries.values():
        if entry.parent:
            children.setdefault(entry.parent, []).append(entry)
    out: dict[str, _CountryActors] = {}
    for key, state in gaz.entries.items():
        if state.subclass != "State":
            continue
        dems = [fold(d) for d in state.demonyms] or [fold(state.label)]

        def force_rank(entry: Entry, dems: list[str] = dems) -> int:
            names = {fold(n) for n in entry.names}
            generic = {f"{d} {w}" for d in dems for w in ("military", "armed forces", "army",
                                                          "forces")}
            return 2 * bool(names & generic) + ("armed forces" in fold(entry.label))

        forces = [e for e in children.get(key, []) if e.subclass == "StateForce"]
        force = max(forces, key=force_rank, default=None)
        near = children.get(key, []) + (children.get(force.key, []) if force else [])
        air = [e for e in near if e.subclass == "StateForce"
               and ("air force" in fold(e.label) or "aerospace" in fold(e.label))]
        govs = [e for e in children.get(key, []) if e.subclass == "Government"]
        gov = max(govs, key=lambda e: any(fold(e.label) == f"{d} government" for d in dems),
                  default=None)
        rebels = f"rebels-{key}"
        out[key] = _CountryActors(key, force.key if force else None,
                                  air[0].key if air else None, gov.key if gov else None,
                                  rebels if rebels in gaz.entries else None)
    return out


def article_country(doc: Doc, gaz: Gazetteer) -> str | None:
    """The state key of the country the article is mostly about.

    Places vote for their country, states for themselves; places weigh double because
    foreign states are often mentioned as actors ("Russia, Syria's main ally") while the
    places are where the story happens.
    """
    by_country = {e.country: k for k, e in gaz.entries.items() if e.subclass == "State"}
    votes: Counter[str] = Counter()
    first: dict[str, int] = {}
    for ent in doc.ents:
        entry = gaz.entries.get(ent.kb_id_) if ent.kb_id_ else None
        if entry is None or entry.country not in by_country:
            continue
        state = by_country[entry.country]
        votes[state] += 2 if entry.cls == "Location" and entry.subclass != "Country" else 1
        first.setdefault(state, ent.start)
    if not votes:
        return None
    return max(votes, key=lambda s: (votes[s], -first[s]))


@Language.factory("kg_actors", default_config={})
def make_actor_resolver(nlp: Language, name: str) -> ActorResolver:
    """Factory registered as `kg_actors`."""
    return ActorResolver(nlp, name)


class ActorResolver:
    """Turn generic actor phrases into entity spans keyed to canonical actors."""

    def __init__(self, nlp: Language, name: str = "kg_actors", *,
                 gazetteer: Gazetteer | None = None) -> None:
        self.name = name
        self.gazetteer = gazetteer or default_gazetteer()
        self.countries = index_countries(self.gazetteer)
        self.matcher = Matcher(nlp.vocab)
        mod = {"LOWER": {"IN": FORCE_MODIFIERS}, "OP": "*"}
        force = {"LOWER": {"IN": FORCE_NOUNS}}
        self.matcher.add("DEMONYM_FORCE", [[{"ENT_TYPE": {"IN": ["StateActor"]}, "OP": "+"},
                                           mod, force]])
        self.matcher.add("STATE_FORCE", [
            [{"LOWER": {"IN": STATE_WORDS}}, {"LOWER": "-", "OP": "?"},
             {"LOWER": {"IN": ["backed", "allied"]}, "OP": "?"}, mod, force],
            [{"LOWER": "pro"}, {"LOWER": "-"}, {"LOWER": {"IN": ["government", "regime"]}},
             {"LOWER": {"IN": ["fighters", "militias", "militiamen", "gunmen"]}}],
            [{"LOWER": {"IN": ["forces", "troops", "soldiers", "fighters"]}},
             {"LOWER": "loyal"}, {"LOWER": "to"}, {"LOWER": "the", "OP": "?"},
             {"LOWER": {"IN": ["government", "regime", "president", "state"]}}],
            [{"LOWER": "the"}, {"LOWER": {"IN": ["army", "military"]}}],
            [{"LOWER": "security"}, {"LOWER": "forces"}],
        ])
        self.matcher.add("GOVERNMENT", [[{"LOWER": "the"},
                                         {"LOWER": {"IN": ["government", "regime"]}}]])
        self.matcher.add("STATE_MEANS", [[  # "regime air strikes", "government shelling"
            {"LOWER": {"IN": STATE_WORDS}}, {"LOWER": {"IN": MEANS_MODIFIERS}, "OP": "*"},
            {"LOWER": {"IN": ATTACK_NOUNS}}]])
        rebel_mod = {"LOWER": {"IN": REBEL_MODIFIERS}, "OP": "*"}
        self.matcher.add("REBELS", [
            [rebel_mod, {"LOWER": {"IN": REBEL_HEADS}},
             {"LOWER": {"IN": REBEL_GROUP_NOUNS}, "OP": "?"}],
        ])

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        state = article_country(doc, self.gazetteer)
        doc._.kg_country = state
        if not matches:
            return doc
        country = self.countries.get(state) if state else None
        found: list[Span] = []
        for match_id, start, end in matches:
            rule = self.matcher.vocab.strings[match_id]
            span = doc[start:end]
            here = country
            if rule == "DEMONYM_FORCE":
                dem = self._demonym_state(doc, start)
                if dem is None or any(t.ent_type_ for t in span[1:]):
                    continue  # whole phrase is a gazetteer name ("Syrian warplanes")
                here = self.countries.get(dem)
            elif any(t.ent_type_ and not _generic(t) for t in span):
                continue  # a named actor already covers it ("IS militants")
            elif rule == "REBELS":
                if not _rebel_phrase(span) or _negated_prefix(doc, start):
                    continue
                if start > 0 and doc[start - 1].ent_type_:
                    dem = self._demonym_state(doc, start - 1)
                    if dem is None:
                        continue  # "al-Shabaab militants": the named group already
                    start, here = start - 1, self.countries.get(dem)
                    span = doc[start:end]
            elif rule == "STATE_MEANS":
                if _negated_prefix(doc, start):
                    continue  # "anti-government attacks"
                end = start + 1  # the state word names the actor; the rest is the event
            key = self._resolve(rule, span, here)
            label = "ArmedGroup" if rule == "REBELS" else "StateActor"
            found.append(Span(doc, start, end, label=label, kb_id=key or ""))
        if found:
            found = filter_spans(found)
            taken = {i for s in found for i in range(s.start, s.end)}
            kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
            doc.ents = filter_spans([*found, *kept])
        return doc

    def _demonym_state(self, doc: Doc, i: int) -> str | None:
        """The state whose demonym token `i` is ("Turkish" -> turkey), if it is one."""
        tok = doc[i]
        if tok.ent_type_ != "StateActor" or tok.ent_iob_ != "B" or \
                (i + 1 < len(doc) and doc[i + 1].ent_iob_ == "I"):
            return None
        return self.gazetteer.by_demonym.get(tok.lower_)

    def _resolve(self, rule: str, span: Span, country: _CountryActors | None) -> str | None:
        """The gazetteer key a generic phrase stands for, or None to leave it unkeyed."""
        if country is None:
            return None
        if rule in {"DEMONYM_FORCE", "STATE_FORCE", "STATE_MEANS"}:
            air = any(t.lower_ in AIR_NOUNS for t in span)
            return (air and country.air_force) or country.force or country.state
        if rule == "GOVERNMENT":
            return country.government or country.state
        return country.rebels


def _negated_prefix(doc: Doc, start: int) -> bool:
    """ "anti-jihadist coalition", "counter-insurgency forces": those fight the rebels."""
    return start >= 2 and doc[start - 1].text == "-" and \
        doc[start - 2].lower_ in {"anti", "counter"}


def _generic(token: Token) -> bool:
    """A token of a lower-case gazetteer alias ("regime forces"): generic wording whose
    referent depends on the article's country, so context may re-resolve it."""
    ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
    return ent is not None and ent.text.islower()


def _rebel_phrase(span: Span) -> bool:
    """ "rebels", "rebel groups", "Islamist militants" but not "rebel" alone (a modifier:
    "rebel positions") nor "opposition" alone (usually political)."""
    head = span[-1].lower_
    if head in REBEL_GROUP_NOUNS:
        return len(span) >= 2 and span[-2].lower_ in REBEL_HEADS
    if head in {"rebel", "insurgent", "jihadist", "opposition"}:
        return False
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    return not (nxt is not None and nxt.text == "-")


# Generic forces named by community ("Kurdish fighters", "Shiite militias") and the words
# by which a named group of that community says so in its names ("Kurdish People's
# Protection Units"): in an article that names such a group, the generic phrase is it.
COMMUNITY_FORCES = {"kurdish-forces": ("kurdish",), "shia-militias": ("shia", "shiite"),
                    "tribal-fighters": ("tribal",)}


def community_group(ents: list[Span], gaz: Gazetteer) -> dict[str, str]:
    """For each community's generic force in `ents`, the named group it stands for.

    A group whose names use the community word as an adjective ("Kurdish YPG") beats one
    only led by the community ("Kurdish-led SDF"); then the most mentioned, then the first.
    """
    generic = {e.kb_id_ for e in ents if e.kb_id_ in COMMUNITY_FORCES}
    if not generic:
        return {}
    counts: Counter[str] = Counter(e.kb_id_ for e in ents if e.kb_id_)
    first: dict[str, int] = {}
    for e in ents:
        first.setdefault(e.kb_id_, e.start)
    out: dict[str, str] = {}
    for key in generic:
        best: tuple[int, int, int] | None = None
        for other in counts:
            entry = gaz.entries.get(other)
            if entry is None or other in COMMUNITY_FORCES or (entry.cls != "ArmedGroup" \
                    and entry.subclass != "StateForce"):
                continue
            names = " ".join(n.lower() for n in entry.names)
            score = max((2 if f"{w} " in names else 1 if f"{w}-" in names else 0)
                        for w in COMMUNITY_FORCES[key])
            rank = (score, counts[other], -first[other])
            if score and (best is None or rank > best):
                best, out[key] = rank, other
    return out


@Language.factory("kg_coref", default_config={"max_edits": 1})
def make_alias_coref(nlp: Language, name: str, max_edits: int) -> AliasCoref:
    """Factory registered as `kg_coref`."""
    return AliasCoref(name, max_edits=max_edits)


class AliasCoref:
    """Resolve model entities to entities named elsewhere in the same article.

    Three rules, cheapest first: an acronym or word of a gazetteer entity's names
    ("Observatory", "SDF") takes its key; a near-spelling of such a name ("Killis" for
    Kilis) takes its key and class; a first or last name of a person mentioned in full
    ("Abadi" after "Haider al-Abadi") is recorded in `doc._.kg_alias_of` as that person.
    """

    def __init__(self, name: str = "kg_coref", *, max_edits: int = 1,
                 gazetteer: Gazetteer | None = None) -> None:
        self.name = name
        self.max_edits = max_edits
        self.gazetteer = gazetteer or default_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        keyed: dict[str, str] = {}  # folded name -> key, for entities in this doc
        persons: dict[str, Span] = {}
        named = community_group(list(doc.ents), self.gazetteer)
        if named:
            doc.ents = [Span(doc, e.start, e.end, label=self.gazetteer.entries[named[e.kb_id_]].cls,
                             kb_id=named[e.kb_id_]) if e.kb_id_ in named else e
                        for e in doc.ents]
        for ent in doc.ents:
            if ent.kb_id_:
                entry = self.gazetteer.entries.get(ent.kb_id_)
                if entry is not None:
                    for n in entry.names:
                        keyed.setdefault(fold(n), entry.key)
                        keyed.setdefault(_acronym(n), entry.key)
            elif ent.label_ == "Person" and len(ent) > 1:
                for tok in (ent[0], ent[-1]):
                    if tok.is_title and len(tok) > 2:
                        persons.setdefault(tok.lower_, ent)
        keyed.pop("", None)
        aliases: dict[tuple[int, int], tuple[int, int]] = {}
        ents = list(doc.ents)
        changed = False
        for i, ent in enumerate(ents):
            if ent.kb_id_:
                if self._persons_name(ent, persons):
                    full = persons[ent.text.lower()]
                    aliases[(ent.start, ent.end)] = (full.start, full.end)
                    ents[i] = Span(doc, ent.start, ent.end, label="Person")
                    changed = True
                continue
            text = fold(ent.text)
            key = keyed.get(text) or self._near(text, keyed) or _possessive(text, keyed)
            if key is not None:
                entry = self.gazetteer.entries[key]
                ents[i] = Span(doc, ent.start, ent.end, label=entry.cls, kb_id=key)
                changed = True
            elif len(ent) == 1 and text in persons and persons[text].start != ent.start:
                full = persons[text]
                aliases[(ent.start, ent.end)] = (full.start, full.end)
                if ent.label_ != "Person":
                    ents[i] = Span(doc, ent.start, ent.end, label="Person")
                    changed = True
        if changed:
            doc.ents = ents
        doc._.kg_alias_of = aliases
        return doc

    def _persons_name(self, ent: Span, persons: dict[str, Span]) -> bool:
        """ "Golani" after "Abu Omar al-Golani": a one-word known name (a brigade, a town)
        that is the surname of a person named in full earlier is that person again."""
        full = persons.get(ent.text.lower()) if len(ent) == 1 else None
        if full is None or full.start >= ent.start:
            return False
        entry = self.gazetteer.entries.get(ent.kb_id_)
        return entry is not None and entry.cls != "Person" \
            and entry.subclass not in {"State", "Country"}

    def _near(self, text: str, keyed: dict[str, str]) -> str | None:
        if len(text) < 5 or " " in text:
            return None
        for name, key in keyed.items():
            if abs(len(name) - len(text)) <= self.max_edits and name[:1] == text[:1] \
                    and _edits(name, text) <= self.max_edits:
                return key
        return None


def _possessive(text: str, keyed: dict[str, str]) -> str | None:
    """ "the Syrian Arab Armys" (a possessive whose apostrophe was lost): the known name
    without the final s."""
    if text.startswith("the "):
        text = text[4:]
    return keyed.get(text[:-1]) if text.endswith("s") and " " in text else None


def _acronym(name: str) -> str:
    """Initials of a multi-word name ("Syrian Democratic Forces" -> "sdf")."""
    words = [w for w in fold(name).split() if w not in {"of", "for", "the", "and", "al"}]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _edits(a: str, b: str) -> int:
    """Levenshtein distance of two short strings."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
