"""The HTML pages of the workbench; each answers its JSON twin for ``.json`` or
``?format=json`` (the same data the page shows)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from . import charts, links, params, views
from .bench import Workbench, rung_names
from .render import render_page, wants_json

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _bench(request: Request) -> Workbench:
    return request.app.state.bench


def _page(request: Request, template: str, data: Any, **extra: Any) -> Response:
    """The page, or its JSON twin when asked for."""
    if wants_json(request):
        return JSONResponse(data)
    return HTMLResponse(render_page(template, request, {"data": data, **extra}))


@router.get("/")
def home(request: Request) -> Response:
    """The pairs of countries with most activity, the latest documents, top entities."""
    bench = _bench(request)
    return _page(request, "home.html", views.home_view(bench, bench.store()))


@router.get("/pair/{a}/{b}")
def pair(request: Request, a: Annotated[str, Path(max_length=20)],
         b: Annotated[str, Path(max_length=20)], by: str = "month", mode: str | None = None,
         since: str | None = None, until: str | None = None) -> Response:
    """The dashboard of a pair: timeline, index, ladder, facts, projects, contradictions,
    events."""
    bench = _bench(request)
    first, second = params.pair(a, b, bench.known_codes())
    data = views.pair_view(
        bench, bench.store(), first, second, by=params.period(by),
        mode=params.mode(mode, default="done"), since=params.date(since, "since"),
        until=params.date(until, "until"))
    if wants_json(request):
        return JSONResponse(data)
    mode_word = data["mode"]

    def period_link(period: str) -> str:
        return links.pair(first, second, by=by, mode=mode_word, since=period,
                          until=period) + "#events"

    charts_html = {
        "timeline": charts.timeline_chart(data["timeline"]["periods"], link=period_link),
        "goldstein": charts.goldstein_chart(data["timeline"]["periods"]),
        "ladder": charts.ladder_chart(data["ladder"]["history"], rung_names(),
                                      link=lambda r: r["links"]["reader"]),
    }
    return HTMLResponse(render_page("pair.html", request, {
        "data": data, "charts": charts_html, "colours": charts.PLOVER_COLOURS}))


@router.get("/entities")
def entities(request: Request, q: Annotated[str | None, Query(max_length=200)] = None,
             type: str | None = None, offset: int = 0) -> Response:
    """Entities, most mentioned first, filtered by a part of their name."""
    _, offset = params.page(PAGE_SIZE, offset)
    store = _bench(request).store()
    data = views.listing(lambda size, start: store.entities(
        q=q or None, type=type or None, limit=size, offset=start), PAGE_SIZE, offset)
    for row in data["items"]:
        row["links"] = {"page": links.entity(row["id"])}
    data.update(q=q or "", type=type or "")
    return _page(request, "entities.html", data)


@router.get("/entity/{key:path}")
def entity(request: Request, key: Annotated[str, Path(max_length=300)]) -> Response:
    """An entity: names and spellings, roles over time, events, documents."""
    bench = _bench(request)
    return _page(request, "entity.html", views.entity_view(bench, bench.store(), key))


@router.get("/documents")
def documents(request: Request, offset: int = 0) -> Response:
    """Documents, newest first."""
    _, offset = params.page(PAGE_SIZE, offset)
    store = _bench(request).store()
    data = views.listing(lambda size, start: store.documents(limit=size, offset=start),
                         PAGE_SIZE, offset)
    for row in data["items"]:
        row["links"] = {"reader": links.reader(row["doc_id"])}
    return _page(request, "documents.html", data)


@router.get("/doc/{doc_id}")
def document(request: Request, doc_id: Annotated[str, Path(max_length=64)],
             highlight: Annotated[str | None, Query(max_length=30)] = None) -> Response:
    """The reader: the article with entities, events and boilerplate marked, and the
    evidence asked for (``highlight=START-END``) highlighted."""
    store = _bench(request).store()
    summary = store.document(doc_id)  # NotFound before the span is checked against the text
    span = params.span(highlight, len(summary["text"]))
    data, text_runs = views.document_view(_bench(request), store, doc_id, span)
    return _page(request, "document.html", data, runs=text_runs)


@router.get("/search")
def search(request: Request, q: str = "", offset: int = 0) -> Response:
    """Full-text search over sentences; each hit opens the reader at its sentence."""
    _, offset = params.page(PAGE_SIZE, offset)
    store = _bench(request).store()
    query = params.search_query(q)
    data = (views.search_view(store, query, limit=PAGE_SIZE, offset=offset) if query.strip()
            else {"items": [], "count": 0, "limit": PAGE_SIZE, "offset": offset,
                  "next_offset": None, "query": query})
    words = views.query_words(query)
    marked = [views.mark_words(row["text"], words) for row in data["items"]]
    return _page(request, "search.html", data, marked=marked)


@router.get("/provenance/{kind}/{record_id}")
def provenance(request: Request, kind: str, record_id: int) -> Response:
    """Open the reader at the evidence of a record (its JSON twin: the API's answer)."""
    found = views.provenance_view(_bench(request).store(), kind, record_id)
    if wants_json(request) or not found["evidence"]:
        return JSONResponse(found)
    return RedirectResponse(found["evidence"][0]["links"]["reader"], status_code=303)


@router.get("/docs")
def api_reference(request: Request) -> Response:
    """The API reference, drawn from the OpenAPI schema (no script from anywhere else)."""
    schema = request.app.openapi()
    if wants_json(request):
        return JSONResponse(schema)
    routes = [
        {"path": path, "method": method.upper(), "summary": operation.get("summary", ""),
         "description": operation.get("description", ""),
         "parameters": operation.get("parameters", [])}
        for path, methods in schema.get("paths", {}).items()
        for method, operation in methods.items()
    ]
    return HTMLResponse(render_page("apidocs.html", request, {"data": schema,
                                                              "routes": routes}))
