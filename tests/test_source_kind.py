"""Source kind: news, opinion, interview, blog from the cues of data/source_kind.tsv."""

from __future__ import annotations

import pytest

import dyadwatch.stages.source_kind  # noqa: F401 - registers the stage
from dyadwatch.pipeline import Pipeline
from dyadwatch.readers import Article, article_to_document
from dyadwatch.stages.source_kind import KINDS, THRESHOLD, UNDATED, classify, load_cues

BODY = ("Officials of the two countries discussed transport links and energy supplies. "
        "They agreed to meet again before the end of the year. ") * 6

BLOG = ("Kyrgyzstan and Kazakhstan: What Comes Next (Meta Description: Central Asia, trade)\n"
        "Dive into the story of two neighbours! Are you ready? Let's get started.\n"
        + BODY + "\nFrequently Asked Questions\nWhat did they sign? A transit deal.\n"
        "Conclusion: a bright future for you and your business.\n")
OPINION = ("Why Central Asia matters more than ever\n\nBy Anna Smith Source: Daily Review "
           "Published: 2024/3/1\n\n" + BODY + "In my view, the region deserves attention.\n\n"
           "The author is a senior fellow at an institute in Almaty.\n")
INTERVIEW = ("Minister: transit will double\n\nIn an interview with our correspondent, the "
             "Uzbek minister of transport spoke about new routes.\n\nQ: What is the plan?\n"
             "A: More trains to the east.\n\nQ: When?\nA: Next year.\n" + BODY)
NEWS = ("BISHKEK, March 3 (Kabar) -- Kyrgyz President Sadyr Japarov said on Monday that the "
        "border talks were nearly complete.\n\n" + BODY)


@pytest.mark.parametrize("text, kind", [
    (BLOG, "blog"), (OPINION, "opinion"), (INTERVIEW, "interview"), (NEWS, "news")])
def test_each_kind_from_its_cues(text, kind):
    found, reason = classify(text)
    assert found == kind
    assert reason.startswith(kind)


def test_reason_names_the_evidence():
    _, reason = classify(OPINION)
    assert '"The author is' in reason and "byline" in reason
    _, reason = classify(BLOG)
    assert "Meta Description" in reason and "FAQ" in reason


def test_news_is_the_default_and_says_so():
    kind, reason = classify(BODY)
    assert (kind, reason) == ("news", "news by default: no cue of opinion, interview or blog")


def test_one_weak_cue_is_not_enough():
    text = "The minister gave an interview last week.\n" + BODY
    kind, reason = classify(text)
    assert kind == "news"
    assert f"reached {THRESHOLD:g} points (interview 1)" in reason


def test_cues_are_checked_on_load():
    cues = load_cues()
    assert {cue.kind for cue in cues} == set(KINDS)
    assert all(cue.scope in ("any", "head", "tail") and cue.min_count >= 1 for cue in cues)


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(("normalise", "header", "boilerplate", "source_kind"))


def _doc(text: str, date: str | None):
    return article_to_document(Article(source="<test>", text=text, encoding="utf-8", fmt="txt",
                                       published=date))


def test_stage_sets_kind_and_flags_undated_documents(pipeline):
    undated = pipeline(_doc(BLOG, None))
    assert (undated.meta.kind, undated.problems.count(UNDATED)) == ("blog", 1)
    dated = pipeline(_doc(NEWS, "2024-03-04"))
    assert dated.meta.kind == "news" and UNDATED not in dated.problems
    assert dated.meta.kind_reason and "wire dateline" in dated.meta.kind_reason


def test_a_kind_the_input_gave_is_kept(pipeline):
    doc = _doc(NEWS, "2024-03-04")
    doc.meta.kind = "opinion"
    doc = pipeline(doc)
    assert (doc.meta.kind, doc.meta.kind_reason) == ("opinion", "given by the input")
