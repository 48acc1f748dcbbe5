"""spaCy component that detects events and their arguments.

A trigger lexicon (`kg/data/event_triggers.json`) gives candidate words; the dependency
parse decides whether a candidate reports a real event and of which ACLED type:

- verbs are events unless negated, modal, conditional or under an intention/denial verb
  ("seeking to take over", "would allow", "did not say");
- event nouns need an eventive frame: subject of an impact verb ("air strikes hit"), object
  of a light verb ("carried out air strikes", "reported heavy fighting"), or the cause of
  something ("killed in an air strike"); "the intensity of rockets" is not an event;
- weapon and platform nouns ("warplanes", "rockets") are never events on their own but type
  the clause they act in ("warplanes attacked" -> air strike, "fired rockets" -> shelling).

Arguments come from the parse: the agent is the actor, the object (or "against/on") the
target, a place after "in/near/outside/towards" (or the place taken or hit) the location,
the most specific place winning. One clause gives at most one event (conjoined verbs
"shelled and bombed" are one event). Results go to `doc._.kg_events` as `EventMention`s;
dates, casualties and merging across sentences happen in `kg.extract.event_records`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from kg.extract.triggers import Lexicon, default_lexicon
from kg.gazetteer import Gazetteer, default_gazetteer

ACTOR_CLASSES = {"ArmedGroup", "StateActor"}
LOCATION_PREPS = {"in", "near", "outside", "towards", "toward", "around", "at", "into",
                  "inside", "across", "on", "over", "nearby", "within", "throughout", "along"}
PLACE_NOUNS = {"town", "city", "village", "area", "district", "province", "region", "base",
               "airport", "hill", "neighbourhood", "neighborhood", "position", "territory",
               "control", "stronghold", "countryside", "airbase", "outpost", "checkpoint",
               "suburb", "camp", "border", "crossing", "road", "highway", "port", "valley",
               "mountain", "governorate", "state", "county", "capital", "settlement", "post",
               "positions", "posts", "bastion", "enclave", "pocket", "island", "oilfield",
               "field", "dam", "bridge", "quarter", "headquarters", "garrison", "mosque"}
QUANTIFIERS = {"dozen", "dozens", "series", "wave", "barrage", "number", "hundred", "hundreds",
               "string", "spate", "round", "volley", "couple", "lot", "flurry", "salvo",
               "hail", "scores", "score", "wake", "day", "days", "night", "week", "weeks",
               "month", "months", "year", "years", "hours", "aftermath", "site", "scene"}
CAUSE_PREPS = {"in", "during", "amid", "by", "after", "following", "from", "under", "since"}
REPORT_VERBS = {"say", "report", "announce", "claim", "tell", "state", "confirm", "post",
                "add", "quote", "publish", "broadcast", "cite", "accuse", "allege"}
SOURCE_CLASSES = {"Organization", "StateActor", "ArmedGroup", "Person"}
PRONOUNS = {"they", "it", "he", "she", "who", "which", "that", "them", "group", "militants",
            "fighters", "organisation", "organization", "movement", "force", "forces"}
INSTRUMENT_CODES = {"AIR", "SHELL", "IED", "SUICIDE", "GRENADE", "CHEMICAL"}
CAUSED = {"kill", "wound", "injure", "die", "damage", "destroy", "hit", "level", "flatten",
          "strike", "target", "hurt", "maim", "raze", "burn", "collapse", "sustain", "suffer",
          "lose"}  # "sustained injuries in clashes", "lost their lives in an air strike"
TARGET_PREPS = {"against", "on", "at", "from", "out", "targeting"}
CLAUSE_DEPS = {"relcl", "advcl", "ccomp", "acl", "parataxis", "csubj"}
# An agreement that is the aim of an attempt ("efforts to reach a truce", "attempts at
# securing a ceasefire") is reached through these dependencies from the attempt.
AIM_DEPS = {"dobj", "pobj", "pcomp", "prep", "xcomp", "acl"}
AIM_NOUNS = {"effort", "bid", "attempt", "push", "initiative", "talk", "negotiation"}
QUOTE_RE = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
FIRST_PERSON_RE = re.compile(r"\b(?:we|us|our|ours|I|me|my)\b", re.I)
MILITARY_OBJECTS = {"tank", "vehicle", "weapon", "position", "drone", "jet", "plane",
                    "helicopter", "launcher", "soldier", "fighter", "militant", "troop",
                    "gunman", "rebel", "insurgent", "jihadist", "convoy", "depot", "ammunition"}
# Verbs of bombardment whose means (aircraft or artillery) the subject decides.
BOMBARD_VERBS = {"bombard", "bomb", "pound"}
# Heads that name a part or amount of what was taken: "a string of villages", "the east of".
PART_NOUNS = {"string", "series", "number", "dozens", "dozen", "handful", "part", "parts",
              "most", "rest", "much", "east", "west", "north", "south", "half", "control",
              "swathes", "swaths", "chunk", "all", "some", "several", "majority", "outskirts"}
NEXT_PLACE = 2  # sentences ahead searched for the place of an event whose sentence has none
REGION_NOUNS = {"province", "governorate", "countryside", "region", "countrysides"}
# Prepositions after which a country is where something happened, not who did it.
IN_PLACE_PREPS = {"in", "inside", "across", "throughout", "within", "near", "outside", "into"}
# Prepositions through which a governing verb states an aim ("push for", "plan to").
INTENT_PREPS = {"for", "to", "of", "about", "toward", "towards", "on", "against"}
# Participles that attach supporters to a phrase: "fighters backed by Russian air strikes".
SUPPORT_VERBS = {"back", "support", "arm", "fund", "sponsor", "aid", "assist", "help", "lead"}
ANAPHORIC_DETS = {"the", "this", "that", "these", "those"}
# Agents told by what they are, not who: "warplanes struck", "the militants killed". They
# stand for the last actor of a compatible kind named in the same or the previous sentence.
GENERIC_AGENTS = {
    **dict.fromkeys(["warplane", "jet", "aircraft", "plane", "helicopter", "bomber", "drone",
                     "gunship", "army", "troop", "soldier", "force", "military", "artillery"],
                    "StateActor"),
    **dict.fromkeys(["militant", "rebel", "insurgent", "jihadist", "gunman", "fighter",
                     "terrorist", "extremist", "group", "islamist"], "ArmedGroup"),
}
# Nouns of a relation to someone: "an ally of the government" is not the government.
RELATION_NOUNS = {"ally", "backer", "supporter", "sponsor", "patron", "partner", "friend",
                  "enemy", "foe", "rival", "opponent", "critic", "member", "part", "mouthpiece"}
# Verbs that follow the agent in a headline ("Rebels Shell Aleppo", "Kurds kill 83").
HEADLINE_VERBS = {"attack", "attacks", "kill", "kills", "shell", "shells", "strike", "strikes",
                  "bomb", "bombs", "pound", "pounds", "hit", "hits", "target", "targets",
                  "storm", "storms", "ambush", "ambushes", "raid", "raids"}
LEAD_SENTENCES = 2  # the headline and the sentences that first tell its story
DAY_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "yesterday", "today"}
SUBJECTS = {"nsubj", "nsubjpass"}
REFLEXIVES = {"himself", "herself", "themselves", "itself"}
# Verbs whose subject saw or recorded the event ("a video showing the execution", "the
# Observatory documented the shelling"): a witness, not its actor.
WITNESS_VERBS = {"show", "document", "record", "film"}
CLAIM_VERBS = {"claim", "take", "admit", "accept"}
# Acts that follow an event and are dated on their own: "IS on Monday claimed
# responsibility for a bombing" says when the claim came, not the bombing.
AFTERMATH_VERBS = {"claim", "condemn", "deny", "blame", "accuse", "denounce", "admit"}
HABITUAL_PHRASES = ({"recent", "past"}, {"month", "months", "week", "weeks", "year", "years"})


@dataclass
class EventMention:
    """An event found in one clause, with token-level argument spans.

    `date_scopes` lists token-index ranges from the event's own clause outwards, so the
    record stage can give the event the date written in its clause, not any date in the
    sentence. `habitual` events ("they frequently hit Kilis") have no single date.
    """

    event_type: str
    sub_event_type: str
    trigger: Span
    sentence: Span
    actors: list[Span] = field(default_factory=list)
    targets: list[Span] = field(default_factory=list)
    location: Span | None = None
    location_cued: bool = False
    reporters: list[Span] = field(default_factory=list)
    weapons: list[Span] = field(default_factory=list)
    date_scopes: list[list[tuple[int, int]]] = field(default_factory=list)
    habitual: bool = False
    anaphoric: bool = False  # "the bombardment": refers back to an event already told
    sentence_index: int = 0  # ordinal of the sentence in the doc: mentions' distance
    confidence: float = 0.5


if not Doc.has_extension("kg_events"):
    Doc.set_extension("kg_events", default=None)


@Language.factory("kg_events", default_config={"max_per_sentence": 3})
def make_event_detector(nlp: Language, name: str, max_per_sentence: int) -> EventDetector:
    """Factory registered as `kg_events`."""
    return EventDetector(nlp, name, max_per_sentence=max_per_sentence)


# Participles that make the word before them a backer of the noun they modify:
# "Turkish-backed militants", "government-sponsored militias", "US-funded rebels".
BACKING = {"backed", "supported", "sponsored", "funded", "armed", "trained", "allied"}


def _backs(token: Token) -> bool:
    """Whether `token` names who backs a group rather than the group ("Turkish" in
    "Turkish-backed militants"), or is the backing participle itself."""
    after = token.doc[token.i + 1:token.i + 3]
    return token.lower_ in BACKING or (token.head.lower_ in BACKING and token.head.i != token.i
                                       and token.dep_ in {"npadvmod", "amod", "compound"}) \
        or any(t.lower_ in BACKING and t.head.i != token.i  # not "troops backed by X"
               for t in after if t.text != "-")


def place_specificity(span: Span, gazetteer: Gazetteer) -> int:
    """Higher is more specific: village/town > city > region > country.

    Reports name both the town and its city or country ("Khan Touman, near Aleppo");
    the event happened in the town.
    """
    if span.label_ != "Location":
        return 0
    doc = span.doc
    if (span.start > 0 and doc[span.start - 1].lower_ == "rural") or (
            span.end < len(doc) and doc[span.end].lower_ in REGION_NOUNS):
        return 1  # "rural Idlib", "Homs province": the region, not the town of that name
    entry = gazetteer.entries.get(span.kb_id_) if span.kb_id_ else None
    if entry is None:
        return 3
    if entry.subclass == "Country":
        return 0
    if entry.subclass == "AdministrativeArea":
        return 1
    return 2 if (entry.population or 0) > 500_000 else 3


# Words that put an event near a town or in part of the area around it rather than in it:
# "near Aleppo", "on the outskirts of Aleppo", "20 km north of Aleppo", "the Aleppo countryside".
NEAR_BEFORE = {"near", "outside", "around", "outskirts", "suburbs", "vicinity", "environs",
               "nearby", "north", "south", "east", "west", "northeast", "northwest",
               "southeast", "southwest", "countryside", "rural", "edge", "edges"}
NEAR_AFTER = {"countryside", "countrysides", "outskirts", "suburbs", "area", "environs"}


def geo_precision(span: Span, gazetteer: Gazetteer) -> int:
    """ACLED's geo_precision for an event placed at `span`: 1 the town or village itself,
    2 near it or in the area around it ("near Aleppo", "rural Idlib", "the Aleppo
    countryside"), 3 only a province, region or country. Researchers filter on it before
    mapping events at town scale."""
    doc = span.doc
    before = {t.lower_ for t in doc[max(0, span.start - 4):span.start]}
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    entry = gazetteer.entries.get(span.kb_id_) if span.kb_id_ else None
    region = entry is not None and entry.subclass in {"Country", "AdministrativeArea"}
    if span.label_ != "Location" or region or after in REGION_NOUNS - NEAR_AFTER:
        return 3
    return 2 if before & NEAR_BEFORE or after in NEAR_AFTER else 1


def _headline_agent(doc: Doc, ents: dict[int, Span]) -> Span | None:
    """The actor a title-case headline opens with, right before an attack verb ("Militants
    Attack Syrias Idlib Kill 3", "Kurds Kill 83 ISIS Terrorists"): the parser cannot read
    such headlines, so the pattern is read from the words."""
    sent = next(iter(doc.sents), None)
    if sent is None:
        return None
    for tok in sent[1:]:
        ent = ents.get(tok.i - 1)
        if ent is not None and ent.end == tok.i and ent.label_ in ACTOR_CLASSES \
                and tok.lower_ in HEADLINE_VERBS:
            return ent
    return None


def _alternative(verb: Token) -> bool:
    """"cooperates with Damascus rather than fighting it": what was not done."""
    before = " ".join(t.lower_ for t in verb.doc[max(0, verb.i - 2):verb.i])
    return before in {"rather than", "instead of"}


def _describes_side(verb: Token) -> bool:
    """"Fighting" that tells which side a group is on, not a clash: "Kurds fighting against
    ISIS" (a participle on a noun that is not the subject of the clause), "rebels are
    fighting alongside the Nusra Front", "a war with government forces fighting numerous
    groups"."""
    if any(c.dep_ == "prep" and c.lower_ == "alongside" for c in verb.children):
        return True
    if verb.head.lower_ == "with" and verb.head.i != verb.i:
        return True
    return verb.dep_ == "acl" and verb.head.dep_ not in SUBJECTS


def _dateline_place(ent: Span) -> bool:
    """Whether a place is the report's dateline ("BEIRUT", "Last updated at Oct 03 2017
    BEIRUT"): where it was filed, named in capitals at the top, not where events were."""
    return ent.start < 15 and len(ent.text) >= 4 and ent.text.isupper()


def _claims(verb: Token, event: Token) -> bool:
    """Whether a verb claims responsibility ("claimed responsibility for the bombing",
    "claimed the bombing"): its subject names the perpetrator the event is attributed to,
    not a mere reporter (one who denies it is neither)."""
    return verb.lemma_.lower() in CLAIM_VERBS and any(
        c.dep_ == "dobj" and (c.lemma_.lower() == "responsibility" or c.i == event.i)
        for c in verb.children)


def _gerund_subject(verb: Token) -> bool:
    """ "Fighting ISIL is the top priority": a gerund opening the subject of "be" or
    "remain" names a task (also when the parser makes it a compound of the object)."""
    t = verb
    for _ in range(4):
        if t.dep_ in {"nsubj", "csubj", "csubjpass", "nsubjpass"}:
            return t.left_edge.i == verb.i and t.head.lemma_.lower() in {"be", "remain"}
        if t.head.i == t.i or t.dep_ not in {"compound", "amod", "dobj", "nmod", "csubj"}:
            return False
        t = t.head
    return False


def _phrase(head: Token) -> list[Token]:
    """The noun phrase of `head` without clauses hanging on it ("the attack, saying...")."""
    out = [head]
    for c in head.children:
        if c.dep_ not in CLAUSE_DEPS:
            out += list(c.subtree)
    return out


def _definite(head: Token) -> bool:
    """ "the attack", "this attack", "Sunday's shelling": a noun that refers back to an event
    told before."""
    return any((c.dep_ == "det" and c.lower_ in ANAPHORIC_DETS) or (
        c.dep_ in {"poss", "compound", "nmod"} and c.lower_.rstrip("s'’") in DAY_WORDS)
        for c in head.children)


def _object_heads(obj: Token) -> list[Token]:
    """The words that say what an object is: its head, its conjuncts, and through "of" what
    a part or amount is of ("the villages of X and Y", "control of the town")."""
    out = [obj, *obj.conjuncts]
    for t in list(out):
        if t.lemma_.lower() in PART_NOUNS | PLACE_NOUNS or t.lower_ in PART_NOUNS:
            for prep in t.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj":
                            out += [pobj, *pobj.conjuncts]
                            out += _object_heads(pobj)[1:] if pobj.lower_ in PART_NOUNS else []
    return out


def _in_subject(token: Token) -> bool:
    """Whether `token` is (a modifier of) the subject or agent of its clause."""
    while token.dep_ in {"amod", "compound", "poss", "nmod", "conj", "appos"} and \
            token.head.i != token.i:
        token = token.head
    return token.dep_ in SUBJECTS or (
        token.dep_ == "pobj" and token.head.dep_ == "agent")


def _plurals(word: str) -> list[str]:
    forms = [word, word + "s", word + "es"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ies")
    return forms


@dataclass
class _Candidate:
    code: str
    trigger: Span
    anchor: Token  # the clause head the event hangs on; one event per anchor
    verb: Token | None  # the governing verb (None for a headline noun phrase)
    instrument: str | None = None
    priority: int = 0
    anaphoric: bool = False


class EventDetector:
    """Find trigger words with an eventive reading, type them and attach their arguments."""

    def __init__(self, nlp: Language, name: str = "kg_events", *, max_per_sentence: int = 3,
                 lexicon: Lexicon | None = None, gazetteer: Gazetteer | None = None) -> None:
        self.name = name
        self.max_per_sentence = max_per_sentence
        self.lex = lexicon or default_lexicon()
        self.gazetteer = gazetteer or default_gazetteer()
        self.nouns = PhraseMatcher(nlp.vocab, attr="LOWER")
        for phrase, code in self.lex.nouns.items():
            head, _, last = phrase.rpartition(" ")
            forms = [f"{head} {form}".strip() for form in _plurals(last)]
            self.nouns.add(code, list(nlp.tokenizer.pipe(forms)))

    # ---- clause structure -------------------------------------------------------------

    def _subject(self, verb: Token) -> Token | None:
        """The verb's subject, inherited through subjectless conj/advcl/xcomp chains."""
        seen = 0
        while verb is not None and seen < 5:
            subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass", "csubj"}]
            if len(subjects) > 1:  # "A key ally of the government Russia launched": the name;
                # "SANAA, Aug 10 - An air strike hit": not the dateline's place
                return next((c for c in subjects if c.ent_type_ in ACTOR_CLASSES
                             and c.pos_ == "PROPN"), None) or next(
                    (c for c in subjects if c.ent_type_ != "Location"), subjects[0])
            if subjects:
                return subjects[0]
            if verb.dep_ in {"conj", "advcl", "xcomp"} and verb.head.i != verb.i:
                verb = verb.head
                seen += 1
                continue
            return None
        return None

    def _blocked(self, verb: Token) -> bool:
        """True when the clause is negated, modal, conditional, intended or denied, or a
        gerund subject naming a task ("Fighting ISIL is the priority")."""
        if verb.tag_ == "VBG" and _gerund_subject(verb):
            return True
        if verb.tag_ == "VBG" and verb.dep_ == "pcomp" and verb.head.head.pos_ in {"ADJ", "NOUN"}:
            return True  # "interested in fighting Daesh", "capable of striking": an aim
        if _alternative(verb) or (verb.lemma_.lower() == "fight" and _describes_side(verb)):
            return True
        for child in verb.children:
            if child.dep_ == "neg" or (child.dep_ in {"aux", "auxpass"}
                                       and child.lower_ in self.lex.modals):
                return True
            if child.dep_ == "mark" and child.lower_ in {"if", "unless", "whether"}:
                return True
        t, depth = verb, 0
        while t.dep_ in {"xcomp", "ccomp", "advcl", "acl", "relcl", "pcomp", "pobj", "prep",
                         "dobj", "conj", "amod"} and depth < 5:
            child, dep, t = t, t.dep_, t.head
            depth += 1
            if dep == "prep" and child.lower_ not in INTENT_PREPS:
                continue  # "pushed deep into the city, seizing...": a move, not an aim
            if t.lemma_.lower() in self.lex.blockers and dep in {"xcomp", "ccomp", "dobj",
                                                                  "prep", "pobj", "pcomp"}:
                return True
            if dep in {"xcomp", "ccomp"} and any(
                    c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in self.lex.modals)
                    for c in t.children):
                return True
        return verb.sent.text.rstrip().rstrip("”\"'’").endswith("?")

    def _clause(self, head: Token) -> list[tuple[int, int]]:
        """Token ranges of `head`'s clause, without embedded clauses that have a subject."""
        excluded = [t for t in head.subtree if t.i != head.i and (t.dep_ in CLAUSE_DEPS or (
            t.dep_ == "conj" and t.pos_ in {"VERB", "AUX"}
            and any(c.dep_ in SUBJECTS for c in t.children)))]
        ranges = [(head.left_edge.i, head.right_edge.i + 1)]
        for child in excluded:  # nested exclusions are no-ops: their parent is gone
            out: list[tuple[int, int]] = []
            for s, e in ranges:
                a, b = child.left_edge.i, child.right_edge.i + 1
                if b <= s or a >= e:
                    out.append((s, e))
                    continue
                if s < a:
                    out.append((s, a))
                if b < e:
                    out.append((b, e))
            ranges = out
        return ranges

    def _date_scopes(self, anchor: Token, trigger: Span) -> list[list[tuple[int, int]]]:
        # "on Monday claimed ... a bombing": only the event's own words ("Sunday's bombing")
        # date it; in "raids claimed 17 lives overnight" the verb is the raids' own
        head = trigger.root
        if anchor.lemma_.lower() in AFTERMATH_VERBS and head.dep_ not in SUBJECTS:
            return [[(head.left_edge.i, head.right_edge.i + 1)]]
        scopes = [self._clause(anchor)]
        t = anchor
        while t.dep_ != "ROOT" and t.head.i != t.i and len(scopes) < 5:
            if t.head.lemma_.lower() in AFTERMATH_VERBS and t.dep_ not in SUBJECTS:
                break
            t = t.head
            if t.pos_ in {"VERB", "AUX"}:
                scopes.append(self._clause(t))
        return scopes

    def _habitual(self, anchor: Token) -> bool:
        """Repeated events ("they frequently hit Kilis", "in recent months") have no date."""
        for t in [anchor, *list(anchor.ancestors)[:5]]:
            if t.pos_ not in {"VERB", "AUX"}:
                continue
            for c in t.children:
                if c.lower_ in self.lex.habitual:
                    return True
                if c.dep_ == "prep" and {w.lower_ for w in c.subtree} & HABITUAL_PHRASES[0] \
                        and {w.lower_ for w in c.subtree} & HABITUAL_PHRASES[1]:
                    return True
            aux = [c.lower_ for c in t.children if c.dep_ in {"aux", "auxpass"}]
            if t.tag_ == "VBG" and "been" in aux and ("have" in aux or "has" in aux):
                return True
        return False

    # ---- entities ---------------------------------------------------------------------

    @staticmethod
    def _ent_index(doc: Doc) -> dict[int, Span]:
        return {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}

    @staticmethod
    def _ents_in(token: Token, ents: dict[int, Span], classes: set[str]) -> list[Span]:
        """Entities of `classes` in the phrase of `token`, the one holding `token` first.

        A country named as a place inside the phrase ("extremists in Syria", "strikes on
        Raqqa in northern Syria") is not a party to the event, nor are supporters named in
        a participle ("fighters backed by Russian air strikes", "forces led by the US").
        """
        out: list[Span] = []
        skip = {i for c in token.subtree if c.dep_ in {"acl", "amod"} and c.i != token.i
                and c.lemma_.lower() in SUPPORT_VERBS and any(
                    g.dep_ == "agent" for g in c.children)
                for i in range(c.i, c.right_edge.i + 1)}
        for c in token.subtree:  # "an ally of X": X is who the ally relates to
            if c.dep_ == "prep" and c.lower_ == "of" and c.head.lemma_.lower() in \
                    RELATION_NOUNS:
                skip.update(range(c.i, c.right_edge.i + 1))
                # "an ally of the Syrian government Russia": the other actor in apposition
                # after X names the ally itself
                for obj in (o for o in c.children if o.dep_ == "pobj"):
                    own = ents.get(obj.i)
                    for ap in (a for a in obj.children if a.dep_ == "appos" and a.i > obj.i):
                        named = ents.get(ap.i)
                        if named is not None and named.label_ in ACTOR_CLASSES and (
                                own is None or named.kb_id_ != own.kb_id_):
                            skip.difference_update(range(named.start, named.end))
        for t in (token, *token.subtree):
            if t.i in skip:
                continue
            ent = ents.get(t.i)
            if ent is not None and ent.label_ in classes and ent not in out and not (
                    ent.root.i != token.i and ent.root.dep_ == "pobj"
                    and ent.root.head.lower_ in IN_PLACE_PREPS and ent.label_ == "StateActor"
                    and ent.root.head.i != token.i):
                out.append(ent)
        return out

    @staticmethod
    def _is_place(span: Span | None) -> bool:
        return span is not None and span.label_ == "Location"

    def _is_country(self, span: Span) -> bool:
        entry = self.gazetteer.entries.get(span.kb_id_) if span.kb_id_ else None
        return span.label_ == "StateActor" and entry is not None and entry.subclass == "State"

    def _specificity(self, span: Span) -> int:
        return place_specificity(span, self.gazetteer)

    def _agents_of(self, subj: Token, ents: dict[int, Span]) -> list[Span]:
        """Actors named in a subject phrase; those it acts against are not its agents
        ("an incursion against IS", "strikes on the rebels")."""
        skip = {t.i for c in subj.subtree if c.dep_ == "prep" and c is not subj
                and c.lower_ in {"against", "on", "targeting"} for t in c.subtree}
        return [e for e in self._ents_in(subj, ents, ACTOR_CLASSES) if e.start not in skip]

    def _generic_agent(self, token: Token, found: list[Span],
                       all_ents: list[Span]) -> list[Span]:
        """The named actor a generic agent ("warplanes", "the militants", "the army")
        stands for: the last actor of its kind named in this or the previous sentence.

        Only when the phrase names nobody itself (militants: or only generically, in lower
        case) and has no demonym of its own; otherwise `found` is kept as it is.
        """
        kind = GENERIC_AGENTS.get(token.lemma_.lower())
        same = [e for e in found if e.label_ == kind]
        if kind is None or any(not e.text.islower() for e in same) or (
                same and kind == "StateActor"):  # "the army": the article country's, kept
            return found
        if any((c.dep_ in {"amod", "compound", "poss", "nmod"} and c.ent_type_) or (
                c.dep_ == "prep" and (c.lower_ == "from" or (c.lower_ == "of" and any(
                    t.dep_ == "pobj" and (t.lemma_.lower() not in GENERIC_AGENTS or any(
                        w.ent_type_ for w in _phrase(t))) for t in c.children))))
               for c in token.children):
            return found  # "warplanes from the coalition", "fighters of X": owner told
        doc = token.doc
        sent = token.sent
        first = sent.start if sent.start == 0 else doc[sent.start - 1].sent.start
        own = {t.i for t in token.subtree}
        cands = [e for e in reversed(all_ents) if first <= e.start and e.end <= token.i
                 and e.label_ == kind and not e.text.islower() and e.start not in own
                 and not (e.root.dep_ == "pobj" and e.root.head.lower_ in IN_PLACE_PREPS)
                 and (kind != "StateActor" or self._force_like(e))]
        # who acted before acts again: a subject beats a country merely entered or named
        best = next((e for e in cands if _in_subject(e.root)), cands[0] if cands else None)
        return [best, *(e for e in found if e not in same)] if best is not None else found

    def _force_like(self, ent: Span) -> bool:
        """A state or one of its forces can own warplanes and troops; a ministry cannot."""
        entry = self.gazetteer.entries.get(ent.kb_id_) if ent.kb_id_ else None
        return entry is None or entry.subclass in {"State", "StateForce"}

    def _resolve_pronoun(self, token: Token, ents: dict[int, Span],
                         all_ents: list[Span]) -> list[Span]:
        """Actor entities a pronoun or generic noun ("the group") most likely refers to."""
        if token.dep_ in SUBJECTS and token.lower_ in {"who", "which", "that"}:
            rel = token.head
            if rel.dep_ == "relcl":
                return self._ents_in(rel.head, ents, ACTOR_CLASSES)[:1]
        said = token.head
        while said.dep_ in {"ccomp", "conj", "xcomp"} and said.head.i != said.i:
            said = said.head  # "X said it had carried out...": "it" is the one who says
            if said.lemma_.lower() in REPORT_VERBS:
                speaker = next((c for c in said.children if c.dep_ == "nsubj"), None)
                found = self._agents_of(speaker, ents) if speaker is not None else []
                if found:
                    return found[:1]
                break
        doc = token.doc
        sent = token.sent
        for ent in reversed(all_ents):
            if ent.root.dep_ == "pobj" and ent.root.head.lower_ in IN_PLACE_PREPS:
                continue  # "extremists in Syria announced they...": Syria is a place
            if ent.end <= token.i and ent.label_ in ACTOR_CLASSES and \
                    ent.start >= (sent.start if sent.start == 0 else
                                  doc[sent.start - 1].sent.start):
                return [ent]
        return []

    # ---- candidates -------------------------------------------------------------------

    def _instrument(self, tokens: Iterator[Token], noun_codes: dict[int, str]) -> str | None:
        for t in tokens:
            if noun_codes.get(t.i) in INSTRUMENT_CODES:
                return noun_codes[t.i]
            code = self.lex.instruments.get(t.lemma_.lower()) or \
                self.lex.instruments.get(t.lower_)
            if code and t.pos_ in {"NOUN", "PROPN", "ADJ"}:
                return code
        return None

    def _anchor(self, verb: Token) -> Token:
        """Subjectless conjoined/adverbial verbs belong to their head's clause."""
        t = verb
        while t.dep_ in {"conj", "advcl"} and t.head.pos_ in {"VERB", "AUX"} and not any(
                c.dep_ in SUBJECTS for c in t.children):
            t = t.head
        return t

    def _noun_candidates(self, noun_codes: dict[int, str], spans: dict[int, Span],
                         ents: dict[int, Span]) -> list[_Candidate]:
        out: list[_Candidate] = []
        for i, code in noun_codes.items():
            span = spans[i]
            head = span.root
            if head.pos_ not in {"NOUN", "PROPN"} and head.lower_ != "fighting":
                continue
            if head.tag_ == "VBG" and (_alternative(head) or _describes_side(head)):
                continue  # "fighting" read as a noun: "rebels are fighting alongside X"
            g = head
            while g.dep_ == "pobj" and g.head.lower_ == "of" and \
                    g.head.head.lemma_.lower() in QUANTIFIERS | {"dozen"}:
                g = g.head.head
            while g.dep_ in {"conj", "appos"}:
                g = g.head
            eventive, verb = self._frame(g)
            if not eventive and code != "AGREEMENT":
                continue
            if code == "AGREEMENT" and not self._agreement_cued(head):
                continue
            if verb is not None and verb.pos_ in {"VERB", "AUX"} and self._blocked(verb):
                continue
            if code in {"ATTACK", "BOMBING", "IED", "CLASH"}:
                code = self._type_nominal(head, code)
            if span.root.lemma_.lower() == "attack" and (
                    code == "CLASH" or _definite(head)) and not any(
                    (e := ents.get(t.i)) is not None and (
                        e.label_ in ACTOR_CLASSES or (e.label_ == "Location" and self._cued(e)))
                    for t in _phrase(head)):
                continue  # "the attack" alone: too vague, or told before, to be a new event
            anchor = self._anchor(verb) if verb is not None and verb.pos_ in {"VERB", "AUX"} \
                else head
            out.append(_Candidate(code, span, anchor, verb, priority=1,
                                  anaphoric=_definite(head)))
        return out

    def _frame(self, g: Token) -> tuple[bool, Token | None]:
        """Whether an event noun phrase `g` reports an event, and its governing verb.

        Eventive frames: subject of an impact verb ("air strikes hit"), object of a light or
        reporting verb ("carried out air strikes"), cause of something ("killed in an air
        strike"), or a headline noun phrase.
        """
        governor = self.lex.irregular.get(g.head.lower_) or g.head.lemma_.lower()
        if g.dep_ in SUBJECTS:
            ok = governor in self.lex.impact_verbs or governor in self.lex.verbs \
                or governor in REPORT_VERBS or (
                    g.dep_ == "nsubjpass" and governor in self.lex.light_verbs)
            return ok, g.head
        if g.dep_ == "dobj":
            ok = governor in self.lex.light_verbs or governor in REPORT_VERBS \
                or governor in self.lex.verbs
            if governor in WITNESS_VERBS and any(c.lemma_ == "have" and c.dep_ == "aux"
                                                 for c in g.head.children):
                ok = False  # "has documented the killing of 5,812 civilians": a tally
            return ok, g.head
        if g.dep_ == "pobj" and g.head.lower_ == "for" and g.head.head.dep_ == "dobj" and \
                g.head.head.lemma_.lower() == "responsibility":  # "claimed (denied)
            return True, g.head.head.head  # responsibility for a bombing"
        if g.dep_ == "pobj" and g.head.lower_ in {"after", "following"} and g.tag_ == "NN" \
                and any(c.lower_ in {"a", "an"} for c in g.children):  # "the casualties came
            return True, g.head.head  # after a rocket attack on its tanks": one attack told
        if g.dep_ == "pobj" and g.head.lower_ in CAUSE_PREPS and \
                g.head.head.lemma_.lower() in CAUSED:  # "killed in an air strike"
            return True, g.head.head
        verb = g.head.head
        if g.dep_ == "pobj" and g.head.i < g.i < verb.i and g.head.i == verb.left_edge.i and \
                verb.lemma_.lower() in self.lex.impact_verbs | CAUSED and not any(
                    c.dep_ in SUBJECTS for c in verb.children):  # "On Saturday clashes
            return True, verb  # erupted", "On Sunday regime air strikes on X killed 17":
            # the parser's pobj of the opening time phrase is the subject
        return g.dep_ == "ROOT", None

    def _agreement_cued(self, head: Token) -> bool:
        """A ceasefire that was brokered, took effect, held...; not one merely sought
        ("attempts at securing a long-lasting truce"): a cue is a verb or noun near it or a
        participle ("the US-brokered truce"), never an adjective ("long-lasting"), and an
        attempt it is the aim of blocks it."""
        t = head
        for _ in range(4):
            if t.dep_ not in AIM_DEPS:
                break
            t = t.head
            if t.lemma_.lower() in self.lex.blockers or t.lemma_.lower() in AIM_NOUNS:
                return False
        near = [*head.children, *list(head.ancestors)[:3]]
        near += [t for c in head.children for t in c.children]
        return any(t.lemma_.lower() in self.lex.agreement_cues
                   and (t.dep_ != "amod" or t.tag_ == "VBN") for t in near)  # "brokered"

    def _type_nominal(self, head: Token, code: str) -> str:
        """Type "barrel bomb attack", "Russian bombing", "attack on civilians" from modifiers."""
        mods = [t for c in head.children if c.dep_ in {"compound", "amod", "nmod"}
                for t in c.subtree]
        inst = self._instrument(iter(mods), {})
        if inst:
            return inst
        if code in {"IED", "CLASH"}:
            return code
        if code == "BOMBING":
            state = any(c.ent_type_ == "StateActor" or c.lower_ in {"aerial", "air"}
                        for c in mods)
            return "AIR" if state else "IED"
        preps = [c for c in head.children if c.dep_ == "prep" and c.lower_ in {"on", "against"}]
        for p in preps:
            if any(t.lemma_.lower() in self.lex.civilian_targets for t in p.subtree):
                return "CIV_ATTACK"
        return "CLASH"

    def _verb_candidate(self, verb: Token, noun_codes: dict[int, str],
                        ents: dict[int, Span]) -> _Candidate | None:
        irregular = self.lex.irregular.get(verb.lower_)
        lemma = irregular or verb.lemma_.lower()
        kids = list(verb.children)
        if lemma in self.lex.fire_verbs:
            objs = [c for c in kids if c.dep_ == "dobj"]
            code = self._instrument((t for o in objs for t in o.subtree), noun_codes)
            if code is None or self._blocked(verb):
                return None
            return _Candidate(code, verb.doc[verb.i:verb.i + 1], self._anchor(verb), verb,
                              instrument=code, priority=2)
        code = self.lex.verbs.get(lemma)
        if code is None or verb.pos_ not in {"VERB"}:
            return None
        if verb.tag_ == "VB" and not irregular and not any(
                c.lower_ in {"did", "do", "does"} for c in kids):
            return None
        particles = self.lex.verb_particles.get(lemma)
        if particles and lemma not in {"take"} and not any(
                c.lower_ in particles for c in kids if c.dep_ in {"prt", "prep", "advmod"}):
            return None
        if self._blocked(verb):
            return None
        if lemma == "demonstrate" and any(c.dep_ in {"ccomp", "dobj", "xcomp"} for c in kids):
            return None  # "Russia's actions demonstrate it is insistent": shows, not protests
        if any(c.i in noun_codes for c in kids if c.dep_ in {"dobj", "nsubjpass"}):
            return None  # "the strikes were executed": the noun is the event, not the verb
        subj = self._subject(verb)
        agents = [c for c in kids if c.dep_ == "agent"]
        inst_zone = [*(subj.subtree if subj is not None and subj.dep_ != "nsubjpass" else []),
                     # "Hezbollah shelling killed two": the model reads "shelling" as an aux
                     *(c for c in kids if c.dep_ == "aux" and c.i in noun_codes),
                     *(t for a in agents for t in a.subtree),
                     *(t for c in kids if c.dep_ == "prep" and c.lower_ in {"with", "from"}
                       for t in c.subtree)]
        instrument = self._instrument(iter(inst_zone), noun_codes)
        if instrument is None and code == "KILL" and agents and \
                verb.dep_ not in {"acl", "relcl"}:  # "killed in airstrikes by the regime"
            instrument = self._instrument((t for c in kids if c.dep_ == "prep" and c.lower_
                                           in {"in", "during"} for t in c.subtree), noun_codes)
        objs = [c for c in kids if c.dep_ in {"dobj", "nsubjpass"}]
        obj_lemmas = {t.lemma_.lower() for o in objs for t in o.subtree}
        if code == "DESTROY" and lemma == "blow" and obj_lemmas & REFLEXIVES:
            code = "SUICIDE"  # "an attacker blew himself up": a suicide bombing
        if (code in {"ATTACK", "KILL", "DESTROY", "CLASH", "IED"} or lemma in BOMBARD_VERBS) \
                and instrument:  # "warplanes bombarded X" is an air strike
            code = instrument
        elif code == "ATTACK":
            if lemma not in {"attack", "pound", "assault"} or subj is None:
                return None
            code = "CIV_ATTACK" if obj_lemmas & self.lex.civilian_targets else "CLASH"
        elif code == "KILL":
            if (subj is None or subj.dep_ == "nsubjpass") and not agents:
                return None  # "13 civilians were killed": a toll, the event is elsewhere
            if obj_lemmas & self.lex.civilian_targets:
                code = "CIV_ATTACK"
            elif obj_lemmas & MILITARY_OBJECTS and subj is not None and \
                    subj.dep_ == "nsubj" and self._ents_in(subj, ents, ACTOR_CLASSES):
                code = "CLASH"
            else:
                return None
        elif code in {"TAKE", "RETAKE"}:
            code = self._territory(verb, code, lemma, objs, subj, ents)
            if code is None:
                return None
        elif code == "DESTROY" and (not objs or subj is None or subj.dep_ == "nsubjpass"
                                    or obj_lemmas & MILITARY_OBJECTS):
            return None  # "was destroyed" is a consequence; "destroyed tanks" is combat
        elif code == "IED" and lemma == "explode" and not instrument:
            subj_lemmas = {t.lemma_.lower() for t in (subj.subtree if subj is not None else [])}
            if not subj_lemmas & {"bomb", "device", "explosive", "ied"}:
                return None
        told = subj is not None and subj.i in noun_codes and _definite(subj)  # "the shelling hit"
        return _Candidate(code, verb.doc[verb.i:verb.i + 1], self._anchor(verb), verb,
                          instrument=instrument, priority=3 if instrument else 2, anaphoric=told)

    def _territory(self, verb: Token, code: str, lemma: str, objs: list[Token],
                   subj: Token | None, ents: dict[int, Span]) -> str | None:
        """Type a capture verb: who takes a place decides the ACLED sub-event type."""
        kids = list(verb.children)
        if lemma in {"take", "seize", "capture", "overrun", "conquer", "recapture", "retake",
                     "regain", "liberate", "reclaim"}:
            targets = [o for o in objs if o.lower_ not in {"which", "that", "what"}]
            if len(targets) < len(objs) or (not targets and verb.dep_ == "relcl"):
                targets.append(verb.head)
            for c in kids:
                if c.dep_ == "prt" and c.lower_ == "over":
                    targets += [t for t in kids if t.dep_ == "dobj"]
            if not any(t.lemma_.lower() in PLACE_NOUNS or self._is_place(ents.get(t.i))
                       for o in targets for t in _object_heads(o)):
                return None  # "takes hundreds of lives in X": the object is not a place
        elif lemma == "drive" and not any(c.lower_ == "out" for c in kids):
            return None
        actors = self._ents_in(subj, ents, ACTOR_CLASSES) if subj is not None and \
            subj.dep_ == "nsubj" else []
        for a in [c for c in kids if c.dep_ == "agent"]:
            actors += self._ents_in(a, ents, ACTOR_CLASSES)
        # "Turkish-backed militants seized X": the backer does not make the captors the state
        actors = [a for a in actors if not _backs(a.root)]
        words = {t.lemma_.lower() for t in (subj.subtree if subj is not None else [])
                 if not _backs(t)}
        state = any(a.label_ == "StateActor" for a in actors) or bool(
            words & self.lex.state_words)
        if actors or words:
            return "GOV_TAKES" if state else "NSA_TAKES"
        return "GOV_TAKES" if code == "RETAKE" else "NSA_TAKES"

    # ---- arguments --------------------------------------------------------------------

    def _arguments(self, cand: _Candidate, ev: EventMention, ents: dict[int, Span],
                   sent_ents: list[Span], all_ents: list[Span],
                   prev_places: list[Span]) -> None:
        head = cand.trigger.root
        verb = cand.verb if cand.verb is not None and cand.verb.pos_ in {"VERB", "AUX"} \
            else None
        actors: list[Span] = []
        targets: list[Span] = []
        if verb is not None:
            subj = self._subject(verb)
            if subj is not None and verb.i != head.i and not _claims(verb, head) and \
                    verb.lemma_.lower() in REPORT_VERBS | AFTERMATH_VERBS | WITNESS_VERBS:
                subj = None  # "a mouthpiece for X reported fighting": X reports, not fights
            if subj is not None and subj.dep_ == "nsubj":
                found = self._agents_of(subj, ents)
                if not found and subj.lemma_.lower() in PRONOUNS:
                    found = self._resolve_pronoun(subj, ents, all_ents)
                actors += self._generic_agent(subj, found, all_ents)[:2]
            elif subj is not None and subj.dep_ == "nsubjpass":  # "militants were killed"
                targets += self._generic_agent(subj, self._ents_in(subj, ents, ACTOR_CLASSES),
                                               all_ents)[:2]
            for c in verb.children:
                if c.dep_ == "agent":  # "was hit by warplanes"
                    pobj = next((t for t in c.children if t.dep_ == "pobj"), c)
                    found = self._ents_in(c, ents, ACTOR_CLASSES)
                    actors += self._generic_agent(pobj, found, all_ents)[:2]
                elif (c.dep_ == "dobj" and c.i != head.i) or (
                        c.dep_ == "prep" and c.lower_ in TARGET_PREPS):
                    targets += self._ents_in(c, ents, ACTOR_CLASSES)[:2]
        for c in head.children:  # "Syrian warplanes", "Russian air strikes on rebels"
            if c.dep_ in {"amod", "compound", "nmod", "poss", "npadvmod"}:
                actors += self._agents_of(c, ents)
            elif c.dep_ == "prep" and c.lower_ in {"by", "between"}:  # "clashes between X and Y"
                actors += self._ents_in(c, ents, ACTOR_CLASSES)[:3]
            elif c.dep_ == "prep" and c.lower_ in {"against", "on", "targeting"}:
                targets += self._ents_in(c, ents, ACTOR_CLASSES)[:2]
        if not actors and cand.code == "CLASH":  # "erupted ... between X and Y"
            for t in cand.anchor.subtree:
                if t.dep_ == "prep" and t.lower_ == "between" and t.head.i != head.i:
                    actors += self._ents_in(t, ents, ACTOR_CLASSES)[:3]
                    break
        if not actors and not targets:
            targets += self._casualties_of(head, ents)
        if cand.code in {"GOV_TAKES", "NSA_TAKES"} and not targets:
            targets = [e for e in sent_ents if e.label_ == "ArmedGroup"
                       and e not in actors][:1] if cand.code == "GOV_TAKES" else []
        ev.location, ev.location_cued = self._location(cand, sent_ents, prev_places)
        loc = ev.location
        ev.actors = [a for a in dict.fromkeys(actors) if a != loc]
        if cand.code == "NSA_TAKES" and self._state_told_by_pronoun(verb, ev.actors):
            ev.event_type, ev.sub_event_type = self.lex.acled("GOV_TAKES")
        ev.targets = [t for t in dict.fromkeys(targets) if t not in ev.actors and t != loc]
        ev.weapons = [e for e in sent_ents if e.label_ == "Weapon"]
        ev.reporters = self._reporters(ev.sentence, ents)

    def _state_told_by_pronoun(self, verb: Token | None, actors: list[Span]) -> bool:
        """Whether "they had captured X" was said of a state's forces ("federal forces said
        they had captured Alamata"): the capture verb was typed before the pronoun was
        resolved. A backer is no captor."""
        subj = self._subject(verb) if verb is not None else None
        return subj is not None and subj.lemma_.lower() in PRONOUNS and bool(actors) and all(
            a.label_ == "StateActor" and not _backs(a.root) for a in actors)

    def _casualties_of(self, head: Token, ents: dict[int, Span]) -> list[Span]:
        """ "the number of ISIS fighters killed during a failed offensive": the group whose
        members a casualty verb governing the event noun counts is a party (a target)."""
        if head.dep_ != "pobj" or head.head.lower_ not in CAUSE_PREPS:
            return []
        verb = head.head.head
        if verb.lemma_.lower() not in CAUSED:
            return []
        while verb.dep_ == "conj" and verb.head.lemma_.lower() in CAUSED:  # "killed and injured"
            verb = verb.head
        if verb.dep_ == "acl":
            return self._ents_in(verb.head, ents, ACTOR_CLASSES)[:2]
        subj = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        return [] if subj is None else self._ents_in(subj, ents, ACTOR_CLASSES)[:2]

    def _location(self, cand: _Candidate, sent_ents: list[Span],
                  prev_places: list[Span]) -> tuple[Span | None, bool]:
        """The most specific cued place of the clause, else the nearest, else the last one."""
        scope = {t.i for t in cand.anchor.subtree} | {t.i for t in cand.trigger.root.subtree}
        if cand.anchor.dep_ == "relcl":
            scope.add(cand.anchor.head.i)
        cued: list[Span] = []
        for ent in sent_ents:
            if ent.label_ != "Location" and not self._is_country(ent):
                continue
            if ent.start not in scope and ent.root.i not in scope:
                continue
            if self._cued(ent) or (ent.label_ == "Location" and ent.root.dep_ in
                                   {"dobj", "nsubjpass"}) or (
                    cand.anchor.dep_ == "relcl" and ent.root.i == cand.anchor.head.i):
                cued.append(ent)
        if cued:
            best = max(cued, key=lambda e: (self._specificity(e),
                                            -abs(e.start - cand.trigger.start)))
            return best, True
        places = [e for e in sent_ents if e.label_ == "Location"]
        if len(places) > 1:  # "BEIRUT - A coalition air strike killed 18 in Raqqa"
            places = [e for e in places if not _dateline_place(e)] or places
        if places:
            return max(places, key=lambda e: (self._specificity(e) >= 2,
                                              -abs(e.start - cand.trigger.start))), False
        country = self._the_country(cand, scope)
        if country is not None:
            return country, True
        return (prev_places[-1] if prev_places else None), False

    def _the_country(self, cand: _Candidate, scope: set[int]) -> Span | None:
        """ "took effect in the country": the country the article is about, where named."""
        doc = cand.trigger.doc
        state = doc._.kg_country
        if state is None or not any(
                doc[i].lower_ == "country" and doc[i - 1].lower_ == "the" and
                doc[i].dep_ == "pobj" and doc[i].head.lower_ in IN_PLACE_PREPS
                for i in scope if i > 0):
            return None
        return next((e for e in doc.ents if e.kb_id_ == state), None)

    @staticmethod
    def _cued(ent: Span) -> bool:
        doc = ent.doc
        head = ent.root
        while head.dep_ in {"compound", "conj", "appos"} and head.head.i != head.i:
            head = head.head
        if head.dep_ == "pobj":
            prep = head.head
            if prep.lower_ in LOCATION_PREPS:
                return True
            if prep.lower_ == "of" and prep.head.lemma_.lower() in PLACE_NOUNS:
                return True
            if prep.lower_ in {"of", "from"} and prep.head.lower_ in {"out", "outskirts"}:
                return True
        prev = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        return prev in LOCATION_PREPS

    def _reporters(self, sent: Span, ents: dict[int, Span]) -> list[Span]:
        out: list[Span] = []
        for t in sent:
            if t.lemma_.lower() in REPORT_VERBS and t.pos_ == "VERB":
                for c in t.children:
                    if c.dep_ == "nsubj":
                        found = self._ents_in(c, ents, SOURCE_CLASSES)
                        out += [e for e in found if c.i in range(e.start, e.end)
                                or e.label_ == "Organization"][:1]
                    elif t.lemma_.lower() == "tell" and c.dep_ in {"dobj", "dative"}:
                        out += self._ents_in(c, ents, {"Organization"})[:1]
            if t.lower_ == "according" and t.i + 1 < sent.end and \
                    t.doc[t.i + 1].lower_ == "to":
                out += self._ents_in(t.doc[t.i + 1], ents, SOURCE_CLASSES)[:1]
        return list(dict.fromkeys(out))

    # ---- quotes -----------------------------------------------------------------------

    @staticmethod
    def _first_person_quotes(text: str) -> list[tuple[int, int]]:
        """Character ranges of quotations in the first person ("we don't know how...")."""
        return [(m.start(), m.end()) for m in QUOTE_RE.finditer(text)
                if FIRST_PERSON_RE.search(m.group(0))]

    # ---- component --------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        ents = self._ent_index(doc)
        noun_codes: dict[int, str] = {}
        noun_spans: dict[int, Span] = {}
        for match_id, start, end in sorted(self.nouns(doc), key=lambda m: (m[1], m[1] - m[2])):
            span = doc[start:end]
            root = span.root.i
            old = noun_spans.get(root)
            if old is None or len(span) > len(old):
                noun_codes[root] = doc.vocab.strings[match_id]
                noun_spans[root] = span
        quotes = self._first_person_quotes(doc.text)
        all_ents = list(doc.ents)
        found: list[EventMention] = []
        places_so_far: list[Span] = []
        sent_places: list[list[Span]] = []
        for sent_no, sent in enumerate(doc.sents):
            sent_ents = [e for e in all_ents if sent.start <= e.start < sent.end]
            sent_codes = {i: c for i, c in noun_codes.items() if sent.start <= i < sent.end}
            cands = self._noun_candidates(sent_codes, noun_spans, ents)
            for token in sent:
                if token.pos_ == "VERB":
                    cand = self._verb_candidate(token, sent_codes, ents)
                    if cand is not None:
                        cands.append(cand)
            cands = [c for c in cands
                     if not any(s <= c.trigger.start_char < e for s, e in quotes)]
            by_anchor: dict[int, _Candidate] = {}
            for c in sorted(cands, key=lambda c: (-c.priority, c.trigger.start)):
                by_anchor.setdefault(c.anchor.i, c)
            kept = sorted(by_anchor.values(), key=lambda c: c.trigger.start)
            for cand in kept[: self.max_per_sentence]:
                ev_type, sub_type = self.lex.acled(cand.code)
                ev = EventMention(ev_type, sub_type, cand.trigger, sent, sentence_index=sent_no,
                                  anaphoric=cand.anaphoric)
                self._arguments(cand, ev, ents, sent_ents, all_ents, places_so_far)
                ev.date_scopes = self._date_scopes(cand.anchor, cand.trigger)
                ev.habitual = self._habitual(cand.anchor)
                ev.confidence = round(0.4 + 0.2 * ev.location_cued + 0.15 * bool(ev.actors)
                                      + 0.1 * bool(ev.targets) + 0.1 * (cand.priority > 1), 2)
                found.append(ev)
            sent_places.append([e for e in sent_ents if e.label_ == "Location"])
            places_so_far += sent_places[-1]
            places_so_far = places_so_far[-8:]
        for ev in found:  # a headline with no place: the place the next sentences name
            if ev.location is None:
                ahead = sent_places[ev.sentence_index + 1:ev.sentence_index + 1 + NEXT_PLACE]
                ev.location = next((p[0] for p in ahead if p), None)
        agent = _headline_agent(doc, ents)
        for ev in found:  # "Militants Attack Syrias Idlib": the lead's event without agent
            if agent is not None and not ev.actors and ev.sentence_index <= LEAD_SENTENCES \
                    and agent not in ev.targets and agent != ev.location:
                ev.actors = [agent]
        doc._.kg_events = found
        return doc
