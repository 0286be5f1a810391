"""Normalise the raw text into the text every span points into, keeping an offset map."""

from __future__ import annotations

import unicodedata
from array import array

from ..document import Document
from ..pipeline import register_stage

__all__ = ["normalise_text", "Normalise"]

# Characters dropped outright: byte-order marks, zero-width spaces and joiners, soft hyphens.
_DROP = {"\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad"}
# Horizontal white space folded into one ASCII space.
_SPACES = {"\t", "\u00a0", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005",
           "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000"}
_NEWLINES = {"\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"}


def normalise_text(raw: str) -> tuple[str, array]:
    """Return ``(text, offsets)``: NFC text with line breaks unified, spaces folded, controls
    dropped, and for each character of ``text`` the index of the raw character it came from.

    Offsets let every span be traced back to the raw file; NFC keeps lengths close to the
    raw text, and a composed character maps to the first raw character it was built from.
    """
    out: list[str] = []
    offsets = array("l")
    i = 0
    length = len(raw)
    while i < length:
        char = raw[i]
        if char in _DROP or (unicodedata.category(char) == "Cc" and char not in "\n\t\r\x0b\x0c\x85"):
            i += 1
            continue
        if char == "\r" and i + 1 < length and raw[i + 1] == "\n":
            i += 1  # CRLF: keep the LF only
            continue
        if char in _NEWLINES:
            char = "\n"
        elif char in _SPACES:
            char = " "
        if char == " " and out and out[-1] == " ":
            i += 1
            continue
        out.append(char)
        offsets.append(i)
        i += 1
    text = "".join(out)
    composed = unicodedata.normalize("NFC", text)
    if composed != text:
        composed, offsets = _recompose(text, offsets)
    return composed, offsets


def _recompose(text: str, offsets: array) -> tuple[str, array]:
    # NFC only ever merges a base character with the combining marks after it, so compose
    # cluster by cluster and keep the offset of each cluster's first character.
    out: list[str] = []
    new_offsets = array("l")
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or unicodedata.combining(text[index]) == 0:
            cluster = unicodedata.normalize("NFC", text[start:index])
            for position, char in enumerate(cluster):
                out.append(char)
                new_offsets.append(offsets[min(start + position, index - 1)])
            start = index
    return "".join(out), new_offsets


@register_stage("normalise", version="1", adds=("text",))
class Normalise:
    """Unicode NFC, unified line breaks, folded spaces; keeps the offset map to the raw text."""

    def __call__(self, doc: Document) -> Document:
        doc.text, doc.offsets = normalise_text(doc.raw)
        return doc
