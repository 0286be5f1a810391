"""The outer layer of the web app, in plain ASGI: request limits, the JSON twin of pages, and
the security headers of every answer.

``Guard`` refuses over-long query strings (414), bodies over the cap (413, counted as they
arrive, whatever Content-Length says) and, when ``allowed_hosts`` is given, Host headers
naming another server (400: a page of a server on 127.0.0.1 must not be readable by a site
that re-points its own name there). It rewrites ``/pair/CHN/KGZ.json`` to the page's route
with a JSON flag, and adds the Content-Security-Policy and friends to each response.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any

__all__ = ["Guard", "SECURITY_HEADERS", "JSON_TWIN", "error_body"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Nothing but this server: no inline script, no inline style, no plugin, no framing.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
     b"form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
JSON_TWIN = "dyadwatch.json_twin"  # scope key: the page was asked for as JSON
# Paths whose ".json" ending is their own (not a page's twin).
_OWN_JSON = ("/api/", "/static/", "/openapi.json")


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one shape of every error answer."""
    return {"error": {"code": code, "status": status, "message": message, **extra}}


class Guard:
    """ASGI middleware: limits, the ``.json`` twin rewrite and security headers."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_query_bytes: int,
                 allowed_hosts: Collection[str] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_bytes = max_query_bytes
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        problem = self._refusal(scope)
        if problem is not None:
            await _send_error(send, *problem)
            return
        body = await self._read_body(scope, receive)
        if body is None:
            await _send_error(send, 413, "too_large",
                              f"The request body is over {self.max_body_bytes} bytes. This "
                              "server only reads; send a GET request without a body.")
            return
        await self.app(_twin(scope), _replay(body, receive), send)

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        if len(scope.get("query_string", b"")) > self.max_query_bytes:
            return (414, "uri_too_long", f"The query string is over {self.max_query_bytes} "
                    "bytes. Ask for less (shorter search, fewer parameters).")
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length", b"0").decode("latin-1").strip() or "0"
        if not length.isdigit():
            return 400, "bad_request", f"Content-Length {length!r} is not a number."
        if int(length) > self.max_body_bytes:
            return (413, "too_large", f"The request body ({length} bytes) is over "
                    f"{self.max_body_bytes} bytes. This server only reads; send a GET request "
                    "without a body.")
        if self.allowed_hosts is not None and _host(headers) not in self.allowed_hosts:
            return (400, "bad_host", "This server answers only to "
                    f"{', '.join(sorted(self.allowed_hosts))}; open it by one of those names.")
        return None

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body (b"" when there is none), or None when it grows over the cap."""
        headers = dict(scope.get("headers", []))
        if b"content-length" not in headers and b"transfer-encoding" not in headers:
            return b""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _host(headers: dict[bytes, bytes]) -> str:
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _twin(scope: Scope) -> Scope:
    path: str = scope["path"]
    if not path.endswith(".json") or path.startswith(_OWN_JSON):
        return scope
    page = path[: -len(".json")]
    page = "/" if page in ("", "/index") else page
    return {**scope, "path": page, "raw_path": page.encode("utf-8"), JSON_TWIN: True}


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_headers(send: Send) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return send_with_headers


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(status, code, message)).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": body})
