"""Keys under which registry names are compared: a plain fold (case, punctuation, dashes,
quotes, leading "the", possessive 's) and a transliteration-insensitive key for names that
reach English through Russian, Kazakh, Kyrgyz, Uzbek, Tajik or Turkmen spellings."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

__all__ = ["fold", "translit_key", "slug", "surname", "FAMILY_NAME_FIRST"]

_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb`\u00b4"
_POSSESSIVE = re.compile(rf"(?<=\w)[{_APOSTROPHES}]s\b", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LEADING_THE = re.compile(r"^the\s+")


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """Return ``name`` folded for exact lookup: ASCII, lowercase, possessive 's and apostrophes
    dropped, dots in abbreviations closed up ("U.S." = "US"), every other run of punctuation,
    dash or space made one space, "&" read as "and" and "+" as "plus" (OPEC+ is not OPEC),
    and a leading "the" removed."""
    text = _POSSESSIVE.sub("", unicodedata.normalize("NFC", name))
    text = (text if text.isascii() else unidecode(text)).lower()
    text = text.replace("&", " and ").replace("+", " plus ")
    for mark in _APOSTROPHES + ".":
        text = text.replace(mark, "")
    text = _NON_WORD.sub(" ", text).strip()
    return _LEADING_THE.sub("", text)


# Russian-style surname endings, read after y became i: -ov/-ev/-iev and feminine -ova/-eva.
_ENDING = re.compile(r"i?[eo]va?$")
# Spellings of one sound, applied in order (longest first so "dzh" is not read as "d"+"zh").
_SOUNDS = (
    ("tch", "ch"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("z", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("q", "k"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("ou", "u"),
)
_I_BEFORE_VOWEL = re.compile(r"i(?=[aeiou])")
# A reduced vowel between consonants is often dropped or written i/y/e (Sadr ~ Sadyr).
_I_BETWEEN_CONSONANTS = re.compile(r"(?<=[b-df-hj-np-tv-z])i(?=[b-df-hj-np-tv-z])")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def translit_key(name: str) -> str:
    """Return a key that is the same for transliterations of one name.

    Japarov, Zhaparov, Zaparov, Dzhaparov and Жапаров share a key; so do Tokayev/Tokaev,
    Mirziyoyev/Mirziyoev, Rahmon/Rakhmon/Rahmonov and Berdimuhamedov/Berdymukhamedov, while
    different people (Japarov, Tokayev, Nazarbayev) keep different keys.
    """
    text = name if name.isascii() else unidecode(unicodedata.normalize("NFC", name))
    text = text.lower()
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    tokens = (_fold_token(token) for token in _NON_WORD.split(text) if token)
    return " ".join(token for token in tokens if token)


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> str:
    # y and i are one letter in every romanisation; merge them (and doubled letters) before
    # the ending is cut so that Bakiyev and Bakiev lose the same ending. The ending is cut
    # only when a real stem (three letters) is left: "Lev" stays "lev".
    token = _DOUBLED.sub(r"\1", token.replace("y", "i"))
    stem = _ENDING.sub("", token)
    if len(stem) >= 3 and stem != token:
        token = stem
    for spelling, sound in _SOUNDS:
        token = token.replace(spelling, sound)
    token = _I_BEFORE_VOWEL.sub("", token) or token
    token = _I_BETWEEN_CONSONANTS.sub("", token)
    return _DOUBLED.sub(r"\1", token)


def slug(name: str) -> str:
    """Return an id-safe slug of ``name``: ASCII lowercase words joined by underscores."""
    return "_".join(fold(name).split())


# Countries whose people are usually written family name first ("Xi Jinping").
FAMILY_NAME_FIRST = frozenset({"CHN", "TWN", "PRK", "KOR", "HKG", "MAC"})


def surname(name: str, country: str) -> str:
    """Return the word of ``name`` a news story uses alone for the person ("Japarov" for
    "Sadyr Japarov", "Xi" for "Xi Jinping"); "" for a one-word name."""
    words = name.split()
    if len(words) < 2:
        return ""
    return words[0] if country in FAMILY_NAME_FIRST else words[-1]
