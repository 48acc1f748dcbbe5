"""Resolve the date phrases of news reports against the article's publication date.

News reports say "on Sunday", "late on Thursday", "last Wednesday", "overnight", "two
months ago"; researchers need calendar dates. Weekdays are taken as the most recent such
day on or before the article date (news reports the past), except after "until"/"next"
("extended until Monday"). `find_dates` returns every phrase with its character span so
that an event takes the date of its own clause, not the first date of the sentence.

Scraped articles often open with their own dateline ("Sunday 18 Sep 2016 ...",
"24.07.2016 ...") that disagrees with the date in the feed's metadata; the dateline is when
the report was written, so `dateline` finds it and relative dates resolve against it. A bare
year ("since 2012", "in 2011") names no day: such phrases resolve to no date rather than
letting the event fall back to the article date; so do "last week" and a month without a
day ("in late September"), while "Tuesday of last week" is the Tuesday of the week before.
Such a period still bounds the event: it carries the first and last day it allows ("last
week": Monday to Sunday of the week before; "in late September": the 21st to the 30th), and
its precision in ACLED's time_precision codes (1 a day, 2 a week or a few days, 3 a month).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
MONTH_ABBR = {m[:3]: i for i, m in enumerate(MONTHS)} | {"sept": 8}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}

_MONTH = r"(" + "|".join(MONTHS) + r"|" + "|".join(MONTH_ABBR) + r")\.?"
_WEEKDAY_RE = re.compile(r"\b(?:(last|next|this|past|on|late on|early on|late|early|"
                         r"earlier on|later on|until|till|through)\s+)?(" + "|".join(WEEKDAYS)
                         + r")s?\b", re.I)  # "Tuesdays attacks": possessive, apostrophe lost
_AGO_RE = re.compile(r"\b(\d+|" + "|".join(NUMBERS) + r")\s+(day|week|month|year)s?\s+"
                     r"(?:ago|earlier|before)\b", re.I)
_REL_RE = re.compile(r"\b(today|yesterday|overnight|last night|tonight|this morning|"
                     r"earlier today|on the previous day|the day before)\b", re.I)
_YEAR_RE = re.compile(r"\b(?:in|since|during|of|from|by)\s+(?:early\s+|late\s+|mid-?)?"
                      r"((?:19|20)\d\d)\b(?!\s*[-/.]\d)", re.I)
_NUMERIC_RE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-]((?:19|20)\d\d)\b")
_GLUED_RE = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})((?:19|20)\d\d)\b", re.I)
_LEADING_WEEKDAY_RE = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + "|" + "|".join(
    w[:3] for w in WEEKDAYS) + r")\.?,?\s*$", re.I)
# A date after a preposition belongs to a sentence ("attacked a convoy on 3 June 2021").
_IN_SENTENCE_RE = re.compile(r"\b(?:on|in|since|until|from|by|of|before|after)\s*$", re.I)
# Periods that name no single day: "last week", "in late September", "last March".
_PERIOD_RE = re.compile(r"\b(?:(?i:(last|past|this|earlier this|later this)\s+(week|month))|"
                        r"(?i:(in|since|during|by|last|until|from)\s+(early\s+|late\s+|mid-?)?)"
                        r"(" + "|".join(m.capitalize() for m in MONTHS)
                        + r")(?:\s+((?:19|20)\d\d))?)\b(?!\s*\d)")
# Periods that contain the event; "since", "by", "until", "from" only bound it on one side.
_WITHIN = {"in", "during", "last"}
# Parts of a month: "early September" is the 1st-10th, "mid-" the 11th-20th, "late" the rest.
_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
# A weekday of the week before: "on Tuesday of last week", "last week on Tuesday".
_LAST_WEEK_AFTER_RE = re.compile(r"^\s+(?:of\s+)?last\s+week\b", re.I)
_LAST_WEEK_BEFORE_RE = re.compile(r"\blast\s+week,?\s+(?:on\s+)?$", re.I)
DATELINE_CHARS = 120  # a dateline sits in the first words of the text
_ABS_RE = re.compile(r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"|" + _MONTH
                     + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b)(?:,?\s+(\d{4}))?", re.I)


@dataclass(frozen=True)
class DatePhrase:
    """A date phrase found in a text: character span, phrase and resolved ISO date."""

    start: int
    end: int
    phrase: str
    date: str | None  # None: the phrase names a period (a year), not a day
    earliest: str | None = None  # a period: the first day it allows
    latest: str | None = None  # a period: the last day it allows

    @property
    def precision(self) -> int | None:
        """ACLED's time_precision: 1 a day, 2 a week or a range of days, 3 a month or
        part of one; None for an open period ("since 2012") that bounds nothing."""
        if self.date:
            return 1
        if self.earliest is None or self.latest is None:
            return None
        days = (dt.date.fromisoformat(self.latest) - dt.date.fromisoformat(self.earliest)).days
        return 2 if days <= 7 else 3


def _weekday(ref: dt.date, name: str, modifier: str | None) -> dt.date:
    target = WEEKDAYS.index(name.lower())
    back = (ref.weekday() - target) % 7
    mod = (modifier or "").lower()
    if mod in {"last", "past"} and back == 0:
        back = 7
    if mod in {"next", "until", "till", "through"}:
        return ref + dt.timedelta(days=(target - ref.weekday()) % 7 or 7)
    return ref - dt.timedelta(days=back)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _period(m: re.Match[str], ref: dt.date) -> tuple[dt.date, dt.date] | None:
    """First and last day a `_PERIOD_RE` match allows, or None for a one-sided bound."""
    which, unit = (m.group(1) or "").lower(), (m.group(2) or "").lower()
    monday = ref - dt.timedelta(days=ref.weekday())
    if unit == "week":
        return {"last": (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)),
                "past": (ref - dt.timedelta(days=7), ref),
                "later this": (ref, monday + dt.timedelta(days=6))}.get(which, (monday, ref))
    if unit == "month":
        first = ref.replace(day=1)
        before = first - dt.timedelta(days=1)
        return {"last": (before.replace(day=1), before),
                "past": (ref - dt.timedelta(days=30), ref),
                "later this": (ref, _month_end(ref.year, ref.month))}.get(which, (first, ref))
    if m.group(3).lower() not in _WITHIN:
        return None
    month = _month(m.group(5))
    year = int(m.group(6)) if m.group(6) else ref.year - (
        month > ref.month or (month == ref.month and m.group(3).lower() == "last"))
    last = _month_end(year, month)
    lo, hi = _PART_DAYS.get((m.group(4) or "").strip().rstrip("-").lower(), (1, 31))
    return dt.date(year, month, lo), last.replace(day=min(hi, last.day))


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    return MONTHS.index(name) + 1 if name in MONTHS else MONTH_ABBR[name] + 1


def _absolute(m: re.Match[str], ref: dt.date) -> dt.date | None:
    day = int(m.group(1) or m.group(4))
    month = _month(m.group(2) or m.group(3))
    year = int(m.group(5)) if m.group(5) else ref.year
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    if not m.group(5) and value > ref:  # "on December 30" in a January article
        value = value.replace(year=year - 1)
    return value


def dateline(text: str) -> DatePhrase | None:
    """The explicit full date (with year) the text opens with, if any: its dateline."""
    head = text[:DATELINE_CHARS]
    candidates: list[tuple[int, int, str, dt.date | None]] = []
    for m in _ABS_RE.finditer(head):
        if m.group(5):
            candidates.append((m.start(), m.end(), m.group(0), _absolute(m, dt.date.today())))
    for m in _NUMERIC_RE.finditer(head):
        candidates.append((m.start(), m.end(), m.group(0),
                           _safe_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
    for m in _GLUED_RE.finditer(head):  # "Nov 272017": a scraper ate the space
        candidates.append((m.start(), m.end(), m.group(0),
                           _safe_date(int(m.group(3)), _month(m.group(1)), int(m.group(2)))))
    found = sorted((c for c in candidates if c[3] is not None
                    and not _IN_SENTENCE_RE.search(head[:c[0]])), key=lambda c: c[0])
    if not found:
        return None
    start, end, phrase, value = found[0]
    lead = _LEADING_WEEKDAY_RE.search(text[:start])  # "Sunday 18 Sep 2016"
    if lead is not None:
        start, phrase = lead.start(), text[lead.start():end]
    return DatePhrase(start, end, phrase, value.isoformat())


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def reference_date(text: str, article_date: str | None) -> str | None:
    """The date relative phrases count from: the text's dateline, else the article date.

    A numeric dateline with a one-digit day earlier than the article date is distrusted:
    scrapers truncate "16-09-2013" to "6-09-2013". A dateline in words ("10 Sep 2016")
    earlier than the feed's date is the report's own day (feeds lag).
    """
    line = dateline(text)
    if line is None or (article_date and line.date < article_date
                        and re.match(r"\d\D", line.phrase)):
        return article_date
    return line.date


def find_dates(text: str, article_date: str | None) -> list[DatePhrase]:
    """Every resolvable date phrase in `text`, in text order (none without an article date).

    `article_date` is the reference date (see `reference_date`); the dateline itself is
    not returned, as it dates the report, not an event.
    """
    if not article_date:
        return []
    ref = dt.date.fromisoformat(article_date)
    found: list[DatePhrase] = []
    line = dateline(text)
    taken: list[tuple[int, int]] = [(line.start, line.end)] if line else []

    def add(m: re.Match[str], value: dt.date | None, *, period: bool = False,
            bounds: tuple[dt.date, dt.date] | None = None) -> None:
        if (value is None and not period) or any(s < m.end() and m.start() < e
                                                 for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        lo, hi = (b.isoformat() for b in bounds) if bounds else (None, None)
        found.append(DatePhrase(m.start(), m.end(), m.group(0),
                                value.isoformat() if value else None, lo, hi))

    for m in _ABS_RE.finditer(text):
        if (m.group(2) or m.group(3))[0].isupper():  # "may 5 people" is not a date
            add(m, _absolute(m, ref))
    for m in _WEEKDAY_RE.finditer(text):
        after = _LAST_WEEK_AFTER_RE.match(text[m.end():m.end() + 20])
        before = _LAST_WEEK_BEFORE_RE.search(text[max(0, m.start() - 20):m.start()])
        if after or before:
            monday = ref - dt.timedelta(days=ref.weekday() + 7)
            day = monday + dt.timedelta(days=WEEKDAYS.index(m.group(2).lower()))
            start = m.start() - (len(before.group(0)) if before else 0)
            end = m.end() + (after.end() if after else 0)
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                found.append(DatePhrase(start, end, text[start:end], day.isoformat()))
            continue
        add(m, _weekday(ref, m.group(2), m.group(1)))
    for m in _AGO_RE.finditer(text):
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1).lower()]
        add(m, ref - dt.timedelta(days=n * UNIT_DAYS[m.group(2).lower()]))
    for m in _REL_RE.finditer(text):
        word = m.group(1).lower()
        back = word in {"yesterday", "overnight", "last night", "on the previous day",
                        "the day before"}
        add(m, ref - dt.timedelta(days=int(back)))
    for m in _PERIOD_RE.finditer(text):
        add(m, None, period=True, bounds=_period(m, ref))
    for m in _YEAR_RE.finditer(text):
        if int(m.group(1)) != ref.year:
            add(m, None, period=True)
    return sorted(found, key=lambda d: d.start)


def resolve_date(text: str, article_date: str | None) -> tuple[str | None, str | None]:
    """Return (ISO date, matched phrase) for the first date phrase in `text`.

    Falls back to (None, None) when there is no phrase or no article date to anchor it.
    """
    found = [d for d in find_dates(text, article_date) if d.date]
    return (found[0].date, found[0].phrase) if found else (None, None)
