"""Readers: files, folders and stdin in; an Article or a Failure for every input out."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dyadwatch.readers as readers
from dyadwatch.document import Failure
from dyadwatch.errors import ReaderError
from dyadwatch.readers import (
    Article,
    InputError,
    article_to_document,
    decode_bytes,
    normalise_date,
    read_paths,
)

RUSSIAN = "Президент Казахстана встретился с председателем КНР в Астане. Стороны обсудили торговлю и транспорт."
FRENCH = "Le président a rencontré son homologue à Genève. Les délégations ont signé un accord économique."
ARTICLE = "Kazakhstan and China sign visa deal\n\nThe two governments signed an agreement on Monday.\n"

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Ministers agree on new border crossing | Test Post</title>
<meta property="og:title" content="Ministers agree on new border crossing">
<meta property="og:site_name" content="Test Post">
<meta name="author" content="Ana Lee">
<meta property="article:published_time" content="2024-03-12T10:00:00+00:00">
<link rel="canonical" href="https://test-post.example/world/2024/03/border-crossing">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Ministers agree on new border crossing</h1>
<p>The foreign ministers of the two neighbouring countries agreed on Tuesday to open a new border crossing for trucks next year, to cut the long queues of freight on the main road.</p>
<p>Officials said the crossing would be built with money from both governments and would open in the spring, once customs buildings on both sides are ready for use.</p>
<p>Traders in the border towns have asked for a second crossing for several years, since the waiting time for lorries grew to more than two days at the busiest times.</p>
</article>
<aside><h3>Related</h3><ul><li><a href="/x">Queues at the border grow again</a></li></ul></aside>
<footer><p>&copy; 2024 Test Post. All rights reserved.</p></footer>
</body></html>"""


def only(items: list) -> Article | Failure:
    assert len(items) == 1, items
    return items[0]


def read_one(path: Path, **options) -> Article | Failure:
    return only(list(read_paths([path], **options)))


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_public_api_is_pinned():
    assert set(readers.__all__) == {
        "Article", "Failure", "InputError", "read_paths", "article_to_document", "read_text",
        "read_html", "extract_html", "parse_record", "decode_bytes", "binary_kind",
        "normalise_date", "parse_date", "find_dates", "DEFAULT_MAX_BYTES",
        "DETECTABLE_ENCODINGS", "EXTENSIONS", "FORMATS", "JSONL_FIELDS", "STDIN",
    }
    assert readers.DEFAULT_MAX_BYTES == 20_000_000


# --- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "encoding", "text"),
    [
        (ARTICLE.encode("utf-8"), "utf-8", ARTICLE),
        (b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"), "utf-8-sig", ARTICLE),
        (b"\xff\xfe" + (ARTICLE + RUSSIAN).encode("utf-16-le"), "utf-16-le", ARTICLE + RUSSIAN),
        (b"\xfe\xff" + (ARTICLE + RUSSIAN).encode("utf-16-be"), "utf-16-be", ARTICLE + RUSSIAN),
        ((ARTICLE + FRENCH).encode("utf-16-le"), "utf-16-le", ARTICLE + FRENCH),  # no BOM
        ((ARTICLE + FRENCH).encode("utf-16-be"), "utf-16-be", ARTICLE + FRENCH),  # no BOM
        (RUSSIAN.encode("cp1251"), "cp1251", RUSSIAN),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "cp1251"],
)
def test_text_files_decode_and_record_their_encoding(tmp_path, payload, encoding, text):
    article = read_one(write(tmp_path, "a.txt", payload))
    assert isinstance(article, Article), article
    assert (article.text, article.encoding, article.fmt) == (text, encoding, "txt")


def test_latin1_text_decodes_to_the_original_characters(tmp_path):
    article = read_one(write(tmp_path, "fr.txt", FRENCH.encode("latin-1")))
    assert isinstance(article, Article), article
    assert article.text == FRENCH
    # cp1252 and latin-1 agree on every letter here; the more common name is reported.
    assert article.encoding == "cp1252"


def test_caller_encoding_skips_detection(tmp_path):
    path = write(tmp_path, "ru.txt", RUSSIAN.encode("koi8_r"))
    article = read_one(path, encoding="koi8_r")
    assert isinstance(article, Article)
    assert (article.text, article.encoding) == (RUSSIAN, "koi8-r")


def test_undecodable_bytes_fail_with_the_fix(tmp_path):
    noise = bytes(random.Random(7).randrange(128, 256) for _ in range(2000))
    failure = read_one(write(tmp_path, "noise.txt", noise))
    assert isinstance(failure, Failure)
    assert failure.stage == "decode"
    assert "not UTF-8" in failure.reason and "encoding=" in failure.reason


def test_utf8_with_a_stray_byte_is_mixed_not_guessed(tmp_path):
    damaged = "Встреча в Бишкеке прошла успешно. ".encode() + b"caf\xe9 " + "Итоги подвели.".encode()
    failure = read_one(write(tmp_path, "mixed.txt", damaged))
    assert isinstance(failure, Failure)
    assert "mixed encodings" in failure.reason and "1 invalid byte sequence" in failure.reason


def test_decode_bytes_raises_a_reader_error_naming_the_source():
    with pytest.raises(ReaderError, match="feed.txt: empty file"):
        decode_bytes(b"", source="feed.txt")
    with pytest.raises(InputError) as caught:
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", source="x.txt")
    assert caught.value.stage == "decode"


@given(st.binary(max_size=600))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_garbage_never_escapes_as_an_exception(tmp_path, data):
    path = tmp_path / "garbage.txt"
    path.write_bytes(data)
    item = read_one(path)
    assert isinstance(item, Article | Failure)
    if isinstance(item, Article):
        assert item.text.strip() and item.encoding


# --- bad files -------------------------------------------------------------------------


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", ARTICLE)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "payload", "stage", "words"),
    [
        ("empty.txt", b"", "read", "empty file (0 bytes)"),
        ("blank.txt", b"  \n\n\t \n", "read", "only white space"),
        ("image.txt", png_bytes(), "decode", "PNG image"),
        ("bundle.txt", zip_bytes(), "decode", "ZIP archive"),
        ("nul.txt", b"abc\x00\x01\x02\x03\x00\xff\x00\x10def" * 20, "decode", "NUL bytes"),
        ("empty.jsonl", b"", "read", "empty file"),
        ("empty.html", b"", "read", "empty file"),
    ],
)
def test_bad_files_become_failures(tmp_path, name, payload, stage, words):
    failure = read_one(write(tmp_path, name, payload))
    assert isinstance(failure, Failure), failure
    assert failure.source == str(tmp_path / name)
    assert failure.stage == stage
    assert words in failure.reason


def test_missing_path_names_the_path(tmp_path):
    missing = tmp_path / "nope" / "article.txt"
    failure = read_one(missing)
    assert isinstance(failure, Failure)
    assert failure.source == str(missing)
    assert "no such file or directory" in failure.reason


def test_file_over_the_limit_says_the_size_and_the_limit(tmp_path):
    path = write(tmp_path, "big.txt", "word " * 300)
    failure = read_one(path, max_bytes=1000)
    assert isinstance(failure, Failure)
    assert failure.stage == "read"
    assert "1,500 bytes" in failure.reason and "limit of 1,000 bytes" in failure.reason


@pytest.fixture(scope="module")
def fifty_megabytes(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "huge.txt"
    line = b"The delegations met again to discuss the transit of freight.\n"
    with path.open("wb") as out:
        out.write(b"Huge file\n\n" + line * (50_000_000 // len(line)))
    return path


def test_fifty_megabyte_file_fails_clearly_by_default(fifty_megabytes):
    failure = read_one(fifty_megabytes)
    assert isinstance(failure, Failure)
    assert "over the limit of 20,000,000 bytes" in failure.reason
    assert "max_bytes" in failure.reason


def test_fifty_megabyte_file_is_read_in_full_without_a_limit(fifty_megabytes):
    article = read_one(fifty_megabytes, max_bytes=None)
    assert isinstance(article, Article)
    assert len(article.text) == fifty_megabytes.stat().st_size


def test_a_bad_file_does_not_stop_the_batch(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.txt", png_bytes())
    write(tmp_path, "c.txt", ARTICLE.replace("visa", "trade"))
    kinds = [type(item).__name__ for item in read_paths([tmp_path])]
    assert kinds == ["Article", "Failure", "Article"]


# --- HTML ------------------------------------------------------------------------------


def test_html_gives_main_text_and_page_metadata(tmp_path):
    article = read_one(write(tmp_path, "page.html", PAGE))
    assert isinstance(article, Article), article
    assert article.fmt == "html"
    assert article.title == "Ministers agree on new border crossing"
    assert article.published == "2024-03-12"
    assert article.outlet == "Test Post"
    assert article.author == "Ana Lee"
    assert article.url == "https://test-post.example/world/2024/03/border-crossing"
    assert "new border crossing for trucks" in article.text
    for chrome in ("Sport", "Queues at the border grow again", "All rights reserved"):
        assert chrome not in article.text


def test_html_without_a_date_has_none_not_a_guess_from_the_url(tmp_path):
    page = PAGE.replace('<meta property="article:published_time" content="2024-03-12T10:00:00+00:00">', "")
    article = read_one(write(tmp_path, "nodate.htm", page))
    assert isinstance(article, Article)
    assert article.published is None  # the URL holds /2024/03/: no day, so no date


def test_truncated_html_keeps_the_text_before_the_cut(tmp_path):
    cut = PAGE.index("would be built with") + len("would be built with")
    article = read_one(write(tmp_path, "cut.html", PAGE[:cut]))
    assert isinstance(article, Article), article
    assert "new border crossing for trucks" in article.text
    assert "Traders in the border towns" not in article.text


def test_html_without_article_text_fails_clearly(tmp_path):
    failure = read_one(write(tmp_path, "shell.html", "<html><head><title>x</title></head><body></body></html>"))
    assert isinstance(failure, Failure)
    assert failure.stage == "parse"
    assert "no article text found in the HTML" in failure.reason


def test_html_declared_charset_is_honoured(tmp_path):
    page = PAGE.replace('charset="utf-8"', 'charset="windows-1251"').replace(
        "Traders in the border towns", "Торговцы в приграничных городах"
    )
    article = read_one(write(tmp_path, "ru.html", page.encode("cp1251")))
    assert isinstance(article, Article), article
    assert article.encoding == "cp1251"
    assert "Торговцы в приграничных городах" in article.text


# --- JSONL -----------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_jsonl_good_lines_survive_a_broken_one(tmp_path):
    path = write(tmp_path, "feed.jsonl", jsonl(
        {"text": "First story.", "title": "One"},
        '{"text": "unterminated',
        {"text": "Third story.", "date": "12 March 2024", "outlet": "Wire", "url": "u"},
    ))
    items = list(read_paths([path]))
    assert [type(item).__name__ for item in items] == ["Article", "Failure", "Article"]
    first, broken, third = items
    assert (first.source, first.line, first.title) == (f"{path}:1", 1, "One")
    assert (broken.source, broken.line, broken.stage) == (f"{path}:2", 2, "parse")
    assert "invalid JSON" in broken.reason
    assert (third.published, third.outlet, third.url, third.line) == ("12 March 2024", "Wire", "u", 3)


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"title": "No text"}, "missing the required field 'text'"),
        ({"text": 42}, "field 'text' must be a string, got a number (42)"),
        ({"text": "   "}, "field 'text' is empty"),
        ({"text": "Body.", "title": ["a", "list"]}, "field 'title' must be a string or null, got an array"),
        ({"text": "Body.", "published": 20240312}, "field 'published' must be a string or null"),
        ({"text": "Body.", "outlet": {"name": "x"}}, "field 'outlet' must be a string or null, got an object"),
        ([1, 2, 3], "expected a JSON object with a 'text' field, got an array"),
        ("null", "expected a JSON object with a 'text' field, got null"),
    ],
)
def test_jsonl_wrong_types_name_the_field(tmp_path, record, words):
    path = write(tmp_path, "bad.jsonl", jsonl(record))
    failure = read_one(path)
    assert isinstance(failure, Failure)
    assert failure.line == 1 and failure.stage == "parse"
    assert words in failure.reason


def test_jsonl_blank_lines_are_skipped_and_line_numbers_kept(tmp_path):
    path = write(tmp_path, "gaps.ndjson", "\n" + jsonl({"text": "Only story."}) + "\n\n")
    article = read_one(path)
    assert isinstance(article, Article) and article.line == 2


def test_jsonl_line_over_the_limit_fails_and_the_next_line_is_read(tmp_path):
    path = write(tmp_path, "long.jsonl", jsonl({"text": "x" * 500}, {"text": "Short story."}))
    items = list(read_paths([path], max_bytes=100))
    assert isinstance(items[0], Failure) and items[0].line == 1
    assert "line too long" in items[0].reason
    assert isinstance(items[1], Article) and items[1].text == "Short story."


@pytest.mark.parametrize("as_bytes", [True, False])
def test_stdin_dash_reads_jsonl(as_bytes):
    text = jsonl({"text": "From a pipe.", "published": "2024-03-12"}, "[oops")
    stream = io.BytesIO(text.encode()) if as_bytes else io.StringIO(text)
    article, failure = read_paths(["-"], stdin=stream)
    assert isinstance(article, Article) and article.source == "<stdin>:1"
    assert isinstance(failure, Failure) and failure.source == "<stdin>:2" and failure.line == 2


# --- folders ---------------------------------------------------------------------------


def test_folders_are_walked_recursively_sorted_and_filtered(tmp_path):
    write(tmp_path, "b.txt", ARTICLE)
    write(tmp_path, "a.md", ARTICLE)
    write(tmp_path, "sub/c.htm", PAGE)
    write(tmp_path, "sub/d.ndjson", jsonl({"text": "Story."}))
    write(tmp_path, ".hidden.txt", ARTICLE)
    write(tmp_path, ".git/e.txt", ARTICLE)
    write(tmp_path, "notes.docx", b"PK\x03\x04")
    write(tmp_path, "README.md", "# about this corpus\n")
    sources = [item.source for item in read_paths([tmp_path])]
    assert sources == [str(tmp_path / "a.md"), str(tmp_path / "b.txt"),
                       str(tmp_path / "sub" / "c.htm"), f"{tmp_path / 'sub' / 'd.ndjson'}:1"]


def test_explicit_file_with_unknown_extension_is_read_by_content(tmp_path):
    html = write(tmp_path, "page.download", PAGE)
    text = write(tmp_path, "story.log", ARTICLE)
    lines = write(tmp_path, "feed.data", jsonl({"text": "Story."}))
    items = list(read_paths([html, text, lines]))
    assert [item.fmt for item in items] == ["html", "txt", "jsonl"]


def test_a_file_named_twice_is_read_once(tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE)
    assert len(list(read_paths([path, tmp_path, tmp_path / "." / "a.txt"]))) == 1


def test_a_folder_without_readable_files_says_so(tmp_path):
    write(tmp_path, "scan.pdf", b"%PDF-1.4")
    failure = read_one(tmp_path)
    assert isinstance(failure, Failure)
    assert "no readable files" in failure.reason and "1 file(s) with other extensions" in failure.reason


# --- documents and dates ---------------------------------------------------------------


def test_article_to_document_carries_container_metadata():
    article = Article(source="feed.jsonl:3", text="The ministers met.", encoding="utf-8", fmt="jsonl",
                      line=3, title="Ministers meet", published="2024-03-12T10:30:00Z",
                      url="https://x.example/a", outlet="Wire", author="Ana Lee")
    doc = article_to_document(article)
    assert doc.source == "feed.jsonl:3" and doc.encoding == "utf-8"
    assert (doc.meta.title, doc.meta.published, doc.meta.published_time) == (
        "Ministers meet", "2024-03-12", "10:30:00")
    assert (doc.meta.url, doc.meta.outlet, doc.meta.author) == ("https://x.example/a", "Wire", "Ana Lee")
    assert doc.raw == "Ministers meet\n\nThe ministers met."  # the headline is part of the text


def test_article_to_document_keeps_a_title_already_in_the_text():
    article = Article(source="p.html", text="Ministers meet\nThe ministers met.", encoding="utf-8",
                      fmt="html", title="Ministers  meet")
    assert article_to_document(article).raw == "Ministers meet\nThe ministers met."


def test_article_to_document_refuses_an_incomplete_published_date():
    article = Article(source="f.jsonl:1", text="Text.", encoding="utf-8", fmt="jsonl", published="March 2024")
    doc = article_to_document(article)
    assert doc.meta.published is None
    assert any("'March 2024' is not a complete date" in problem for problem in doc.problems)


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2024-03-12", "2024-03-12"),
        ("2024-03-12T10:00:00+08:00", "2024-03-12"),
        ("2017/6/7 20:38:39", "2017-06-07"),
        ("12 March 2024", "2024-03-12"),
        ("Tuesday, 12 March 2024", "2024-03-12"),
        ("March 12, 2024", "2024-03-12"),
        ("Sept. 7, 2013", "2013-09-07"),
        ("Tue, 12 Mar 2024 10:00:00 GMT", "2024-03-12"),
        ("1st of May 2023", "2023-05-01"),
        ("25/03/2024", "2024-03-25"),  # European order: 25 cannot be a month
        ("03/25/2024", "2024-03-25"),  # US order
        ("12.03.2024", "2024-03-12"),  # dots: day.month.year
        ("2017年6月7日", "2017-06-07"),
        ("03/04/2024", None),  # March 4 or 3 April: refused
        ("March 2024", None),
        ("July 4", None),
        ("2024-02-30", None),
        ("yesterday", None),
    ],
)
def test_normalise_date(written, iso):
    assert normalise_date(written) == iso
