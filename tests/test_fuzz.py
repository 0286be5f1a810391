"""Fuzzing the readers and the pipeline: any input gives records or a clear Failure.

Never a crash, never a hang (the per-document work caps), never a silent drop: every
input that goes in comes out as an Article / Document or as a Failure that names the
input, the step and the reason. Readers get many cheap examples (10,000); the
whole pipeline and the store fewer, cheaper ones. ``FUZZ_SCALE=10`` multiplies them.
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dyadwatch import api
from dyadwatch.document import Document, Failure
from dyadwatch.pipeline import LIMITS_STAGE, DocumentLimits, Pipeline
from dyadwatch.readers import Article, article_to_document, read_paths
from dyadwatch.store import Store

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
READER_STAGES = {"read", "decode", "parse"}
EXTENSIONS = [".txt", ".html", ".jsonl", ".dat", ""]
RUNS = itertools.count()


def fuzz(examples: int) -> settings:
    """Settings for a fuzz test: no deadline (no wall clock), no example database noise."""
    return settings(max_examples=examples * SCALE, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A folder for the files the examples write (hypothesis reuses it across examples)."""
    with tempfile.TemporaryDirectory(prefix="dyadwatch-fuzz-") as folder:
        yield Path(folder)


def read_file(folder: Path, name: str, data: bytes, **options) -> list[Article | Failure]:
    path = folder / name
    path.write_bytes(data)
    return list(read_paths([path], **options))


def check_items(items: list[Article | Failure], source: str) -> None:
    """Every item is a real Article or a Failure that says where, at which step and why."""
    for item in items:
        assert item.source.startswith(source), item
        if isinstance(item, Failure):
            assert item.stage in READER_STAGES, item
            assert len(item.reason) > 10, item
        else:
            assert isinstance(item, Article), item
            assert isinstance(item.text, str) and item.text.strip(), item
            item.text.encode("utf-8")  # no lone surrogates: the store could not write them


# A file that starts with one of these marks is UTF-16 or UTF-32 text, whatever follows: the
# reader decodes it as such (or fails the whole file), so line counts of UTF-8 do not apply.
WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)


def assert_jsonl_items(count: int, data: bytes) -> None:
    """``count`` items from JSONL ``data``: one per line that is not blank, or, for a file
    marked as UTF-16/32 (a broken first line can begin with such a mark), at least one."""
    if data.startswith(WIDE_BOMS):
        assert count >= 1
    else:
        assert count == expected_jsonl_items(data)


def expected_jsonl_items(data: bytes) -> int:
    """How many items a UTF-8 JSONL file must give: one per line that is not blank."""
    count = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            count += 1
            continue
        count += bool(text.strip())
    return max(count, 1)  # a file with no record at all is itself a failure


# --- strategies ------------------------------------------------------------------------------

CODECS = ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1251", "cp1252",
          "latin-1", "koi8-r", "iso-8859-2", "shift_jis", "gb18030", "big5", "mac-roman"]
BOMS = [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, b""]
WORDS = ["China", "Kazakhstan", "Astana", "the", "minister", "signed", "a", "deal", "on",
         "Monday", "2024", "said", "met", "President", "visited", "Russia", "trade",
         "$4.5 billion", "Beijing", "Kyrgyzstan", "agreement", "pipeline", "border", "EU"]


@st.composite
def broken_encodings(draw: st.DrawFn) -> bytes:
    """Text in some encoding, then damaged: truncated, spliced with another, wrong BOM."""
    text = draw(st.text(max_size=300))
    first = text.encode(draw(st.sampled_from(CODECS)), errors="replace")
    second = draw(st.text(max_size=100)).encode(draw(st.sampled_from(CODECS)), errors="replace")
    cut = draw(st.integers(0, len(first)))
    data = draw(st.sampled_from(BOMS)) + first[:cut] + second + first[cut:]
    if data and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


TAGS = ["html", "head", "body", "title", "meta", "div", "p", "span", "article", "main", "nav",
        "aside", "footer", "script", "style", "table", "tr", "td", "ul", "li", "h1", "a", "b",
        "iframe", "svg", "math", "template", "noscript", "time", "br", "img", "form", "select"]


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    """Tag soup: random tags, attributes, entities and text, deeply nested, maybe truncated."""
    depth = draw(st.integers(0, 3000))
    tag = draw(st.sampled_from(TAGS))
    parts = [draw(st.sampled_from(["<!DOCTYPE html>", "<html>", "", "<?xml version='1.0'?>"]))]
    parts.append(f"<{tag}>" * depth)
    pieces = st.one_of(
        st.sampled_from(TAGS).map(lambda name: f"<{name}>"),
        st.sampled_from(TAGS).map(lambda name: f"</{name}>"),
        st.builds(lambda name, attr, value: f'<{name} {attr}="{value}">',
                  st.sampled_from(TAGS), st.sampled_from(["class", "onload", "charset", "id",
                                                          "property", "content", "href"]),
                  st.text(max_size=20)),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join),
        st.sampled_from(["&amp;", "&#0;", "&#xD800;", "&bogus;", "&#99999999;", "<!--", "-->",
                         "<![CDATA[", "]]>", "<meta charset='utf-7'>", "\x00", "\ufeff"]),
        st.text(max_size=40),
    )
    parts.extend(draw(st.lists(pieces, max_size=60)))
    parts.append(f"</{tag}>" * draw(st.integers(0, depth)))
    page = "".join(parts)
    if draw(st.booleans()):
        page = page[: draw(st.integers(0, len(page)))]
    return page


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=4,
)
FIELDS = ["text", "title", "published", "date", "url", "outlet", "author"]
PROSE = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
RECORDS = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES | PROSE, max_size=5)


@st.composite
def jsonl_line(draw: st.DrawFn) -> bytes:
    """One JSONL line: a record with fields of any type, a non-object, or broken JSON."""
    kind = draw(st.sampled_from(["record", "record", "record", "value", "broken", "blank",
                                 "escapes"]))
    if kind == "blank":
        return draw(st.sampled_from([b"", b"  ", b"\t", b"\r"]))
    if kind == "escapes":  # any \\uXXXX, lone surrogates included
        codes = draw(st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=4))
        escaped = "".join(f"\\u{code:04x}" for code in codes)
        return f'{{"text": "Talks began {escaped} in Astana", "title": "{escaped}"}}'.encode()
    if kind == "value":
        return json.dumps(draw(JSON_VALUES)).encode("utf-8")
    line = json.dumps(draw(RECORDS), ensure_ascii=draw(st.booleans())).encode("utf-8")
    if kind == "broken":
        line = line[: draw(st.integers(0, len(line)))] + draw(st.binary(max_size=4))
    return line


# --- readers -----------------------------------------------------------------------------------


@fuzz(4500)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(EXTENSIONS))
def test_any_bytes_in_any_file(scratch: Path, data: bytes, suffix: str) -> None:
    items = read_file(scratch, f"any{suffix}", data)
    check_items(items, str(scratch / f"any{suffix}"))
    if suffix == ".jsonl":
        assert_jsonl_items(len(items), data)
    else:
        assert len(items) >= 1  # a file in gives at least one item out


@fuzz(2500)
@given(data=broken_encodings(), suffix=st.sampled_from([".txt", ".html"]))
def test_broken_encodings(scratch: Path, data: bytes, suffix: str) -> None:
    items = read_file(scratch, f"enc{suffix}", data)
    assert len(items) == 1
    check_items(items, str(scratch / f"enc{suffix}"))


@fuzz(500)
@given(page=html_soup(), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_tag_soup_html(scratch: Path, page: str, encoding: str) -> None:
    items = read_file(scratch, "soup.html", page.encode(encoding, errors="replace"))
    assert len(items) == 1
    check_items(items, str(scratch / "soup.html"))


@fuzz(1200)
@given(lines=st.lists(jsonl_line(), max_size=5), ending=st.sampled_from([b"\n", b"\r\n"]))
@example(lines=[b"\xfe\xff", b"{}"], ending=b"\n")  # found by a full run: a UTF-16-BE mark
def test_jsonl_with_wrong_types(scratch: Path, lines: list[bytes], ending: bytes) -> None:
    data = ending.join(lines)
    items = read_file(scratch, "records.jsonl", data)
    check_items(items, str(scratch / "records.jsonl"))
    assert_jsonl_items(len(items), data)
    if data.startswith(WIDE_BOMS):
        return  # a whole file that does not decode is one failure, without a line
    failures = [item for item in items if isinstance(item, Failure)]
    assert all(f.line is not None or "no JSON record" in f.reason or "empty file" in f.reason
               for f in failures)


@fuzz(500)
@given(lines=st.lists(jsonl_line(), max_size=4))
@example(lines=[b"\xfe\xff", b"{}"])
def test_jsonl_on_stdin(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    items = list(read_paths(["-"], stdin=io.BytesIO(data)))
    check_items(items, "<stdin>")
    assert_jsonl_items(len(items), data)


@fuzz(800)
@given(text=st.text(alphabet=st.characters(categories=["P", "S", "Zs"]), max_size=2000),
       suffix=st.sampled_from([".txt", ".html"]))
def test_only_punctuation(scratch: Path, text: str, suffix: str) -> None:
    items = read_file(scratch, f"punct{suffix}", text.encode("utf-8"))
    assert len(items) == 1
    check_items(items, str(scratch / f"punct{suffix}"))


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
def test_gigantic_line(tmp_path: Path, suffix: str) -> None:
    """A single 3 MB line: read whole under the limit, a Failure over it, never a crash."""
    words = " ".join(WORDS[i % len(WORDS)] for i in range(400_000))
    body = {".jsonl": json.dumps({"text": words}),
            ".html": f"<html><body><article><p>{words}</p></article></body></html>"}.get(
        suffix, words)
    path = tmp_path / f"giant{suffix}"
    path.write_text(body, encoding="utf-8")
    [item] = read_paths([path])
    assert isinstance(item, Article) and len(item.text) > 2_000_000
    [item] = read_paths([path], max_bytes=1_000_000)
    assert isinstance(item, Failure) and item.stage == "read" and "limit" in item.reason


# --- the pipeline ------------------------------------------------------------------------------

TEXTS = st.one_of(
    st.lists(st.sampled_from([*WORDS, ".", ",", "\n", "\n\n", "(", ")", "\"", "'s", "-"]),
             max_size=120).map(" ".join),
    st.text(max_size=400),
    st.text(alphabet=st.characters(categories=["P", "S"]), min_size=1, max_size=1500),
    st.text(alphabet=st.sampled_from("\n\r\t \u2028\u00a0\u200b.,;"), min_size=1, max_size=200),
)


def check_results(articles: list[Article], results: list[Document | Failure]) -> None:
    """Count in = documents + failures out; spans inside the text; failures say why."""
    assert len(results) == len(articles)
    assert sorted(r.source for r in results) == sorted(a.source for a in articles)
    for result in results:
        if isinstance(result, Failure):
            assert result.stage and len(result.reason) > 10, result
            continue
        assert result.spacy_doc is None
        for spans in result.layers.values():
            assert all(0 <= s.start <= s.end <= len(result.text) for s in spans)
        assert all(0 <= m.start <= m.end <= len(result.text) for m in result.mentions)


@fuzz(250)
@given(texts=st.lists(TEXTS, min_size=1, max_size=4), date=st.none() | st.text(max_size=12)
       | st.dates().map(str))
def test_pipeline_on_odd_texts(pipeline: Pipeline, texts: list[str], date: str | None) -> None:
    articles = [Article(source=f"fuzz-{i}", text=text, encoding="utf-8", fmt="txt",
                        published=date) for i, text in enumerate(texts)]
    results = list(api.process_articles(articles, pipeline=pipeline))
    check_results(articles, results)


@fuzz(60)
@given(lines=st.lists(jsonl_line(), min_size=1, max_size=6))
@example(lines=[b"\xfe\xff", b"{}"])  # a broken first line that is a UTF-16-BE mark
def test_ingest_never_stops_and_never_drops(scratch: Path, pipeline: Pipeline,
                                            lines: list[bytes]) -> None:
    """Fuzzed JSONL into a real store: every line is counted, the database stays sound."""
    path = scratch / "ingest.jsonl"
    data = b"\n".join(lines)
    path.write_bytes(data)
    db = scratch / f"ingest-{next(RUNS)}.db"  # a new database for every example
    report = api.ingest([path], db_path=db, pipeline=pipeline)
    assert_jsonl_items(sum(report.counts.values()), data)
    with Store(db, readonly=True) as store:
        counts = store.counts()
        assert counts["failures"] == len({(f.source, f.line, f.stage, f.reason)
                                          for f in report.failures})
        stored = report.counts.get("inserted", 0) + report.counts.get("duplicate", 0)
        assert counts["sources"] == stored
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


# --- work caps (each found by the fuzzing above; see docs/robustness.md) -------------------------


def run_one(pipeline: Pipeline, text: str) -> Document | Failure:
    doc = article_to_document(Article(source="big", text=text, encoding="utf-8", fmt="txt"))
    [result] = pipeline.pipe([doc])
    return result


def test_hundred_thousand_word_sentence_is_refused_by_the_token_cap(pipeline: Pipeline) -> None:
    short = ["the", "deal", "was", "met", "on", "a"]  # short words: under the character cap
    sentence = " ".join(short[i % len(short)] for i in range(100_000)) + "."
    result = run_one(pipeline, sentence)
    assert isinstance(result, Failure) and result.stage == LIMITS_STAGE
    assert "tokens" in result.reason and "60,000" in result.reason


def test_over_long_text_is_refused_by_the_character_cap(pipeline: Pipeline) -> None:
    result = run_one(pipeline, "x" * 600_000)
    assert isinstance(result, Failure) and result.stage == LIMITS_STAGE
    assert "600,000 characters" in result.reason


def test_caps_can_be_raised_and_a_long_sentence_is_coded() -> None:
    capped = Pipeline(limits=DocumentLimits(max_chars=None, max_tokens=100))
    long_sentence = " ".join(WORDS * 5) + "."
    assert isinstance(run_one(capped, long_sentence), Failure)
    doc = run_one(Pipeline(limits=DocumentLimits(max_tokens=None)), long_sentence)
    assert isinstance(doc, Document) and doc.layer("sentences")


def test_calling_the_pipeline_on_an_over_cap_document_raises_a_clear_error() -> None:
    from dyadwatch.errors import PipelineError

    small = Pipeline(limits=DocumentLimits(max_chars=10))
    doc = article_to_document(Article(source="a.txt", text="x" * 11, encoding="utf-8",
                                      fmt="txt"))
    with pytest.raises(PipelineError, match="a.txt: the text has 11 characters"):
        small(doc)


def test_long_runs_without_spaces_are_tokenized_in_pieces(pipeline: Pipeline) -> None:
    # 6,000 characters of punctuation in one run took minutes in spaCy's tokenizer.
    from dyadwatch.stages.nlp import MAX_RUN

    text = "China and Kazakhstan signed a trade deal. " + "!?.,;(" * 1000 + " Then they met."
    doc = run_one(pipeline, text)
    assert isinstance(doc, Document) and doc.text == text
    spacy_tokens = pipeline.stage("nlp").nlp.tokenizer(text)
    assert spacy_tokens.text == text
    assert max(len(token) for token in spacy_tokens) <= MAX_RUN
    plain = pipeline.stage("nlp").nlp.tokenizer("Ministers met in Astana.")
    assert [t.text for t in plain] == ["Ministers", "met", "in", "Astana", "."]


# --- regressions: bugs the fuzzing found, one test each -------------------------------------------


def test_jsonl_file_of_blank_lines_is_a_failure_not_nothing(tmp_path: Path) -> None:
    [item] = read_file(tmp_path, "blank.jsonl", b"\n  \n\t\n")
    assert isinstance(item, Failure) and "no JSON record" in item.reason


def test_empty_stdin_is_a_failure_not_nothing() -> None:
    [item] = read_paths(["-"], stdin=io.BytesIO(b"\n\n"))
    assert isinstance(item, Failure) and item.source == "<stdin>"


def test_lone_surrogate_escape_in_jsonl_is_a_parse_failure(tmp_path: Path) -> None:
    lines = b'{"text": "Talks \\ud800 began"}\n{"text": "Pairs \\ud83d\\ude00 are fine"}\n'
    first, second = read_file(tmp_path, "esc.jsonl", lines)
    assert isinstance(first, Failure) and first.stage == "parse" and first.line == 1
    assert "unpaired surrogate (\\ud800 at character 6)" in first.reason
    assert isinstance(second, Article) and "\U0001F600" in second.text


def test_file_name_that_is_not_utf8_is_stored_and_resumed(tmp_path: Path,
                                                          pipeline: Pipeline) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # A Latin-1 file name, as a file copied from an old system has: not valid UTF-8.
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    (corpus / name).write_text("Kazakhstan and China signed a deal.\n", encoding="utf-8")
    db = tmp_path / "names.db"
    assert api.ingest([corpus], db_path=db, pipeline=pipeline).counts == {"inserted": 1}
    assert api.ingest([corpus], db_path=db, pipeline=pipeline).counts == {"unchanged": 1}
    with Store(db, readonly=True) as store:
        [row] = store.documents()
        assert row["source"].endswith("caf\\xe9.txt")


def test_a_document_the_store_refuses_is_a_failure_and_the_run_goes_on(
        tmp_path: Path) -> None:
    from dyadwatch.pipeline import register_stage

    @register_stage("test_bad_title", version="0", requires=("text",))
    def bad_title() -> object:
        """A plugin stage with a bug: it puts a lone surrogate into one title."""
        def stage(doc: Document) -> Document:
            if "broken" in doc.source:
                doc.meta.title = "Talks \ud800"
            return doc
        return stage

    buggy = Pipeline(("normalise", "test_bad_title"))
    for name in ("a.txt", "broken.txt", "c.txt"):
        (tmp_path / name).write_text(f"Ministers met in Astana ({name}).\n", encoding="utf-8")
    report = api.ingest([tmp_path / n for n in ("a.txt", "broken.txt", "c.txt")],
                        db_path=tmp_path / "s.db", pipeline=buggy)
    assert report.counts == {"inserted": 2, "failed": 1}
    [failure] = report.failures
    assert failure.stage == "store" and failure.source.endswith("broken.txt")
    assert "surrogates not allowed" in failure.reason


def test_markup_that_breaks_the_html_parser_is_a_failure(tmp_path: Path) -> None:
    # htmldate's cleaning asserts inside lxml on this page; found by test_tag_soup_html.
    [item] = read_file(tmp_path, "odd.html", b"<?html><iframe>")
    assert isinstance(item, Failure) and item.stage == "parse"
    assert "could not be parsed (AssertionError)" in item.reason
