"""The event trigger lexicon (`kg/data/event_triggers.json`) as typed Python data.

The lexicon is data so that analysts can extend it without touching the parsing rules in
`kg.extract.events`; this module only loads and checks it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Verb classes whose ACLED type is decided by the clause rather than by the lexicon.
CLAUSE_TYPED = {"ATTACK", "TAKE", "RETAKE", "KILL", "BOMBING"}


@dataclass(frozen=True)
class Lexicon:
    """Trigger words and the cue word lists of the event rules (see the JSON's `_about`)."""

    types: dict[str, tuple[str, str]]
    verbs: dict[str, str]
    irregular: dict[str, str]
    verb_particles: dict[str, frozenset[str]]
    nouns: dict[str, str]
    instruments: dict[str, str]
    fire_verbs: frozenset[str]
    light_verbs: frozenset[str]
    impact_verbs: frozenset[str]
    agreement_cues: frozenset[str]
    blockers: frozenset[str]
    modals: frozenset[str]
    habitual: frozenset[str]
    civilian_targets: frozenset[str]
    state_words: frozenset[str]

    def acled(self, code: str) -> tuple[str, str]:
        """(event type, sub-event type) of a lexicon type code such as "AIR"."""
        return self.types[code]


def lexicon_from_json(data: dict) -> Lexicon:
    """Build a Lexicon, failing loudly on a type code the `types` table does not define."""
    types = {k: (v[0], v[1]) for k, v in data["types"].items()}
    known = set(types) | CLAUSE_TYPED
    for table in ("verbs", "nouns", "instruments"):
        unknown = {v for v in data[table].values() if v not in known}
        if unknown:
            raise ValueError(f"event_triggers.json: unknown type code(s) {sorted(unknown)} "
                             f"in {table}")
    sets = {name: frozenset(data[name]) for name in (
        "fire_verbs", "light_verbs", "impact_verbs", "agreement_cues", "blockers", "modals",
        "habitual", "civilian_targets", "state_words")}
    return Lexicon(types=types, verbs=dict(data["verbs"]), irregular=dict(data["irregular"]),
                   verb_particles={k: frozenset(v) for k, v in data["verb_particles"].items()},
                   nouns=dict(data["nouns"]), instruments=dict(data["instruments"]), **sets)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The package lexicon, loaded once per process."""
    path = resources.files("kg") / "data" / "event_triggers.json"
    return lexicon_from_json(json.loads(path.read_text(encoding="utf-8")))
