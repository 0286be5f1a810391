"""Articles fetched over HTTP(S), within limits: one URL, or a feed file listing URLs.

A URL is fetched only when every check passes, and each check is made again on every
redirect target:

- the scheme is ``http`` or ``https`` (``file:``, ``ftp:``, ``gopher:``… are refused);
- every address the host name resolves to is public: loopback, private, link-local,
  shared, reserved, multicast and unspecified addresses (IPv4 and IPv6, including IPv4
  written inside IPv6) are refused unless ``allow_private`` is given;
- the connection goes to the very address that was checked, so a name that resolves
  elsewhere a moment later (DNS rebinding) cannot send the request to another host;
- at most ``max_redirects`` redirects, ``connect_timeout`` seconds to connect and
  ``total_timeout`` seconds for the whole exchange (a watchdog closes the socket, so a
  server that sends one byte a second is cut off too);
- the body is streamed and reading stops at ``max_bytes`` (compressed bodies are counted
  after decompression).

The fetched page goes through the HTML reader (or the text reader for ``text/plain``), so
metadata and boilerplate are handled exactly as for a saved file. A URL that fails
becomes a Failure with stage ``fetch`` that names the URL, the problem and the fix.

A feed file (``.urls`` or ``.feed``, named explicitly) holds one URL per line; blank lines
and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from ..document import Failure
from .article import Article
from .failure import READ, InputError
from .html import read_html
from .text import read_text

__all__ = [
    "UrlLimits",
    "FetchedPage",
    "FETCH",
    "FEED_EXTENSIONS",
    "is_url",
    "is_feed",
    "fetch",
    "read_url",
    "read_feed",
]

FETCH = "fetch"  # the stage a Failure names when a URL could not be fetched
FEED_EXTENSIONS = (".urls", ".feed")
_SCHEMES = ("http", "https")
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 65_536
_PATH_SAFE = "/?&=%:@!$'()*+,;~-._[]"
_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_USER_AGENT = "dyadwatch/0.1 (news coding; one request per article)"
# NAT64 addresses carry an IPv4 address in their last 32 bits: judge that address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class UrlLimits:
    """How far a URL fetch may go: size, time, redirects and which addresses it may reach."""

    max_bytes: int = 10_000_000
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_redirects: int = 5
    allow_private: bool = False


@dataclass(frozen=True)
class FetchedPage:
    """The body of a fetched URL, with where it ended up and what the server said it is."""

    url: str  # the final URL, after redirects
    data: bytes
    content_type: str  # lower case, without parameters; "" when the server gave none
    charset: str | None


def is_url(value: str) -> bool:
    """True when ``value`` is written as a URL (``scheme://…``), not as a file path.

    Only http and https URLs are fetched; any other scheme (``file://``, ``ftp://``…) is
    still a URL here, so that it fails with a clear reason instead of "no such file".
    """
    return _URL_START.match(value) is not None


def is_feed(path: Path) -> bool:
    """True when ``path`` is a feed file: a list of URLs (``.urls`` or ``.feed``)."""
    return path.suffix.lower() in FEED_EXTENSIONS


def read_feed(path: Path, *, limits: UrlLimits | None = None) -> Iterator[Article | Failure]:
    """Fetch every URL listed in the feed file ``path``: an Article or a Failure for each.

    A line that is not an http(s) URL becomes a Failure naming the file and line.
    """
    source = str(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        yield Failure(source, READ, f"cannot read the feed file ({exc}); it must be UTF-8 "
                                    "text with one URL per line")
        return
    entries = [(number, line.strip()) for number, line in enumerate(lines, start=1)
               if line.strip() and not line.lstrip().startswith("#")]
    if not entries:
        yield Failure(source, READ, "the feed file lists no URL (one http(s) URL per line, "
                                    "# for comments)")
    for number, entry in entries:
        if is_url(entry):
            yield read_url(entry, limits=limits)
        else:
            yield Failure(f"{source}:{number}", READ, f"not an http(s) URL: {entry[:200]!r} "
                          "(write one URL per line, starting with http:// or https://)", number)


def read_url(url: str, *, limits: UrlLimits | None = None) -> Article | Failure:
    """Fetch ``url`` and read the article it holds; a Failure (stage ``fetch``, or the
    reader's stage) says why not."""
    try:
        page = fetch(url, limits=limits)
        return _article(url, page)
    except InputError as exc:
        return exc.to_failure()


def fetch(url: str, *, limits: UrlLimits | None = None) -> FetchedPage:
    """GET ``url`` within ``limits``, following redirects that pass the same checks.

    Returns the FetchedPage of the final URL. Raises InputError (stage ``fetch``) for a
    refused scheme or address, too many redirects, a timeout, an HTTP error status or a
    body over the size limit.
    """
    limits = limits or UrlLimits()
    deadline = time.monotonic() + limits.total_timeout
    current = url
    for _hop in range(limits.max_redirects + 1):
        target = _checked_target(url, current, limits)
        response = _Exchange(url, target, limits, deadline).run()
        if isinstance(response, FetchedPage):
            return response
        current = urljoin(current, response)
    raise _refusal(url, f"more than {limits.max_redirects} redirects (the last one pointed "
                        f"to {current[:200]}); open the final address and give that URL")


# --- checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]  # checked addresses, the only ones connected to


def _checked_target(original: str, url: str, limits: UrlLimits) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise _refusal(original, f"{shown} URLs are not fetched ({url[:200]}): only http and "
                                 "https are; save the file and give its path instead")
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:  # a port that is not a number, or out of range
        raise _refusal(original, f"bad address in {url[:200]} ({exc})") from exc
    if not host:
        raise _refusal(original, f"no host name in {url[:200]}")
    addresses = _resolve(host, port, limits.connect_timeout, original)
    if not limits.allow_private:
        for address in addresses:
            if not _is_public(ipaddress.ip_address(address)):
                raise _refusal(original, _private_reason(host, address, url))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # Spaces, non-ASCII letters and line breaks are sent escaped: a URL can never add a
    # header or break the request line.
    return _Target(url, scheme, host, port, quote(path, safe=_PATH_SAFE), addresses)


def _private_reason(host: str, address: str, url: str) -> str:
    via = "" if host == address.split("%")[0] else f" (the name {host} resolves to it)"
    return (f"refused to fetch {url[:200]}: {address}{via} is a private, loopback or "
            "link-local address; pass --allow-private (allow_private=True) to fetch from "
            "your own network")


def _is_public(address: Address) -> bool:
    """True when ``address`` is on the public internet (not loopback, private, link-local…)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or _nat64(address)
        if embedded is not None:
            return _is_public(embedded)
        if address.teredo is not None:
            return all(_is_public(inner) for inner in address.teredo)
    return address.is_global and not (address.is_multicast or address.is_unspecified)


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address not in _NAT64:
        return None
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def _resolve(host: str, port: int, timeout: float, original: str) -> tuple[str, ...]:
    """Every address ``host`` resolves to, within ``timeout`` seconds."""
    found: list[tuple[str, ...]] = []
    problem: list[BaseException] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.append(tuple(dict.fromkeys(str(info[4][0]) for info in infos)))
        except (OSError, UnicodeError) as exc:
            problem.append(exc)

    # getaddrinfo has no timeout of its own; a daemon thread lets us stop waiting for it.
    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    if problem:
        raise _refusal(original, f"cannot resolve the host name {host!r} ({problem[0]}); "
                                 "check the URL")
    if not found:
        raise _refusal(original, f"resolving the host name {host!r} took more than "
                                 f"{timeout:g} s; check the URL or the network")
    return found[0]


def _refusal(url: str, reason: str) -> InputError:
    return InputError(url, reason, stage=FETCH)


# --- the exchange ------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, whatever the host name resolves to now."""

    def __init__(self, target: _Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate is checked for the host name."""

    def __init__(self, target: _Target, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()  # certificates and host names are checked
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class _Exchange:
    """One request and its response, under the size limit and the overall deadline."""

    def __init__(self, original: str, target: _Target, limits: UrlLimits, deadline: float):
        self.original = original
        self.target = target
        self.limits = limits
        self.deadline = deadline
        self.timed_out = threading.Event()

    def run(self) -> FetchedPage | str:
        """The page, or the Location of a redirect (not followed here)."""
        connection = self._connect()
        # The response keeps reading from this socket after http.client lets go of it.
        watchdog = threading.Timer(max(self._remaining(), 0.0), self._expire, (connection.sock,))
        watchdog.daemon = True
        watchdog.start()
        try:
            result = self._exchange(connection)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if self.timed_out.is_set():
                raise self._too_slow() from exc
            raise _refusal(self.original, f"the request to {self.target.url[:200]} failed "
                                          f"({exc!r}); check the URL or try again later") from exc
        finally:
            watchdog.cancel()
            connection.close()
        if self.timed_out.is_set():  # the watchdog's shutdown reads as a normal end
            raise self._too_slow()
        return result

    def _connect(self) -> http.client.HTTPConnection:
        kind = _PinnedHTTPSConnection if self.target.scheme == "https" else _PinnedHTTPConnection
        problems = []
        for address in self.target.addresses:
            timeout = min(self.limits.connect_timeout, self._remaining())
            if timeout <= 0:
                raise self._too_slow()
            connection = kind(self.target, address, timeout)
            try:
                connection.connect()
                return connection
            except (OSError, ssl.SSLError) as exc:
                connection.close()
                problems.append(f"{address}: {exc}")
        raise _refusal(self.original, f"cannot connect to {self.target.host} port "
                                      f"{self.target.port} ({'; '.join(problems)[:300]}); check "
                                      "the URL, or whether the site is up")

    def _exchange(self, connection: http.client.HTTPConnection) -> FetchedPage | str:
        connection.request("GET", self.target.path, headers={
            "User-Agent": _USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        })
        response = connection.getresponse()
        if response.status in _REDIRECTS:
            location = response.getheader("Location")
            if not location:
                raise _refusal(self.original, f"HTTP {response.status} redirect from "
                                              f"{self.target.url[:200]} without a Location")
            return location
        if not 200 <= response.status < 300:
            raise _refusal(self.original, f"HTTP {response.status} {response.reason} from "
                                          f"{self.target.url[:200]}; check the URL")
        content_type, charset = _content_type(response.getheader("Content-Type"))
        data = self._body(response)
        return FetchedPage(self.target.url, data, content_type, charset)

    def _body(self, response: http.client.HTTPResponse) -> bytes:
        cap = self.limits.max_bytes
        declared = response.getheader("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > cap:
            raise self._too_large(f"the server announces {int(declared):,} bytes")
        decoder = _decoder(response.getheader("Content-Encoding", ""), self.original)
        chunks, size = [], 0
        while True:
            # read1 returns after one receive, so the deadline is checked between them.
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            if decoder is not None:
                chunk = decoder.decompress(chunk, cap + 1 - size)
            size += len(chunk)
            if size > cap:
                raise self._too_large(f"reading stopped at {cap:,} bytes")
            chunks.append(chunk)
        if decoder is not None:
            chunks.append(decoder.flush())
            if size + len(chunks[-1]) > cap:
                raise self._too_large(f"reading stopped at {cap:,} bytes")
        return b"".join(chunks)

    def _remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _expire(self, sock: socket.socket | None) -> None:
        self.timed_out.set()
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: the exchange is over anyway
                sock.shutdown(socket.SHUT_RDWR)

    def _too_slow(self) -> InputError:
        return _refusal(self.original, f"fetching took more than {self.limits.total_timeout:g} "
                                       "s in all; the server is too slow or sends without end")

    def _too_large(self, detail: str) -> InputError:
        return _refusal(self.original, f"the page is larger than the limit of "
                                       f"{self.limits.max_bytes:,} bytes ({detail}); save it "
                                       "and read the file, or raise max_bytes")


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    message = Message()
    message["Content-Type"] = header
    charset = message.get_param("charset")
    return message.get_content_type().lower(), charset if isinstance(charset, str) else None


def _decoder(encoding: str, original: str) -> Any:
    """A zlib decompressor for a gzip or deflate body, None for an identity one."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip", "deflate"):
        # wbits 47 reads gzip and zlib headers alike; max_length in decompress() bounds
        # the output, so a small "zip bomb" cannot grow past the size limit.
        return zlib.decompressobj(47)
    raise _refusal(original, f"the server sent the body in the {encoding!r} encoding, which "
                             "dyadwatch does not read (it asked for gzip or none)")


# --- from page to article -----------------------------------------------------------------


def _article(url: str, page: FetchedPage) -> Article:
    kind = page.content_type or _sniff_kind(page.data)
    if not page.data.strip():
        raise InputError(url, f"the page at {page.url[:200]} is empty", stage=READ)
    if kind in _HTML_TYPES:
        article = _read(read_html, page, url)
    elif kind.startswith("text/"):
        article = _read(read_text, page, url)
    else:
        raise _refusal(url, f"the page at {page.url[:200]} is {kind}, not an article (HTML or "
                            "plain text)")
    return article if article.url else replace(article, url=page.url)


def _read(reader: Callable[..., Article], page: FetchedPage, url: str) -> Article:
    # The server's charset is a hint: when it does not decode the bytes, the reader's own
    # order (BOM, <meta charset>, UTF-8, detection) decides, as for a saved file.
    if page.charset:
        try:
            return reader(page.data, source=url, encoding=page.charset)
        except (InputError, LookupError):
            pass
    return reader(page.data, source=url)


def _sniff_kind(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "text/html"
    return "text/plain"
