"""Mark the text on the page that is not the article: related links, disclaimers, credits…

Nothing is removed: the spans go to layer "boilerplate" with a ``label`` saying which kind
and ``attrs["rule"]`` saying which rule found them, so a reader of the record sees why, and
later stages take no event from inside them (``Document.in_boilerplate``). The patterns are
data (``data/boilerplate.tsv``); the one heuristic without fixed wording, headlines of other
stories trailing after the last paragraph, is code (``_trailing_headlines``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..document import Document, Span
from ..errors import RegistryError
from ..pipeline import register_stage

__all__ = ["Boilerplate", "BoilerplateRule", "load_rules", "find_boilerplate", "VERSION",
           "LABELS", "EXTENTS"]

VERSION = "1"
_TAG = f"boilerplate@{VERSION}"
LABELS: tuple[str, ...] = (
    "related_links", "disclaimer", "social", "comments", "photo_credit", "read_time",
    "editor_credit", "faq", "share", "copyright", "newsletter", "advert",
)
EXTENTS: tuple[str, ...] = ("match", "line", "rest", "sentence", "faq_block", "link_block")
_COLUMNS = ("name", "label", "kind", "pattern", "extent")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*(?=\s|$)")
_FINAL_PUNCTUATION = (".", "!", "?", ":", ";", ",", "\"", "”", "’", ")", "]")
_BULLET = re.compile(r"^\s*(?:[-–—•*·]|\d{1,2}[.)])?\s*$")


@dataclass(frozen=True, slots=True)
class BoilerplateRule:
    """One line of boilerplate.tsv: a compiled pattern, its label and what a match marks."""

    name: str
    label: str
    pattern: re.Pattern[str]
    extent: str
    where: str  # "boilerplate.tsv:LINE", reported in each span


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def load_rules(path: str | Path | None = None) -> tuple[BoilerplateRule, ...]:
    """Read boilerplate rules from ``path`` (default: the packaged boilerplate.tsv).

    Raises RegistryError naming the file and line of a malformed rule.
    """
    if path is None:
        return _packaged_rules()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(str(path), None, f"cannot read the boilerplate patterns "
                                             f"({exc.strerror or exc}): check the path") from exc
    return _parse_rules(text, str(path))


@lru_cache(maxsize=1)
def _packaged_rules() -> tuple[BoilerplateRule, ...]:
    text = resources.files("dyadwatch").joinpath("data", "boilerplate.tsv").read_text("utf-8")
    return _parse_rules(text, "boilerplate.tsv")


def _parse_rules(text: str, where: str) -> tuple[BoilerplateRule, ...]:
    rules: list[BoilerplateRule] = []
    header_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.split("\t")
        if not header_seen:
            if tuple(cell.strip() for cell in cells) != _COLUMNS:
                expected = "<TAB>".join(_COLUMNS)
                raise RegistryError(where, number, f"expected the header line {expected}")
            header_seen = True
            continue
        rules.append(_parse_rule(cells, where, number))
    return tuple(rules)


def _parse_rule(cells: list[str], where: str, number: int) -> BoilerplateRule:
    if len(cells) != len(_COLUMNS):
        raise RegistryError(where, number, f"expected {len(_COLUMNS)} tab-separated columns "
                                           f"({', '.join(_COLUMNS)}), got {len(cells)}")
    name, label, kind, pattern, extent = (cell.strip() for cell in cells)
    if label not in LABELS:
        raise RegistryError(where, number, f"unknown label {label!r}; valid labels: {', '.join(LABELS)}")
    if extent not in EXTENTS:
        raise RegistryError(where, number, f"unknown extent {extent!r}; valid: {', '.join(EXTENTS)}")
    if kind == "phrase":
        pattern = r"(?i)(?<!\w)" + r"\s+".join(re.escape(word) for word in pattern.split()) + r"(?!\w)"
    elif kind != "regex":
        raise RegistryError(where, number, f"unknown kind {kind!r}; valid kinds: phrase, regex")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise RegistryError(where, number, f"rule {name!r}: bad regular expression: {exc}") from exc
    return BoilerplateRule(name, label, compiled, extent, f"{where}:{number}")


def find_boilerplate(text: str, rules: tuple[BoilerplateRule, ...],
                     protected: Sequence[tuple[int, int]] = ()) -> list[Span]:
    """Boilerplate spans in ``text``: pattern matches, then trailing headlines.

    ``protected`` spans (the title) are never marked.
    """
    lines = _lines(text)
    spans = [span for rule in rules for span in _apply(rule, lines)]
    spans.extend(_trailing_headlines(lines, spans, protected))
    spans = [span for span in spans if not _overlaps_any(span, protected)]
    return _without_nested(spans)


def _lines(text: str) -> list[_Line]:
    lines, start = [], 0
    for raw in text.split("\n"):
        lines.append(_Line(start, start + len(raw), raw))
        start += len(raw) + 1
    return lines


def _apply(rule: BoilerplateRule, lines: list[_Line]) -> Iterator[Span]:
    for index, line in enumerate(lines):
        for match in rule.pattern.finditer(line.text):
            if match.end() == match.start():
                continue
            for start, end, part in _extent(rule.extent, lines, index, match):
                yield Span(start, end, rule.label, _TAG, 1.0,
                           {"rule": rule.name, "source": rule.where, "part": part})
            if rule.extent != "match":
                break  # the first match already marks what every later one would


def _extent(extent: str, lines: list[_Line], index: int,
            match: re.Match[str]) -> list[tuple[int, int, str]]:
    line = lines[index]
    if extent == "match":
        return [(line.start + match.start(), line.start + match.end(), "match")]
    if extent == "rest":
        return [(line.start + match.start(), _rstrip_end(line), "rest")]
    if extent == "sentence":
        start, end = _sentence_around(line.text, match.start(), match.end())
        return [(line.start + start, line.start + end, "sentence")]
    marked = [(_lstrip_start(line), _rstrip_end(line), "heading" if "block" in extent else "line")]
    block = {"faq_block": _faq_block, "link_block": _link_block}.get(extent)
    if block is not None:
        items = list(block(lines, index))
        if items:  # one span from the first item to the last, blank lines between included
            marked.append((_lstrip_start(items[0]), _rstrip_end(items[-1]), extent))
    return marked


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    before = [found.end() for found in _SENTENCE_END.finditer(text, 0, start)]
    sentence_start = before[-1] if before else 0
    after = _SENTENCE_END.search(text, end)
    sentence_end = after.end() if after else len(text.rstrip())
    while sentence_start < sentence_end and text[sentence_start].isspace():
        sentence_start += 1
    return sentence_start, sentence_end


def _faq_block(lines: list[_Line], heading: int) -> Iterator[_Line]:
    """The questions and answers after an FAQ heading, up to the first line of other kind.

    A line holding a question and its answer ("What is X? X is…") is one item; a question
    alone takes the next line as its answer; "-" lines separate items.
    """
    awaiting_answer = False
    for line in lines[heading + 1:]:
        text = line.text.strip()
        if not text or _BULLET.match(text):
            if text:
                yield line
            continue
        is_question = "?" in text or re.match(r"(?i)(?:Q|Question)\s*\d*\s*[:.)]", text)
        is_answer = re.match(r"(?i)(?:A|Answer)\s*\d*\s*[:.)]", text)
        if is_question or is_answer or awaiting_answer:
            yield line
            awaiting_answer = bool(is_question) and text.endswith("?")
            continue
        return


def _link_block(lines: list[_Line], heading: int) -> Iterator[_Line]:
    """The headline-like lines listed after a "Related" or "Read more" heading."""
    for line in lines[heading + 1:]:
        text = line.text.strip()
        if not text:
            continue
        if not (_BULLET.match(text) or _headline_like(text.lstrip("-–—•*· "))):
            return
        yield line


def _trailing_headlines(lines: list[_Line], marked: list[Span],
                        protected: Sequence[tuple[int, int]]) -> list[Span]:
    """Headlines of other stories left after the article's last paragraph.

    Sites append links to other stories below the article; saved as text they become short
    title-like lines after the final paragraph (and before any disclaimer). An article does
    not end on a line without final punctuation, so walking up from the end, past blank and
    already-marked lines, every headline-like line met before the first line of prose is
    one of those links. A mid-document heading is followed by prose, so it is never reached.
    """
    candidates: list[_Line] = []
    for line in reversed(lines):
        rest = _unmarked_text(line, marked)
        if not rest:
            continue
        if _overlaps_any(Span(line.start, line.end), protected):
            return []  # only the title comes before them: there is no article to trail
        if not _headline_like(rest):
            if not _is_prose_end(rest):
                return []  # no paragraph of prose ends before them: not a trailing list
            break
        candidates.append(line)
    else:
        return []  # the whole text is headline-like: nothing to tell links from article
    return [Span(_lstrip_start(line), _rstrip_end(line), "related_links", _TAG, 0.8,
                 {"rule": "trailing_headlines", "source": "stages/boilerplate.py",
                  "part": "line"}) for line in reversed(candidates)]


def _is_prose_end(text: str) -> bool:
    # A paragraph ends with a full stop, possibly inside a closing quote or bracket.
    return re.search(r"[.!?][\"”’')\]]*$", text) is not None


def _headline_like(text: str) -> bool:
    # Short, starts like a title, no final punctuation: how link lists look as text.
    words = text.split()
    if not 3 <= len(words) <= 20:
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"“‘'"):
        return False
    return not text.endswith(_FINAL_PUNCTUATION) or text.endswith(("?\"", "?”"))


def _unmarked_text(line: _Line, marked: list[Span]) -> str:
    chars = list(line.text)
    for span in marked:
        for position in range(max(span.start, line.start), min(span.end, line.end)):
            chars[position - line.start] = " "
    return "".join(chars).strip()


def _overlaps_any(span: Span, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(start < span.end and span.start < end for start, end in ranges)


def _without_nested(spans: list[Span]) -> list[Span]:
    # Two rules may find the same credit; keep one span per stretch of text and label.
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if any(k.label == span.label and k.start <= span.start and span.end <= k.end for k in kept):
            continue
        kept.append(span)
    return kept


def _lstrip_start(line: _Line) -> int:
    return line.start + len(line.text) - len(line.text.lstrip())


def _rstrip_end(line: _Line) -> int:
    return line.start + len(line.text.rstrip())


@register_stage("boilerplate", version=VERSION, requires=("text",), adds=("boilerplate",))
class Boilerplate:
    """Mark related links, disclaimers, credits, share and comment widgets, FAQ blocks."""

    def __init__(self, *, patterns: str | Path | None = None) -> None:
        self.rules = load_rules(patterns)

    def __call__(self, doc: Document) -> Document:
        protected = [(span.start, span.end) for span in doc.layer("title")]
        protected.extend(_first_line(doc.text))
        for span in find_boilerplate(doc.text, self.rules, protected):
            # An FAQ block restates the article in questions and answers: its names are
            # real mentions, but it must not count its events a second time. It gets a
            # layer of its own (skipped by the event coder), not the boilerplate layer.
            layer = "faq" if span.attrs.get("part") == "faq_block" else "boilerplate"
            doc.add_span(layer, span)
        return doc


def _first_line(text: str) -> list[tuple[int, int]]:
    # The headline is the first line of a text; the header stage may not have run.
    stripped = text.lstrip()
    if not stripped:
        return []
    start = len(text) - len(stripped)
    end = text.find("\n", start)
    return [(start, end if end >= 0 else len(text))]
