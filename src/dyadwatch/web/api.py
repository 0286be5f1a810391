"""The JSON API under /api: thin routes over the Store and the views.

Listings answer ``{"items", "count", "limit", "offset", "next_offset"}`` (``next_offset`` is
null on the last page); ``limit`` goes from 1 to 500. Errors answer
``{"error": {"code", "status", "message"}}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from ..errors import UsageError
from ..store.queries import PLOVER_TYPES
from . import params, views
from .bench import Workbench
from .guard import error_body

__all__ = ["router"]

# Every error answers one shape (guard.error_body); the schema says so, and lists the 404 of
# an unknown id, so that clients (and schemathesis) can rely on what the schema promises.
_ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "status", "message"],
    "properties": {"code": {"type": "string"}, "status": {"type": "integer"},
                   "message": {"type": "string"}}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": description,
             "content": {"application/json": {"schema": _ERROR_SCHEMA}}}
    for status, description in ((404, "No record with that id, name or code."),
                                (414, "The query string is over the server's cap (8,192 "
                                      "bytes by default): ask for less."),
                                (422, "A parameter is not valid; the message says which."))}
router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS)

# The bounds are in the schema too (not only in params.page), so that it states what is valid.
Limit = Annotated[int, Query(ge=1, le=params.MAX_LIMIT, description="Rows per page, 1 to 500.")]
Offset = Annotated[int, Query(ge=0, le=params.MAX_OFFSET, description="Rows to skip, 0 or more.")]
Since = Annotated[str | None, Query(description="From this date: YYYY, YYYY-MM or YYYY-MM-DD.")]
Until = Annotated[str | None, Query(description="Up to this date: YYYY, YYYY-MM or YYYY-MM-DD.")]
CodeA = Annotated[str | None, Query(description="A country code (ISO 3166 alpha-3), e.g. CHN.")]
CodeB = Annotated[str | None, Query(description="The other country of the pair, e.g. KGZ.")]


def _bench(request: Request) -> Workbench:
    return request.app.state.bench


def _json(content: Any) -> JSONResponse:
    return JSONResponse(content)


def _scope(bench: Workbench, a: str | None,
           b: str | None) -> tuple[str | None, tuple[str, str] | None]:
    """(one country, None) when one of ``a``, ``b`` is given, (None, the pair) when both
    are (they must differ), (None, None) when neither; each code is checked."""
    known = bench.known_codes()
    if a and b:
        return None, params.pair(a, b, known)
    if a or b:
        return params.country_code(a or b or "", "a" if a else "b", known), None
    return None, None


@router.get("", summary="What the API offers")
def index() -> JSONResponse:
    """The API's routes, with the OpenAPI schema and the human-readable reference."""
    return _json({
        "name": "dyadwatch workbench API", "openapi": "/openapi.json", "reference": "/docs",
        "routes": ["/api/stats", "/api/documents", "/api/documents/{doc_id}",
                   "/api/documents/{doc_id}/sentences", "/api/entities",
                   "/api/entities/{entity}", "/api/events", "/api/pairs", "/api/timeline",
                   "/api/facts", "/api/relations", "/api/projects", "/api/conflicts",
                   "/api/search", "/api/provenance/{kind}/{id}", "/api/failures"],
    })


@router.get("/stats", summary="Rows per table")
def stats(request: Request) -> JSONResponse:
    """How many documents, sentences, mentions, entities, events… the store holds."""
    return _json(_bench(request).store().counts())


@router.get("/documents", summary="Documents, newest first")
def documents(request: Request, outlet: str | None = None, kind: str | None = None,
              since: Since = None, until: Until = None, limit: Limit = 50,
              offset: Offset = 0) -> JSONResponse:
    """Documents with their metadata and counts of records, newest publication first."""
    limit, offset = params.page(limit, offset)
    since, until = params.date(since, "since"), params.date(until, "until")
    store = _bench(request).store()
    return _json(views.listing(lambda size, start: store.documents(
        outlet=outlet, kind=kind, since=since, until=until, limit=size, offset=start),
        limit, offset))


DocId = Annotated[str, Path(description="A document id (16 hex digits).", max_length=64)]


@router.get("/documents/{doc_id}", summary="One document")
def document(request: Request, doc_id: DocId) -> JSONResponse:
    """A document's metadata, normalised text, sources, stages, problems and counts."""
    return _json(_bench(request).store().document(doc_id))


@router.get("/documents/{doc_id}/sentences", summary="The sentences of a document")
def sentences(request: Request, doc_id: DocId) -> JSONResponse:
    """A document's sentences in order, each with its character span."""
    rows = _bench(request).store().sentences(doc_id)
    return _json({"doc_id": doc_id, "items": rows, "count": len(rows)})


@router.get("/entities", summary="Entities, most mentioned first")
def entities(request: Request, type: str | None = None, country: str | None = None,
             q: Annotated[str | None, Query(description="Part of a name, id or alias.",
                                            max_length=200)] = None,
             limit: Limit = 50, offset: Offset = 0) -> JSONResponse:
    """Entities across documents with their mention and document counts."""
    limit, offset = params.page(limit, offset)
    store = _bench(request).store()
    return _json(views.listing(lambda size, start: store.entities(
        type=type, country=country, q=q, limit=size, offset=start), limit, offset))


@router.get("/entities/{entity:path}", summary="One entity")
def entity(request: Request, entity: Annotated[str, Path(
        description="An entity id (country:CHN, person:xi_jinping), a name or an alias.",
        max_length=300)]) -> JSONResponse:
    """An entity: aliases and spellings seen, roles, events, documents, mentions and the
    evidence for each merge."""
    bench = _bench(request)
    return _json(views.entity_view(bench, bench.store(), entity))


@router.get("/events", summary="Events, one per cluster of reports")
def events(
    request: Request, a: CodeA = None, b: CodeB = None,
    type: Annotated[str | None, Query(description=f"PLOVER type: {', '.join(PLOVER_TYPES)}.")] = None,
    mode: Annotated[str | None, Query(description="done (reported as done, not denied), "
                                      "all (default), or one mode: future, intend…")] = None,
    since: Since = None, until: Until = None,
    source: Annotated[str | None, Query(description="The acting country code or entity id.",
                                        max_length=300)] = None,
    min_sources: Annotated[int, Query(description="Reported by at least this many sources.")] = 1,
    limit: Limit = 50, offset: Offset = 0,
) -> JSONResponse:
    """Events newest first, each with its evidence: the reports, each with its document,
    sentence and character span. ``a`` alone keeps events involving that country; ``a`` and
    ``b`` the events between the two."""
    bench = _bench(request)
    limit, offset = params.page(limit, offset)
    country, between = _scope(bench, a, b)
    kind, store_mode = params.plover_type(type), params.mode(mode, default="all")
    first, last = params.date(since, "since"), params.date(until, "until")
    least = _min_sources(min_sources)
    store = bench.store()
    page = views.listing(lambda size, start: store.events(
        between=between, country=country, type=kind, mode=store_mode, since=first, until=last,
        source=source or None, min_sources=least, limit=size, offset=start), limit, offset)
    page["items"] = [views.decorate_event(bench, e) for e in page["items"]]
    return _json(page)


def _min_sources(value: int) -> int:
    if not 1 <= value <= 1000:
        raise UsageError(f"min_sources={value}: give a number from 1 to 1000.")
    return value


@router.get("/pairs", summary="Pairs of countries with most events")
def pairs(request: Request, limit: Limit = 50, offset: Offset = 0) -> JSONResponse:
    """Pairs of countries (or IGOs), most events first, with Goldstein totals and dates."""
    limit, offset = params.page(limit, offset)
    bench = _bench(request)
    return _json(views.pairs_view(bench, bench.store(), limit=limit, offset=offset))


@router.get("/timeline", summary="Events of a pair per period, with the Goldstein index")
def timeline(
    request: Request,
    a: Annotated[str, Query(description="A country code, e.g. CHN.")],
    b: Annotated[str, Query(description="The other country code, e.g. KGZ.")],
    by: Annotated[str, Query(description="month or year.")] = "month",
    mode: Annotated[str | None, Query(description="done (default), all, or one mode.")] = None,
    min_sources: int = 1,
) -> JSONResponse:
    """Per period: events by PLOVER type, the Goldstein sum and mean (cooperation above 0,
    conflict below)."""
    bench = _bench(request)
    first, second = params.pair(a, b, bench.known_codes())
    return _json(views.timeline_view(
        bench, bench.store(), first, second, by=params.period(by),
        mode=params.mode(mode, default="done"), min_sources=_min_sources(min_sources)))


@router.get("/facts", summary="Figures with their evidence")
def facts(request: Request, indicator: str | None = None, a: CodeA = None, b: CodeB = None,
          period: Annotated[str | None, Query(description="A period or its prefix: 2024.",
                                              max_length=40)] = None,
          doc_id: str | None = None, limit: Limit = 50, offset: Offset = 0) -> JSONResponse:
    """Trade, investment, loans and other figures, latest period first. ``a`` keeps figures
    naming that country; ``a`` and ``b`` figures naming both."""
    bench = _bench(request)
    limit, offset = params.page(limit, offset)
    country, between = _scope(bench, a, b)
    store = bench.store()
    page = views.listing(lambda size, start: store.facts(
        indicator=indicator, country=country, between=between, period=period, doc_id=doc_id,
        limit=size, offset=start), limit, offset)
    page["items"] = [views.decorate_fact(f) for f in page["items"]]
    return _json(page)


@router.get("/relations", summary="Partnership levels over time")
def relations(request: Request, a: CodeA = None, b: CodeB = None, limit: Limit = 50,
              offset: Offset = 0) -> JSONResponse:
    """Statements of partnership levels (the ladder), oldest first."""
    bench = _bench(request)
    limit, offset = params.page(limit, offset)
    country, between = _scope(bench, a, b)
    first, second = between if between else (country, None)
    store = bench.store()
    page = views.listing(lambda size, start: store.relations(
        first, second, limit=size, offset=start), limit, offset)
    page["items"] = [views.decorate_relation(r) for r in page["items"]]
    return _json(page)


@router.get("/projects", summary="Projects with their milestones")
def projects(request: Request, country: CodeA = None, limit: Limit = 50,
             offset: Offset = 0) -> JSONResponse:
    """Projects merged across documents, most reported first, with milestones by date."""
    bench = _bench(request)
    limit, offset = params.page(limit, offset)
    code = params.country_code(country, "country", bench.known_codes()) if country else None
    store = bench.store()
    page = views.listing(lambda size, start: store.projects(
        country=code, limit=size, offset=start), limit, offset)
    page["items"] = [views.decorate_project(p) for p in page["items"]]
    return _json(page)


@router.get("/conflicts", summary="Contradictions between sources",
            responses={501: {"description": "This dyadwatch cannot find contradictions."}})
def conflicts(request: Request, a: CodeA = None, b: CodeB = None,
              kind: Annotated[str | None, Query(description="figure, event_date, "
                              "relation_level, relation_since or project_countries.")] = None,
              limit: Limit = 50, offset: Offset = 0) -> JSONResponse:
    """Figures, dates, levels and project countries that sources (or one source) give in
    ways that cannot all be true, each with the evidence of every side."""
    bench = _bench(request)
    limit, offset = params.page(limit, offset)
    country, between = _scope(bench, a, b)
    first, second = between if between else (country, None)
    found = views.conflicts_view(bench, a=first, b=second, kind=_conflict_kind(kind))
    if found is None:
        return JSONResponse(error_body(501, "not_implemented", views.CONFLICTS_MISSING),
                            status_code=501)
    return _json(views.listing(lambda size, start: found[start:start + size], limit, offset))


def _conflict_kind(kind: str | None) -> str | None:
    if not kind:
        return None
    if kind not in views.CONFLICT_KINDS:
        raise UsageError(f"kind={kind!r} is not a kind of contradiction. Choose one of "
                         f"{', '.join(views.CONFLICT_KINDS)}.")
    return kind


@router.get("/search", summary="Full-text search over sentences")
def search(request: Request,
           q: Annotated[str, Query(description="Words to find (all of them); \"a phrase\", "
                                   "prefix*, OR between words.")],
           limit: Limit = 20, offset: Offset = 0) -> JSONResponse:
    """Sentences matching every word, best first, with their documents."""
    limit, offset = params.page(limit, offset)
    store = _bench(request).store()
    return _json(views.search_view(store, params.search_query(q), limit=limit, offset=offset))


@router.get("/provenance/{kind}/{record_id}", summary="Where a record came from")
def provenance(request: Request,
               kind: Annotated[str, Path(description="cluster, event, fact, relation, project, "
                                         "milestone, mention or sentence.")],
               record_id: Annotated[int, Path(description="The record's id in the store.")]
               ) -> JSONResponse:
    """The document, sentence and exact characters behind a record, in the normalised text
    and in the raw text as read."""
    return _json(views.provenance_view(_bench(request).store(), kind, record_id))


@router.get("/failures", summary="Inputs that could not be processed")
def failures(request: Request, run_id: str | None = None, limit: Limit = 50,
             offset: Offset = 0) -> JSONResponse:
    """Each failure with its source, stage and reason, oldest first."""
    limit, offset = params.page(limit, offset)
    store = _bench(request).store()
    return _json(views.listing(lambda size, start: store.failures(
        run_id, limit=size, offset=start), limit, offset))
