"""Temporal expressions: found in text, resolved against the publication date and tense."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.errors import RegistryError, UsageError
from dyadwatch.timex import (
    KINDS,
    PRECISIONS,
    TENSES,
    Timex,
    find_timexes,
    load_words,
    resolve,
    span_interval,
)

THU = date(2025, 2, 6)  # a Thursday: "on Wednesday" in a past clause is the day before
WED = date(2017, 6, 7)  # a Wednesday
DEC = date(2025, 12, 20)

# (expression, anchor, tense, value, precision)
CASES = [
    # weekdays: past looks back 0-6 days, future forward 0-6, present takes the nearest
    ("on Wednesday", THU, "past", "2025-02-05", "day"),
    ("Wednesday", THU, "past", "2025-02-05", "day"),
    ("will visit on Friday", THU, "future", "2025-02-07", "day"),
    ("on Friday", THU, "past", "2025-01-31", "day"),
    ("on Thursday", THU, "past", "2025-02-06", "day"),
    ("on Thursday", THU, "present", "2025-02-06", "day"),
    ("on Thursday", THU, "future", "2025-02-06", "day"),
    ("Wednesday", WED, "present", "2017-06-07", "day"),
    ("on Monday", THU, "present", "2025-02-03", "day"),
    ("on Sunday", THU, "present", "2025-02-09", "day"),
    ("last Wednesday", THU, "future", "2025-02-05", "day"),
    ("last Thursday", THU, "past", "2025-01-30", "day"),
    ("next Thursday", THU, "past", "2025-02-13", "day"),
    ("this Monday", THU, "future", "2025-02-03", "day"),
    ("on Wednesday night", THU, "past", "2025-02-05", "day"),
    ("Wednesday, Feb. 5", THU, "future", "2025-02-05", "day"),
    # ranges
    ("from Tuesday to Friday", THU, "present", "2025-02-04/2025-02-07", "interval"),
    ("from Tuesday to Friday", THU, "past", "2025-02-04/2025-02-07", "interval"),
    ("from Tuesday to Friday", THU, "future", "2025-02-11/2025-02-14", "interval"),
    ("from Friday to Feb 14", THU, "future", "2025-02-07/2025-02-14", "interval"),
    ("between May 18 and 19", THU, "past", "2024-05-18/2024-05-19", "interval"),
    ("between May 18 and 19", THU, "future", "2025-05-18/2025-05-19", "interval"),
    ("between May 18 and 19, 2023", None, "past", "2023-05-18/2023-05-19", "interval"),
    ("between 18 and 19 May 2023", None, "past", "2023-05-18/2023-05-19", "interval"),
    ("from December 28 to January 3, 2025", None, "past", "2024-12-28/2025-01-03", "interval"),
    ("Feb. 5-7, 2025", None, "past", "2025-02-05/2025-02-07", "interval"),
    ("18-19 May 2024", None, "past", "2024-05-18/2024-05-19", "interval"),
    ("2020-2023", None, "past", "2020/2023", "interval"),
    ("between 2015 and 2020", None, "past", "2015/2020", "interval"),
    ("from January to March 2024", None, "past", "2024-01/2024-03", "interval"),
    # months, with and without day and year
    ("in December", THU, "past", "2024-12", "month"),
    ("in December", THU, "future", "2025-12", "month"),
    ("in December", THU, "present", "2024-12", "month"),
    ("in December", DEC, "past", "2025-12", "month"),
    ("in February", THU, "future", "2025-02", "month"),
    ("in May", THU, "present", "2025-05", "month"),
    ("December 12", THU, "past", "2024-12-12", "day"),
    ("December 12", THU, "future", "2025-12-12", "day"),
    ("Dec. 12, 2024", None, "past", "2024-12-12", "day"),
    ("12 December 2024", None, "future", "2024-12-12", "day"),
    ("the 12th of December", THU, "past", "2024-12-12", "day"),
    ("Sept. 3", THU, "past", "2024-09-03", "day"),
    ("on Jan 5", THU, "past", "2025-01-05", "day"),
    ("on Jan 5", THU, "future", "2026-01-05", "day"),
    ("Feb 29", THU, "past", "2024-02-29", "day"),
    ("September 2013", None, "past", "2013-09", "month"),
    ("back in September 2013", THU, "past", "2013-09", "month"),
    ("early December", THU, "past", "2024-12", "month"),
    ("December last year", THU, "past", "2024-12", "month"),
    ("in March next year", THU, "past", "2026-03", "month"),
    # years, seasons, quarters
    ("in 2023", None, "past", "2023", "year"),
    ("mid-2024", None, "past", "2024", "year"),
    ("in spring 2024", None, "past", "2024", "year"),
    ("in the summer", THU, "past", "2024", "year"),
    ("in the summer", THU, "future", "2025", "year"),
    ("the first quarter of 2024", None, "past", "2024-01/2024-03", "interval"),
    ("Q3 2024", None, "past", "2024-07/2024-09", "interval"),
    # relative to the publication date
    ("last month", THU, "future", "2025-01", "month"),
    ("last year", THU, "past", "2024", "year"),
    ("this year", THU, "past", "2025", "year"),
    ("next year", THU, "past", "2026", "year"),
    ("next week", THU, "future", "2025-02-10/2025-02-16", "interval"),
    ("last week", THU, "past", "2025-01-27/2025-02-02", "interval"),
    ("this weekend", THU, "future", "2025-02-08/2025-02-09", "interval"),
    ("yesterday", THU, "past", "2025-02-05", "day"),
    ("today", THU, "present", "2025-02-06", "day"),
    ("tonight", THU, "future", "2025-02-06", "day"),
    ("tomorrow", THU, "future", "2025-02-07", "day"),
    ("the day before yesterday", THU, "past", "2025-02-04", "day"),
    ("earlier this month", THU, "past", "2025-02", "month"),
    ("by the end of the year", THU, "future", "2025", "year"),
    ("three days ago", THU, "past", "2025-02-03", "day"),
    ("two years ago", THU, "past", "2023", "year"),
    # numeric dates: year first, or a part over 12, or only the year is certain
    ("2025-02-06", None, "past", "2025-02-06", "day"),
    ("2017/6/7", None, "past", "2017-06-07", "day"),
    ("2017.06.07", None, "past", "2017-06-07", "day"),
    ("13/6/2017", None, "past", "2017-06-13", "day"),
    ("6/13/2017", None, "past", "2017-06-13", "day"),
    ("6/7/2017", None, "past", "2017", "year"),
    # no anchor: whatever needs one stays unresolved
    ("on Wednesday", None, "past", None, None),
    ("in December", None, "past", None, None),
    ("last year", None, "past", None, None),
    ("from Tuesday to Friday", None, "present", None, None),
    ("between May 18 and 19", None, "past", None, None),
    # not dates at all
    ("on the sidelines", THU, "past", None, None),
    ("since their establishment", THU, "past", None, None),
    ("in recent years", THU, "past", None, None),
    ("for many years", THU, "past", None, None),
    ("in the 1990s", THU, "past", None, None),
    ("the 20th century", THU, "past", None, None),
    ("$22.71 billion", THU, "past", None, None),
    ("51 cooperation programs", THU, "past", None, None),
    ("the 9th Asian Winter Games", THU, "past", None, None),
    ("31 years", THU, "past", None, None),
    ("30 years", THU, "past", None, None),
    ("about 2000 troops", THU, "past", None, None),
    ("Theresa May said", THU, "past", None, None),
    ("February 30", THU, "past", None, None),
    ("between 2 and 3 percent", THU, "past", None, None),
    ("the next day", THU, "past", None, None),
    ("the Spring Festival", THU, "past", None, None),
]


@pytest.mark.parametrize(("expression", "anchor", "tense", "value", "precision"), CASES,
                         ids=[f"{c[0]}|{c[1]}|{c[2]}" for c in CASES])
def test_resolve(expression, anchor, tense, value, precision):
    assert resolve(expression, anchor=anchor, tense=tense) == (value, precision)


# (expression, kind, duration): what is not a calendar date still says what it is
KIND_CASES = [
    ("a four-day journey", "duration", "P4D"),
    ("30 years", "duration", "P30Y"),
    ("31 years of development", "duration", "P31Y"),
    ("in the past 30 years", "duration", "P30Y"),
    ("in recent years", "duration", "PXY"),
    ("for many years", "duration", "PXY"),
    ("for decades", "duration", "PXY"),
    ("in the 1990s", "duration", "P10Y"),
    ("two decades", "duration", "P20Y"),
    ("within 24 hours", "duration", "PT24H"),
    ("every year", "set", "P1Y"),
    ("every two years", "set", "P2Y"),
    ("held annually", "set", "P1Y"),
    ("the next day", "relative_unresolved", None),
    ("two days later", "relative_unresolved", None),
]


@pytest.mark.parametrize(("expression", "kind", "duration"), KIND_CASES,
                         ids=[c[0] for c in KIND_CASES])
def test_kinds_of_what_is_not_a_date(expression, kind, duration):
    (timex,) = find_timexes(expression, anchor=THU)
    assert (timex.kind, timex.duration, timex.value, timex.precision) == (kind, duration, None, None)


def test_references_to_other_events_keep_their_offset():
    notes = [t.note for t in find_timexes("the next day, a week earlier, that day", anchor=THU)]
    assert notes == ["reference:+P1D", "reference:-P1W", "reference:P0D"]


def test_spans_exclude_prepositions_but_ranges_keep_their_words():
    text = "Talks were held on Wednesday, during a visit from Tuesday to Friday, back in 2013."
    found = find_timexes(text, anchor=THU)
    assert [t.text for t in found] == ["Wednesday", "from Tuesday to Friday", "2013"]
    for timex in found:
        assert text[timex.start:timex.end] == timex.text


def test_sentence_with_two_expressions_in_text_order():
    text = "Japarov took office in 2021 and opened the railway in December."
    found = find_timexes(text, anchor=THU, tense="past")
    assert [(t.text, t.value, t.kind) for t in found] == [
        ("2021", "2021", "date"),
        ("December", "2024-12", "date"),
    ]


def test_a_tense_function_is_asked_once_per_expression_with_its_offsets():
    text = "They met on Wednesday and will meet again on Friday."
    calls = []

    def tense_at(start: int, end: int) -> str:
        calls.append(text[start:end])
        return "future" if start > text.index("will") else "past"

    found = find_timexes(text, anchor=THU, tense=tense_at)
    assert calls == ["Wednesday", "Friday"]
    assert [t.value for t in found] == ["2025-02-05", "2025-02-07"]


def test_what_a_value_rests_on():
    found = find_timexes("In 2023, last year and on Friday.", anchor=THU)
    assert [t.basis for t in found] == ["explicit", "anchor", "tense"]


def test_an_ambiguous_numeric_date_keeps_only_its_year_and_says_why():
    (timex,) = find_timexes("signed 6/7/2017", anchor=None)
    assert (timex.value, timex.precision) == ("2017", "year")
    assert "ambiguous" in (timex.note or "")


def test_modifiers_are_kept_in_the_note_not_in_the_value():
    (timex,) = find_timexes("late last year", anchor=THU)
    assert (timex.value, timex.note) == ("2024", "mod:late")


def test_unresolved_without_an_anchor_says_so():
    (timex,) = find_timexes("on Wednesday", anchor=None)
    assert timex.kind == "relative_unresolved"
    assert timex.value is None and "publication date" in (timex.note or "")


@pytest.mark.parametrize("tense", ["pastt", "Future", ""])
def test_unknown_tense_is_refused(tense):
    with pytest.raises(UsageError, match="Valid tenses"):
        find_timexes("on Friday", anchor=THU, tense=tense)


def test_unknown_tense_from_a_function_is_refused():
    with pytest.raises(UsageError, match="'soon'"):
        find_timexes("on Friday", anchor=THU, tense=lambda start, end: "soon")


def test_text_without_expressions_gives_nothing():
    assert find_timexes("", anchor=THU) == []
    assert find_timexes("The two sides signed documents on trade.", anchor=THU) == []


@pytest.mark.parametrize(("start", "duration", "interval"), [
    ("2017-06-07", "P4D", "2017-06-07/2017-06-10"),
    ("2017-06-07", "P1D", "2017-06-07/2017-06-07"),
    ("2025-02-27", "P1W", "2025-02-27/2025-03-05"),
    ("2017-06", "P4D", None),
    ("2017-06-07", "P30Y", None),
    ("2017-06-07", "PXD", None),
    ("not a date", "P4D", None),
])
def test_span_interval(start, duration, interval):
    assert span_interval(start, duration) == interval


def test_timex_is_immutable():
    (timex,) = find_timexes("in 2023", anchor=None)
    assert isinstance(timex, Timex)
    with pytest.raises(dataclasses.FrozenInstanceError):
        timex.value = "2024"  # type: ignore[misc]


def test_builtin_words_cover_the_calendar():
    words = load_words()
    assert sorted(set(words.months.values())) == list(range(1, 13))
    assert sorted(set(words.weekdays.values())) == list(range(7))
    assert words.weekdays["Monday"] == date(2025, 2, 3).weekday()


@pytest.mark.parametrize(("content", "message"), [
    ("month\t1\tJanuary\n", r":1: expected the header"),
    ("category\tkey\tforms\nmonth\tone\tJanuary\n", r":2: key 'one' of a month must be a number"),
    ("category\tkey\tforms\nmonthly\t1\tJanuary\n", r":2: unknown category 'monthly'"),
    ("category\tkey\tforms\nmonth\t1\n", r":2: expected 3 tab-separated fields"),
    ("category\tkey\tforms\n# nothing else\n", r"no rows of \['month', 'weekday', 'unit'\]"),
])
def test_a_malformed_word_file_names_the_line(tmp_path, content, message):
    path = tmp_path / "words.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_words(str(path))


def test_a_missing_word_file_is_a_registry_error(tmp_path):
    with pytest.raises(RegistryError, match="cannot read"):
        load_words(str(tmp_path / "absent.tsv"))


_PIECES = st.sampled_from([
    "on Wednesday", "from Tuesday to Friday", "in December", "2023", "May", "18", "and", "19",
    "last year", "$2,023", "four-day", "the", "between", "-", "/", "2017/6/7", "Feb.", " ",
    ", ", "ago", "three", "days", "every", "year", "spring", "mid-", "1990s", "to",
    "The Following WEEKEND", "LAST MONTH", "Sept.", "12th", "Q1", "the first half of", "that",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=12).map(" ".join),
       st.sampled_from([THU, WED, None]), st.sampled_from(TENSES))
def test_any_text_gives_well_formed_non_overlapping_expressions(text, anchor, tense):
    found = find_timexes(text, anchor=anchor, tense=tense)
    previous_end = 0
    for timex in found:
        assert previous_end <= timex.start < timex.end <= len(text)
        assert text[timex.start:timex.end] == timex.text
        assert timex.kind in KINDS
        assert timex.precision in (*PRECISIONS, None)
        assert (timex.value is None) == (timex.precision is None)
        if timex.value is not None and anchor is None:
            assert timex.basis == "explicit"
        previous_end = timex.end
