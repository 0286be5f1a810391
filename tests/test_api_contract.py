"""API contract: schemathesis against the workbench's own OpenAPI schema, in process (ASGI).

Every operation gets generated requests, valid ones and (where it has parameters) invalid
ones. Each answer must not be a server error, must carry a status code, content type,
headers and body that the schema documents, and a listing must come in the envelope the
API promises (items, count, limit, offset, next_offset).

schemathesis's own pytest plugin (``from_fixture``) reads a private pytest attribute that
pytest 9 no longer has; the same checks run here through its Python API, one operation at
a time, so that one report lists every operation that breaks the contract.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from robust_store import robust_store

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "25"))
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_headers_conformance,
          checks.response_schema_conformance]
LISTINGS = {"/api/documents", "/api/entities", "/api/events", "/api/pairs", "/api/facts",
            "/api/relations", "/api/projects", "/api/conflicts", "/api/search", "/api/failures"}
ENVELOPE = {"items", "count", "limit", "offset", "next_offset"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return robust_store(tmp_path_factory)


@pytest.fixture(scope="module")
def api_schema(db: Path) -> schemathesis.BaseSchema:
    from dyadwatch.web.app import create_app

    return schemathesis.openapi.from_asgi("/openapi.json", create_app(db))


def check_envelope(path: str, response: Any) -> None:
    """A listing's 200 answer is one page in the API's envelope."""
    if path not in LISTINGS or response.status_code != 200:
        return
    body = response.json()
    assert set(body) >= ENVELOPE, f"{path}: {sorted(body)}"
    assert isinstance(body["items"], list) and body["count"] == len(body["items"])
    assert len(body["items"]) <= body["limit"]
    assert body["next_offset"] in (None, body["offset"] + body["limit"])


def contract_problem(operation: schemathesis.APIOperation,
                     mode: schemathesis.GenerationMode) -> str | None:
    """The first contract violation hypothesis finds on ``operation`` (None: none)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        check_envelope(operation.path, case.call_and_validate(checks=CHECKS))

    try:
        check()
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report every operation
        return f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"[:3000]
    return None


def operations(api_schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    return [result.ok() for result in api_schema.get_all_operations()]


def test_api_answers_match_the_schema(api_schema: schemathesis.BaseSchema) -> None:
    problems = []
    for operation in operations(api_schema):
        # An operation without parameters has no invalid request to make.
        modes = (schemathesis.GenerationMode.POSITIVE,) + (
            (schemathesis.GenerationMode.NEGATIVE,) if list(operation.iter_parameters()) else ())
        problems += [p for mode in modes if (p := contract_problem(operation, mode))]
    assert not problems, "\n\n".join(problems)


def test_the_schema_covers_the_api(api_schema: schemathesis.BaseSchema) -> None:
    paths = {operation.path for operation in operations(api_schema)}
    assert LISTINGS | {"/api/documents/{doc_id}", "/api/entities/{entity}",
                       "/api/timeline", "/api/stats"} <= paths


def test_errors_are_documented_in_one_shape(api_schema: schemathesis.BaseSchema) -> None:
    for operation in operations(api_schema):
        responses = operation.definition.raw["responses"]
        for status in ("404", "414", "422"):  # 414: the guard answers it on any route
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema["required"] == ["error"], (operation.path, status)


def test_the_checks_catch_a_broken_contract(db: Path) -> None:
    """The same checks fail on an app whose answers break its own schema."""
    broken = FastAPI()

    @broken.get("/api/documents", responses={200: {"content": {"application/json": {
        "schema": {"type": "object", "required": ["items"]}}}}})
    def documents(limit: int = 10) -> JSONResponse:
        if limit > 5:
            return JSONResponse({"detail": "boom"}, status_code=500)
        return JSONResponse({"rows": []})

    schema = schemathesis.openapi.from_asgi("/openapi.json", broken)
    [operation] = operations(schema)
    problem = contract_problem(operation, schemathesis.GenerationMode.POSITIVE)
    assert problem is not None and "GET /api/documents" in problem
