"""The sample corpus reads without failure, and every article gets its date and title."""

from __future__ import annotations

from pathlib import Path

import pytest

from dyadwatch.document import Document, Failure
from dyadwatch.readers import Article, article_to_document, read_paths
from dyadwatch.stages.boilerplate import Boilerplate
from dyadwatch.stages.header import Header
from dyadwatch.stages.normalise import Normalise

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "sample"

# The publication date each sample article states (in its header, dateline or metadata).
PUBLISHED = {
    "01_kazakhstan_state_visit_2013.txt": "2013-09-07",
    "02_railway_agreement_2024.txt": "2024-06-07",
    "03_wire_feed_2023_2024.jsonl:1": "2024-01-13",
    "03_wire_feed_2023_2024.jsonl:2": "2023-04-27",
    "04_eu_swift_sanctions_2022.html": "2022-03-02",
    "05_galwan_clash_2020.txt": "2020-06-17",
    "06_ambassador_summoned_2022.txt": "2022-08-03",
    "07_us_vietnam_partnership_2023.txt": "2023-09-11",
    "08_railway_construction_launch_2024.txt": "2024-12-28",
    "09_china_central_asia_summit_2023.html": "2023-05-19",
}


@pytest.fixture(scope="module")
def items() -> list[Article | Failure]:
    return list(read_paths([SAMPLE]))


@pytest.fixture(scope="module")
def docs(items) -> dict[str, Document]:
    boilerplate = Boilerplate()
    out = {}
    for item in items:
        assert isinstance(item, Article), str(item)
        doc = boilerplate(Header()(Normalise()(article_to_document(item))))
        out[Path(item.source).name] = doc
    return out


def test_every_sample_file_reads_without_failure(items):
    failures = [str(item) for item in items if isinstance(item, Failure)]
    assert failures == []
    assert len(items) == 10
    files = {path.name for path in SAMPLE.iterdir() if path.name != "README.md"}
    assert {Path(item.source.split(":")[0]).name for item in items} == files


def test_sample_mixes_formats_and_encodings(items):
    assert {item.fmt for item in items} == {"txt", "html", "jsonl"}
    assert any(item.encoding and not item.encoding.startswith("utf-8") for item in items)


def test_every_sample_article_gets_its_date_and_title(docs):
    assert set(docs) == set(PUBLISHED)
    for name, doc in docs.items():
        assert doc.meta.published == PUBLISHED[name], name
        assert doc.meta.title, name
        start, end = doc.meta.spans["title"]
        assert doc.text[start:end] == doc.meta.title, name


def test_sample_articles_are_the_promised_length(docs):
    for name, doc in docs.items():
        body = doc.text
        for span in doc.layer("boilerplate"):
            body = body.replace(doc.text[span.start:span.end], "")
        assert 150 <= len(body.split()) <= 350, name


def test_sample_boilerplate_is_marked(docs):
    expected = {
        "01_kazakhstan_state_visit_2013.txt": {"social"},
        "02_railway_agreement_2024.txt": {"related_links"},
        "05_galwan_clash_2020.txt": {"share"},
        "06_ambassador_summoned_2022.txt": {"editor_credit"},
        "07_us_vietnam_partnership_2023.txt": {"social"},
        "08_railway_construction_launch_2024.txt": {"read_time", "editor_credit", "related_links"},
    }
    for name, labels in expected.items():
        assert {span.label for span in docs[name].layer("boilerplate")} == labels, name
    tail = docs["08_railway_construction_launch_2024.txt"]
    headlines = [tail.text[s.start:s.end] for s in tail.layer("boilerplate") if s.label == "related_links"]
    assert headlines == ["China, Kyrgyzstan and Uzbekistan sign agreement on cross-border railway",
                         "China and Central Asian leaders meet in Xi'an for first in-person summit"]


def test_html_samples_lose_their_page_chrome(docs):
    for name in ("04_eu_swift_sanctions_2022.html", "09_china_central_asia_summit_2023.html"):
        text = docs[name].text
        for chrome in ("Home", "Privacy", "Most read", "Ruble falls", "Log in", "©"):
            assert chrome not in text, (name, chrome)
