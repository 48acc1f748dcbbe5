"""Count the killed and injured in a sentence, keeping the original phrase.

Reports give exact numbers ("killing 12"), bounds ("at least seven") and vague quantities
("several", "dozens"); vague ones become a conservative number flagged approximate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
                "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
                "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                "a dozen": 12, "hundred": 100, "a hundred": 100}
# Vague quantities: the smallest number the phrase can honestly mean.
VAGUE = {"several": 3, "a few": 2, "few": 2, "some": 2, "many": 5, "dozens": 24, "dozens of": 24,
         "scores": 40, "hundreds": 200, "a number of": 2}
KILL_WORDS = r"(?:killed|dead|died|killing|kills|slain|deaths|fatalities|lives)"
INJURE_WORDS = r"(?:injured|wounded|hurt|injuring|wounding|injuries)"
NUM = r"(\d[\d,]*|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + "|" \
      + "|".join(sorted(VAGUE, key=len, reverse=True)) + r")"
QUAL = r"(at least|more than|over|about|around|nearly|almost|up to|some|another)?\s*"
# Words a count cannot reach across: "8 killed 58 others injured" gives 58 injured, not 8.
OTHER_COUNT = r"(?!and\b|\d|" + KILL_WORDS + r"\b|" + INJURE_WORDS + r"\b)"
NOUN = r"(?:\s+(?:people|persons|civilians|soldiers|fighters|militants|members|children|" \
       r"men|women|troops|rebels|others|of them))?"


@dataclass(frozen=True)
class Count:
    """A casualty figure: value, whether it is approximate, and the phrase it came from."""

    value: int
    approximate: bool
    phrase: str


def _number(token: str) -> tuple[int, bool] | None:
    t = token.lower().strip()
    if t.replace(",", "").isdigit():
        return int(t.replace(",", "")), False
    if t in WORD_NUMBERS:
        return WORD_NUMBERS[t], False
    if t in VAGUE:
        return VAGUE[t], True
    return None


def _find(sentence: str, words: str) -> Count | None:
    patterns = [
        QUAL + NUM + NOUN + r"(?:\s+" + OTHER_COUNT + r"[\w'-]+){0,3}?"  # "and" starts another
        + r"\s+(?:were\s+|was\s+|have been\s+|had been\s+)?" + words + r"\b",  # not "deadline"
        words + r"\s+" + QUAL + NUM + NOUN,
    ]
    for pattern in patterns:
        regex = re.compile(pattern, re.I)
        pos = 0
        while (m := regex.search(sentence, pos)) is not None:
            pos = m.end(2)  # a rejected year may hide the real count right after it
            parsed = _number(m.group(2))
            if parsed is None or _not_a_toll(m.group(2), sentence[m.end():]):
                continue
            value, vague = parsed
            approx = vague or bool(m.group(1) and m.group(1).lower() not in {"some", "another"})
            return Count(value, approx, m.group(0).strip())
    return None


def _not_a_toll(number: str, after: str) -> bool:
    """Years ("25 August 2016 ... killed") and war-long tolls ("killed since 2011") are
    not the casualties of the event the sentence reports."""
    if re.fullmatch(r"(?:19|20)\d\d", number):
        return True
    return re.match(r"\s*(?:people\s+)?(?:since|so far|over the|during the|in the)\s+"
                    r"(?:the\s+)?(?:\d{4}|war|conflict|start|beginning|past|last|civil|"
                    r"uprising)", after, re.I) is not None


def find_fatalities(sentence: str) -> Count | None:
    """The killed count stated in `sentence`, if any."""
    return _find(sentence, KILL_WORDS)


def find_injuries(sentence: str) -> Count | None:
    """The injured count stated in `sentence`, if any."""
    return _find(sentence, INJURE_WORDS)
