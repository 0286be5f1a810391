"""Addresses of the workbench's pages and API records, built in one place."""

from __future__ import annotations

from urllib.parse import quote, urlencode

__all__ = ["reader", "entity", "pair", "provenance", "document_api", "search"]


def reader(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    """The document reader, with ``[start, end)`` highlighted and scrolled to when given."""
    base = f"/doc/{quote(doc_id, safe='')}"
    if start is None or end is None or not 0 <= start < end:
        return base
    return f"{base}?highlight={start}-{end}#evidence"


def entity(entity_id: str) -> str:
    """The entity page of an entity id (ids hold ':' and spaces; both are kept readable)."""
    return f"/entity/{quote(entity_id, safe=':')}"


def pair(a: str, b: str, **params: str) -> str:
    """The dashboard of a pair of countries, with query parameters when given."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"/pair/{quote(a, safe='')}/{quote(b, safe='')}" + (f"?{query}" if query else "")


def provenance(kind: str, record_id: int) -> str:
    """The API answer tracing one record to its document, sentence and characters."""
    return f"/api/provenance/{kind}/{int(record_id)}"


def document_api(doc_id: str) -> str:
    """The API answer for one document."""
    return f"/api/documents/{quote(doc_id, safe='')}"


def search(query: str) -> str:
    """The search page for ``query``."""
    return "/search?" + urlencode({"q": query})
