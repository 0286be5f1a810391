"""The analyst's workbench: a FastAPI app with a JSON API under /api and HTML pages, over one
dyadwatch database opened read-only.

    >>> from dyadwatch.web import create_app
    >>> app = create_app("dyadwatch.db")          # doctest: +SKIP
    >>> # uvicorn.run(app, host="127.0.0.1", port=8000)

Every error, from the API or a page's JSON twin, is one JSON shape
``{"error": {"code", "status", "message"}}``; HTML pages show the same message on a page.
Unknown ids are 404, bad values 422, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import StoreError, UsageError
from ..store import NotFound
from . import api, pages
from .bench import Workbench
from .guard import Guard, error_body
from .render import render_page, wants_json

__all__ = ["create_app", "serve", "MAX_BODY_BYTES", "MAX_QUERY_BYTES", "LOOPBACK_HOSTS"]

MAX_BODY_BYTES = 1_000_000
MAX_QUERY_BYTES = 8_192
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_STATIC = Path(__file__).parent / "static"
_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
          413: "too_large", 414: "uri_too_long", 422: "invalid", 501: "not_implemented",
          503: "unavailable"}
log = logging.getLogger(__name__)


def create_app(
    db_path: str | Path,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_query_bytes: int = MAX_QUERY_BYTES,
    allowed_hosts: Collection[str] | None = None,
) -> FastAPI:
    """The workbench over the database at ``db_path`` (opened read-only, never written).

    ``allowed_hosts`` limits the Host names the server answers to (``serve`` passes the
    loopback names when it binds a loopback address). Raises StoreError when the database
    cannot be opened read-only (missing, not dyadwatch's, or from a newer dyadwatch).
    """
    bench = Workbench(db_path)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        bench.close()

    app = FastAPI(
        title="dyadwatch workbench", version=__version__, lifespan=lifespan,
        description="Read-only API over a dyadwatch database: documents, entities, events, "
                    "timelines, facts, partnership levels, projects, contradictions, search "
                    "and the provenance of every record.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.bench = bench
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _add_error_handlers(app)
    app.add_middleware(Guard, max_body_bytes=max_body_bytes, max_query_bytes=max_query_bytes,
                       allowed_hosts=allowed_hosts)
    return app


# --- errors --------------------------------------------------------------------------------


def _error(request: Request, status: int, message: str, **extra: Any) -> Response:
    code = _CODES.get(status, "internal" if status >= 500 else "error")
    # A page's error is a page for a browser; anything else (curl, scripts) gets JSON.
    if wants_json(request) or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(error_body(status, code, message, **extra), status_code=status)
    return HTMLResponse(render_page("error.html", request, {
        "status": status, "code": code, "message": message}), status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    problems = []
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        name = ".".join(where) or "request"
        value = error.get("input")
        problems.append({"param": name, "value": value if isinstance(value, str | int)
                         else None, "problem": error.get("msg", "invalid")})
    message = "; ".join(
        f"{p['param']}={p['value']!r}: {p['problem']}" if p["value"] is not None
        else f"{p['param']}: {p['problem']}" for p in problems)
    return f"{message}. Fix the parameter and ask again.", problems


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail) if exc.detail else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = (f"No page or API route at {request.url.path}. The API is listed at "
                       "/docs, the pages start at /.")
        elif exc.status_code == 405:
            message = (f"{request.method} is not allowed here: the workbench only reads. "
                       "Use GET.")
        return _error(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message, problems = _validation_message(exc)
        return _error(request, 422, message, problems=problems)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(UsageError)
    async def usage_error(request: Request, exc: UsageError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        log.error("store error on %s: %s", request.url.path, exc)
        return _error(request, 503, f"The database could not be read: {exc}")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 500, "An unexpected error happened on the server; it was "
                      "logged. Please report it with the address you asked for.")


# --- serving -------------------------------------------------------------------------------


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000,
          log_level: str = "info") -> None:
    """Run the workbench with uvicorn until interrupted.

    On a loopback address the server answers only to loopback host names. Raises
    StoreError when the database cannot be opened read-only.
    """
    import uvicorn

    loopback = host in LOOPBACK_HOSTS or host.startswith("127.")
    allowed = (*LOOPBACK_HOSTS, host) if loopback else None
    app = create_app(db_path, allowed_hosts=allowed)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                h11_max_incomplete_event_size=64 * 1024)
