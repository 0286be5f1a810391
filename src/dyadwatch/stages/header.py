"""Read title, publication date, outlet, byline and dateline from the top of a plain text.

Articles saved as text carry their metadata in whatever shape the site printed it:
``date 2025-02-06 <title>``, ``2023-05-19The Source:Xinhua``, ``Seetao 2022-09-26 08:55``,
``By Yang Jin Source:Global Times Published: 2017/6/7 20:38:39``, a wire dateline
``ASTANA, July 4 (Xinhua) --``. This stage reads such lines only in the header zone (the
lines before the first paragraph of body text, plus that paragraph's dateline): a date
told by the story itself ("in September 2013") is never a publication date, and when the
article states none, ``published`` stays None.

Values the container gave (JSONL fields, HTML metadata) are kept; the header only fills
gaps. Metadata lines go to layer "header"; the headline goes to its own layer "title",
because headlines report events and later stages read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..document import Document, Span
from ..pipeline import register_stage
from ..readers.dates import MONTHS, DateMatch, find_dates, month_day, parse_date

__all__ = ["Header", "HeaderReading", "Found", "read_header", "VERSION"]

VERSION = "1"
_TAG = f"header@{VERSION}"
# How far down a header can reach: sites put at most a title, a standfirst, a byline, a
# date line and a few widgets ("Read this article", "11 Minutes") before the body.
MAX_HEADER_LINES = 12
# Lower is better when two lines offer the same field.
P_LABEL, P_PLAIN, P_DATELINE, P_UPDATED, P_CREDIT = 1, 2, 3, 4, 5

_SEPARATOR = re.compile(r"\s+[|•·]\s+|\s*\|\s*|\s+[–—]\s+")
_KEY = re.compile(
    r"(?<![A-Za-z])(?P<key>(?:The\s+)?Source|Written\s+by|By|Author|Reporter|Writer|Editor|"
    r"First\s+published(?:\s+on)?|Published(?:\s+(?:on|at))?|Posted(?:\s+(?:on|at))?|"
    r"(?:Last\s+)?Updated(?:\s+(?:on|at))?|Date|Keywords|Tags|Categor(?:y|ies)|"
    r"(?:SEO\s+)?Meta\s+Description)(?:\s*[:：]\s*|\s+|(?=\d))",
    re.IGNORECASE,
)
_AUTHOR_KEYS = {"by", "written by", "author", "reporter", "writer"}
_DATE_KEYS = {"published", "posted", "first published", "date"}
_IGNORED_KEYS = {"keywords", "tags", "category", "categories", "meta description",
                 "editor"}
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|[a-z]{1,3}-[A-Z][\w'’-]*)"
_PARTICLE = r"(?:van|von|de|der|den|la|le|du|da|di|bin|binti|al|el|ibn|and|&)"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|{_PARTICLE})){{0,6}}")
_OUTLET = re.compile(r"[\w&'’.-]+(?:\s+[\w&'’.-]+){0,5}")
_DATE_TITLE = re.compile(r"\s*(?:date|dated)\s*[:：]?\s*", re.IGNORECASE)
_META_DESCRIPTION = re.compile(
    r"\s*\(?\s*(?:SEO\s+)?Meta\s+Description\s*:.*$",
    re.IGNORECASE,
)
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z'’.-]{2,}(?:[ -][A-Z][A-Z'’.-]+){0,3})"
    r"(?:,\s*(?P<region>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}))?"
    rf"(?:,\s*(?P<date>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?))?"
    r"\s*(?:\((?P<outlet>[A-Z][\w&.'’ -]{1,40}?)\))?"
    r"\s*(?:--|—|–|-)\s*",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(
    r"[(\[](?P<a>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s*/\s*"
    r"(?P<b>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})[)\]]"
)
_SENTENCE_END = (".", "!", "?", ".\"", ".”", ".'", "!\"", "?\"", "!”", "?”")


@dataclass(slots=True)
class Found:
    """One metadata value read from the text, with where it stands and how it was read."""

    name: str  # title | published(_time) | updated(_time) | outlet | author | dateline
    value: str
    start: int
    end: int
    rule: str
    priority: int = P_LABEL
    confidence: float = 1.0


@dataclass(slots=True)
class HeaderReading:
    """What the header of one text says: metadata values, metadata lines and the title."""

    values: list[Found] = field(default_factory=list)
    lines: list[Span] = field(default_factory=list)  # spans for layer "header"
    title: Found | None = None

    def best(self, name: str) -> Found | None:
        """The most trustworthy value found for field ``name`` (the earliest among equals)."""
        candidates = [found for found in self.values if found.name == name]
        return min(candidates, key=lambda found: (found.priority, found.start), default=None)

    def time_of(self, date: Found) -> Found | None:
        """The time of day written with ``date`` (as in ``2017/6/7 20:38:39``), if any."""
        wanted = f"{date.name}_time"
        return next((found for found in self.values
                     if found.name == wanted and found.start == date.start), None)


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str


def read_header(text: str) -> HeaderReading:
    """Read the metadata the top of ``text`` carries (a pure function of the text)."""
    reading = HeaderReading()
    zone, body = _header_zone(text)
    title_open = True  # only the first line that is not metadata may be the headline
    for line in zone:
        if title_open and _date_title(line, reading):
            title_open = False
        elif not (_metadata_line(line, reading) or _dateline(line, reading, whole_line=True)):
            if title_open:
                _title(line, reading)
            title_open = False
    if body is not None:
        _dateline(body, reading, whole_line=False)
    if reading.best("outlet") is None:
        _photo_credit(text, reading)
    return reading


def _lines(text: str) -> Iterator[_Line]:
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield _Line(start, end, text[start:end])
        start = end + 1


def _header_zone(text: str) -> tuple[list[_Line], _Line | None]:
    zone: list[_Line] = []
    for line in _lines(text):
        if not line.text.strip():
            continue
        if _is_body(line.text):
            return zone, line
        zone.append(line)
        if len(zone) >= MAX_HEADER_LINES:
            break
    return zone, None


def _is_body(text: str) -> bool:
    # A paragraph of prose: long, or a full sentence of some length. Headlines and
    # metadata lines are short and do not end like sentences.
    words = len(text.split())
    return words >= 40 or (words >= 12 and text.rstrip().endswith(_SENTENCE_END))


def _date_title(line: _Line, reading: HeaderReading) -> bool:
    """``date 2025-02-06 <title>``: a date label, a date, then the headline on one line."""
    label = _DATE_TITLE.match(line.text)
    if label is None:
        return False
    rest = line.text[label.end():]
    found = next(find_dates(rest), None)
    if found is None or found.start != 0:
        return False
    title_start = label.end() + found.end + _lead(rest[found.end:])
    if not _title_like(line.text[title_start:]):
        return False
    date_end = line.start + label.end() + found.end
    reading.values.extend(_date_values(found, line.start + label.end(), P_PLAIN, "date_title_line"))
    reading.lines.append(_span(line.start + _lead(line.text), date_end,
                               "date", "date_title_line", {"published": found.date}))
    _title(_Line(line.start + title_start, line.end, line.text[title_start:]), reading,
           rule="date_title_line")
    return True


def _metadata_line(line: _Line, reading: HeaderReading) -> bool:
    """A line made only of metadata pieces (byline, source, dates, outlet); False otherwise."""
    values: list[Found] = []
    for seg_start, seg_end in _segments(line.text):
        pieces = _pieces(line.text, seg_start, seg_end)
        for key, start, end in pieces:
            found = _piece_values(key, line.text[start:end], line.start + start)
            if found is None:
                return False
            values.extend(found)
    values = _outlets_need_company(values)
    if not values:
        return False
    reading.values.extend(value for value in values if value.name != "_ignored")
    fields = {value.name: value.value for value in values if value.name != "_ignored"}
    label = _line_label(fields)
    reading.lines.append(_span(line.start + _lead(line.text), line.start + len(line.text.rstrip()),
                               label, "metadata_line", fields))
    return True


def _segments(text: str) -> list[tuple[int, int]]:
    segments, start = [], 0
    for separator in _SEPARATOR.finditer(text):
        segments.append((start, separator.start()))
        start = separator.end()
    segments.append((start, len(text)))
    return segments


def _pieces(text: str, start: int, end: int) -> list[tuple[str | None, int, int]]:
    """Split one segment at its keys: ``(key or None, value start, value end)``."""
    pieces: list[tuple[str | None, int, int]] = []
    key: str | None = None
    value_start = start
    for match in _KEY.finditer(text, start, end):
        pieces.append((key, value_start, match.start()))
        key = _normal_key(match["key"])
        value_start = match.end()
    pieces.append((key, value_start, end))
    return [(key, s, e) for key, s, e in pieces if key is not None or text[s:e].strip(" ,;-")]


def _normal_key(key: str) -> str:
    key = " ".join(key.lower().split())
    key = re.sub(r"^the ", "", key)
    key = re.sub(r"\s+(?:on|at)$", "", key)
    key = re.sub(r"^(?:last )", "", key)
    key = re.sub(r"^seo ", "", key)
    return "category" if key.startswith("categor") else key


def _piece_values(key: str | None, value: str, offset: int) -> list[Found] | None:
    """The values one piece of a metadata line holds; None when it is not metadata."""
    lead = _lead(value)
    value = value.strip()
    trimmed = value.rstrip(" ,;-")
    start = offset + lead
    if key is None:
        return _unlabelled(trimmed, start)
    if key in _IGNORED_KEYS:
        return [Found("_ignored", key, start, start + len(value), "metadata_line")]
    if key in _AUTHOR_KEYS:
        return _author(trimmed, start)
    if key == "source":
        return _outlet(trimmed, start, P_LABEL, "source_label")
    found = parse_date(trimmed)
    if found is None:
        return None
    priority = P_UPDATED if key == "updated" else P_LABEL
    name = "updated" if key == "updated" else "published"
    return _date_values(found, start, priority, f"{key}_label", name)


def _unlabelled(value: str, start: int) -> list[Found] | None:
    if not value:
        return []
    found = parse_date(value)
    if found is not None:
        return _date_values(found, start, P_PLAIN, "date_line")
    # "Seetao 2022-09-26 08:55": an outlet's name, then the date.
    dates = [d for d in find_dates(value) if d.end == len(value)]
    if dates and dates[-1].start > 0:
        outlet = value[: dates[-1].start].rstrip(" ,-")
        found_outlet = _outlet(outlet, start, P_PLAIN, "outlet_date_line", strict=True)
        if found_outlet:
            return found_outlet + _date_values(dates[-1], start, P_PLAIN, "outlet_date_line")
    # A bare short name between separators ("Xinhua | 2024-03-12") counts only when the
    # same line has a date or a label; _outlets_need_company checks that.
    outlet_only = _outlet(value, start, P_PLAIN, "outlet_segment", strict=True)
    if outlet_only:
        outlet_only[0].name = "_outlet_candidate"
    return outlet_only


def _outlets_need_company(values: list[Found]) -> list[Found]:
    others = [value for value in values if value.name != "_outlet_candidate"]
    if not others:
        return []
    for value in values:
        if value.name == "_outlet_candidate":
            value.name = "outlet"
    return values


def _author(value: str, start: int) -> list[Found] | None:
    # "Jane Doe, Staff Writer" or "Jane Doe in Almaty": the name is what comes first.
    name = re.split(r",|\s+in\s+[A-Z]", value, maxsplit=1)[0].strip()
    if not _NAME.fullmatch(name) or len(name.split()) > 7:
        return None
    return [Found("author", name, start, start + len(name), "by_label")]


def _outlet(value: str, start: int, priority: int, rule: str, *,
            strict: bool = False) -> list[Found] | None:
    if not value or not _OUTLET.fullmatch(value) or value.endswith("."):
        return None
    if strict and not _name_like(value):
        return None
    return [Found("outlet", value, start, start + len(value), rule, priority,
                  1.0 if priority == P_LABEL else 0.9)]


def _name_like(value: str) -> bool:
    # Outlet names without a label must look like names: capitalised words or a domain.
    words = value.split()
    if len(words) > 4:
        return False
    return all(word[0].isupper() or word[0].isdigit() or "." in word for word in words)


def _date_values(found: DateMatch, start: int, priority: int, rule: str,
                 name: str = "published") -> list[Found]:
    date_start, date_end = start + found.start, start + found.end
    values = [Found(name, found.date, date_start, date_end, rule, priority)]
    if found.time:
        values.append(Found(f"{name}_time", found.time, date_start, date_end, rule, priority))
    return values


def _line_label(fields: dict[str, str]) -> str:
    names = {name for name in fields if not name.endswith("_time")}
    if names <= {"published", "updated"} and names:
        return "date"
    if names == {"author"}:
        return "byline"
    if names == {"outlet"}:
        return "source"
    return "metadata" if names else "keywords"


def _dateline(line: _Line, reading: HeaderReading, *, whole_line: bool) -> bool:
    """``ASTANA, July 4 (Xinhua) --`` at the start of the first paragraph (or on its own)."""
    match = _DATELINE.match(line.text)
    if match is None or not (match["date"] or match["outlet"]) or not match["place"].isupper():
        return False
    if whole_line and line.text[match.end():].strip():
        return False
    fields: dict[str, Any] = {"dateline": match["place"]}
    reading.values.append(Found("dateline", match["place"], line.start + match.start("place"),
                                line.start + match.end("place"), "dateline", P_DATELINE, 0.9))
    if match["outlet"]:
        fields["outlet"] = match["outlet"].strip()
        reading.values.append(Found("outlet", fields["outlet"], line.start + match.start("outlet"),
                                    line.start + match.end("outlet"), "dateline", P_DATELINE, 0.9))
    if match["date"]:
        _dateline_date(match, line.start, reading, fields)
    reading.lines.append(_span(line.start, line.start + len(match[0].rstrip()), "dateline",
                               "dateline", fields, 0.9))
    return True


def _dateline_date(match: re.Match[str], offset: int, reading: HeaderReading,
                   fields: dict[str, Any]) -> None:
    # A day without a year is not a date: it is kept as a note for a later stage, never
    # completed with the current year.
    found = parse_date(match["date"])
    if found is not None:
        reading.values.extend(_date_values(found, offset + match.start("date"), P_DATELINE,
                                           "dateline"))
        fields["published"] = found.date
        return
    partial = month_day(match["date"])
    if partial is not None:
        fields["month_day"] = f"{partial[0]:02d}-{partial[1]:02d}"


def _title(line: _Line, reading: HeaderReading, *, rule: str = "first_line") -> bool:
    text = line.text.rstrip()
    description = _META_DESCRIPTION.search(text)
    if description is not None and description.start() > 0:
        reading.lines.append(_span(line.start + description.start() + _lead(description[0]),
                                   line.start + len(text), "meta_description",
                                   "meta_description", {}))
        text = text[: description.start()].rstrip()
        rule = "title_with_meta_description"
    lead = _lead(text)
    if not _title_like(text.strip()):
        return False
    reading.title = Found("title", text.strip(), line.start + lead, line.start + len(text), rule)
    return True


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def _title_like(text: str) -> bool:
    # Headlines: a few words, starting like a sentence, not ending like one (wire headlines
    # and SEO titles never end in a full stop; questions and exclamations may).
    text = text.strip()
    words = text.split()
    if not 3 <= len(words) <= 30 or not (text[0].isupper() or text[0].isdigit() or text[0] in "\"“'‘"):
        return False
    return not text.endswith((",", ";", ":", "-", ".")) or text.endswith("...")


def _photo_credit(text: str, reading: HeaderReading) -> None:
    # "(Wang Zhuangfei/China Daily)": photographer then outlet; "(Xinhua/Li Xin)": a
    # one-word agency first. Weak evidence (the photo may come from another outlet), so it
    # only fills an outlet nothing else names, at low confidence.
    for match in _PHOTO_CREDIT.finditer(text):
        outlet = _credited_outlet(match["a"], match["b"])
        if outlet is not None:
            side = "a" if outlet == match["a"] else "b"
            reading.values.append(Found("outlet", outlet, match.start(side), match.end(side),
                                        "photo_credit", P_CREDIT, 0.6))
            return


def _credited_outlet(first: str, second: str) -> str | None:
    # A credit names a photographer (two or more words) or says "Photo"; "(SCO/CICA)" is
    # not a credit at all.
    if first.lower() in {"photo", "photos", "file"}:
        return second
    if second.lower() in {"photo", "photos", "file"}:
        return first
    if len(first.split()) == 1 and len(second.split()) > 1:
        return first
    if len(first.split()) > 1:
        return second
    return None


def _span(start: int, end: int, label: str, rule: str, fields: dict[str, Any],
          confidence: float = 1.0) -> Span:
    return Span(start, end, label, _TAG, confidence, {"rule": rule, "fields": dict(fields)})


_FIELDS = ("outlet", "author", "dateline")


@register_stage("header", version=VERSION, requires=("text",), adds=("header", "meta"))
class Header:
    """Title, date, outlet, byline and dateline from the header lines of the text."""

    def __call__(self, doc: Document) -> Document:
        reading = read_header(doc.text)
        for span in reading.lines:
            doc.add_span("header", span)
        self._title(doc, reading)
        # An "Updated" stamp is the publication date only when the article gives no other.
        published = reading.best("published") or reading.best("updated")
        if published is not None:
            self._fill(doc, "published", published)
            time = reading.time_of(published)
            if time is not None:
                self._fill(doc, "published_time", time)
        for name in _FIELDS:
            found = reading.best(name)
            if found is not None:
                self._fill(doc, name, found)
        return doc

    @staticmethod
    def _fill(doc: Document, name: str, found: Found) -> None:
        given = getattr(doc.meta, name)
        if given is None:
            setattr(doc.meta, name, found.value)
        elif _folded(given) != _folded(found.value):
            if name == "published":
                doc.problems.append(f"header: the text says published {found.value}, the "
                                    f"container {given}; kept the container's value")
            return
        doc.meta.spans[name] = [found.start, found.end]

    @staticmethod
    def _title(doc: Document, reading: HeaderReading) -> None:
        title = reading.title
        if doc.meta.title is not None:
            title = _find_given_title(doc.text, doc.meta.title) or (
                title if title and _folded(title.value) == _folded(doc.meta.title) else None)
        elif title is not None:
            doc.meta.title = title.value
        if title is None:
            return
        doc.meta.spans["title"] = [title.start, title.end]
        doc.add_span("title", Span(title.start, title.end, "title", _TAG, 1.0,
                                   {"rule": title.rule}))


def _find_given_title(text: str, title: str) -> Found | None:
    # The container's title is usually the first line of the text too (trafilatura keeps
    # the <h1>; article_to_document puts a JSONL title there).
    zone, _ = _header_zone(text)
    for line in zone[:3]:
        stripped = line.text.strip()
        if _folded(stripped) == _folded(title):
            start = line.start + _lead(line.text)
            return Found("title", stripped, start, start + len(stripped), "container_title")
    return None


def _folded(value: str) -> str:
    return " ".join(value.casefold().split())
