"""Partnership levels: the ladder as data, upgrades and descriptions through the real pipeline."""

from __future__ import annotations

import pytest

import dyadwatch.stages.relations  # noqa: F401 - registers the stage
from dyadwatch.pipeline import DEFAULT_STAGES, Pipeline
from dyadwatch.readers import Article, article_to_document
from dyadwatch.stages.facts import read_table
from dyadwatch.stages.relations import level_key, load_ladder


@pytest.fixture(scope="module")
def run():
    pipeline = Pipeline(tuple(dict.fromkeys((*DEFAULT_STAGES, "relations"))))

    def run(text: str, date: str | None = "2025-02-06"):
        article = Article(source="<test>", text=text, encoding="utf-8", fmt="txt",
                          published=date)
        return pipeline(article_to_document(article))

    return run


def _spellings() -> list[tuple[str, str, int]]:
    rows = read_table("ladder.tsv", ("rung", "level", "variants", "note"))
    return [(spelling, row["level"], int(row["rung"]))
            for _, row in rows for spelling in [row["level"], *row["variants"].split("|")]]


@pytest.mark.parametrize("spelling, level, rung", _spellings())
def test_every_spelling_of_the_ladder_is_found_as_its_level(spelling, level, rung):
    text = f"They spoke of a {spelling.upper()} between them."
    found = [(found.level, found.rung) for _, _, found in load_ladder().find(text)]
    assert found == [(level, rung)]


@pytest.mark.parametrize("written", [
    "comprehensive strategic partnership in the new era",
    "Comprehensive Strategic Partnership for the New Era",
    "comprehensive strategic partnership for a new era",
    "comprehensive-strategic partnership in a new era",
])
def test_new_era_wordings_are_one_level(written):
    ((_, _, level),) = load_ladder().find(f"relations became a {written}.")
    assert level.level == "comprehensive strategic partnership for a new era"
    assert level.rung == 5


def test_level_key_folds_partners_hyphens_and_era():
    assert level_key("All-Weather Strategic Cooperative Partners") == \
        "all weather strategic cooperative partnership"
    assert level_key("x in the new era") == level_key("x for a new era")


def test_plural_is_not_a_level():
    assert list(load_ladder().find("China has strategic partnerships with many states.")) == []


def test_upgrade_with_its_own_date(run):
    doc = run("During a visit to Tashkent in 2022, the leaders of China and Uzbekistan "
              "raised relations to a comprehensive strategic partnership.")
    (relation,) = doc.relations
    assert relation.countries == ["CHN", "UZB"]
    assert (relation.level, relation.rung) == ("comprehensive strategic partnership", 4)
    assert (relation.since, relation.as_of) == ("2022", None)
    assert doc.text[relation.start:relation.end].startswith("During a visit")


def test_upgrade_announced_now_dates_from_the_report(run):
    doc = run("Kazakhstan and Hungary will elevate bilateral relations to a strategic "
              "partnership, the two leaders announced.", date="2024-11-12")
    (relation,) = doc.relations
    assert (relation.countries, relation.level) == (["HUN", "KAZ"], "strategic partnership")
    assert (relation.since, relation.as_of) == ("2024-11-12", None)


def test_new_era_upgrade_in_a_declaration(run):
    doc = run("Uzbekistan and China signed a joint declaration on establishing a "
              "comprehensive strategic partnership in the new era.", date="2024-01-25")
    (relation,) = doc.relations
    assert relation.level == "comprehensive strategic partnership for a new era"
    assert relation.since == "2024-01-25"


def test_perfect_background_upgrade_has_no_date(run):
    doc = run("Over three decades Kyrgyzstan and Turkey have gone from first contacts to "
              "the signing of a strategic partnership.")
    (relation,) = doc.relations
    assert (relation.since, relation.as_of) == (None, None)


def test_description_is_as_of_the_report(run):
    doc = run("Relations between Russia and Tajikistan are a strategic partnership.",
              date="2023-10-05")
    (relation,) = doc.relations
    assert (relation.countries, relation.since, relation.as_of) == \
        (["RUS", "TJK"], None, "2023-10-05")


@pytest.mark.parametrize("text, pair", [
    ("The Sino-Kazakh comprehensive strategic partnership keeps growing.", ["CHN", "KAZ"]),
    ("Kazakhstan and China are comprehensive strategic partners.", ["CHN", "KAZ"]),
    ("Moscow and Beijing praised their comprehensive strategic partnership of coordination "
     "for a new era.", ["CHN", "RUS"]),
])
def test_pairs_from_compounds_partners_and_capitals(run, text, pair):
    (relation,) = doc_relations = run(text).relations
    assert relation.countries == pair and relation.as_of == "2025-02-06", doc_relations


def test_pair_from_the_article_when_the_sentence_says_bilateral(run):
    doc = run("Pakistani Prime Minister Shehbaz Sharif arrived in Beijing. China and "
              "Pakistan signed new deals.\n\nThe two countries call their bilateral ties an "
              "all-weather strategic cooperative partnership.")
    (relation,) = doc.relations
    assert relation.countries == ["CHN", "PAK"]
    assert relation.level == "all-weather strategic cooperative partnership"


def test_no_pair_no_relation(run):
    assert run("A strategic partnership needs trust and patience.").relations == []


def test_low_rungs_only_when_established(run):
    described = run("Tajikistan and Afghanistan maintain friendly relations.")
    assert described.relations == []
    established = run("Kyrgyzstan and Uzbekistan established friendly relations in 1993.")
    (relation,) = established.relations
    assert (relation.level, relation.rung, relation.since) == ("friendly relations", 1, "1993")


def test_no_limits_partnership_with_a_month(run):
    doc = run("Moscow and Beijing declared a no-limits partnership in February 2022.",
              date="2022-03-01")
    (relation,) = doc.relations
    assert (relation.countries, relation.level) == (["CHN", "RUS"], "no-limits partnership")
    assert relation.since == "2022-02"


def test_repeated_statement_is_one_relation(run):
    doc = run("Kazakhstan and China are comprehensive strategic partners. Ties between "
              "Kazakhstan and China remain a comprehensive strategic partnership.")
    assert len(doc.relations) == 1


def test_past_copula_description_is_not_dated_now(run):
    doc = run("In those days relations between Russia and Georgia were a strategic "
              "partnership.")
    (relation,) = doc.relations
    assert (relation.since, relation.as_of) == (None, None)


def test_the_level_raised_from_is_not_recorded(run):
    doc = run("In 2019 China and Kazakhstan upgraded their comprehensive strategic partnership "
              "to a permanent comprehensive strategic partnership.")
    assert [(r.level, r.since, r.as_of) for r in doc.relations] == [
        ("permanent comprehensive strategic partnership", "2019", None)]


def test_the_level_raised_from_after_from_is_not_recorded(run):
    doc = run("Last year Uzbekistan and China raised ties from a comprehensive strategic "
              "partnership to a comprehensive strategic partnership for a new era.")
    assert [(r.level, r.since) for r in doc.relations] == [
        ("comprehensive strategic partnership for a new era", "2024")]
