"""Figures: trade, investment, loans, aid, project costs and counts, read sentence by sentence.

In each sentence of the body (never the header, never boilerplate) the stage finds sums of
money ("$22.71 billion", "5 bn yuan", "RMB 2 billion", "US$3.5bn"; quantulum3 adds the sums
the patterns miss, such as "two billion dollars") and counts ("51 cooperation programs": a
number that counts a noun of ``data/indicators.tsv``). A date, an ordinal or a percentage is
never a value: a percentage is the change of a figure, and "year-on-year" is its basis, never
a quantity or a period. Each sum becomes a :class:`~dyadwatch.document.Fact`:

- ``indicator``: the money word of ``indicators.tsv`` nearest the sum in the parse ("bilateral
  trade reached $X" -> trade_value); ``money_value`` when the sentence names none;
- ``value``/``currency``/``unit``: the number times its scale, the ISO code of the currency
  (also the unit), the words as written in ``original``;
- ``countries``: the countries named in the sentence (capitals stand for their state:
  "Beijing and Astana"), leaving out the source of the figure ("according to China's
  Foreign Ministry"); with fewer than two, "bilateral" or "the two countries" make it the
  article's two countries; a sentence that names none falls back to them, with less
  confidence;
- ``period``: the sentence's own date expression, nearest the sum's verb ("Last year" ->
  "2024", "in the first half of 2024" -> "2024-H1"); with none, the publication year when
  the sum's clause is in the present tense, else None;
- ``change_pct``/``change_basis``: a percentage next to a word of rise or fall ("a
  year-on-year increase of 14.7 percent" -> 14.7, yoy; "down 3%" -> -3.0);
- ``qualifier``: "exceeding $26 billion" -> "more than"; ``attributed_to``: "according to X",
  "data from X showed", "X said".

Counts in a sentence with a sum go into that fact's ``extra`` ({"count_programs": 51}); a
count alone is a fact of its own with unit "count". A percentage of a figure with no sum in
its sentence ("trade grew 12% in 2024") is a fact with value None and its change.

This module also holds what the record stages (facts, relations, projects) share: the data
file reader, the sentences records may come from, the countries of a span and the article's
two countries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from ..document import Document, Fact, Span
from ..errors import RegistryError
from ..pipeline import register_stage
from ..registry import Registry, fold, load_registry
from ..timex import load_words
from .nlp import fitting_parse
from .timex import clause_tense

__all__ = [
    "FactStage",
    "Indicators",
    "load_indicators",
    "read_table",
    "body_sentences",
    "countries_in",
    "article_dyad",
    "tree_distance",
    "span_root",
    "reader_lacks_parse",
    "period_of",
    "VERSION",
]

VERSION = "1"
TAG = f"facts@{VERSION}"

# ------------------------------------------------------------------------------------------
# What the record stages share


def read_table(name: str, header: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of the data file ``dyadwatch/data/<name>`` as (line number, {column: value}).

    The file is tab-separated with a header line; blank lines and lines starting with "#"
    are skipped. Raises RegistryError naming the file and line when the header is not
    ``header`` or a row has the wrong number of fields.
    """
    text = resources.files("dyadwatch.data").joinpath(name).read_text("utf-8")
    rows: list[tuple[int, dict[str, str]]] = []
    seen_header = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if not seen_header:
            if tuple(fields) != header:
                raise RegistryError(name, number, "expected the tab-separated header line "
                                    f"'{' TAB '.join(header)}'; fix the file's first row")
            seen_header = True
            continue
        if len(fields) != len(header) or not all(fields[:-1]):
            raise RegistryError(name, number, f"expected {len(header)} tab-separated fields "
                                f"({', '.join(header)}), got {len(fields)}: {line!r}")
        rows.append((number, dict(zip(header, (f.strip() for f in fields), strict=True))))
    return rows


def body_sentences(doc: Document) -> Iterator[tuple[int, Span]]:
    """(index, sentence) of the sentences records may come from: not metadata (header
    layer), not wholly boilerplate."""
    header = doc.layer("header")
    for index, sentence in enumerate(doc.layer("sentences")):
        if any(h.start < sentence.end and sentence.start < h.end for h in header):
            continue
        if any(b.start <= sentence.start and sentence.end <= b.end
               for b in doc.layer("boilerplate")):
            continue
        yield index, sentence


def countries_in(doc: Document, registry: Registry, start: int, end: int, *,
                 skip: Iterable[tuple[int, int]] = ()) -> list[str]:
    """ISO3 codes of the states named in ``[start, end)``, in order of first mention.

    Country mentions count (names, demonyms, "Sino-", "the two countries"), and so do
    capitals standing for their state ("Beijing and Astana"); IGOs and other places do not.
    Mentions overlapping a ``skip`` span (the source of a quote) are left out.
    """
    skipped = list(skip)
    found: list[str] = []
    for mention in doc.mentions:
        if mention.start < start or mention.end > end:
            continue
        if any(s < mention.end and mention.start < e for s, e in skipped):
            continue
        code = _state_of(mention, registry)
        if code and code not in found:
            found.append(code)
    return found


def _state_of(mention: Any, registry: Registry) -> str | None:
    if mention.type == "COUNTRY":
        return mention.country if mention.country in registry.countries else None
    if mention.type == "LOCATION":
        code = registry.country_of(mention.text)
        country = registry.countries.get(code or "")
        if country and fold(mention.text) in {fold(c) for c in country.capitals}:
            return code
    return None


def article_dyad(doc: Document, registry: Registry) -> list[str]:
    """The two states the article is most about, sorted: the two most mentioned (ties go
    to the one mentioned first); [] when fewer than two states are mentioned."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for mention in doc.mentions:
        code = _state_of(mention, registry)
        if code and mention.resolved_by != "group":
            counts[code] += 1
            first.setdefault(code, mention.start)
    ranked = sorted(counts, key=lambda code: (-counts[code], first[code]))
    return sorted(ranked[:2]) if len(ranked) >= 2 else []


def reader_lacks_parse(doc: Document) -> bool:
    """True when a document with sentences has no spaCy parse of its text (a stored document
    run again, or a pipeline without the nlp stage): the record stages then do less."""
    return bool(doc.layer("sentences")) and fitting_parse(doc) is None


def span_root(doc: Document, start: int, end: int) -> Any | None:
    """The syntactic head token of ``[start, end)`` in ``doc.spacy_doc`` (None without a parse)."""
    parse = fitting_parse(doc)
    if parse is None:
        return None
    tokens = parse.char_span(start, end, alignment_mode="expand")
    return tokens.root if tokens is not None and len(tokens) else None


def tree_distance(first: Any, second: Any) -> int:
    """Number of dependency edges between two tokens of one sentence (a large number when
    they are in different trees)."""
    up_first = _path_up(first)
    depth = {token.i: steps for steps, token in enumerate(_path_up(second))}
    for steps, token in enumerate(up_first):
        if token.i in depth:
            return steps + depth[token.i]
    return 99


def _path_up(token: Any) -> list[Any]:
    path = [token]
    while path[-1].head.i != path[-1].i and len(path) < 60:
        path.append(path[-1].head)
    return path


def period_of(span: Span) -> str | None:
    """The period a timex span stands for: its value, with halves and quarters written
    "2024-H1" and "2024-Q3" (the timex value of a half is its interval of months)."""
    value = span.attrs.get("value")
    note = str(span.attrs.get("note") or "")
    match = re.search(r"\b(half|quarter):(\d)\b", note)
    if value and match:
        year = str(value)[:4]
        return f"{year}-{'H' if match.group(1) == 'half' else 'Q'}{match.group(2)}"
    return str(value) if value else None


# ------------------------------------------------------------------------------------------
# The vocabulary of figures


@dataclass(frozen=True)
class Indicators:
    """The words of figures, as read from ``data/indicators.tsv``."""

    money: dict[str, str]  # folded form -> indicator
    count: dict[str, str]
    currencies: dict[str, str]  # form as written -> ISO 4217 code
    scales: dict[str, int]  # lower-case form -> multiplier
    qualifiers: dict[str, str]
    change: dict[str, int]  # folded form -> +1 (rise) or -1 (fall)
    basis: dict[str, str]
    attribution: tuple[str, ...]
    pair: tuple[str, ...]
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)


_CATEGORIES = ("money", "count", "currency", "scale", "qualifier", "change", "basis",
               "attribution", "pair")
_INDICATORS_FILE = "indicators.tsv"


def _fold_form(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.strip().lower())


@lru_cache(maxsize=1)
def load_indicators() -> Indicators:
    """Read ``data/indicators.tsv`` once. Raises RegistryError naming the line of a bad row."""
    tables: dict[str, dict[str, str]] = {name: {} for name in _CATEGORIES}
    for number, row in read_table(_INDICATORS_FILE, ("category", "key", "forms")):
        if row["category"] not in tables:
            raise RegistryError(_INDICATORS_FILE, number, f"unknown category "
                                f"{row['category']!r}; valid: {', '.join(_CATEGORIES)}")
        for form in row["forms"].split("|"):
            if form.strip():
                tables[row["category"]][form.strip()] = row["key"]
    try:
        scales = {form.lower(): int(key) for form, key in tables["scale"].items()}
    except ValueError as exc:
        raise RegistryError(_INDICATORS_FILE, None, "a scale's key must be a whole number "
                            f"(1000000 for million): {exc}") from exc
    words = Indicators(
        money={_fold_form(f): k for f, k in tables["money"].items()},
        count={f.lower(): k for f, k in tables["count"].items()},
        currencies=dict(tables["currency"]),
        scales=scales,
        qualifiers={_fold_form(f): k for f, k in tables["qualifier"].items()},
        change={_fold_form(f): (1 if k == "up" else -1) for f, k in tables["change"].items()},
        basis={_fold_form(f): k for f, k in tables["basis"].items()},
        attribution=tuple(tables["attribution"]),
        pair=tuple(tables["pair"]),
    )
    words.patterns.update(_compile(words))
    return words


def _words_pattern(forms: Iterable[str]) -> str:
    """An alternation of word forms, longest first, a hyphen or spaces matching either."""
    parts = [r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", form.strip())))
             for form in sorted(set(forms), key=len, reverse=True)]
    return r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])"


def _compile(words: Indicators) -> dict[str, re.Pattern[str]]:
    # Symbols and codes have no lower-case letter ("$", "US$", "RMB"); they may stand before
    # the number and are matched as written. Words ("yuan", "U.S. dollars") follow it.
    symbols = [f for f in words.currencies if not any(ch.islower() for ch in f)]
    lower_after = [f for f in words.currencies if any(ch.islower() for ch in f)]
    codes_after = [f for f in symbols if any(ch.isalpha() for ch in f)]
    scale = "|".join(sorted(map(re.escape, words.scales), key=len, reverse=True))
    before = "|".join(sorted(map(re.escape, symbols), key=len, reverse=True))
    post = "|".join([r"(?i:" + _words_pattern(lower_after) + ")",
                     *sorted(map(re.escape, codes_after), key=len, reverse=True)])
    number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    money = (rf"(?<![\w.])(?:(?P<pre>{before})\s?)?(?P<num>{number})"
             rf"(?:\s?(?P<scale>(?i:{scale}))(?![\w]))?(?:\s+(?P<post>{post})(?![\w]))?")
    return {
        "money": re.compile(money),
        "money_words": re.compile(_words_pattern(words.money), re.I),
        "qualifier": re.compile(_words_pattern(words.qualifiers) + r"(?:\s+(?:of|a|an))*\s*$",
                                re.I),
        "change": re.compile(_words_pattern(words.change), re.I),
        "basis": re.compile(_words_pattern(words.basis), re.I),
        "pair": re.compile(_words_pattern(words.pair), re.I),
        "attribution": re.compile(
            _words_pattern(words.attribution)
            + r"\s+(?P<source>[^,;:()\n]+?)\s*(?=\s(?:show|shows|showed|indicate|indicates|"
              r"indicated|released|published)\b|[,;:(]|\.\s|\.?$)", re.I),
        "percent": re.compile(r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s+cent\b"
                              r"|pct\b)(?!\s+points?\b)", re.I),
    }


# ------------------------------------------------------------------------------------------
# The stage


@register_stage("facts", version=VERSION, requires=("mentions", "timex"), adds=("facts",))
class FactStage:
    """Figures (trade, investment, loans, aid, costs, counts) with period, change, source."""

    def __init__(self, *, registry_files: Iterable[str] = ()) -> None:
        self.registry = load_registry(tuple(str(path) for path in registry_files))
        self.words = load_indicators()

    def __call__(self, doc: Document) -> Document:
        if reader_lacks_parse(doc):
            doc.problems.append(f"{TAG}: no spaCy parse of the text; counts were not read and "
                                "money words were matched by distance in the text")
        reader = _FactReader(doc, self.registry, self.words)
        facts = [fact for index, sentence in body_sentences(doc)
                 for fact in reader.sentence_facts(index, sentence)]
        doc.facts = _dedupe(facts)
        return doc


@dataclass
class _Amount:
    """A number found in a sentence: a sum of money or a count."""

    start: int
    end: int
    value: float
    kind: str  # money | count
    currency: str | None = None
    indicator: str | None = None  # counts know theirs from their noun
    confidence: float = 0.9


@dataclass
class _Change:
    start: int
    end: int
    pct: float
    basis: str | None


_SPEECH = {"say", "tell", "report", "announce", "state", "add", "note", "show", "indicate",
           "reveal", "estimate", "write"}
_NEAR = 8  # tree distance beyond which a money word does not name a sum


class _FactReader:
    """Reads the facts of one document, sentence by sentence."""

    def __init__(self, doc: Document, registry: Registry, words: Indicators) -> None:
        self.doc = doc
        self.registry = registry
        self.words = words
        self.dyad = article_dyad(doc, registry)
        self.timex = [span for span in doc.layer("timex") if not span.attrs.get("boilerplate")]
        self.year = doc.meta.published[:4] if doc.meta.published else None

    def sentence_facts(self, index: int, sentence: Span) -> list[Fact]:
        text = self.doc.text[sentence.start:sentence.end]
        if not any(ch.isdigit() for ch in text) and not self._has_number_word(text):
            return []
        taken = [(t.start, t.end) for t in self.timex if t.attrs.get("sentence") == index]
        sums = self._sums(sentence, text, taken)
        taken += [(a.start, a.end) for a in sums]
        changes = self._changes(sentence, text)
        taken += [(c.start, c.end) for c in changes]
        counts = self._counts(sentence, taken)
        attribution = self._attribution(sentence, text, sums or counts)
        facts = [self._money_fact(index, sentence, amount, attribution) for amount in sums]
        if facts:
            self._attach_changes(facts, changes)
            for fact in facts:
                fact.extra.update({c.indicator: int(c.value) for c in counts if c.indicator})
        else:
            facts = [self._count_fact(index, sentence, count, attribution) for count in counts]
            facts += self._change_facts(index, sentence, text, changes, attribution)
        return facts

    @staticmethod
    def _has_number_word(text: str) -> bool:
        return bool(_number_words().search(text))

    # -- sums of money --------------------------------------------------------------------

    def _sums(self, sentence: Span, text: str, taken: list[tuple[int, int]]) -> list[_Amount]:
        found: list[_Amount] = []
        for match in self.words.patterns["money"].finditer(text):
            if not (match.group("pre") or match.group("post")):
                continue
            start, end = sentence.start + match.start(), sentence.start + match.end()
            if _overlaps(start, end, taken) or self.doc.in_boilerplate(start, end):
                continue
            amount = self._money_amount(match, start, end)
            if amount is not None:
                found.append(amount)
        found += self._quantulum_sums(sentence, text, taken + [(a.start, a.end) for a in found])
        return sorted(found, key=lambda amount: amount.start)

    def _money_amount(self, match: re.Match[str], start: int, end: int) -> _Amount | None:
        try:
            number = Decimal(match.group("num").replace(",", ""))
        except InvalidOperation:
            return None
        scale = match.group("scale")
        if scale:
            number *= self.words.scales[scale.lower()]
        written = match.group("pre") or match.group("post")
        currency = self.words.currencies.get(written) or self._currency_word(written)
        return _Amount(start, end, float(number), "money", currency=currency)

    def _currency_word(self, written: str) -> str | None:
        folded = _fold_form(written)
        for form, code in self.words.currencies.items():
            if _fold_form(form) == folded:
                return code
        return None

    def _quantulum_sums(self, sentence: Span, text: str,
                        taken: list[tuple[int, int]]) -> list[_Amount]:
        # The patterns need a digit; quantulum3 reads sums spelled out in words. It is asked
        # only about sentences that name a money word, to keep its cost where it can help.
        if not self.words.patterns["money_words"].search(text):
            return []
        parser = _quantulum()
        if parser is None:
            return []
        # A sum quantulum3 can read needs a number and one of its currency names; what lies in
        # a sum already found (or a date) would only give a quantity that overlaps it and is
        # dropped, so a sentence with neither outside those is not asked (most are not).
        rest = _blank(text, sentence.start, taken)
        if not (_quantulum_currencies().search(rest)
                and (any(ch.isdigit() for ch in rest) or _number_words().search(rest))):
            return []
        found = []
        for quantity in _quiet_parse(parser, text):
            code = getattr(quantity.unit, "currency_code", None)
            if quantity.unit.entity.name != "currency" or not code:
                continue
            start, end = sentence.start + quantity.span[0], sentence.start + quantity.span[1]
            if _overlaps(start, end, taken) or self.doc.in_boilerplate(start, end):
                continue
            found.append(_Amount(start, end, float(quantity.value), "money", currency=code,
                                 confidence=0.8))
        return found

    # -- counts ----------------------------------------------------------------------------

    def _counts(self, sentence: Span, taken: list[tuple[int, int]]) -> list[_Amount]:
        parse = fitting_parse(self.doc)
        if parse is None:
            return []
        tokens = parse.char_span(sentence.start, sentence.end, alignment_mode="expand") or []
        found = []
        for token in tokens:
            value = self._count_value(token)
            if value is None or token.dep_ != "nummod":
                continue
            start, end = token.idx, token.idx + len(token.text)
            indicator = self.words.count.get(token.head.text.lower())
            if indicator is None or _overlaps(start, end, taken):
                continue
            noun_end = token.head.idx + len(token.head.text)
            found.append(_Amount(start, max(end, noun_end), float(value), "count",
                                 indicator=indicator))
        return found

    @staticmethod
    def _count_value(token: Any) -> int | None:
        text = token.text.replace(",", "")
        if text.isdigit():
            return int(text)
        return load_words().numbers.get(token.lower_)

    # -- changes ---------------------------------------------------------------------------

    def _changes(self, sentence: Span, text: str) -> list[_Change]:
        changes = []
        for match in self.words.patterns["percent"].finditer(text):
            sign = self._direction(text, match.start(), match.end())
            if sign is None:
                continue  # a share ("30 percent of trade") is neither a value nor a change
            basis = _nearest(self.words.patterns["basis"], text, match.start(), self.words.basis)
            changes.append(_Change(sentence.start + match.start(), sentence.start + match.end(),
                                   sign * float(match.group("num")), basis))
        return changes

    def _direction(self, text: str, start: int, end: int) -> int | None:
        window_start = max(0, start - 45)
        best: tuple[int, int] | None = None
        for match in self.words.patterns["change"].finditer(text, window_start, end + 30):
            distance = start - match.end() if match.end() <= start else match.start() - end
            if distance >= 0 and (best is None or distance < best[0]):
                best = (distance, self.words.change[_fold_form(match.group())])
        return best[1] if best else None

    def _attach_changes(self, facts: list[Fact], changes: list[_Change]) -> None:
        for change in changes:
            before = [f for f in facts if f.start <= change.start] or facts
            fact = min(before, key=lambda f: abs(change.start - f.end))
            if fact.change_pct is None:
                fact.change_pct, fact.change_basis = change.pct, change.basis

    # -- the fact's fields -----------------------------------------------------------------

    def _money_fact(self, index: int, sentence: Span, amount: _Amount,
                    attribution: tuple[str, int, int] | None) -> Fact:
        indicator, near = self._indicator(sentence, amount)
        countries, confidence = self._countries(sentence, attribution)
        fact = Fact(indicator=indicator, value=amount.value, unit=amount.currency,
                    start=amount.start, end=amount.end, currency=amount.currency,
                    original=self.doc.text[amount.start:amount.end], sentence=index,
                    provenance=TAG, countries=countries)
        fact.period = self._period(index, sentence, amount)
        fact.qualifier = self._qualifier(sentence, amount.start)
        fact.attributed_to = attribution[0] if attribution else None
        fact.confidence = round(min(amount.confidence, confidence) - (0 if near else 0.1), 3)
        return fact

    def _count_fact(self, index: int, sentence: Span, count: _Amount,
                    attribution: tuple[str, int, int] | None) -> Fact:
        countries, confidence = self._countries(sentence, attribution)
        return Fact(indicator=count.indicator or "count", value=count.value, unit="count",
                    start=count.start, end=count.end, countries=countries,
                    period=self._period(index, sentence, count),
                    original=self.doc.text[count.start:count.end],
                    qualifier=self._qualifier(sentence, count.start),
                    attributed_to=attribution[0] if attribution else None,
                    sentence=index, confidence=round(confidence - 0.05, 3), provenance=TAG)

    def _change_facts(self, index: int, sentence: Span, text: str, changes: list[_Change],
                      attribution: tuple[str, int, int] | None) -> list[Fact]:
        facts = []
        for change in changes:
            amount = _Amount(change.start, change.end, change.pct, "change")
            indicator, near = self._indicator(sentence, amount)
            if not near:
                continue  # a rise of what? Without a figure word it is not a fact
            countries, confidence = self._countries(sentence, attribution)
            facts.append(Fact(
                indicator=indicator, value=None, unit=None, start=change.start, end=change.end,
                countries=countries, period=self._period(index, sentence, amount),
                original=self.doc.text[change.start:change.end], change_pct=change.pct,
                change_basis=change.basis, attributed_to=attribution[0] if attribution else None,
                sentence=index, confidence=round(confidence - 0.1, 3), provenance=TAG))
        return facts

    def _indicator(self, sentence: Span, amount: _Amount) -> tuple[str, bool]:
        """The money word nearest the amount (in the parse when there is one) and whether
        one was near enough; ``money_value`` when none was."""
        text = self.doc.text[sentence.start:sentence.end]
        target = span_root(self.doc, amount.start, amount.end)
        best: tuple[tuple[int, int], str] | None = None
        for match in self.words.patterns["money_words"].finditer(text):
            start, end = sentence.start + match.start(), sentence.start + match.end()
            if _overlaps(start, end, [(amount.start, amount.end)]):
                continue
            word = span_root(self.doc, start, end)
            gap = abs(start - amount.start) // 6  # about one word per six characters
            distance = tree_distance(word, target) if word is not None and target is not None \
                else gap
            rank = (distance, 0 if start < amount.start else 1)
            if best is None or rank < best[0]:
                best = (rank, self.words.money[_fold_form(match.group())])
        if best is None or best[0][0] > _NEAR:
            return "money_value", False
        return best[1], True

    def _countries(self, sentence: Span,
                   attribution: tuple[str, int, int] | None) -> tuple[list[str], float]:
        skip = [(attribution[1], attribution[2])] if attribution else []
        found = countries_in(self.doc, self.registry, sentence.start, sentence.end, skip=skip)
        text = self.doc.text[sentence.start:sentence.end]
        if len(found) >= 2:
            return sorted(found), 0.9
        if self.words.patterns["pair"].search(text) and self.dyad and set(found) <= set(self.dyad):
            return list(self.dyad), 0.85
        if found:
            return found, 0.8
        return list(self.dyad), 0.7

    def _period(self, index: int, sentence: Span, amount: _Amount) -> str | None:
        text = self.doc.text[sentence.start:sentence.end]
        basis = [(sentence.start + m.start(), sentence.start + m.end())
                 for m in self.words.patterns["basis"].finditer(text)]
        candidates = [t for t in self.timex if t.attrs.get("sentence") == index
                      and t.label in ("date", "interval") and t.attrs.get("value")
                      and t.attrs.get("precision") != "day"
                      and not _overlaps(t.start, t.end, basis)]
        tense, governor = clause_tense(self._parse(), amount.start, amount.end)
        if candidates:
            own = [t for t in candidates if governor >= 0 and t.attrs.get("head") == governor]
            chosen = (own or sorted(candidates, key=lambda t: abs(t.start - amount.start)))[0]
            return self._since(chosen, text, sentence) or period_of(chosen)
        return self.year if tense == "present" else None

    def _since(self, span: Span, text: str, sentence: Span) -> str | None:
        # "since 2013": a running total up to the publication year
        before = text[:span.start - sentence.start].rstrip().lower()
        value = period_of(span)
        if before.endswith("since") and value and self.year and value[:4] < self.year:
            return f"{value}/{self.year}"
        return None

    def _parse(self) -> Any:
        return fitting_parse(self.doc)

    def _qualifier(self, sentence: Span, start: int) -> str | None:
        before = self.doc.text[max(sentence.start, start - 30):start]
        match = self.words.patterns["qualifier"].search(before)
        if not match:
            return None
        words = re.sub(r"(?:\s+(?:of|a|an))*\s*$", "", match.group(), flags=re.I)
        return self.words.qualifiers.get(_fold_form(words))

    def _attribution(self, sentence: Span, text: str,
                     amounts: list[_Amount]) -> tuple[str, int, int] | None:
        """(source, start, end) of who gives the figures: "according to X", "data from X
        show", or the subject of a speech verb whose clause holds the figure."""
        match = self.words.patterns["attribution"].search(text)
        if match and match.group("source").strip():
            source = match.group("source").strip().rstrip(".")
            start = sentence.start + match.start("source")
            return source, start, start + len(source)
        if not amounts:
            return None
        return self._speaker(amounts[0])

    def _speaker(self, amount: _Amount) -> tuple[str, int, int] | None:
        token = span_root(self.doc, amount.start, amount.end)
        while token is not None and token.head.i != token.i:
            head = token.head
            if head.lemma_.lower() in _SPEECH and token.dep_ in ("ccomp", "parataxis", "dobj"):
                subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subjects and subjects[0].pos_ != "PRON":
                    words = list(subjects[0].subtree)
                    start, end = words[0].idx, words[-1].idx + len(words[-1].text)
                    return self.doc.text[start:end], start, end
                return None
            token = head
        return None


@lru_cache(maxsize=1)
def _number_words() -> re.Pattern[str]:
    """Numbers spelled out ("two", "twelve"), which only quantulum3 can read as sums."""
    words = sorted(load_words().numbers, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.I)


def _blank(text: str, offset: int, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` (starting at document offset ``offset``) with ``spans`` (document offsets)
    replaced by spaces, its length unchanged."""
    for start, end in spans:
        start, end = max(0, start - offset), min(len(text), end - offset)
        if start < end:
            text = text[:start] + " " * (end - start) + text[end:]
    return text


@lru_cache(maxsize=1)
def _quantulum_currencies() -> re.Pattern[str]:
    """Every name and symbol quantulum3 reads as a currency (its own unit list): names in
    any case, symbols as written, a letter at either end of one bounded as in a word."""
    from quantulum3 import load

    units = load.units("en_US")
    names = {surface for surface, found in units.surfaces_all.items()
             if any(unit.entity.name == "currency" for unit in found)}
    symbols = {symbol for symbol, found in units.symbols_all.items()
               if any(unit.entity.name == "currency" for unit in found)}
    words = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    marks = "|".join((r"(?<!\w)" if symbol[0].isalnum() else "") + re.escape(symbol)
                     + (r"(?!\w)" if symbol[-1].isalnum() else "")
                     for symbol in sorted(symbols, key=len, reverse=True) if symbol)
    return re.compile(rf"(?i:(?<!\w)(?:{words})(?!\w))|{marks}")


@lru_cache(maxsize=1)
def _quantulum() -> Any | None:
    # quantulum3 warns on import that its optional classifier is missing; the rules it uses
    # without it are the ones we want. A broken install must not stop a batch: the patterns
    # still find every sum written with digits.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import_inflect_unchecked()
            from quantulum3 import parser
        except ImportError:
            return None
    return parser


def import_inflect_unchecked() -> Any:
    """Import inflect (which quantulum3 loads) without typeguard's run-time instrumentation.

    inflect 7 decorates its engine's methods with typeguard's ``@typechecked``, which parses
    and recompiles inflect's whole source once per method at import: about 2 seconds of
    every process that reads a spelled-out sum (jaraco/inflect#212), and a type check on
    every later call. During that one import, ``typeguard`` is a module whose
    ``typechecked`` returns its target unchanged (what typeguard itself does under
    ``python -O``); the real typeguard, imported or not, is back in ``sys.modules`` after.
    """
    import sys
    import types

    if "inflect" in sys.modules:
        return sys.modules["inflect"]

    def typechecked(target: Any = None, **_options: Any) -> Any:
        return target if target is not None else (lambda function: function)

    stand_in = types.ModuleType("typeguard")
    stand_in.typechecked = typechecked  # type: ignore[attr-defined]
    real = sys.modules.get("typeguard")
    sys.modules["typeguard"] = stand_in
    try:
        import inflect
    finally:
        if real is None:
            sys.modules.pop("typeguard", None)
        else:
            sys.modules["typeguard"] = real
    return inflect


def _quiet_parse(parser: Any, text: str) -> list[Any]:
    # quantulum3 warns about its classifier on every call; the warning is not ours to show.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return list(parser.parse(text))
        except Exception:  # noqa: BLE001 - a parser failure on one sentence loses only its extras
            return []


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _nearest(pattern: re.Pattern[str], text: str, position: int,
             table: dict[str, str]) -> str | None:
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    match = min(matches, key=lambda m: min(abs(m.start() - position), abs(m.end() - position)))
    return table.get(_fold_form(match.group()))


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per (indicator, countries, period, value, currency): the one with the most
    fields filled (a headline and its paragraph often give the same figure)."""
    best: dict[tuple[Any, ...], Fact] = {}
    for fact in facts:
        key = (fact.indicator, tuple(fact.countries), fact.period, fact.value, fact.currency)
        if key not in best or _filled(fact) > _filled(best[key]):
            best[key] = fact
    return sorted(best.values(), key=lambda fact: fact.start)


def _filled(fact: Fact) -> int:
    fields = (fact.change_pct, fact.change_basis, fact.qualifier, fact.attributed_to)
    return sum(value is not None for value in fields) + len(fact.extra)
