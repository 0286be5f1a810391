"""The boilerplate stage: related links, disclaimers, credits and widgets are marked, kept,
and never cover the article's own sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dyadwatch.document import Document
from dyadwatch.errors import RegistryError
from dyadwatch.stages.boilerplate import LABELS, Boilerplate, load_rules
from dyadwatch.stages.header import Header
from dyadwatch.stages.normalise import Normalise

BODY = ("The two foreign ministers met in the capital on Tuesday and agreed to expand trade "
        "and transport links between their border regions.")
TITLE = "Ministers agree to expand border trade"


@pytest.fixture(scope="module")
def stage() -> Boilerplate:
    return Boilerplate()


@pytest.fixture(scope="module")
def seed_docs(stage, gold_path: Path, seeds_dir: Path) -> dict[str, tuple[Document, dict]]:
    """Each seed (read from ../shared) through normalise, header and boilerplate, with its gold."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    docs = {}
    for entry in gold["documents"]:
        raw = (seeds_dir / entry["file"]).read_text(encoding="utf-8")
        docs[entry["file"]] = (run(raw, stage, header=True), entry)
    return docs


def run(raw: str, stage: Boilerplate, *, header: bool = False) -> Document:
    doc = Normalise()(Document(source="test.txt", raw=raw))
    if header:
        doc = Header()(doc)
    return stage(doc)


def covering(doc: Document, needle: str, layer: str = "boilerplate") -> list:
    """The spans of ``layer`` that hold all of ``needle`` (which must be in the text)."""
    start = doc.text.find(needle)
    assert start >= 0, needle
    end = start + len(needle)
    return [span for span in doc.layer(layer) if span.start <= start and end <= span.end]


def marked(doc: Document) -> list[tuple[str, str]]:
    return [(span.label, doc.text[span.start:span.end]) for span in doc.layer("boilerplate")]


# --- seeds ------------------------------------------------------------------------------


def test_every_gold_negative_lies_inside_boilerplate(seed_docs):
    checked = 0
    for name, (doc, gold) in seed_docs.items():
        for negative in gold.get("negatives", []):
            assert covering(doc, negative), f"{name}: {negative!r} is not marked"
            checked += 1
    assert checked >= 9


def test_no_gold_evidence_lies_in_boilerplate(seed_docs):
    checked = 0
    for name, (doc, gold) in seed_docs.items():
        records = gold["events"] + gold.get("facts", []) + gold.get("relations", [])
        for evidence in {record["evidence"] for record in records if record.get("evidence")}:
            start = doc.text.find(evidence)
            assert start >= 0, evidence
            assert not doc.in_boilerplate(start, start + len(evidence)), f"{name}: {evidence!r}"
            checked += 1
    assert checked >= 25


def test_seed_titles_and_mid_document_headings_are_not_marked(seed_docs):
    doc, _ = seed_docs["000_25801aa179abd680.txt"]
    for heading in ("Party-to-Party Cooperation: A Cornerstone of Bilateral Relations",
                    "The Belt and Road Initiative: A Catalyst for Development",
                    "Conclusion: A Partnership for the Future"):
        start = doc.text.find(heading)
        assert not doc.in_boilerplate(start, start + len(heading)), heading
    for seed_doc, _ in seed_docs.values():
        for title in seed_doc.layer("title"):
            assert not seed_doc.in_boilerplate(title.start, title.end)


def test_seed_labels_say_which_kind(seed_docs):
    labels = {
        ("003_2bfcbdc870218cac.txt", "Xi Jinping Talks with President Tokayev of Kazakhstan"): "related_links",
        ("003_2bfcbdc870218cac.txt", "This article only represents the author's personal views"): "disclaimer",
        ("004_8ee92196e805dd29.txt", "Follow us on Twitter @GTopinion"): "social",
        ("004_8ee92196e805dd29.txt", "blog comments powered by Disqus"): "comments",
        ("002_3a5232dc5e8b292a.txt", "(Wang Zhuangfei/China Daily)"): "photo_credit",
        ("001_71c2c0a38d36d25c.txt", "Read this article"): "read_time",
        ("001_71c2c0a38d36d25c.txt", "11 Minutes"): "read_time",
        ("001_71c2c0a38d36d25c.txt", "Editor/He Yuting"): "editor_credit",
        ("000_25801aa179abd680.txt", "Frequently Asked Questions (FAQs)"): "faq",
    }
    for (name, needle), label in labels.items():
        doc, _ = seed_docs[name]
        assert label in {span.label for span in covering(doc, needle)}, needle


def test_seed_faq_block_is_marked_up_to_the_next_heading(seed_docs):
    doc, _ = seed_docs["000_25801aa179abd680.txt"]
    question = "What is the overall outlook for Sino-Kyrgyz relations?"
    assert covering(doc, question, "faq")[0].label == "faq"
    assert not covering(doc, question)  # its names are mentions: not boilerplate
    conclusion = doc.text.find("Conclusion: A Partnership for the Future")
    assert not doc.in_boilerplate(conclusion, conclusion + 10)


def test_author_bio_before_a_social_line_stays_text(seed_docs):
    doc, _ = seed_docs["004_8ee92196e805dd29.txt"]
    bio = "The author is deputy secretary general"
    start = doc.text.find(bio)
    assert not doc.in_boilerplate(start, start + len(bio))


# --- hand-written cases, one or more per label -------------------------------------------


CASES = [
    ("related_links", f"{TITLE}\n\n{BODY}\n\nRelated\nChina opens new consulate in Almaty\n"
                      "Trade fair draws record crowds", "China opens new consulate in Almaty"),
    ("related_links", f"{TITLE}\n\n{BODY}\n\nRead more: Kyrgyz parliament approves budget", "Read more: Kyrgyz parliament approves budget"),
    ("related_links", f"{TITLE}\n\n{BODY}\n\nKyrgyz parliament approves new budget\n\n"
                      "Uzbekistan opens second airport in Tashkent\n", "Uzbekistan opens second airport in Tashkent"),
    ("disclaimer", f"{TITLE}\n\n{BODY}\n\nThe views expressed in this article are those of the author "
                   "and do not necessarily reflect the position of this site.", "do not necessarily reflect"),
    ("disclaimer", f"{TITLE}\n\n{BODY} The opinions expressed here do not necessarily reflect ours.",
     "The opinions expressed here do not necessarily reflect ours."),
    ("social", f"{TITLE}\n\n{BODY} Follow us on Telegram @example_news", "Follow us on Telegram @example_news"),
    ("comments", f"{TITLE}\n\n{BODY}\n\nLeave a comment", "Leave a comment"),
    ("comments", f"{TITLE}\n\n{BODY}\n\n12 Comments", "12 Comments"),
    ("photo_credit", f"{TITLE}\n\nThe ministers shake hands. (Photo: Xinhua)\n\n{BODY}", "(Photo: Xinhua)"),
    ("photo_credit", f"{TITLE}\n\nThe ministers shake hands. [Photo/Xinhua]\n\n{BODY}", "[Photo/Xinhua]"),
    ("photo_credit", f"{TITLE}\n\nThe ministers shake hands. (Xinhua/Li Ming)\n\n{BODY}", "(Xinhua/Li Ming)"),
    ("read_time", f"{TITLE}\n5 min read\n\n{BODY}", "5 min read"),
    ("read_time", f"{TITLE}\nReading time: 4 minutes\n\n{BODY}", "Reading time: 4 minutes"),
    ("editor_credit", f"{TITLE}\n\n{BODY} (Editor: Wang Xin)", "(Editor: Wang Xin)"),
    ("editor_credit", f"{TITLE}\n\n{BODY}\n\nReporting by Jane Doe; Editing by John Roe", "Reporting by Jane Doe; Editing by John Roe"),
    ("faq", f"{TITLE}\n\n{BODY}\n\nFAQ\nQ: When was the deal signed?\nA: On Tuesday.\n"
            "Why does it matter?\nIt opens a new route.\n\nOutlook\n{BODY}", "Why does it matter?\nIt opens a new route."),
    ("share", f"{TITLE}\nShare this article\n\n{BODY}", "Share this article"),
    ("share", f"{TITLE}\nFacebook | Twitter | Email\n\n{BODY}", "Facebook | Twitter | Email"),
    ("copyright", f"{TITLE}\n\n{BODY}\n\n© 2024 Example News. All rights reserved.", "© 2024 Example News. All rights reserved."),
    ("copyright", f"{TITLE}\n\n{BODY}\n\nCopyright 2024 Example News", "Copyright 2024 Example News"),
    ("newsletter", f"{TITLE}\n\n{BODY}\n\nSign up for our daily newsletter", "Sign up for our daily newsletter"),
    ("advert", f"{TITLE}\n\nAdvertisement\n\n{BODY}", "Advertisement"),
]


@pytest.mark.parametrize(("label", "raw", "needle"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_label_is_marked(stage, label, raw, needle):
    doc = run(raw, stage)
    spans = covering(doc, needle) + covering(doc, needle, "faq")  # Q&A blocks have their own layer
    assert label in {span.label for span in spans}, marked(doc)
    span = next(span for span in spans if span.label == label)
    assert span.provenance == "boilerplate@1" and span.attrs["rule"]
    assert doc.text == Normalise()(Document(source="x", raw=raw)).text  # nothing removed
    start = doc.text.find(BODY[:40])
    assert not doc.in_boilerplate(start, start + 40), marked(doc)  # the body stays clean


def test_every_label_has_a_case():
    assert {case[0] for case in CASES} == set(LABELS)


@pytest.mark.parametrize(
    "raw",
    [
        # Section headings followed by prose are part of the article.
        f"{TITLE}\n\n{BODY}\n\nTrade and transport\n{BODY}\n\nA new route to Europe\n{BODY}",
        # Words that boilerplate uses, inside prose.
        f"{TITLE}\n\nRelated talks on water sharing will follow, officials said. Readers may follow "
        "the copyright dispute, share the concern and read more about it in the report.",
        # A caption whose parentheses are not a credit.
        f"{TITLE}\n\nThe Shanghai Cooperation Organisation (SCO/CICA) met in Astana.\n\n{BODY}",
        # An article that ends on a question.
        f"{TITLE}\n\n{BODY}\n\nWhat comes next for the two countries?",
    ],
    ids=["section-headings", "words-in-prose", "not-a-credit", "ends-with-question"],
)
def test_article_text_is_not_marked(stage, raw):
    assert marked(run(raw, stage)) == []


def test_title_alone_or_headlines_only_are_not_trailing_links(stage):
    assert marked(run("Kazakhstan and China sign visa deal\n", stage)) == []
    assert marked(run("Kazakhstan and China sign visa deal\nSecond headline about trade here\n", stage)) == []


# --- rules are data ---------------------------------------------------------------------


def test_packaged_rules_load_and_use_known_labels():
    rules = load_rules()
    assert len(rules) >= 20
    assert {rule.label for rule in rules} <= set(LABELS)
    assert all(rule.where.startswith("boilerplate.tsv:") for rule in rules)


def test_custom_rules_file(tmp_path, stage):
    path = tmp_path / "mine.tsv"
    path.write_text("# my site\nname\tlabel\tkind\tpattern\textent\n"
                    "site_promo\tadvert\tphrase\tDownload our app\tline\n", encoding="utf-8")
    doc = run(f"{TITLE}\n\n{BODY}\n\nDownload our app today!", Boilerplate(patterns=path))
    assert marked(doc) == [("advert", "Download our app today!")]
    assert doc.layer("boilerplate")[0].attrs["source"] == f"{path}:3"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("name\tlabel\tkind\tpattern\textent\nx\tnonsense\tphrase\tabc\tline\n", "unknown label 'nonsense'"),
        ("name\tlabel\tkind\tpattern\textent\nx\tadvert\tregex\t(unclosed\tline\n", "bad regular expression"),
        ("name\tlabel\tkind\tpattern\textent\nx\tadvert\tphrase\tabc\n", "expected 5 tab-separated columns"),
        ("name\tlabel\tkind\tpattern\textent\nx\tadvert\tglob\tabc\tline\n", "unknown kind 'glob'"),
        ("name\tlabel\tkind\tpattern\textent\nx\tadvert\tphrase\tabc\teverywhere\n", "unknown extent 'everywhere'"),
        ("label\tpattern\n", "expected the header line"),
    ],
)
def test_malformed_rules_name_file_line_and_problem(tmp_path, content, problem):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError, match=problem) as caught:
        load_rules(path)
    assert caught.value.path == str(path) and caught.value.line in (1, 2)


def test_missing_rules_file_is_a_registry_error(tmp_path):
    with pytest.raises(RegistryError, match="cannot read the boilerplate patterns"):
        Boilerplate(patterns=tmp_path / "absent.tsv")
