"""The header stage: title, date, outlet, byline and dateline from messy plain-text headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dyadwatch.document import Document, Meta
from dyadwatch.readers import normalise_date
from dyadwatch.stages.header import Header, read_header
from dyadwatch.stages.normalise import Normalise

BODY = ("The two foreign ministers met in the capital on Tuesday and agreed to expand trade, "
        "transport links and cooperation between their border regions over the coming years.")


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> Path:
    """The five third-party seed articles, read from ../shared (never copied here)."""
    return seeds_dir


def run(raw: str, meta: Meta | None = None) -> Document:
    doc = Normalise()(Document(source="test.txt", raw=raw, meta=meta or Meta()))
    return Header()(doc)


def span_text(doc: Document, name: str) -> str:
    start, end = doc.meta.spans[name]
    return doc.text[start:end]


SEED_EXPECTED = [
    ("000_", None, None, "Strengthening Sino-Kyrgyz Ties: A New Chapter in Bilateral Cooperation", None),
    ("001_", "2022-09-26", "Seetao",
     "One Belt One Road creates opportunities for the development of Central Asia", None),
    ("002_", "2025-02-06", "China Daily", "China, Kyrgyzstan to advance Belt and Road cooperation", None),
    ("003_", "2023-05-19", "Xinhua", "Xi Jinping Talks with President Zaparov of Kyrgyzstan", None),
    ("004_", "2017-06-07", "Global Times",
     "Sino-Kazakh ties see deeper cooperation and substantial results", "Yang Jin"),
]


@pytest.mark.parametrize(("prefix", "published", "outlet", "title", "author"), SEED_EXPECTED,
                         ids=[row[0].rstrip("_") for row in SEED_EXPECTED])
def test_seed_headers(seeds, prefix, published, outlet, title, author):
    path = next(seeds.glob(f"{prefix}*.txt"))
    doc = run(path.read_text(encoding="utf-8"))
    assert (doc.meta.published, doc.meta.outlet, doc.meta.title, doc.meta.author) == (
        published, outlet, title, author)
    assert span_text(doc, "title") == title
    assert [doc.text[s.start:s.end] for s in doc.layer("title")] == [title]
    if published:
        assert normalise_date(span_text(doc, "published")) == published
    if outlet:
        assert span_text(doc, "outlet") == outlet


def test_seed_header_lines_go_to_the_header_layer_and_not_the_title(seeds):
    doc = run(next(seeds.glob("004_*.txt")).read_text(encoding="utf-8"))
    [line] = doc.layer("header")
    assert doc.text[line.start:line.end] == "By Yang Jin Source:Global Times Published: 2017/6/7 20:38:39"
    assert line.provenance == "header@1" and line.attrs["rule"] == "metadata_line"
    assert doc.meta.published_time == "20:38:39"
    title = doc.layer("title")[0]
    assert not (line.start < title.end and title.start < line.end)


def test_seed_000_meta_description_is_kept_out_of_the_title(seeds):
    doc = run(next(seeds.glob("000_*.txt")).read_text(encoding="utf-8"))
    [description] = doc.layer("header")
    assert description.label == "meta_description"
    assert doc.text[description.start:description.end].startswith("(Meta Description:")
    assert doc.meta.published is None  # "recent" visits and body dates are no publication date


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Published: 12 March 2024", {"published": "2024-03-12"}),
        ("Published on March 12, 2024 at 9:15 p.m. EST",
         {"published": "2024-03-12", "published_time": "21:15"}),
        ("2024-03-12T10:00:00+08:00", {"published": "2024-03-12", "published_time": "10:00:00"}),
        ("Date: 12.03.2024", {"published": "2024-03-12"}),
        ("Tuesday, 12 March 2024", {"published": "2024-03-12"}),
        ("25/03/2024", {"published": "2024-03-25"}),
        ("03/25/2024", {"published": "2024-03-25"}),
        ("03/04/2024", {"published": None}),  # day and month could be swapped
        ("Updated: 2024-03-13 09:15",  # the only date there is
         {"published": "2024-03-13", "published_time": "09:15"}),
        ("Published: 12 March 2024 | Updated: 13 March 2024", {"published": "2024-03-12"}),
        ("Source: Xinhua | Updated: 2024-03-12 10:00",
         {"outlet": "Xinhua", "published": "2024-03-12", "published_time": "10:00"}),
        ("Xinhua | 2024-03-12", {"outlet": "Xinhua", "published": "2024-03-12"}),
        ("Steppe Ledger 2024-03-12 08:55",
         {"outlet": "Steppe Ledger", "published": "2024-03-12", "published_time": "08:55"}),
        ("2024-03-12The Source:AKIpress", {"outlet": "AKIpress", "published": "2024-03-12"}),
        ("By Jane Doe, Staff Writer", {"author": "Jane Doe", "published": None}),
        ("By Jane Doe and John Roe | Reuters | March 12, 2024",
         {"author": "Jane Doe and John Roe", "outlet": "Reuters", "published": "2024-03-12"}),
        ("Posted on 12 March 2024 by Aigerim Nurlanova",
         {"published": "2024-03-12", "author": "Aigerim Nurlanova"}),
    ],
)
def test_header_line_variants(header, expected):
    doc = run(f"Ministers agree on a new border crossing\n{header}\n\n{BODY}\n")
    assert doc.meta.title == "Ministers agree on a new border crossing"
    for name, value in expected.items():
        assert getattr(doc.meta, name) == value, name
        if value is not None and name == "published":
            assert normalise_date(span_text(doc, name)) == value
        elif value is not None and name != "published_time":
            assert span_text(doc, name) == value


def test_date_title_line_splits_date_and_headline():
    doc = run(f"date 2024-03-12 Kazakhstan and Uzbekistan open new crossing\n\n{BODY}")
    assert doc.meta.published == "2024-03-12"
    assert doc.meta.title == "Kazakhstan and Uzbekistan open new crossing"
    [header] = doc.layer("header")
    assert doc.text[header.start:header.end] == "date 2024-03-12"
    assert span_text(doc, "title") == "Kazakhstan and Uzbekistan open new crossing"


def test_metadata_line_before_the_title():
    doc = run(f"Caspian Wire | 12 March 2024\nKazakhstan and Uzbekistan open new crossing\n\n{BODY}")
    assert (doc.meta.outlet, doc.meta.published) == ("Caspian Wire", "2024-03-12")
    assert doc.meta.title == "Kazakhstan and Uzbekistan open new crossing"


@pytest.mark.parametrize(
    ("dateline", "place", "outlet", "published", "month_day"),
    [
        ("ASTANA, July 4 (Xinhua) --", "ASTANA", "Xinhua", None, "07-04"),
        ("BEIJING, Feb. 5, 2025 (Xinhua) --", "BEIJING", "Xinhua", "2025-02-05", None),
        ("NEW DELHI, June 17 --", "NEW DELHI", None, None, "06-17"),
        ("LONDON (Reuters) -", "LONDON", "Reuters", None, None),
        ("ALMATY, Kazakhstan, March 3, 2024 (Steppe Ledger) —", "ALMATY", "Steppe Ledger",
         "2024-03-03", None),
    ],
)
def test_datelines(dateline, place, outlet, published, month_day):
    doc = run(f"Leaders meet at regional summit\n\n{dateline} {BODY}")
    assert (doc.meta.dateline, doc.meta.outlet, doc.meta.published) == (place, outlet, published)
    [span] = doc.layer("header")
    assert span.label == "dateline"
    assert doc.text[span.start:span.end] == dateline
    assert span.attrs["fields"].get("month_day") == month_day


def test_a_date_from_the_story_is_never_the_publication_date():
    raw = ("Leaders meet at regional summit\n\n"
           "On 12 March 2024 the presidents met in Astana, ten years after the first summit in "
           "September 2013, and signed an agreement.\n\nPublished: 14 March 2024 in the archive.\n")
    doc = run(raw)
    assert doc.meta.published is None
    assert doc.layer("header") == []


def test_a_short_first_line_that_is_prose_is_not_a_title():
    doc = run(f"{BODY}\n\n{BODY}")
    assert doc.meta.title is None and doc.layer("title") == []


def test_photo_credit_names_the_outlet_only_when_nothing_else_does():
    caption = "The presidents shake hands in Astana. (Li Ming/Steppe Ledger)"
    doc = run(f"Leaders meet at regional summit\n\n{caption}\n\n{BODY}")
    assert doc.meta.outlet == "Steppe Ledger"
    assert span_text(doc, "outlet") == "Steppe Ledger"
    agency_first = run(f"Leaders meet at regional summit\n\n(Xinhua/Li Ming)\n\n{BODY}")
    assert agency_first.meta.outlet == "Xinhua"
    labelled = run(f"Leaders meet at regional summit\nSource: Caspian Wire\n\n{caption}\n\n{BODY}")
    assert labelled.meta.outlet == "Caspian Wire"
    not_a_credit = run(f"Leaders meet at regional summit\n\nThe SCO (SCO/CICA) met.\n\n{BODY}")
    assert not_a_credit.meta.outlet is None


def test_container_values_are_kept_and_gaps_filled():
    meta = Meta(title="Leaders meet at regional summit", published="2024-03-13", outlet="Wire")
    doc = run(f"Leaders meet at regional summit\nBy Jane Doe | Published: 12 March 2024\n\n{BODY}", meta)
    assert (doc.meta.published, doc.meta.outlet) == ("2024-03-13", "Wire")
    assert doc.meta.author == "Jane Doe"  # a gap the header fills
    assert "published" not in doc.meta.spans  # the text's date is not where the value came from
    assert any("2024-03-12" in problem and "container" in problem for problem in doc.problems)
    assert span_text(doc, "title") == "Leaders meet at regional summit"


def test_container_value_the_text_confirms_gets_its_span():
    meta = Meta(published="2024-03-12")
    doc = run(f"Leaders meet at regional summit\nPublished: 12 March 2024\n\n{BODY}", meta)
    assert span_text(doc, "published") == "12 March 2024"
    assert doc.problems == []


def test_read_header_is_a_pure_function_of_the_text():
    text = f"Leaders meet at regional summit\nBy Jane Doe\n\n{BODY}"
    first, second = read_header(text), read_header(text)
    assert first == second
    assert first.best("author").value == "Jane Doe"
