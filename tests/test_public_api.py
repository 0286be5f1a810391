"""The public API is small and explicit: a change to it is a decision, seen in this test."""

from __future__ import annotations

from importlib import resources

import dyadwatch
import dyadwatch.api


def test_package_exports():
    assert sorted(dyadwatch.__all__) == sorted([
        "__version__", "Actor", "Document", "DyadwatchError", "Entity", "Event", "Fact",
        "Failure", "Mention", "Meta", "Milestone", "Pipeline", "ProjectRecord", "Relation",
        "Span", "register_stage", "registered_stages",
    ])
    for name in dyadwatch.__all__:
        assert hasattr(dyadwatch, name), name


def test_api_exports():
    assert sorted(dyadwatch.api.__all__) == sorted([
        "build_pipeline", "code_text", "code_events", "ingest", "IngestReport",
        "process_articles", "process_files",
    ])


def test_typed_marker_is_shipped():
    assert resources.files("dyadwatch").joinpath("py.typed").is_file()
