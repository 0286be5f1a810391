"""The evaluator: scoring rules on hand-built Documents, sentence mode, and gold self-agreement."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyadwatch.document import (
    Actor,
    Document,
    Entity,
    Event,
    Fact,
    Mention,
    Meta,
    Milestone,
    ProjectRecord,
    Relation,
    Span,
)
from dyadwatch.errors import UsageError
from dyadwatch.evaluate import load_gsr, run_eval, score_corpus, score_gsr, system_view
from dyadwatch.evaluate.entities import _alias_pattern
from dyadwatch.evaluate.gsr import OLD_CODES, gold_codes, gold_type
from dyadwatch.evaluate.measures import date_agrees, date_range, fold, occurs_in
from dyadwatch.stages.normalise import normalise_text

# Two short articles written for these tests, and what an analyst would read out of them.
TEXT_A = (
    "Paris, 4 March 2024\n"
    "French President Marie Dupont met German Chancellor Karl Weber in Paris on Monday.\n"
    "Dupont said France will expand trade with Germany.\n"
    "Weber visited Lyon from 3 to 5 March.\n"
    "Trade between the two countries reached 10 billion dollars in 2023.\n"
    "The leaders praised their strategic partnership for a new era.\n"
    "The Rhine Bridge was opened in 2023. Both sides back the Euro Rail plan.\n"
    "Read also: Deutschland accuses France of dumping steel\n"
)
TEXT_B = (
    "Weber and Dupont talk energy\n"
    "Chancellor Weber telephoned President Dupont about energy prices in May 2024.\n"
)
NEGATIVE_A = "Read also: Deutschland accuses France of dumping steel"

GOLD: dict[str, Any] = {
    "corpus": "tests",
    "documents": [
        {
            "file": "a.txt",
            "meta": {"published": "2024-03-04", "kind": "news"},
            "entities": [
                {"id": "Marie Dupont", "type": "PERSON", "country": "FRA", "required": True,
                 "mentions": ["Marie Dupont", "Dupont", "Madame Dupont"]},
                {"id": "Karl Weber", "type": "PERSON", "country": "DEU", "required": True,
                 "mentions": ["Karl Weber", "Weber"]},
                {"id": "France", "type": "COUNTRY", "required": True,
                 "mentions": ["France", "French"]},
                {"id": "Germany", "type": "COUNTRY", "required": True,
                 "mentions": ["Germany", "German", "Deutschland"]},
                {"id": "Paris", "type": "LOCATION", "required": True, "mentions": ["Paris"]},
                {"id": "Lyon", "type": "LOCATION", "required": False, "mentions": ["Lyon"]},
                {"id": "Rhine Bridge", "type": "PROJECT", "required": True,
                 "mentions": ["Rhine Bridge"]},
                {"id": "Euro Rail", "type": "PROJECT", "required": False,
                 "mentions": ["Euro Rail", "Euro Rail plan"]},
            ],
            "events": [
                {"plover": "CONSULT", "source": "FRA", "target": "DEU", "date": "2024-03-04",
                 "required": True,
                 "evidence": "French President Marie Dupont met German Chancellor Karl Weber"},
                {"plover": "AGREE", "source": "FRA", "target": "DEU", "date": "2024-03-04",
                 "date_tolerance_days": 1, "required": True,
                 "evidence": "Dupont said France will expand trade with Germany"},
                {"plover": "CONSULT", "source": "DEU", "target": "FRA",
                 "date": "2024-03-03/2024-03-05", "required": True,
                 "evidence": "Weber visited Lyon from 3 to 5 March"},
                {"plover": "SUPPORT", "source": "FRA", "target": "DEU", "date": None,
                 "required": False,
                 "evidence": "The leaders praised their strategic partnership for a new era"},
            ],
            "facts": [
                {"indicator": "trade_value", "countries": ["FRA", "DEU"], "period": "2023",
                 "value": 10_000_000_000, "unit": "USD",
                 "evidence": "Trade between the two countries reached 10 billion dollars"},
            ],
            "relations": [
                {"countries": ["FRA", "DEU"], "level": "strategic partnership for a new era",
                 "since": None, "as_of": "2024-03-04",
                 "evidence": "their strategic partnership for a new era"},
            ],
            "projects": [
                {"name": "Rhine Bridge", "countries": ["FRA", "DEU"], "mentions": ["Rhine Bridge"],
                 "milestones": [{"status": "opened", "date": "2023"}]},
            ],
            "negatives": [NEGATIVE_A],
        },
        {
            "file": "b.txt",
            "meta": {"published": None, "kind": "opinion"},
            "entities": [
                {"id": "Karl Weber", "type": "PERSON", "country": "DEU", "required": True,
                 "mentions": ["Karl Weber", "Weber", "Chancellor Weber"]},
                {"id": "Marie Dupont", "type": "PERSON", "country": "FRA", "required": True,
                 "mentions": ["Marie Dupont", "Dupont", "President Dupont"]},
            ],
            "events": [
                {"plover": "CONSULT", "source": "DEU", "target": "FRA", "date": "2024-05",
                 "required": True,
                 "evidence": "Chancellor Weber telephoned President Dupont about energy prices"},
            ],
            "facts": [],
            "relations": [],
            "projects": [],
            "negatives": [],
        },
    ],
}
TEXTS = {"a.txt": TEXT_A, "b.txt": TEXT_B}


# Building a "system" out of a gold document --------------------------------------------


def document_from_gold(gold_doc: dict[str, Any], raw: str) -> Document:
    """A Document that reports exactly what ``gold_doc`` says, with spans found in the text."""
    text, offsets = normalise_text(raw)
    doc = Document(source=gold_doc["file"], raw=raw, text=text, offsets=offsets)
    doc.meta = Meta(published=gold_doc["meta"]["published"], kind=gold_doc["meta"]["kind"])
    for entity in gold_doc["entities"]:
        doc.entities.append(Entity(id=entity["id"], name=entity["id"], type=entity["type"],
                                   country=entity.get("country")))
        for mention in entity["mentions"]:
            # every occurrence, as a system that found them all would report them
            for match in _alias_pattern(mention).finditer(text):
                doc.mentions.append(Mention(match.start(), match.end(), match.group(),
                                            entity["type"], entity_id=entity["id"]))
    doc.events = [_event_from_gold(event, text) for event in gold_doc["events"]]
    doc.facts = [Fact(f["indicator"], f["value"], f.get("unit"), 0, 0,
                      countries=list(f["countries"]), period=f["period"])
                 for f in gold_doc["facts"]]
    doc.relations = [Relation(list(r["countries"]), r["level"], 0, 0, 0, since=r.get("since"),
                              as_of=r.get("as_of")) for r in gold_doc["relations"]]
    doc.projects = [ProjectRecord(p["name"], p["name"], 0, 0, mentions=list(p["mentions"]),
                                  milestones=[Milestone(m["status"], m["date"], 0, 0)
                                              for m in p["milestones"]])
                    for p in gold_doc["projects"]]
    return doc


def _event_from_gold(event: dict[str, Any], text: str) -> Event:
    start = text.find(event["evidence"])
    assert start >= 0, f"evidence not in the text: {event['evidence']!r}"
    return make_event(event["plover"], event["source"], event["target"], event["date"],
                      start, start + len(event["evidence"]))


def make_event(plover: str, source: str | None, target: str | None, when: str | None,
               start: int = 0, end: int = 1, *, confidence: float = 1.0) -> Event:
    return Event(plover=plover, cameo="", start=start, end=end, date=when,
                 source=Actor(text=source or "", start=start, end=start, country=source),
                 target=Actor(text=target or "", start=start, end=start, country=target),
                 confidence=confidence)


@pytest.fixture
def docs() -> dict[str, Document]:
    return {d["file"]: document_from_gold(d, TEXTS[d["file"]]) for d in GOLD["documents"]}


def numbers(results: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Every number in the results (details left out), keyed by dotted path."""
    found = {}
    for key, value in results.items():
        if key == "details":
            continue
        if isinstance(value, dict):
            found.update(numbers(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found


def at(text: str, phrase: str) -> tuple[int, int]:
    start = text.find(phrase)
    assert start >= 0
    return start, start + len(phrase)


# The perfect system ----------------------------------------------------------------------


def test_perfect_system_scores_one_everywhere(docs: dict[str, Document]) -> None:
    results = score_corpus(GOLD, docs)
    figures = numbers(results)
    assert figures.pop("events.negative_violations") == 0
    assert figures and all(value == 1.0 for value in figures.values()), figures
    assert results["details"]["warnings"] == []


def test_results_have_exactly_the_agreed_keys(docs: dict[str, Document]) -> None:
    results = score_corpus(GOLD, docs)
    assert set(results) == {"published_accuracy", "entities", "resolution", "events", "facts",
                            "relations", "projects", "kind_accuracy", "details"}
    assert set(results["entities"]["by_type"]) == {"PERSON", "COUNTRY", "ORG", "LOCATION",
                                                   "PROJECT"}
    assert {"precision_nodate", "recall_nodate", "negative_violations"} <= set(results["events"])
    json.dumps(results)  # the whole report, details included, is plain JSON


# Entities ----------------------------------------------------------------------------------


def drop_entity(doc: Document, entity_id: str) -> None:
    doc.mentions = [m for m in doc.mentions if m.entity_id != entity_id]
    doc.entities = [e for e in doc.entities if e.id != entity_id]


def test_missed_required_entity_lowers_recall_of_its_type(docs: dict[str, Document]) -> None:
    drop_entity(docs["a.txt"], "Paris")
    results = score_corpus(GOLD, docs)
    assert results["entities"]["by_type"]["LOCATION"]["recall"] == 0.0
    assert results["entities"]["by_type"]["PERSON"]["recall"] == 1.0
    assert results["entities"]["recall"] == pytest.approx(7 / 8)  # 6 required in a, 2 in b
    assert results["entities"]["precision"] == 1.0
    missed = results["details"]["documents"]["a.txt"]["entities"]["missed"]
    assert [row["id"] for row in missed] == ["Paris"]


def test_missing_a_non_required_entity_costs_nothing(docs: dict[str, Document]) -> None:
    drop_entity(docs["a.txt"], "Lyon")
    assert score_corpus(GOLD, docs)["entities"]["f1"] == 1.0


def test_unmatched_system_entity_is_a_false_positive(docs: dict[str, Document]) -> None:
    doc = docs["a.txt"]
    start, end = at(doc.text, "Monday")
    doc.mentions.append(Mention(start, end, "Monday", "PERSON", entity_id="monday"))
    results = score_corpus(GOLD, docs)
    assert results["entities"]["by_type"]["PERSON"]["precision"] == pytest.approx(4 / 5)
    assert results["entities"]["recall"] == 1.0
    false_positives = results["details"]["documents"]["a.txt"]["entities"]["false_positives"]
    assert [row["mentions"] for row in false_positives] == [["Monday"]]


def test_entity_of_the_wrong_type_is_a_miss_and_a_false_positive(
    docs: dict[str, Document],
) -> None:
    doc = docs["a.txt"]
    next(e for e in doc.entities if e.id == "Paris").type = "ORG"
    results = score_corpus(GOLD, docs)
    assert results["entities"]["by_type"]["ORG"]["precision"] == 0.0
    assert results["entities"]["by_type"]["LOCATION"]["recall"] == 0.0


def test_matching_folds_case_and_punctuation(docs: dict[str, Document]) -> None:
    doc = docs["a.txt"]
    drop_entity(doc, "Karl Weber")
    doc.mentions.append(Mention(0, 1, "KARL-WEBER,", "PERSON", entity_id="k"))
    assert score_corpus(GOLD, docs)["entities"]["f1"] == 1.0


def test_unlinked_mentions_are_entities_too(docs: dict[str, Document]) -> None:
    doc = docs["a.txt"]
    start, end = at(doc.text, "Lyon")
    doc.mentions += [Mention(start, end, "Lyon", "LOCATION"), Mention(0, 5, "Paris", "LOCATION")]
    view = system_view(doc)
    unlinked = [e for e in view["entities"] if e["id"].startswith("unlinked:")]
    assert sorted(e["mentions"][0] for e in unlinked) == ["Lyon", "Paris"]
    doc.mentions.append(Mention(0, 5, "Zenda", "LOCATION"))
    assert score_corpus(GOLD, docs)["entities"]["by_type"]["LOCATION"]["precision"] < 1.0


def test_system_view_scores_only_gold_types_and_uses_names_without_mentions() -> None:
    doc = Document(source="x.txt", raw="He met her.", text="He met her.")
    doc.entities = [Entity("p1", "Anna Berg", "PERSON"), Entity("r1", "minister", "ROLE")]
    doc.mentions = [Mention(0, 2, "He", "PRONOUN", entity_id="p9"),
                    Mention(7, 10, "her", "PRONOUN")]
    assert system_view(doc)["entities"] == [
        {"id": "p1", "type": "PERSON", "country": None, "mentions": ["Anna Berg"], "spans": []}]


# Alias recall -------------------------------------------------------------------------------


def test_split_entity_fails_alias_recall_but_not_precision(docs: dict[str, Document]) -> None:
    doc = docs["a.txt"]
    for mention in doc.mentions:
        if mention.text == "Dupont":
            mention.entity_id = "dupont-split"
    results = score_corpus(GOLD, docs)
    assert results["entities"]["precision"] == 1.0
    assert results["entities"]["recall"] == 1.0
    # Required entities with a mention in the text: 6 in a, 2 in b; one PERSON of 4 fails.
    assert results["entities"]["alias_recall"] == pytest.approx(7 / 8)
    assert results["entities"]["alias_recall_person"] == pytest.approx(3 / 4)
    failures = results["details"]["documents"]["a.txt"]["entities"]["alias_failures"]
    assert failures == [{"id": "Marie Dupont", "type": "PERSON", "aliases_in_text": {
        "dupont": ["dupont-split"], "marie dupont": ["Marie Dupont"]}}]


def test_alias_recall_asks_only_for_aliases_written_outside_negatives(
    docs: dict[str, Document],
) -> None:
    # "Madame Dupont" is not in the text and "Deutschland" only in a negative span.
    names = {m.text for m in docs["a.txt"].mentions}
    assert "Madame Dupont" not in names
    docs["a.txt"].mentions = [m for m in docs["a.txt"].mentions if m.text != "Deutschland"]
    assert score_corpus(GOLD, docs)["entities"]["alias_recall"] == 1.0


def test_alias_present_in_text_but_missing_fails(docs: dict[str, Document]) -> None:
    docs["a.txt"].mentions = [m for m in docs["a.txt"].mentions if m.text != "French"]
    results = score_corpus(GOLD, docs)
    assert results["entities"]["alias_recall"] == pytest.approx(7 / 8)
    assert results["entities"]["recall"] == 1.0


def test_occurs_in_respects_word_boundaries() -> None:
    assert occurs_in("BRI", fold("the BRI, again"))
    assert not occurs_in("BRI", fold("Bright Road"))
    assert fold('"Ata-Jurt" party') == "ata jurt party"


# Cross-document resolution --------------------------------------------------------------------


def rename(doc: Document, old: str, new: str) -> None:
    for mention in doc.mentions:
        if mention.entity_id == old:
            mention.entity_id = new
    for entity in doc.entities:
        if entity.id == old:
            entity.id = new


def test_resolution_not_merged_across_documents(docs: dict[str, Document]) -> None:
    rename(docs["b.txt"], "Marie Dupont", "dupont-2")
    results = score_corpus(GOLD, docs)
    # Occurrences: Dupont and Weber in a and b; gold "same" pairs: 2; the system keeps one.
    assert results["resolution"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3)}
    errors = results["details"]["resolution_errors"]
    assert [e["kind"] for e in errors] == ["not merged"]


def test_resolution_wrongly_merged(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        rename(doc, "Marie Dupont", "leader")
        rename(doc, "Karl Weber", "leader")
    results = score_corpus(GOLD, docs)
    # All 6 pairs of the 4 occurrences are "same" for the system; 2 are for the gold.
    assert results["resolution"]["precision"] == pytest.approx(2 / 6)
    assert results["resolution"]["recall"] == 1.0


# Events -----------------------------------------------------------------------------------------


def replace_event(doc: Document, index: int, **changes: Any) -> None:
    event = doc.events[index]
    for name, value in changes.items():
        if name in ("source", "target"):
            value = Actor(text=value or "", start=0, end=0, country=value)
        setattr(event, name, value)


@pytest.mark.parametrize(
    ("index", "system_date", "agrees"),
    [
        (1, "2024-03-05", True),  # tolerance of one day
        (1, "2024-03-03", True),
        (1, "2024-03-06", False),
        (0, "2024-03-05", False),  # no tolerance
        (0, "2024-03", False),  # coarser than the gold precision
        (0, None, False),
        (2, "2024-03-04", True),  # inside the gold interval
        (2, "2024-03-03/2024-03-05", True),
        (2, "2024-03-02/2024-03-04", False),
        (2, "2024-03-06", False),  # intervals are not widened without a tolerance
    ],
)
def test_event_dates(docs: dict[str, Document], index: int, system_date: str | None,
                     agrees: bool) -> None:
    gold_event = GOLD["documents"][0]["events"][index]
    replace_event(docs["a.txt"], index, date=system_date)
    # Only the gold event under test is reported, so no other event can find it.
    docs["a.txt"].events = [docs["a.txt"].events[index]]
    results = score_corpus(GOLD, docs)
    missed = [row["evidence"] for row in results["details"]["documents"]["a.txt"]["events"]["missed"]]
    assert (gold_event["evidence"] not in missed) == agrees
    missed_nodate = results["details"]["documents"]["a.txt"]["events"]["missed_nodate"]
    assert gold_event["evidence"] not in [row["evidence"] for row in missed_nodate]


def test_month_gold_date_takes_any_day_of_the_month(docs: dict[str, Document]) -> None:
    replace_event(docs["b.txt"], 0, date="2024-05-31")
    assert score_corpus(GOLD, docs)["events"]["f1"] == 1.0
    replace_event(docs["b.txt"], 0, date="2024-06-01")
    assert score_corpus(GOLD, docs)["events"]["recall"] == pytest.approx(3 / 4)


def test_null_gold_date_needs_a_null_system_date(docs: dict[str, Document]) -> None:
    replace_event(docs["a.txt"], 3, date="2024-03-04")
    results = score_corpus(GOLD, docs)
    assert results["events"]["precision"] == pytest.approx(4 / 5)
    assert results["events"]["recall"] == 1.0  # the event is not required
    assert results["events"]["precision_nodate"] == 1.0
    false_positive = results["details"]["documents"]["a.txt"]["events"]["false_positives"][0]
    assert "date" in false_positive["reason"]


def test_event_pair_is_unordered(docs: dict[str, Document]) -> None:
    replace_event(docs["a.txt"], 0, source="DEU", target="FRA")
    assert score_corpus(GOLD, docs)["events"]["f1"] == 1.0


def test_wrong_type_or_countries_is_a_miss_and_a_false_positive(
    docs: dict[str, Document],
) -> None:
    replace_event(docs["a.txt"], 0, plover="THREATEN")
    replace_event(docs["b.txt"], 0, target="ITA")
    results = score_corpus(GOLD, docs)
    assert results["events"]["recall"] == pytest.approx(2 / 4)
    assert results["events"]["precision"] == pytest.approx(3 / 5)
    # Without dates, the visit (CONSULT, DEU-FRA) also finds the meeting (CONSULT, FRA-DEU).
    assert results["events"]["recall_nodate"] == pytest.approx(3 / 4)
    reasons = [row["reason"] for doc in ("a.txt", "b.txt")
               for row in results["details"]["documents"][doc]["events"]["false_positives"]]
    assert reasons[0].startswith("type THREATEN") and reasons[1].startswith("countries")


def test_event_precision_rules(docs: dict[str, Document]) -> None:
    doc = docs["a.txt"]
    # A duplicate of a found event is not a false positive; an event matching nothing is.
    doc.events.append(make_event("CONSULT", "FRA", "DEU", "2024-03-04", 30, 40))
    doc.events.append(make_event("THREATEN", "FRA", "DEU", "2024-03-04", 30, 40))
    results = score_corpus(GOLD, docs)
    assert results["events"]["precision"] == pytest.approx(6 / 7)
    assert results["events"]["recall"] == 1.0


def test_dropping_an_optional_event_costs_nothing(docs: dict[str, Document]) -> None:
    docs["a.txt"].events.pop(3)
    assert score_corpus(GOLD, docs)["events"]["f1"] == 1.0


def test_event_inside_a_negative_span_is_a_violation(docs: dict[str, Document]) -> None:
    doc = docs["a.txt"]
    doc.events.pop(0)  # the CONSULT event is now only reported from the negative span
    start, end = at(doc.text, NEGATIVE_A)
    doc.events.append(make_event("CONSULT", "DEU", "FRA", "2024-03-04", start - 5, start + 3))
    results = score_corpus(GOLD, docs)
    assert results["events"]["negative_violations"] == 1
    assert results["events"]["precision"] == pytest.approx(4 / 5)
    assert results["events"]["recall"] == pytest.approx(3 / 4)  # it finds nothing
    violations = results["details"]["documents"]["a.txt"]["events"]["negative_violations"]
    assert violations[0]["span"] == [start - 5, start + 3]


def test_negatives_not_in_the_text_are_warned_about(docs: dict[str, Document]) -> None:
    gold = copy.deepcopy(GOLD)
    gold["documents"][1]["negatives"] = ["Subscribe to our newsletter"]
    warnings = score_corpus(gold, docs)["details"]["warnings"]
    assert warnings == ["b.txt: negative not found in the text: 'Subscribe to our newsletter'"]


def test_boilerplate_coverage_of_negatives_is_reported(docs: dict[str, Document]) -> None:
    doc = docs["a.txt"]
    start, end = at(doc.text, NEGATIVE_A)
    doc.add_span("boilerplate", Span(start, end + 1, "related"))
    negatives = score_corpus(GOLD, docs)["details"]["documents"]["a.txt"]["negatives"]
    assert negatives == [{"text": NEGATIVE_A, "occurrences": 1, "covered_by_boilerplate": True}]


# Facts, relations, projects -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "agrees"),
    [
        ({"value": 10_090_000_000}, True),
        ({"value": 9_910_000_000}, True),
        ({"value": 10_200_000_000}, False),
        ({"value": None}, False),
        ({"countries": ["DEU", "FRA"]}, True),
        ({"countries": ["FRA"]}, False),
        ({"period": "2024"}, False),
        ({"indicator": "investment_value"}, False),
    ],
)
def test_facts(docs: dict[str, Document], changes: dict[str, Any], agrees: bool) -> None:
    fact = docs["a.txt"].facts[0]
    for name, value in changes.items():
        setattr(fact, name, value)
    assert score_corpus(GOLD, docs)["facts"]["f1"] == (1.0 if agrees else 0.0)


@pytest.mark.parametrize(
    ("level", "agrees"),
    [
        ("Strategic Partnership in the New Era", True),
        ("strategic partnership for the new era", True),
        ("strategic partnership", False),
        ("comprehensive strategic partnership for a new era", False),
    ],
)
def test_relation_levels(docs: dict[str, Document], level: str, agrees: bool) -> None:
    docs["a.txt"].relations[0].level = level
    assert score_corpus(GOLD, docs)["relations"]["f1"] == (1.0 if agrees else 0.0)


def test_relation_dates_are_reported_apart(docs: dict[str, Document]) -> None:
    docs["a.txt"].relations[0].as_of = "2023-01-01"
    results = score_corpus(GOLD, docs)["relations"]
    assert results["f1"] == 1.0
    assert results["dated_accuracy"] == 0.0


def test_projects_match_by_name_or_mention(docs: dict[str, Document]) -> None:
    project = docs["a.txt"].projects[0]
    project.name, project.mentions = "Bridge over the Rhine", ["RHINE-bridge"]
    assert score_corpus(GOLD, docs)["projects"]["f1"] == 1.0
    project.mentions = ["the bridge"]
    results = score_corpus(GOLD, docs)["projects"]
    assert (results["precision"], results["recall"]) == (0.0, 0.0)


def test_project_naming_a_gold_project_entity_is_not_a_false_positive(
    docs: dict[str, Document],
) -> None:
    docs["a.txt"].projects.append(ProjectRecord("euro-rail", "Euro Rail plan", 0, 0))
    docs["a.txt"].projects.append(ProjectRecord("canal", "Grand Canal", 0, 0))
    results = score_corpus(GOLD, docs)["projects"]
    assert results["precision"] == pytest.approx(2 / 3)


def test_milestones_are_reported_apart(docs: dict[str, Document]) -> None:
    docs["a.txt"].projects[0].milestones = [Milestone("opened", "2022", 0, 0)]
    results = score_corpus(GOLD, docs)["projects"]
    assert results["f1"] == 1.0
    assert results["milestone_accuracy"] == 0.0


# Meta and missing documents ----------------------------------------------------------------------


def test_published_and_kind_accuracy(docs: dict[str, Document]) -> None:
    docs["a.txt"].meta.published = "2024-03-03"
    docs["b.txt"].meta.kind = "news"
    results = score_corpus(GOLD, docs)
    assert results["published_accuracy"] == 0.5
    assert results["kind_accuracy"] == 0.5
    docs["b.txt"].meta.published = "2024-05-01"  # the gold says the article carries no date
    assert score_corpus(GOLD, docs)["published_accuracy"] == 0.0


def test_missing_document_is_scored_as_empty(docs: dict[str, Document]) -> None:
    del docs["b.txt"]
    results = score_corpus(GOLD, docs)
    assert results["details"]["warnings"] == ["b.txt: no system document (scored as empty)"]
    assert results["events"]["recall"] == pytest.approx(3 / 4)
    assert results["published_accuracy"] == 0.5  # wrong even though the gold date is null
    assert results["kind_accuracy"] == 0.5


# Dates --------------------------------------------------------------------------------------------


def test_date_ranges() -> None:
    assert date_range("2024-02") == (date(2024, 2, 1), date(2024, 2, 29), "month")
    assert date_range("2023") == (date(2023, 1, 1), date(2023, 12, 31), "year")
    assert date_range("2024-02-04/2024-02-07")[2] == "interval"
    for bad in ("2024-13", "2024-02-30", "yesterday", "2024-02-07/2024-02-04", ""):
        assert date_range(bad) is None
    assert not date_agrees("yesterday", "2024-02")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=0, max_value=30))
def test_a_day_lies_in_its_month_and_year_but_not_the_reverse(day: date, tolerance: int) -> None:
    month, year = day.strftime("%Y-%m"), str(day.year)
    assert date_agrees(day.isoformat(), month) and date_agrees(day.isoformat(), year)
    assert not date_agrees(month, day.isoformat())
    shifted = (day + timedelta(days=tolerance)).isoformat()
    assert date_agrees(shifted, day.isoformat(), tolerance_days=tolerance)


# run_eval -------------------------------------------------------------------------------------------


def test_run_eval_reads_files_and_keys_by_name(tmp_path: Path) -> None:
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    gold_path = tmp_path / "tests.gold.json"
    gold_path.write_text(json.dumps(GOLD), encoding="utf-8")
    by_name = {d["file"]: d for d in GOLD["documents"]}

    def process(paths: list[Path]) -> dict[str, Document]:
        # Keyed by full path, as a store may do: run_eval must find them by file name.
        return {str(p): document_from_gold(by_name[p.name], p.read_text(encoding="utf-8"))
                for p in paths}

    results = run_eval(gold_path, tmp_path, process=process)
    assert results["events"]["f1"] == 1.0 and results["details"]["warnings"] == []
    (tmp_path / "b.txt").unlink()
    with pytest.raises(UsageError, match="b.txt"):
        run_eval(gold_path, tmp_path, process=process)


def test_run_eval_rejects_a_malformed_gold(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gold.json"
    bad.write_text('{"documents": [{"name": "a.txt"}]}', encoding="utf-8")
    with pytest.raises(UsageError, match="'file'"):
        run_eval(bad, tmp_path, process=lambda paths: {})


# Sentence mode ---------------------------------------------------------------------------------------

GSR_RECORDS: list[dict[str, Any]] = [
    {"id": "doc", "event": "DOCUMENT", "eventText": "about this file"},
    {"id": "r1", "event": "DEMAND", "text": "Atlantis asked Lemuria to return the ships.",
     "source": [{"code": "ATL"}], "target": [{"code": "LEM"}]},
    {"id": "r2", "event": "AGREE", "text": "Japan and Atlantis agreed to talk.",
     "source": [{"code": "JAP"}], "target": ""},
    {"id": "r3", "event": "FIGHT", "text": "Rebels clashed with a peace force.",
     "source": [{"code": "LEM", "sector": "REB"}], "target": [{"code": "IGO"}]},
    {"id": "r4", "event": "CONSULT", "text": "Nothing to code here.",
     "source": [{"code": "ATL"}], "target": [{"code": "LEM"}]},
]


def fake_coder(text: str) -> list[Event]:
    """The events a coder would return for each test sentence (an injected coder)."""
    if text.startswith("Atlantis"):
        return [make_event("ACCUSE", "ATL", "LEM", None, confidence=0.9),
                make_event("REQUEST", "LEM", "ATL", None, confidence=0.5)]
    if text.startswith("Japan"):
        return [make_event("AGREE", "JPN", "ATL", None)]
    if text.startswith("Rebels"):
        event = make_event("ASSAULT", "LEM", "IGOUNO", None)
        return [event]
    raise ValueError("cannot parse")


def test_score_gsr() -> None:
    results = score_gsr(GSR_RECORDS, fake_coder)
    assert results["n"] == 4  # the DOCUMENT record is skipped
    assert results["coverage"] == 0.75
    assert results["type_accuracy"] == 0.75  # REQUEST (was DEMAND), AGREE, ASSAULT (was FIGHT)
    assert results["top1_type_accuracy"] == 0.5  # r1's top event is ACCUSE
    # Sources: r1 chooses the REQUEST event (LEM: wrong); r2 JAP read as JPN; r3 right; r4 none.
    assert (results["source_n"], results["source_accuracy"]) == (4, 0.5)
    # Targets: r2 has none; r1 wrong (ATL), r3 IGOUNO is an IGO, r4 none.
    assert (results["target_n"], results["target_accuracy"]) == (3, pytest.approx(1 / 3))
    assert results["confusion"]["REQUEST"] == {"ACCUSE": 1}
    assert results["confusion"]["CONSULT"] == {"NONE": 1}
    assert results["by_type"]["ASSAULT"] == {"n": 1, "type_accuracy": 1.0,
                                             "top1_type_accuracy": 1.0}
    assert results["details"]["failures"] == [{"id": "r4", "reason": "ValueError: cannot parse"}]
    assert {e["id"] for e in results["details"]["errors"]} == {"r1", "r4"}


@pytest.fixture
def shared_dir() -> Path:
    path = Path(__file__).resolve().parents[1].parent / "shared"
    if not (path / "eval" / "seeds.gold.json").is_file():
        pytest.skip(f"the shared gold material is not at {path}")
    return path


PLOVER_TYPES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
                "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
                "COERCE", "ASSAULT"}


def test_real_gsr_records_read_as_todays_plover(shared_dir: Path) -> None:
    records = load_gsr(shared_dir / "eval" / "plover_gsr.json")
    events = [r for r in records if gold_type(r) != "DOCUMENT"]
    assert len(events) == len(records) - 1
    assert {gold_type(r) for r in events} <= PLOVER_TYPES
    codes = {c for r in events for side in ("source", "target") for c in gold_codes(r, side)}
    assert codes and not codes & set(OLD_CODES)
    assert all(len(code) == 3 and code.isupper() for code in codes)
    results = score_gsr(records, lambda text: [])
    assert results["n"] == len(events) and results["coverage"] == 0.0


# The gold against itself ------------------------------------------------------------------------------


def test_seeds_gold_scored_against_itself_is_perfect(shared_dir: Path) -> None:
    gold = json.loads((shared_dir / "eval" / "seeds.gold.json").read_text(encoding="utf-8"))
    docs = {
        d["file"]: document_from_gold(d, (shared_dir / "seeds" / d["file"]).read_text("utf-8"))
        for d in gold["documents"]
    }
    results = score_corpus(gold, docs)
    figures = numbers(results)
    assert figures.pop("events.negative_violations") == 0
    assert all(value == 1.0 for value in figures.values()), {
        k: v for k, v in figures.items() if v != 1.0}
    assert results["details"]["warnings"] == []
    counts = results["details"]["counts"]
    assert counts["documents"] == len(gold["documents"])
    assert counts["resolution_pairs"]["gold_total"] > 0 and counts["events"]["gold_total"] > 0
