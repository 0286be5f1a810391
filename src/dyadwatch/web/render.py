"""HTML pages from Jinja2 templates, autoescaped: text from articles is always shown as text."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request

from .. import __version__
from . import links
from .guard import JSON_TWIN

__all__ = ["environment", "render_page", "json_twin_url", "wants_json"]

_TEMPLATES = Path(__file__).parent / "templates"


def _number(value: Any, digits: int = 0) -> str:
    """A figure for people: thousands separated, ``digits`` decimals; "" for None."""
    if value is None:
        return ""
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


def _money(value: Any) -> str:
    """A large figure shortened: 22.71 billion, 3.5 million."""
    if value is None:
        return ""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
    return _number(value, 2 if isinstance(value, float) and value % 1 else 0)


def _signed(value: Any, digits: int = 2) -> str:
    return "" if value is None else f"{value:+.{digits}f}"


@cache
def environment() -> jinja2.Environment:
    """The template environment: autoescape on for every template."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
        trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=_number, money=_money, signed=_signed)
    env.globals.update(links=links, version=__version__)
    return env


def json_twin_url(request: Request) -> str:
    """The address of the page's JSON twin: the same address with ``format=json``."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    return f"{request.url.path}?{urlencode([*params, ('format', 'json')])}"


def render_page(template: str, request: Request, context: dict[str, Any]) -> str:
    """Render ``template`` with ``context`` plus the request, the JSON twin's address and the
    current path (for the navigation)."""
    page = environment().get_template(template)
    return page.render(request=request, json_url=json_twin_url(request),
                       path=request.url.path, **context)


def wants_json(request: Request) -> bool:
    """True for the API and for a page's JSON twin (``.json`` or ``?format=json``)."""
    if request.url.path.startswith(("/api", "/openapi")) or request.scope.get(JSON_TWIN):
        return True
    return request.query_params.get("format") == "json"
