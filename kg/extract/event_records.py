"""Turn the event mentions of one article into Event records: dates, casualties, merging.

An article reports one real event several times ("Syrian warplanes attacked ... near
Aleppo" then "Dozens of air strikes hit near the town of Khan Touman"); researchers count
events, so mentions of the same type, date and place (or nearby places in neighbouring
sentences) become one record, keeping the most specific place. Casualty counts stated in
a follow-up sentence without an event of its own ("At least seven people were injured")
belong to the event just before it. A mention without a date of its own ("Heavy shelling
also hit the town") continues the story of the dated mention just before it and takes its
date; it is the same event as a nearby dated mention of the same type and place.

Record-level roles: territory changes say who gained (the actors) and who lost (the
targets, or whoever held the place: "rebel-held X"); strikes on a place held by someone
("an air strike on rebel-held X") target its holder; agreements carry the period of the
ceasefire when the sentence states it ("from Wednesday ... until Monday").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from kg.extract.casualties import Count, find_fatalities, find_injuries
from kg.extract.dates import DatePhrase, find_dates, reference_date
from kg.extract.events import EventMention
from kg.records import Article, Entity, Event

NEAR_KM = 30.0  # places this close, in neighbouring sentences, are one battlefield
NEAR_SENTENCES = 2
TERRITORY = {"Non-state actor overtakes territory", "Government regains territory"}
HELD_TARGET_TYPES = {"Explosions/Remote violence", "Battles"}
# "a car bomb attack" then "a suicide bomber blew himself up": one bombing, told twice
BOMB_KINDS = {"Remote explosive/landmine/IED", "Suicide bomb"}
EXPLOSIVE_SUBTYPES = {"Air/drone strike", "Shelling/artillery/missile attack", "Suicide bomb",
                      "Remote explosive/landmine/IED", "Grenade", "Chemical weapon"}
# Nouns that name a ground raid or an air raid alike; an air strike told nearby decides.
AMBIGUOUS_RAIDS = {"raid", "raids"}
CEASEFIRE_START = {"from", "since", "starting", "began", "begin", "begins", "start", "started",
                   "effect", "on"}
CEASEFIRE_END = {"until", "till", "through", "to", "ending", "expire", "expires", "expired",
                 "end", "ends"}
GENERIC_ATTACKS = {"attack", "attacks", "assault"}
VIOLENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
# Things a date names ("a June 3 poll"): the date is theirs, not the event's.
DATED_THINGS = {"poll", "election", "vote", "ballot", "referendum", "deadline", "summit",
                "meeting", "talks", "conference", "session", "anniversary", "hearing", "trial"}
# A report's news is its last weeks; an event dated earlier is background ("the Houla
# massacre of May 2012" in a 2016 report), coded from its own reports, not from this one.
BACKGROUND_DAYS = 30


def _date_of(mention: EventMention, dates: list[DatePhrase], doc: Doc,
             widen: bool = True) -> DatePhrase | None:
    """The first date phrase inside the event's clause, widening to enclosing clauses
    ("the Observatory said Sunday") unless `widen` is false."""
    for scope in mention.date_scopes[:None if widen else 1]:
        for s, e in scope:
            lo, hi = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
            for d in dates:
                if lo <= d.start and d.end <= hi and not _attributive(d, doc):
                    return d
    return None


def _attributive(d: DatePhrase, doc: Doc) -> bool:
    """Whether the date names a scheduled thing rather than when the event happened: "a
    controversial June 3 poll", "the September 30 deadline". "On June 3 rebels attacked",
    "an October 6 attack", "the Saturday evening rocket" and "erupted in March 2011
    meeting with repression" (commas lost) are dated by it."""
    span = doc.char_span(d.start, d.end, alignment_mode="expand")
    if span is None or span.end >= len(doc) or span.start == 0:
        return False
    return doc[span.end].lemma_.lower() in DATED_THINGS \
        and doc[span.start - 1].pos_ not in {"ADP", "SCONJ"} and span[0].pos_ != "ADP"


Point = tuple[float, float]


def _km(a: Point, b: Point) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


@dataclass
class _Seen:
    """Where and how specifically an event record was placed, and in which sentence."""

    sentence: int
    last: int  # sentence of its latest mention: refinements continue the story from there
    specificity: int
    point: Point | None
    dated: bool  # the date came from a phrase of the text, not the report's date


class EventMerger:
    """Accumulate event mentions in text order, merging repeated mentions of one event."""

    def __init__(self, doc: Doc, article: Article, add_entity: Callable[[Span], Entity],
                 specificity: Callable[[Span], int],
                 point: Callable[[Span], Point | None],
                 held_by: dict[tuple[int, int], list[Span]] | None = None, *,
                 geo_precision: Callable[[Span], int],
                 background_days: int = BACKGROUND_DAYS) -> None:
        self.doc = doc
        self.background_days = background_days
        self.geo_precision = geo_precision
        self.held_by = held_by or {}
        self.article = article
        self.add_entity = add_entity
        self.specificity = specificity
        self.point = point
        self.events: list[Event] = []
        self._meta: list[_Seen] = []
        self._last: tuple[Event, int] | None = None  # last event touched, its sentence
        self._crowded: set[int] = set()  # sentences reporting several events
        self.ref = reference_date(doc.text, article.date)
        self.dates = find_dates(doc.text, self.ref)

    @staticmethod
    def _same(ev: Event, seen: _Seen, sub: str, date: str | None, dated: bool,
              loc: Entity | None, spec: int, point: Point | None, sent_no: int,
              anaphoric: bool = False) -> bool:
        near = sent_no - seen.sentence <= NEAR_SENTENCES
        told = sent_no - seen.last <= NEAR_SENTENCES  # near its latest mention
        if _outcome_told(ev.sub_event_type, sub):
            # "committed a massacre in X" and "airstrikes hit X": one strike, its toll told
            return near and ev.date == date and (
                ev.location is None or loc is None or ev.location == loc.id)
        if not _same_kind(ev.sub_event_type, sub):
            return False
        if ev.date != date and not (near and not (dated and seen.dated)):
            return False  # an undated mention may be a nearby dated one, retold
        if sent_no == seen.sentence or ev.location is None or loc is None:
            return near
        if ev.location == loc.id:
            return True
        if told and min(spec, seen.specificity) <= 1:
            return True  # "in northern Syria" then "in Qamishli": the same report, refined
        if None in (point, seen.point):  # a street or village the gazetteer lacks, told
            # right after, or referred back to ("the bombardment"): the same report, detailed
            return sent_no - seen.last <= (NEAR_SENTENCES if anaphoric else 1)
        return near and _km(point, seen.point) <= NEAR_KM

    @staticmethod
    def _retells_lead(ev: Event, seen: _Seen, sub: str, loc: Entity | None,
                      actors: set[str]) -> bool:
        """Whether a definite mention further down ("The blast on Sunday night struck the
        Atmeh crossing") retells the headline's and lede's event, dated only by the report
        ("30 rebels killed in IS suicide blast"): the same kind of event at the same place
        (or one of them unplaced), by no other actor."""
        if seen.sentence != 0 or seen.dated:
            return False
        if not _same_kind(ev.sub_event_type, sub):
            return False
        if ev.location is not None and loc is not None and ev.location != loc.id:
            return False
        return not (actors and ev.actors and not actors & set(ev.actors))

    def _retold(self, mention: EventMention, loc: Entity | None, date: str | None,
                dated: bool, dates: list[DatePhrase],
                ) -> tuple[Event | None, Entity | None, bool]:
        """The event a definite mention ("the air raids", "The blast") retells when no
        nearby event matched it, with the place and datedness it lends to that event.

        Placed only by an earlier sentence's place ("also suffered a heavy toll in the air
        raids"), it is the event of its kind last told, wherever that was, and keeps that
        event's place. Else it may retell the lede's event; its day counts only if its own
        words give it ("The blast on Sunday night"), not when someone "said Sunday" that the
        explosion killed four."""
        place, sent = mention.location, mention.sentence
        if place is not None and not sent.start <= place.start < sent.end:
            ev = next((e for e, m in sorted(zip(self.events, self._meta, strict=True),
                                            key=lambda pair: -pair[1].last)
                       if _same_kind(e.sub_event_type, mention.sub_event_type)
                       and (e.date == date or not dated)), None)
            if ev is not None:
                return ev, None, dated
        actors = {self.add_entity(span).id for span in mention.actors}
        ev = next((e for e, m in zip(self.events, self._meta, strict=True)
                   if mention.sentence_index > m.sentence
                   and self._retells_lead(e, m, mention.sub_event_type, loc, actors)), None)
        if ev is not None and _date_of(mention, dates, self.doc, widen=False) is None:
            dated = False
        return ev, loc, dated

    def add(self, mention: EventMention) -> Event:
        """Add one mention; returns the (new or merged) event record."""
        sent = mention.sentence
        sent_no = mention.sentence_index
        dates = self.dates
        if mention.sub_event_type == "Agreement":  # "a deal Saturday for a truce from Monday":
            dates = [d for d in dates if not self._period_bound(d)]  # agreed Saturday
        phrase = _date_of(mention, dates, self.doc)
        if mention.habitual or phrase is not None:
            date = phrase.date if phrase else None
        else:
            date = self._story_date(sent_no)
        dated = phrase is not None and phrase.date is not None  # a period is no day
        place = mention.location
        loc = self.add_entity(place) if place is not None else None
        spec = self.specificity(place) if place is not None else -1
        point = self.point(place) if place is not None else None
        ev = next((e for e, m in zip(self.events, self._meta, strict=True)
                   if self._same(e, m, mention.sub_event_type, date, dated, loc, spec, point,
                                 sent_no, mention.anaphoric)), None)
        if ev is None and mention.anaphoric:
            ev, loc, dated = self._retold(mention, loc, date, dated, dates)
        if ev is None:
            ev = Event(id=f"v{len(self.events) + 1}", event_type=mention.event_type,
                       sub_event_type=mention.sub_event_type, text=sent.text,
                       start=sent.start_char, end=sent.end_char, date=date,
                       date_phrase=phrase.phrase if phrase else None,
                       location=loc.id if loc else None, trigger=mention.trigger.text,
                       confidence=mention.confidence,
                       geo_precision=self.geo_precision(place) if place is not None else None)
            self.events.append(ev)
            self._meta.append(_Seen(sent_no, sent_no, spec, point, dated))
            _bound(ev, phrase)
        else:
            seen = self._meta[self.events.index(ev)]
            if loc is not None and spec > seen.specificity and not (
                    point is None and seen.point is not None and seen.specificity >= 2):
                # a street the gazetteer lacks does not replace a known town as the place
                ev.location = loc.id
                ev.geo_precision = self.geo_precision(place)
                seen.specificity, seen.point = spec, point or seen.point
            if dated and not seen.dated and date is not None:  # a period names no day
                ev.date, ev.date_phrase, seen.dated = date, phrase.phrase, True
                _bound(ev, phrase)
            elif ev.date is None and ev.time_precision is None:
                _bound(ev, phrase)  # "last week" told after an undated first mention
            if mention.sub_event_type == "Suicide bomb" or ev.sub_event_type == "Attack":
                # the more specific telling wins: a suicide bombing, the weapon of a massacre
                ev.event_type, ev.sub_event_type = mention.event_type, mention.sub_event_type
            seen.last = max(seen.last, sent_no)
            ev.confidence = min(0.95, max(ev.confidence, mention.confidence) + 0.05)
        for spans, target in ((mention.actors, ev.actors), (mention.targets, ev.targets),
                              (mention.weapons, ev.weapons), (mention.reporters, ev.reported_by)):
            for span in spans:
                eid = self.add_entity(span).id
                if eid not in target and eid != ev.location:
                    target.append(eid)
        if place is not None and ev.event_type in HELD_TARGET_TYPES:
            for holder in self.held_by.get((place.start, place.end), []):
                eid = self.add_entity(holder).id
                if eid not in ev.actors and eid not in ev.targets:
                    ev.targets.append(eid)
        ev.targets[:] = [t for t in ev.targets if t not in ev.actors]
        if ev.sub_event_type in TERRITORY:
            ev.territory_gained_by = list(ev.actors)
            ev.territory_lost_by = list(ev.targets)
        elif ev.sub_event_type == "Agreement":
            self._ceasefire(ev, mention)
        self._casualties(ev, self._casualty_text(mention))
        self._last = (ev, sent_no)
        return ev

    def _casualty_text(self, mention: EventMention) -> str:
        """The words whose casualty counts belong to this event: its sentence, or its own
        clause when the sentence reports several events ("air strikes on Mesraba killed 17
        civilians while artillery fire on Douma killed another two") and that clause states
        a count."""
        sent = mention.sentence
        if mention.sentence_index not in self._crowded or not mention.date_scopes:
            return sent.text
        clause = " ".join(self.doc[s:e].text for s, e in mention.date_scopes[0])
        return clause if find_fatalities(clause) or find_injuries(clause) else sent.text

    def _cue(self, d: DatePhrase, floor: int, words: int) -> set[str]:
        """The date phrase's first word and the `words` words before it (not before
        character `floor`): "from", "until", "took effect on"."""
        before = self.doc.text[max(floor, d.start - 25):d.start].lower().split()
        return {d.phrase.lower().split()[0], *before[len(before) - words:]}

    def _period_bound(self, d: DatePhrase) -> bool:
        """Whether a date phrase starts or ends a period ("from Monday", "until Friday")."""
        return bool((self._cue(d, 0, 1) - {"on"}) & (CEASEFIRE_START | CEASEFIRE_END))

    def _story_date(self, sent_no: int) -> str | None:
        """The date of the last explicitly dated event a sentence or two back, else the
        report's date: a report keeps telling the same day until it names another."""
        for ev, seen in zip(reversed(self.events), reversed(self._meta), strict=True):
            if sent_no - seen.sentence > NEAR_SENTENCES:
                break
            if seen.dated and ev.date:
                return ev.date
        return self.ref

    def _ceasefire(self, ev: Event, mention: EventMention) -> None:
        """Start and end of an agreed ceasefire from the date phrases of its sentence."""
        sent = mention.sentence
        end = sent.end_char  # the period is often told in the next sentence
        if sent.end < len(self.doc):
            end = self.doc[sent.end].sent.end_char
        for d in self.dates:
            if d.date is None or not sent.start_char <= d.start < end:
                continue
            cue = self._cue(d, sent.start_char, 2)
            if cue & CEASEFIRE_END and ev.ceasefire_end is None:
                ev.ceasefire_end = d.date
            elif cue & CEASEFIRE_START and ev.ceasefire_start is None:
                ev.ceasefire_start = d.date

    def _casualties(self, ev: Event, text: str) -> None:
        fat, inj = find_fatalities(text), find_injuries(text)
        if fat and ev.fatalities is None:
            _set(ev, "fatalities", fat)
        if inj and ev.injuries is None:
            _set(ev, "injuries", inj)

    def add_all(self, mentions: list[EventMention]) -> list[Event]:
        """Add mentions in text order; a following sentence without an event of its own
        lends its casualty counts to the last event ("At least seven people were injured")."""
        with_events = {m.sentence_index for m in mentions}
        self._crowded = {n for n in with_events
                         if sum(m.sentence_index == n for m in mentions) > 1}
        air = [m.sentence_index for m in mentions if m.sub_event_type == "Air/drone strike"]
        for m in mentions:  # "US air strikes on Raqa ... the raids": air raids
            if m.trigger.text.lower() in AMBIGUOUS_RAIDS and m.event_type == "Battles" and \
                    any(abs(n - m.sentence_index) <= NEAR_SENTENCES for n in air):
                m.event_type, m.sub_event_type = "Explosions/Remote violence", "Air/drone strike"
        for n, mention in enumerate(mentions):
            self.add(mention)
            last_of_sentence = n + 1 == len(mentions) or \
                mentions[n + 1].sentence_index != mention.sentence_index
            sent = mention.sentence
            if last_of_sentence and mention.sentence_index + 1 not in with_events \
                    and sent.end < len(self.doc):
                self._casualties(self._last[0], self.doc[sent.end].sent.text)
        self._fold_generic_headline()
        return [ev for ev in self.events if not self._background(ev)]

    def _fold_generic_headline(self) -> None:
        """ "4 Turkish troopers killed in Daesh attack in N Syria": a headline "attack" placed
        at most in a country is the story the body tells with its kind and place ("a Daesh
        rocket attack on two of its tanks south of al-Rai"); it joins the body's first
        violent event instead of standing as an armed clash in Syria."""
        if not self.events:
            return
        head, seen = self.events[0], self._meta[0]
        if seen.sentence != 0 or seen.dated or seen.specificity > 0 or \
                head.trigger.lower() not in GENERIC_ATTACKS:
            return
        body = next((e for e, m in zip(self.events[1:], self._meta[1:], strict=True)
                     if m.sentence > 0 and e.event_type in VIOLENT_TYPES
                     and e.date == head.date), None)
        if body is None:
            return
        for source, target in ((head.actors, body.actors), (head.targets, body.targets)):
            target += [a for a in source if a not in body.actors + body.targets]
        for name in ("fatalities", "injuries"):
            if getattr(body, name) is None and getattr(head, name) is not None:
                for suffix in ("", "_approximate", "_phrase"):
                    setattr(body, name + suffix, getattr(head, name + suffix))
        del self.events[0], self._meta[0]

    def _background(self, ev: Event) -> bool:
        """Whether the event ended more than `background_days` before the report's date
        (a period counts by its last day; an undated event is never background)."""
        last = ev.date or ev.date_latest
        if self.background_days <= 0 or last is None or self.ref is None:
            return False
        age = dt.date.fromisoformat(self.ref) - dt.date.fromisoformat(last)
        return age.days > self.background_days


def _same_kind(sub: str, other: str) -> bool:
    """One sub-event type, or the two tellings of one bombing (a car bomb, a bomber)."""
    return sub == other or {sub, other} == BOMB_KINDS


def _outcome_told(sub: str, other: str) -> bool:
    """Whether one of two tellings is an attack on civilians ("a massacre") and the other
    the explosive means of it ("airstrikes", "shelling"): ACLED codes the means."""
    return {sub, other} - {"Attack"} <= EXPLOSIVE_SUBTYPES and "Attack" in {sub, other} \
        and sub != other


def _bound(ev: Event, phrase: DatePhrase | None) -> None:
    """Set the event's time precision, and the days a period allows when it has no day.

    A date taken from the story or the report's date (no phrase of its own) is a day too."""
    if ev.date is not None:
        ev.time_precision, ev.date_earliest, ev.date_latest = 1, None, None
    elif phrase is not None and phrase.precision is not None:
        ev.time_precision = phrase.precision
        ev.date_earliest, ev.date_latest = phrase.earliest, phrase.latest
        ev.date_phrase = phrase.phrase


def _set(ev: Event, name: str, count: Count) -> None:
    setattr(ev, name, count.value)
    setattr(ev, f"{name}_approximate", count.approximate)
    setattr(ev, f"{name}_phrase", count.phrase)
