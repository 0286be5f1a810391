"""The five seed articles (read from ../shared/seeds) through the full pipeline: facts,
relations, projects, kinds and the project contradiction, checked against the gold file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dyadwatch.stages.facts  # noqa: F401 - the imports register the record stages
import dyadwatch.stages.projects  # noqa: F401
import dyadwatch.stages.relations  # noqa: F401
import dyadwatch.stages.source_kind  # noqa: F401
from dyadwatch.conflicts import find_conflicts
from dyadwatch.evaluate.measures import date_agrees, fold
from dyadwatch.evaluate.records import level_key
from dyadwatch.pipeline import DEFAULT_STAGES, Pipeline
from dyadwatch.readers import Article, article_to_document, read_paths

STAGES = tuple(dict.fromkeys((*DEFAULT_STAGES, "facts", "relations", "projects",
                              "source_kind")))


@pytest.fixture(scope="module")
def gold(gold_path: Path) -> dict[str, dict]:
    return {doc["file"]: doc for doc in json.loads(gold_path.read_text("utf-8"))["documents"]}


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> dict[str, object]:
    pipeline = Pipeline(STAGES)
    paths = sorted(str(path) for path in seeds_dir.glob("*.txt"))
    articles = [item for item in read_paths(paths) if isinstance(item, Article)]
    assert len(articles) == len(paths), "every seed must be readable"
    return {Path(article.source).name: pipeline(article_to_document(article))
            for article in articles}


def test_kinds_and_undated(seeds, gold):
    for name, expected in gold.items():
        doc = seeds[name]
        assert doc.meta.kind == expected["meta"]["kind"], (name, doc.meta.kind_reason)
        assert ("undated: no publication date found" in doc.problems) == \
            (expected["meta"]["published"] is None), name


def _fact_agrees(fact, expected) -> bool:
    return (fact.indicator == expected["indicator"]
            and sorted(fact.countries) == sorted(expected["countries"])
            and fact.period == expected["period"]
            and abs(fact.value - expected["value"]) <= 0.01 * expected["value"])


def test_facts(seeds, gold):
    for name, expected_doc in gold.items():
        doc = seeds[name]
        expected = expected_doc.get("facts", [])
        assert len(doc.facts) == len(expected), (name, doc.facts)
        for item in expected:
            (fact,) = [fact for fact in doc.facts if _fact_agrees(fact, item)]
            assert fact.unit == item["unit"] and fact.currency == item["unit"]
            assert fact.change_pct == item.get("change_pct")
            assert fact.qualifier == item.get("qualifier")
            assert fact.attributed_to == item.get("attributed_to")
            for key in ("count_programs",):
                assert fact.extra.get(key) == item.get(key)
            assert doc.text[fact.start:fact.end] in item["evidence"]


def test_relations(seeds, gold):
    for name, expected_doc in gold.items():
        doc = seeds[name]
        expected = expected_doc.get("relations", [])
        for relation in doc.relations:  # every relation reported is one the gold has
            assert any(level_key(relation.level) == level_key(item["level"])
                       and relation.countries == sorted(item["countries"])
                       for item in expected), (name, relation)
        for item in expected:
            agreeing = [r for r in doc.relations if level_key(r.level) == level_key(item["level"])
                        and r.countries == sorted(item["countries"])]
            dated = [r for r in agreeing
                     if all(date_agrees(getattr(r, key), item[key])
                            for key in ("since", "as_of") if item.get(key))]
            assert dated, (name, item, agreeing)


def _names(record) -> set[str]:
    return {fold(name) for name in [record.name, *record.mentions]}


def test_projects(seeds, gold):
    for name, expected_doc in gold.items():
        doc = seeds[name]
        gold_names = [{fold(n) for n in [p["name"], *p["mentions"]]}
                      for p in expected_doc.get("projects", [])]
        entity_names = [{fold(n) for n in [e["id"], *e["mentions"]]}
                        for e in expected_doc["entities"] if e["type"] == "PROJECT"]
        for record in doc.projects:  # a gold project, or a project entity of the gold
            assert any(_names(record) & names for names in gold_names + entity_names), \
                (name, record.project_id, record.mentions)
        for item, names in zip(expected_doc.get("projects", []), gold_names, strict=True):
            (record,) = [r for r in doc.projects if _names(r) & names]
            for milestone in item["milestones"]:
                assert any(m.status == milestone["status"]
                           and date_agrees(m.date, milestone["date"])
                           for m in record.milestones), (name, item["name"], record.milestones)


def test_the_misnamed_railway_is_flagged(seeds, gold):
    conflicts = [c for c in find_conflicts(seeds.values()) if c["kind"] == "project_countries"]
    (conflict,) = conflicts
    wrong = seeds["001_71c2c0a38d36d25c.txt"]
    (record,) = [r for r in wrong.projects if "ukraine" in " ".join(_names(r))]
    assert conflict["key"] == record.project_id
    assert set(record.stated_countries) - set(record.countries) == {"UKR"}
    assert sorted(record.countries) == sorted(
        next(p for p in gold["001_71c2c0a38d36d25c.txt"]["projects"])["countries"])
    sources = {Path(item["source"]).name for item in conflict["items"]}
    assert {"001_71c2c0a38d36d25c.txt", "002_3a5232dc5e8b292a.txt", "registry"} <= sources
