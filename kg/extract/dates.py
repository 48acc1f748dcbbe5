"""Resolve the date phrases of news reports against the article's publication date.

News reports say "on Sunday", "late on Thursday", "last Wednesday", "overnight", "two
months ago"; researchers need calendar dates. Weekdays are taken as the most recent such
day on or before the article date (news reports the past).
"""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": 3, "few": 3}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}

_WEEKDAY_RE = re.compile(r"\b(?:(last|next|this|on|late on|early on|late|early)\s+)?"
                         r"(" + "|".join(WEEKDAYS) + r")\b", re.I)
_AGO_RE = re.compile(r"\b(\d+|" + "|".join(NUMBERS) + r")\s+(day|week|month|year)s?\s+ago\b", re.I)
_REL_RE = re.compile(r"\b(today|yesterday|overnight|last night|tonight|this morning)\b", re.I)
_ABS_RE = re.compile(r"\b(?:(\d{1,2})\s+(" + "|".join(MONTHS) + r")|(" + "|".join(MONTHS)
                     + r")\s+(\d{1,2}))(?:,?\s+(\d{4}))?\b", re.I)


def _weekday(ref: dt.date, name: str, modifier: str | None) -> dt.date:
    target = WEEKDAYS.index(name.lower())
    back = (ref.weekday() - target) % 7
    if modifier and modifier.lower() == "last" and back == 0:
        back = 7
    if modifier and modifier.lower() == "next":
        return ref + dt.timedelta(days=(target - ref.weekday()) % 7 or 7)
    return ref - dt.timedelta(days=back)


def resolve_date(text: str, article_date: str | None) -> tuple[str | None, str | None]:
    """Return (ISO date, matched phrase) for the first date phrase in `text`.

    Falls back to (None, None) when there is no phrase or no article date to anchor it.
    """
    if not article_date:
        return None, None
    ref = dt.date.fromisoformat(article_date)
    m = _ABS_RE.search(text)
    if m:
        day = int(m.group(1) or m.group(4))
        month = MONTHS.index((m.group(2) or m.group(3)).lower()) + 1
        year = int(m.group(5)) if m.group(5) else ref.year
        try:
            value = dt.date(year, month, day)
        except ValueError:
            value = None
        if value:
            if not m.group(5) and value > ref:
                value = value.replace(year=year - 1)
            return value.isoformat(), m.group(0)
    m = _WEEKDAY_RE.search(text)
    if m:
        return _weekday(ref, m.group(2), m.group(1)).isoformat(), m.group(0)
    m = _AGO_RE.search(text)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1).lower()]
        return (ref - dt.timedelta(days=n * UNIT_DAYS[m.group(2).lower()])).isoformat(), m.group(0)
    m = _REL_RE.search(text)
    if m:
        word = m.group(1).lower()
        delta = 1 if word in {"yesterday", "overnight", "last night"} else 0
        return (ref - dt.timedelta(days=delta)).isoformat(), m.group(0)
    return None, None
