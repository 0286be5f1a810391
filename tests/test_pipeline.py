"""The pipeline checks its stages before running and turns a failing stage into data."""

from __future__ import annotations

import pytest

from dyadwatch.document import Document, Failure
from dyadwatch.errors import StageConfigError
from dyadwatch.pipeline import Pipeline, register_stage, registered_stages


def test_unknown_stage_lists_available():
    with pytest.raises(StageConfigError, match="Available stages"):
        Pipeline(("normalise", "no_such_stage"))


def test_stage_needing_a_missing_layer_is_refused():
    with pytest.raises(StageConfigError, match="needs"):
        Pipeline(("resolve",))


def test_every_builtin_stage_declares_what_it_adds():
    stages = registered_stages()
    for name in ("normalise", "header", "boilerplate", "nlp", "resolve", "timex", "events"):
        assert stages[name].adds, name
        assert stages[name].tag == f"{name}@{stages[name].version}"


@register_stage("test_explodes", version="0", requires=("text",), adds=("boom",))
def _explodes():
    def run(doc: Document) -> Document:
        if "bad" in doc.text:
            raise ValueError("cannot handle this one")
        return doc

    return run


def test_failing_document_becomes_failure_and_batch_goes_on():
    pipeline = Pipeline(("normalise", "test_explodes"))
    docs = [Document(source="good1", raw="fine"), Document(source="bad", raw="bad text"),
            Document(source="good2", raw="also fine")]
    results = list(pipeline.pipe(docs))
    failures = [r for r in results if isinstance(r, Failure)]
    assert [f.source for f in failures] == ["bad"]
    assert failures[0].stage == "test_explodes" and "cannot handle" in failures[0].reason
    done = [r for r in results if isinstance(r, Document)]
    assert sorted(d.source for d in done) == ["good1", "good2"]
    assert all(d.stages == ["normalise@1", "test_explodes@0"] for d in done)
