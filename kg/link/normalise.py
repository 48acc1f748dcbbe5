"""Name keys that make transliteration variants of one name compare equal.

Arabic (and Persian, Kurdish, Pashto) names reach English news in many romanisations:
"Deir ez-Zor" / "Deir al-Zor" / "Dayr az Zawr", "Khan Touman" / "Khan Tuman",
"Kafr Naha" / "Kafrnaha". Comparing folded strings misses them, so candidates are also
indexed under two coarser keys:

* `translit_key`: definite articles dropped (al-, el- and the assimilated ad-, ar-, as-,
  ash-, at-, az-, ez-...), vowel digraphs unified (ou/oo -> u, ei/ey/ai/ay -> ay,
  ee -> i), consonant digraphs unified (dh -> d, th -> t, gh -> g, sh -> s, q -> k),
  doubled letters collapsed and spaces removed. "kh" becomes "x", not "k": it writes
  another Arabic letter (kha) than q and k, and with kh = q = k "Saqba" and "Shakhba"
  (Shahba, 100 km away) had one key;
* `skeleton`: the translit key without vowels after the first letter: the consonant
  frame that all romanisations of an Arabic name share (short vowels are not written in
  Arabic, so they are what varies most). Here kh is k again ("Sheik" = "Sheikh"): the
  skeleton is the coarse level, used only for long names and at lower quality.

The coarser the key, the lower the match quality the linker gives it; the skeleton is
only used for names long enough that a collision is unlikely.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.gazetteer import fold

# Arabic definite article in its plain and sun-letter-assimilated romanisations.
ARTICLES = frozenset({"al", "el", "il", "ul", "ad", "ar", "as", "ash", "at", "az", "an",
                      "ed", "er", "es", "et", "ez", "en", "adh", "ath", "al'"})
# Ordered: longer patterns first so "ou" is not half-eaten by "o".
_DIGRAPHS = (
    ("ou", "u"), ("oo", "u"), ("ee", "i"),
    ("ei", "ay"), ("ey", "ay"), ("ai", "ay"),
    ("dh", "d"), ("th", "t"), ("kh", "x"), ("gh", "g"), ("sh", "s"), ("ch", "s"),
    ("q", "k"), ("w", "u"), ("y", "i"), ("j", "g"), ("z", "s"),
    ("o", "u"), ("e", "a"),
)
_DOUBLE = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiou]")


def tokens(name: str) -> list[str]:
    """Folded tokens with Arabic articles removed (kept when the name is only an article)."""
    toks = fold(name).split()
    kept = [t for t in toks if t not in ARTICLES]
    return kept or toks


@lru_cache(maxsize=1 << 16)
def translit_key(name: str) -> str:
    """Romanisation-insensitive key: 'Deir ez-Zor' and 'Deir al-Zor' give 'dairsur'.

    Memoised: the index computes it for every gazetteer name and the linker for every
    mention, and the same names recur in article after article.
    """
    text = "".join(tokens(name))
    for src, dst in _DIGRAPHS:
        text = text.replace(src, dst)
    text = _DOUBLE.sub(r"\1", text)
    return text[:-1] if len(text) > 4 and text.endswith("ah") else text  # Raqqah = Raqqa


def skeleton(name: str) -> str:
    """Consonant frame of the translit key ('khan touman' -> 'kntmn'); '' if too short."""
    return skeleton_of_key(translit_key(name))


def skeleton_of_key(key: str) -> str:
    """`skeleton` from an already computed translit key (saves computing it twice)."""
    if not key:
        return ""
    frame = key[0] + _VOWELS.sub("", key[1:]).replace("y", "")
    frame = frame.replace("x", "k")
    frame = _DOUBLE.sub(r"\1", frame)
    return frame if len(frame) >= 4 else ""
