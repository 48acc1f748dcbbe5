"""spaCy component that detects events and their arguments.

A trigger lexicon (lemmas and multi-word phrases) gives the ACLED event and sub-event type;
the dependency parse gives the arguments: the agent is the actor, the object the target,
a place after "in/near/outside/towards" the location. Results go to `doc._.kg_events` as
plain `EventMention`s; turning them into records happens in `kg.extract.pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

# (ACLED event type, sub-event type) for each trigger lemma or phrase.
AIR = ("Explosions/Remote violence", "Air/drone strike")
SHELL = ("Explosions/Remote violence", "Shelling/artillery/missile attack")
IED = ("Explosions/Remote violence", "Remote explosive/landmine/IED")
SUICIDE = ("Explosions/Remote violence", "Suicide bomb")
CLASH = ("Battles", "Armed clash")
NSA_TAKES = ("Battles", "Non-state actor overtakes territory")
GOV_TAKES = ("Battles", "Government regains territory")
AGREEMENT = ("Strategic developments", "Agreement")
DESTROY = ("Strategic developments", "Looting/property destruction")
CIV_ATTACK = ("Violence against civilians", "Attack")
ABDUCT = ("Violence against civilians", "Abduction/forced disappearance")
ARREST = ("Strategic developments", "Arrests")
PROTEST = ("Protests", "Peaceful protest")

TRIGGERS: dict[str, tuple[str, str]] = {
    "air strike": AIR, "airstrike": AIR, "air raid": AIR, "warplane": AIR, "drone strike": AIR,
    "bomb": AIR, "bombing": AIR, "bombard": SHELL, "shell": SHELL, "shelling": SHELL,
    "artillery": SHELL, "mortar": SHELL, "rocket": SHELL, "missile": SHELL,
    "roadside bomb": IED, "ied": IED, "landmine": IED, "car bomb": IED,
    "suicide bomber": SUICIDE, "suicide bombing": SUICIDE, "suicide attack": SUICIDE,
    "clash": CLASH, "fighting": CLASH, "battle": CLASH, "firefight": CLASH, "fight": CLASH,
    "capture": NSA_TAKES, "seize": NSA_TAKES, "overrun": NSA_TAKES, "take": NSA_TAKES,
    "recapture": GOV_TAKES, "retake": GOV_TAKES, "regain": GOV_TAKES, "drive out": GOV_TAKES,
    "ceasefire": AGREEMENT, "truce": AGREEMENT, "peace deal": AGREEMENT,
    "destroy": DESTROY, "loot": DESTROY, "massacre": CIV_ATTACK, "execute": CIV_ATTACK,
    "abduct": ABDUCT, "kidnap": ABDUCT, "arrest": ARREST, "detain": ARREST,
    "protest": PROTEST, "demonstration": PROTEST,
}
TAKE_NEEDS_OBJECT = {"take", "capture", "seize", "overrun", "recapture", "retake", "regain"}
LOCATION_PREPS = {"in", "near", "outside", "towards", "toward", "around", "at", "on", "into",
                  "of", "inside", "across", "from"}
REPORT_VERBS = {"say", "report", "announce", "claim", "tell", "state", "confirm", "post"}
ACTOR_CLASSES = {"ArmedGroup", "StateActor"}


@dataclass
class EventMention:
    """An event found in one sentence, with token-level argument spans."""

    event_type: str
    sub_event_type: str
    trigger: Span
    sentence: Span
    actors: list[Span] = field(default_factory=list)
    targets: list[Span] = field(default_factory=list)
    location: Span | None = None
    reporters: list[Span] = field(default_factory=list)
    weapons: list[Span] = field(default_factory=list)
    confidence: float = 0.5


if not Doc.has_extension("kg_events"):
    Doc.set_extension("kg_events", default=None)


@Language.factory("kg_events", default_config={"max_per_sentence": 2})
def make_event_detector(nlp: Language, name: str, max_per_sentence: int) -> EventDetector:
    """Factory registered as `kg_events`."""
    return EventDetector(nlp, name, max_per_sentence=max_per_sentence)


def _ent_of(token: Token) -> Span | None:
    """The entity a token belongs to, or the entity inside the token's subtree."""
    if token.ent_type_:
        for ent in token.doc.ents:
            if ent.start <= token.i < ent.end:
                return ent
    return None


def _ents_in_subtree(token: Token, classes: set[str] | None = None) -> list[Span]:
    idx = {t.i for t in token.subtree}
    return [e for e in token.doc.ents
            if e.start in idx and (classes is None or e.label_ in classes)]


class EventDetector:
    """Find trigger phrases, type them, and attach actors, targets, place and sources."""

    def __init__(self, nlp: Language, name: str = "kg_events", *, max_per_sentence: int = 2,
                 triggers: dict[str, tuple[str, str]] | None = None) -> None:
        self.name = name
        self.max_per_sentence = max_per_sentence
        self.triggers = triggers or TRIGGERS
        self.matcher = Matcher(nlp.vocab)
        for phrase in self.triggers:
            words = phrase.split()
            self.matcher.add(phrase, [[{"LEMMA": w} for w in words], [{"LOWER": w} for w in words]])

    def _arguments(self, ev: EventMention) -> None:
        head = ev.trigger.root
        verb = head if head.pos_ in {"VERB", "AUX"} else head.head
        sent = ev.sentence
        for child in verb.children:
            if child.dep_ in {"nsubj", "agent"}:
                pool = _ents_in_subtree(child, ACTOR_CLASSES)
                ev.actors.extend(pool[:2])
            elif child.dep_ in {"dobj", "nsubjpass", "pobj"}:
                ev.targets.extend(_ents_in_subtree(child, ACTOR_CLASSES)[:2])
        for child in head.children:  # "Syrian warplanes": modifiers of a noun trigger
            if child.dep_ in {"amod", "compound", "nmod", "poss"}:
                ent = _ent_of(child)
                if ent is not None and ent.label_ in ACTOR_CLASSES:
                    ev.actors.append(ent)
        places = [e for e in sent.ents if e.label_ == "Location"]
        cued = [e for e in places if (e.start > 0 and e.doc[e.start - 1].lower_ in LOCATION_PREPS)
                or (e.start > 2 and e.doc[e.start - 2].lower_ == "of")]
        pool = cued or places
        if pool:
            ev.location = min(pool, key=lambda e: abs(e.start - ev.trigger.start))
        ev.actors = [a for a in dict.fromkeys(ev.actors) if a != ev.location]
        ev.targets = [t for t in dict.fromkeys(ev.targets) if t not in ev.actors]
        ev.weapons = [e for e in sent.ents if e.label_ == "Weapon"]
        for token in sent:
            if token.lemma_ in REPORT_VERBS:
                for child in token.children:
                    if child.dep_ == "nsubj":
                        ev.reporters.extend(_ents_in_subtree(child, {"Organization"}))
            if token.lower_ == "according" and token.i + 2 < len(token.doc):
                ev.reporters.extend(_ents_in_subtree(token.doc[token.i + 1], {"Organization"}))

    def __call__(self, doc: Doc) -> Doc:
        found: list[EventMention] = []
        per_sentence: dict[int, int] = {}
        matches = sorted(self.matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        taken: set[int] = set()
        for match_id, start, end in matches:
            if any(i in taken for i in range(start, end)):
                continue
            phrase = doc.vocab.strings[match_id]
            span = doc[start:end]
            if phrase in TAKE_NEEDS_OBJECT and not any(
                    c.dep_ == "dobj" or c.lower_ == "control" for c in span.root.subtree):
                continue
            sent = span.sent
            if per_sentence.get(sent.start, 0) >= self.max_per_sentence:
                continue
            ev_type, sub_type = self.triggers[phrase]
            ev = EventMention(ev_type, sub_type, span, sent)
            self._arguments(ev)
            ev.confidence = 0.5 + 0.15 * bool(ev.location) + 0.15 * bool(ev.actors)
            found.append(ev)
            taken.update(range(start, end))
            per_sentence[sent.start] = per_sentence.get(sent.start, 0) + 1
        doc._.kg_events = found
        return doc
