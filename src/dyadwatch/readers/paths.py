"""Walk files, folders and standard input, and yield an Article or a Failure for each input.

Nothing stops the batch and nothing is dropped in silence: a missing path, an empty or
binary file, a file over the size limit or a bad JSONL line each becomes a Failure that
says which input, what is wrong, and what to do about it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, TextIO, cast

from ..document import Failure
from .article import Article
from .encoding import decode_bytes
from .failure import READ, InputError
from .html import read_html
from .jsonl import parse_jsonl_lines
from .text import read_text
from .url import UrlLimits, is_feed, is_url, read_feed, read_url

__all__ = ["read_paths", "EXTENSIONS", "DEFAULT_MAX_BYTES", "STDIN"]

DEFAULT_MAX_BYTES = 20_000_000
STDIN = "-"
# File extensions read when walking a folder, and the format each one holds.
EXTENSIONS: dict[str, str] = {
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".html": "html", ".htm": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_paths(
    paths: Iterable[str | Path],
    *,
    stdin: TextIO | BinaryIO | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    encoding: str | None = None,
    url_limits: UrlLimits | None = None,
) -> Iterator[Article | Failure]:
    """Yield an Article or a Failure for every article in ``paths``.

    A path is a file, a folder (read recursively in sorted order, skipping hidden entries,
    unknown extensions and README/LICENSE files) or ``"-"`` for JSONL on ``stdin``
    (default ``sys.stdin``).
    Files over ``max_bytes`` fail (None: no limit); in JSONL the limit applies to each
    line, because lines are streamed. ``encoding`` skips detection for text and HTML.
    A path starting with http:// or https:// is fetched, and a feed file named explicitly
    (``.urls``, ``.feed``: one URL per line) has each of its URLs fetched, within
    ``url_limits`` (default UrlLimits(): no private addresses, see readers.url).
    A file name that is not valid UTF-8 is given with ``\\x`` escapes in ``source``.
    """
    seen: set[str] = set()
    for path in paths:
        for item in _read_path(path, seen, stdin, max_bytes, encoding, url_limits):
            yield _printable_source(item)


def _read_path(
    path: str | Path, seen: set[str], stdin: TextIO | BinaryIO | None, max_bytes: int | None,
    encoding: str | None, url_limits: UrlLimits | None,
) -> Iterator[Article | Failure]:
    if str(path) == STDIN:
        yield from _read_stdin(stdin, max_bytes)
        return
    if isinstance(path, str) and is_url(path):
        yield read_url(path, limits=url_limits)
        return
    if not Path(path).is_dir() and is_feed(Path(path)):
        # Only a feed named explicitly is fetched: walking a folder never goes online.
        yield from read_feed(Path(path), limits=url_limits)
        return
    for item, fmt in _expand(Path(path), seen):
        if isinstance(item, Failure):
            yield item
        else:
            yield from _read_file(item, fmt, max_bytes, encoding)


def _printable_source(item: Article | Failure) -> Article | Failure:
    """``item`` with a source that is valid Unicode.

    A file name in another encoding than UTF-8 reaches Python as lone surrogates, which
    no database and no terminal can take; its bytes are shown as ``\\xe9`` instead, the
    same on every run, so that resuming still recognises the file.
    """
    try:
        item.source.encode("utf-8")
        return item
    except UnicodeEncodeError:
        pass
    try:
        raw = item.source.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        raw = item.source.encode("utf-8", "backslashreplace")
    return replace(item, source=raw.decode("utf-8", "backslashreplace"))


def _expand(path: Path, seen: set[str]) -> Iterator[tuple[Path | Failure, str | None]]:
    if not path.is_dir():
        if _first_time(path, seen):
            # A file named explicitly is read whatever its extension: its content decides.
            yield path, EXTENSIONS.get(path.suffix.lower())
        return
    found = skipped = 0
    for file_path in _walk(path):
        fmt = EXTENSIONS.get(file_path.suffix.lower())
        if fmt is None:
            skipped += 1
            continue
        found += 1
        if _first_time(file_path, seen):
            yield file_path, fmt
    if not found:
        # An input that yields nothing must still say so, or a typo in a folder goes unseen.
        detail = f"; {skipped} file(s) with other extensions skipped" if skipped else ""
        yield _folder_failure(path, f"holds no readable files{detail}"), None


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and not _describes_folder(name):
                yield Path(root, name)


def _describes_folder(name: str) -> bool:
    # README.md or LICENSE.txt in a corpus folder describe the corpus; they are not
    # articles. Named explicitly, they are read like any other file.
    return Path(name).stem.upper() in _FOLDER_DOCS


_FOLDER_DOCS = {"README", "LICENSE", "LICENCE", "COPYING", "CHANGELOG", "NOTICE"}


def _first_time(path: Path, seen: set[str]) -> bool:
    # The same file reached twice (named and inside a named folder) is read once.
    key = os.path.realpath(path)
    if key in seen:
        return False
    seen.add(key)
    return True


def _folder_failure(path: Path, problem: str) -> Failure:
    kinds = ", ".join(EXTENSIONS)
    return Failure(str(path), "read", f"folder {problem} (readable: {kinds})")


def _read_file(
    path: Path, fmt: str | None, max_bytes: int | None, encoding: str | None
) -> Iterator[Article | Failure]:
    source = str(path)
    try:
        if fmt == "jsonl" or (fmt is None and _looks_like_jsonl(path)):
            yield from _read_jsonl_file(path, max_bytes)
            return
        data = _read_bytes(path, max_bytes)
        if fmt is None:
            fmt = _sniff(data)
        if fmt == "html":
            yield read_html(data, source=source, encoding=encoding)
        else:
            yield read_text(data, source=source, encoding=encoding)
    except InputError as exc:
        yield exc.to_failure()
    except OSError as exc:
        yield Failure(source, "read", _os_reason(exc))


def _read_bytes(path: Path, max_bytes: int | None) -> bytes:
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise InputError(
            str(path),
            f"file too large: {size:,} bytes, over the limit of {max_bytes:,} bytes "
            f"(pass a larger max_bytes, or None for no limit, to read it)",
            stage=READ,
        )
    data = path.read_bytes()
    if not data:
        raise InputError(str(path), "empty file (0 bytes): nothing to read", stage=READ)
    return data


def _read_jsonl_file(path: Path, max_bytes: int | None) -> Iterator[Article | Failure]:
    source = str(path)
    with path.open("rb") as handle:
        head = handle.read(2)
        handle.seek(0)
        if head in _UTF16_BOMS:
            # JSON Lines should be UTF-8, but editors on Windows save UTF-16: decode it whole.
            text, _ = decode_bytes(_read_bytes(path, max_bytes), source=source)
            lines = enumerate(text.splitlines(), start=1)
            yield from _some_record(parse_jsonl_lines(lines, source=source), source)
            return
        if path.stat().st_size == 0:
            raise InputError(source, "empty file (0 bytes): nothing to read", stage=READ)
        yield from _some_record(
            parse_jsonl_lines(_bounded_lines(handle, max_bytes), source=source), source)


def _some_record(items: Iterator[Article | Failure], source: str) -> Iterator[Article | Failure]:
    """Pass ``items`` on; a stream that held no record at all is itself a Failure."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        # Only blank lines: without this the input would vanish from the run's report.
        yield Failure(source, READ, "no JSON record in the input (only blank lines): "
                                    "nothing to read")


def _bounded_lines(handle: BinaryIO, max_bytes: int | None) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines of ``handle``; None for a line over ``max_bytes`` (read past, not kept)."""
    number = 0
    while True:
        line = handle.readline(max_bytes + 1) if max_bytes is not None else handle.readline()
        if not line:
            return
        number += 1
        if max_bytes is not None and len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(max_bytes + 1)
            yield number, None
        else:
            yield number, line


def _read_stdin(stdin: TextIO | BinaryIO | None, max_bytes: int | None) -> Iterator[Article | Failure]:
    stream = stdin if stdin is not None else sys.stdin.buffer
    lines = _stdin_lines(stream, max_bytes)
    yield from _some_record(parse_jsonl_lines(lines, source="<stdin>"), "<stdin>")


def _stdin_lines(
    stream: TextIO | BinaryIO, max_bytes: int | None
) -> Iterator[tuple[int, bytes | str | None]]:
    for number, line in enumerate(cast(Iterable[bytes | str], stream), start=1):
        size = len(line.encode("utf-8")) if isinstance(line, str) else len(line)
        too_long = max_bytes is not None and size > max_bytes
        yield number, None if too_long else line


def _looks_like_jsonl(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _sniff(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "html"
    return "txt"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory: check the path (relative paths start at the current folder)"
    if isinstance(exc, PermissionError):
        return "permission denied: make the file readable for this user"
    if isinstance(exc, IsADirectoryError):
        return "is a directory where a file was expected"
    return f"cannot read the file: {exc.strerror or exc}"
