"""Event coreference in the store: which reports become one event cluster, and upkeep."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from dyadwatch.store import Store
from dyadwatch.store.coref import MAX_SPAN_DAYS, agree, date_bounds, pair_key, side_key
from store_docs import add_event, make_doc


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "coref.db") as opened:
        yield opened


def report(store: Store, source: str, *events: tuple, outlet: str | None = None) -> str:
    """Write one document with one sentence per event ``(plover, src, tgt, date, **kw)``."""
    sentences = [f"Report {source} sentence {i} about relations." for i in range(len(events))]
    doc = make_doc(source, sentences, outlet=outlet)
    for i, (plover, src, tgt, when, *extra) in enumerate(events):
        add_event(doc, i, plover, src, tgt, when, **(extra[0] if extra else {}))
    assert store.write(doc) == "inserted"
    return doc.doc_id


def clusters(store: Store) -> list[dict]:
    return sorted(store.events(limit=1000), key=lambda c: c["cluster_id"])


# --- pure parts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-05", ("2025-02-05", "2025-02-05", "day", 10)),
        ("2025-02", ("2025-02-01", "2025-02-28", "month", 7)),
        ("2024-02", ("2024-02-01", "2024-02-29", "month", 7)),
        ("2025", ("2025-01-01", "2025-12-31", "year", 4)),
        ("2025-02-04/2025-02-06", ("2025-02-04", "2025-02-06", "interval", 10)),
        ("2024-12/2025", ("2024-12-01", "2025-12-31", "interval", 10)),
    ],
)
def test_date_bounds(value: str, expected: tuple) -> None:
    assert tuple(date_bounds(value)) == expected


@pytest.mark.parametrize(
    "value", [None, "", "2025-02-30", "2025-13", "25-02-01", "Feb 2025", "2025-03/2025-01", "/"]
)
def test_invalid_dates_have_no_bounds(value: str | None) -> None:
    assert date_bounds(value) is None


def test_side_and_pair_keys() -> None:
    assert side_key(True, "CHN", "person:xi", "Xi") == "CHN"
    assert side_key(True, None, "person:xi", "Xi") == "person:xi"
    assert side_key(True, None, None, "  Some  Protesters ") == "~some protesters"
    assert side_key(True, None, None, "  ") == "-" and side_key(False, "CHN", None, "x") == "-"
    assert pair_key("KGZ", "CHN") == pair_key("CHN", "KGZ") == ("CHN", "KGZ")
    assert agree("2025-02-01", "2025-02-28", "2025-02-05", "2025-02-05")
    assert agree("2025-02-05", "2025-02-05", "2025-02-01", "2025-02-28")
    assert not agree("2025-02-01", "2025-02-10", "2025-02-05", "2025-02-20")


# --- clustering -----------------------------------------------------------------------------


def test_same_event_in_two_documents_is_one_cluster(store: Store) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", "2025-02-05"), outlet="Outlet A")
    report(store, "b", ("CONSULT", "KGZ", "CHN", "2025-02-05"), outlet="Outlet B")
    report(store, "c", ("CONSULT", "CHN", "KGZ", "2025-02-05"), outlet="outlet a")
    (cluster,) = clusters(store)
    assert cluster["n_evidence"] == 3 and cluster["n_sources"] == 3
    assert cluster["n_outlets"] == 2  # outlet names are compared case-folded
    assert cluster["pair"] == ["CHN", "KGZ"]
    assert (cluster["source"], cluster["target"]) == ("CHN", "KGZ")  # the first report's
    assert [e["doc_source"] for e in cluster["evidence"]] == ["a", "b", "c"]


def test_reports_in_one_document_count_one_source(store: Store) -> None:
    report(store, "a", ("AGREE", "CHN", "KGZ", "2025-02-05"), ("AGREE", "KGZ", "CHN", "2025-02"))
    (cluster,) = clusters(store)
    assert cluster["n_evidence"] == 2 and cluster["n_sources"] == 1
    assert cluster["date"] == "2025-02-05" and cluster["date_precision"] == "day"


@pytest.mark.parametrize(
    ("first", "second", "together"),
    [
        ("2025-02-05", "2025-02-05", True),
        ("2025-02-05", "2025-02", True),
        ("2025", "2025-02-05", True),
        ("2025-02-04/2025-02-06", "2025-02-05", True),
        ("2025-02-05", "2025-02-04/2025-02-06", True),
        ("2025-02-05", "2025-02-06", False),
        ("2025-02", "2025-03", False),
        ("2025-02-04/2025-02-06", "2025-02-05/2025-02-08", False),
        ("2025-02-05", None, False),
    ],
)
def test_dates_must_agree(store: Store, first: str, second: str | None, together: bool) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", first))
    report(store, "b", ("CONSULT", "CHN", "KGZ", second))
    assert len(clusters(store)) == (1 if together else 2)


@pytest.mark.parametrize(
    "other",
    [
        ("AGREE", "CHN", "KGZ", "2025-02-05"),
        ("CONSULT", "CHN", "UZB", "2025-02-05"),
        ("CONSULT", "CHN", "KGZ", "2025-02-05", {"mode": "intend"}),
        ("CONSULT", "CHN", "KGZ", "2025-02-05", {"negated": True}),
    ],
)
def test_type_pair_and_mode_must_match(store: Store, other: tuple) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", "2025-02-05"))
    report(store, "b", other)
    assert len(clusters(store)) == 2


def test_a_cluster_narrows_to_its_most_precise_date(store: Store) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", "2025-02"))
    report(store, "b", ("CONSULT", "CHN", "KGZ", "2025-02-05"))
    report(store, "c", ("CONSULT", "CHN", "KGZ", "2025-02-06"))  # not the 5th: a new cluster
    report(store, "d", ("CONSULT", "CHN", "KGZ", "2025"))  # joins the bigger cluster
    first, second = clusters(store)
    assert (first["date_lo"], first["date_hi"], first["n_evidence"]) == ("2025-02-05", "2025-02-05", 3)
    assert (second["date"], second["n_evidence"]) == ("2025-02-06", 1)


def test_entity_ids_stand_in_for_missing_countries(store: Store) -> None:
    kw = {"source_entity": "org:cpc", "target_entity": "person:sadyr_japarov"}
    report(store, "a", ("SUPPORT", None, None, "2025-03-01", kw))
    report(store, "b", ("SUPPORT", None, None, "2025-03-01", kw))
    report(store, "c", ("SUPPORT", None, None, "2025-03-01", {"source_entity": "org:other"}))
    first, second = clusters(store)
    assert first["pair"] == ["org:cpc", "person:sadyr_japarov"] and first["n_sources"] == 2
    assert second["pair"] == ["-", "org:other"]


def test_undated_reports_join_only_within_their_document(store: Store) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", None), ("CONSULT", "KGZ", "CHN", None))
    report(store, "b", ("CONSULT", "CHN", "KGZ", None))
    report(store, "c", ("CONSULT", "CHN", "KGZ", "2025-02-05"))
    result = clusters(store)
    assert [c["n_evidence"] for c in result] == [2, 1, 1]
    assert [c["date"] for c in result] == [None, None, "2025-02-05"]


def test_wide_intervals_are_still_found(store: Store) -> None:
    long_interval = "2020-01-01/2024-12-31"
    # The second report lies further from the interval's start than a near-date lookup reaches.
    assert date(2024, 6, 1) - timedelta(days=MAX_SPAN_DAYS) > date(2020, 1, 1)
    report(store, "a", ("COOPERATE", "CHN", "KGZ", long_interval))
    report(store, "b", ("COOPERATE", "CHN", "KGZ", "2024-06-01"))  # far from the start
    (cluster,) = clusters(store)
    assert cluster["n_evidence"] == 2 and cluster["date_lo"] == "2024-06-01"


def test_replacing_a_document_updates_its_clusters(store: Store) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", "2025-02"), outlet="A")
    report(store, "b", ("CONSULT", "CHN", "KGZ", "2025-02-05"), ("AID", "CHN", "KGZ", None),
           outlet="B")
    before = clusters(store)
    assert [c["n_evidence"] for c in before] == [2, 1]
    changed = make_doc("b", ["A different report about other matters."], outlet="B")
    assert store.write(changed) == "replaced"
    (cluster,) = clusters(store)
    assert cluster["cluster_id"] == before[0]["cluster_id"]
    assert (cluster["n_evidence"], cluster["n_sources"], cluster["n_outlets"]) == (1, 1, 1)
    assert (cluster["date_lo"], cluster["date_hi"]) == ("2025-02-01", "2025-02-28")
    assert cluster["date"] == "2025-02" and cluster["date_precision"] == "month"
    assert store.counts()["event_clusters"] == 1


def test_writes_leave_other_clusters_alone(store: Store) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", "2025-02-05"))
    report(store, "b", ("AID", "USA", "UZB", "2025-01-10"))
    ids = {c["plover"]: c["cluster_id"] for c in clusters(store)}
    report(store, "c", ("AID", "USA", "UZB", "2025-01"))
    report(store, "d", ("ACCUSE", "KGZ", "UZB", "2025-03"))
    after = {c["plover"]: c for c in clusters(store)}
    assert after["CONSULT"]["cluster_id"] == ids["CONSULT"]
    assert after["AID"]["cluster_id"] == ids["AID"] and after["AID"]["n_evidence"] == 2


def test_cluster_goldstein_and_cameo_summarise_the_evidence(store: Store) -> None:
    report(store, "a", ("CONSULT", "CHN", "KGZ", "2025-02-05", {"goldstein": 1.0, "cameo": "040"}))
    report(store, "b", ("CONSULT", "CHN", "KGZ", "2025-02-05", {"goldstein": 3.0, "cameo": "042"}))
    report(store, "c", ("CONSULT", "CHN", "KGZ", "2025-02-05", {"cameo": "042"}))
    (cluster,) = clusters(store)
    assert cluster["goldstein"] == pytest.approx(2.0) and cluster["cameo"] == "042"
