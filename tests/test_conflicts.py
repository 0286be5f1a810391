"""Contradictions between documents built from hand-written texts by the real pipeline."""

from __future__ import annotations

import pytest

import dyadwatch.stages.facts  # noqa: F401 - the imports register the record stages
import dyadwatch.stages.projects  # noqa: F401
import dyadwatch.stages.relations  # noqa: F401
from dyadwatch.conflicts import CONFLICT_KINDS, conflicts_from_store, find_conflicts
from dyadwatch.pipeline import DEFAULT_STAGES, Pipeline
from dyadwatch.readers import Article, article_to_document
from dyadwatch.registry import load_registry
from dyadwatch.store import Store


@pytest.fixture(scope="module")
def run():
    pipeline = Pipeline(tuple(dict.fromkeys((*DEFAULT_STAGES, "facts", "relations",
                                             "projects"))))

    def run(text: str, date: str | None = "2025-03-14", source: str = "<test>"):
        article = Article(source=source, text=text, encoding="utf-8", fmt="txt",
                          published=date)
        return pipeline(article_to_document(article))

    return run


def kinds(conflicts):
    return [conflict["kind"] for conflict in conflicts]


def check_items(conflict, docs):
    by_id = {doc.doc_id: doc for doc in docs}
    for item in conflict["items"]:
        assert set(item) == {"doc_id", "source", "value", "evidence", "start", "end"}
        if item["doc_id"] is not None:
            assert by_id[item["doc_id"]].text[item["start"]:item["end"]] == item["evidence"]


TRADE = "Trade between Kazakhstan and Uzbekistan reached {} in 2024."


def test_different_figures_for_one_indicator_pair_and_period(run):
    docs = [run(TRADE.format("$4.4 billion"), source="a.txt"),
            run(TRADE.format("$5.1 billion"), source="b.txt")]
    (conflict,) = find_conflicts(docs)
    assert conflict["kind"] == "figure"
    assert conflict["key"] == "trade_value KAZ-UZB 2024"
    assert sorted(item["value"]["value"] for item in conflict["items"]) == [4.4e9, 5.1e9]
    assert "$4.4 billion" in conflict["note"] and "$5.1 billion" in conflict["note"]
    check_items(conflict, docs)


@pytest.mark.parametrize("other", ["$4.42 billion", "more than $4 billion", "about $4.6 billion"])
def test_figures_that_can_both_hold_do_not_conflict(run, other):
    docs = [run(TRADE.format("$4.4 billion")), run(TRADE.format(other))]
    assert find_conflicts(docs) == []


def test_another_period_is_no_conflict(run):
    docs = [run(TRADE.format("$4.4 billion")),
            run(TRADE.format("$5.1 billion").replace("2024", "2023"))]
    assert find_conflicts(docs) == []


MEETING = ("Uzbek President Shavkat Mirziyoyev met Kazakh President Kassym-Jomart Tokayev in "
           "Samarkand on {}.")


def test_one_meeting_in_one_place_dated_differently(run):
    docs = [run(MEETING.format("Thursday"), source="a.txt"),
            run(MEETING.format("Wednesday"), source="b.txt")]
    assert [e.location for doc in docs for e in doc.events] == ["Samarkand", "Samarkand"]
    (conflict,) = find_conflicts(docs)
    assert conflict["kind"] == "event_date"
    assert sorted(item["value"] for item in conflict["items"]) == ["2025-03-12", "2025-03-13"]
    assert conflict["key"] == "CONSULT KAZ-UZB Samarkand"
    check_items(conflict, docs)


def test_meetings_in_one_place_a_year_apart_are_two_occasions(run):
    docs = [run(MEETING.format("Thursday")), run(MEETING.format("Thursday"), date="2024-03-15")]
    assert find_conflicts(docs) == []


def test_one_numbered_meeting_dated_differently(run):
    docs = [run("Tokayev and Mirziyoyev met at the 5th Consultative Meeting of Heads of State "
                "of Central Asia on Wednesday.", date="2023-09-15"),
            run("Kazakh President Tokayev met Uzbek President Mirziyoyev on September 12 at "
                "the 5th Consultative Meeting of Heads of State of Central Asia.",
                date="2023-09-20")]
    (conflict,) = find_conflicts(docs)
    assert conflict["kind"] == "event_date"
    assert sorted(item["value"] for item in conflict["items"]) == ["2023-09-12", "2023-09-13"]


LEVEL = "Relations between Kazakhstan and Uzbekistan are {}."


def test_different_levels_for_one_pair_on_one_day(run):
    docs = [run(LEVEL.format("a strategic partnership"), date="2024-06-01"),
            run(LEVEL.format("an alliance"), date="2024-06-01")]
    (conflict,) = find_conflicts(docs)
    assert (conflict["kind"], conflict["key"]) == ("relation_level", "KAZ-UZB 2024-06")
    assert sorted(item["value"]["level"] for item in conflict["items"]) == \
        ["alliance", "strategic partnership"]
    check_items(conflict, docs)


def test_an_upgrade_that_month_explains_a_change_between_days(run):
    docs = [run(LEVEL.format("a strategic partnership"), date="2024-06-01"),
            run("Kazakhstan and Uzbekistan elevated their ties to an alliance on Monday. "
                + LEVEL.format("an alliance"), date="2024-06-05")]
    assert [(r.level, r.since, r.as_of) for r in docs[1].relations] == [
        ("alliance", "2024-06-03", None), ("alliance", None, "2024-06-05")]
    assert "relation_level" not in kinds(find_conflicts(docs))
    without_upgrade = [docs[0], run(LEVEL.format("an alliance"), date="2024-06-05")]
    assert kinds(find_conflicts(without_upgrade)) == ["relation_level"]


def test_one_level_said_to_date_from_different_years(run):
    text = "Kazakhstan and Uzbekistan raised their ties to a strategic partnership in {}."
    docs = [run(text.format(2017)), run(text.format(2021))]
    (conflict,) = find_conflicts(docs)
    assert (conflict["kind"], conflict["key"]) == ("relation_since",
                                                   "KAZ-UZB strategic partnership")
    assert sorted(item["value"]["since"] for item in conflict["items"]) == ["2017", "2021"]


def test_project_named_with_a_country_the_registry_does_not_list(run):
    docs = [run("Officials discussed the China-Kyrgyzstan-Ukraine railway project on "
                "Monday.", source="wrong.txt"),
            run("Officials discussed the China-Kyrgyzstan-Uzbekistan railway on Monday.",
                source="right.txt")]
    (conflict,) = find_conflicts(docs, load_registry())
    assert (conflict["kind"], conflict["key"]) == ("project_countries", "project:cku_railway")
    values = [(item["source"], item["value"]["countries"]) for item in conflict["items"]]
    assert values == [("wrong.txt", ["CHN", "KGZ", "UKR"]), ("right.txt", ["CHN", "KGZ", "UZB"]),
                      ("registry", ["CHN", "KGZ", "UZB"])]
    assert conflict["items"][0]["evidence"] == "China-Kyrgyzstan-Ukraine railway project"
    assert "UKR" in conflict["note"] and "wrong.txt" in conflict["note"]
    check_items(conflict, docs)


def test_agreeing_documents_have_no_conflicts(run):
    docs = [run(TRADE.format("$4.4 billion") + " " + LEVEL.format("a strategic partnership")),
            run(TRADE.format("$4.4 billion") + " " + LEVEL.format("a strategic partnership"))]
    assert find_conflicts(docs) == []


def test_conflicts_from_the_store_are_those_of_the_documents(run, tmp_path):
    docs = [run(TRADE.format("$4.4 billion"), source="a.txt"),
            run(TRADE.format("$5.1 billion"), source="b.txt"),
            run("Officials discussed the China-Kyrgyzstan-Ukraine railway.", source="c.txt")]
    path = tmp_path / "conflicts.db"
    with Store(path) as store:
        for doc in docs:
            store.write(doc)
    with Store(path, readonly=True) as store:
        stored = conflicts_from_store(store, page_size=2)
    assert sorted(kinds(stored)) == sorted(kinds(find_conflicts(docs))) == \
        ["figure", "project_countries"]
    assert set(CONFLICT_KINDS) >= set(kinds(stored))
