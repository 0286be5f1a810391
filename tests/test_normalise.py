"""Normalisation keeps a map from every normalised character back to the raw text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dyadwatch.document import Document
from dyadwatch.stages.normalise import normalise_text


def test_crlf_nbsp_zero_width_and_bom():
    raw = "\ufeffXi\u00a0 Jinping\u200b met\r\nJaparov\r."
    text, offsets = normalise_text(raw)
    assert text == "Xi Jinping met\nJaparov\n."
    for index, char in enumerate(text):
        raw_char = raw[offsets[index]]
        assert raw_char == char or (char == " " and raw_char.isspace()) or char == "\n"


def test_combining_marks_compose_and_map_to_base():
    raw = "Tu\u0308rkiye"  # u + combining diaeresis
    text, offsets = normalise_text(raw)
    assert text == "Türkiye"
    assert raw[offsets[1]] == "u"
    assert offsets[2] == 3


def test_raw_span_round_trip():
    raw = "A\r\n\r\nSadyr\u00a0\u00a0Japarov  visited"
    doc = Document(source="t", raw=raw)
    doc.text, doc.offsets = normalise_text(raw)
    start = doc.text.index("Sadyr")
    end = doc.text.index("Japarov") + len("Japarov")
    raw_start, raw_end = doc.raw_span(start, end)
    assert raw[raw_start:raw_end] == "Sadyr\u00a0\u00a0Japarov"


@given(st.text(max_size=300))
def test_offsets_are_monotonic_and_in_range(raw):
    text, offsets = normalise_text(raw)
    assert len(offsets) == len(text)
    assert all(0 <= o < len(raw) for o in offsets)
    assert list(offsets) == sorted(offsets)
