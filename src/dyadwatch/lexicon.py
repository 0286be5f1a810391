"""The event lexicon: CAMEO codes with their PLOVER type, verb and noun patterns, and cues.

The knowledge lives in TSV files under ``dyadwatch/data/lexicon/`` (a header line, ``#``
comments, ``|`` between alternatives); this module reads, checks and indexes them.

- ``plover.tsv``: the 16 PLOVER event types, their modes, quad classes and scores.
- ``cameo.tsv``: every CAMEO event code with its label, PLOVER type and mode, Goldstein
  weight and quad class.
- ``verbs.tsv``: verb lemma (+ particle, preposition, object head) -> CAMEO code.
- ``nouns.tsv``: event noun (+ modifiers) -> CAMEO code.
- ``cues.tsv``: words that set negation, modality, intent, reported speech, requests.

A user file adds rows to these; its header line says which table it extends, and a row
whose key matches a built-in row replaces it. Every file is checked on load: a bad row
raises :class:`LexiconError` naming the file, the line and the problem.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import DyadwatchError, RegistryError

__all__ = [
    "DATA_DIR",
    "QUAD_NAMES",
    "CUE_KINDS",
    "CameoCode",
    "VerbEntry",
    "NounEntry",
    "Cue",
    "CueMatch",
    "Lexicon",
    "LexiconError",
    "UnknownCodeError",
    "TableRow",
    "load_lexicon",
    "read_table",
]

DATA_DIR = Path(__file__).resolve().parent / "data" / "lexicon"
BUILTIN_FILES = ("plover.tsv", "cameo.tsv", "verbs.tsv", "nouns.tsv", "cues.tsv")

QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation",
              3: "verbal conflict", 4: "material conflict"}

# Cue kinds the event coder understands, and what their value may be: a fixed word
# (PLOVER's auxiliary modes where PLOVER has one) or, for "request"/"threat", a CAMEO code
# that the clause governed by the cue turns into.
CUE_KINDS: dict[str, frozenset[str] | None] = {
    "negation": frozenset({"negation"}),
    "future": frozenset({"future"}),
    "hypothetical": frozenset({"hypothetical"}),
    "conditional": frozenset({"hypothetical"}),
    "historical": frozenset({"historical"}),
    "intent": frozenset({"intend"}),
    "reported": frozenset({"reported"}),
    "request": None,
    "threat": None,
}

# The header of a file names its table: required columns, then optional trailing ones.
_SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "plover": (("type", "mode", "quad", "score"), ("note",)),
    "cameo": (("code", "label", "plover", "mode", "goldstein", "quad"), ("context", "note")),
    "verbs": (("lemma", "particle", "prep", "object", "cameo"), ("note",)),
    "nouns": (("lemma", "modifier", "cameo"), ("note",)),
    "cues": (("cue", "kind", "value"), ("note",)),
}
_LOAD_ORDER = ("plover", "cameo", "verbs", "nouns", "cues")

_CODE = re.compile(r"^\d{3,4}$")
_TYPE = re.compile(r"^[A-Z]+$")
_WORD = re.compile(r"^[a-z][a-z0-9'_.-]*$")
_PHRASE = re.compile(r"^[a-z'][a-z0-9'_.-]*( [a-z'][a-z0-9'_.-]*)*$")


class LexiconError(RegistryError):
    """A lexicon file is malformed: names the file, the line and the problem."""


class UnknownCodeError(DyadwatchError, KeyError):
    """A code the lexicon does not know (a CAMEO code, PLOVER type or cue kind); names it
    and the closest known ones. A KeyError, so ``except KeyError`` catches it."""

    def __init__(self, code: str, close: Sequence[str], *, what: str = "CAMEO code") -> None:
        self.code = code
        self.close = tuple(close)
        hint = f" Close: {', '.join(self.close)}." if self.close else ""
        fix = (" Add the code in a cameo table file (load_lexicon(extra=...)) to use it."
               if what == "CAMEO code" else "")
        super().__init__(f"Unknown {what} {code!r}: the lexicon does not have it.{hint}{fix}")

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0])


@dataclass(frozen=True)
class CameoCode:
    """One CAMEO event code and what it means in PLOVER terms."""

    code: str
    label: str
    plover: str
    mode: str
    goldstein: float
    quad: int
    context: frozenset[str] = frozenset()
    note: str = ""

    @property
    def root(self) -> str:
        """The two-digit CAMEO cue category ("04" for "042")."""
        return self.code[:2]

    @property
    def quad_name(self) -> str:
        """The quad class in words ("verbal cooperation" ...)."""
        return QUAD_NAMES[self.quad]


@dataclass(frozen=True)
class VerbEntry:
    """A verb pattern: lemma, optional particle, preposition and object heads -> CAMEO code."""

    lemma: str
    particle: str
    prep: str
    objects: frozenset[str]
    cameo: str
    note: str = field(default="", compare=False)

    @property
    def specificity(self) -> tuple[int, bool, bool, bool]:
        """How much a match with this entry says: constraints met, then particle, object, prep."""
        count = bool(self.particle) + bool(self.objects) + bool(self.prep)
        return (count, bool(self.particle), bool(self.objects), bool(self.prep))


@dataclass(frozen=True)
class NounEntry:
    """An event noun, optionally only with one of some modifiers -> CAMEO code."""

    lemma: str
    modifiers: frozenset[str]
    cameo: str
    note: str = field(default="", compare=False)


@dataclass(frozen=True)
class Cue:
    """A word or phrase that sets the mode or polarity of the event it governs."""

    cue: str
    kind: str
    value: str
    note: str = field(default="", compare=False)

    @property
    def words(self) -> tuple[str, ...]:
        """The cue split into words, each matched against a token's text or lemma."""
        return tuple(self.cue.split(" "))


@dataclass(frozen=True)
class CueMatch:
    """A cue found in a token sequence: tokens ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    cue: Cue


@dataclass(frozen=True)
class TableRow:
    """One row of a lexicon file: where it was read and its columns by name."""

    path: str
    line: int
    values: dict[str, str]


def read_table(path: str | Path) -> tuple[str, list[TableRow]]:
    """Read one lexicon TSV file; return its table name and its rows (file, line, columns).

    Raises LexiconError when the file cannot be read, the header names no known table,
    or a row has too few or too many columns.
    """
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LexiconError(shown, None, f"cannot read the file ({error}); pass the path of "
                                        "a UTF-8 TSV lexicon file") from error
    kind: str | None = None
    columns: tuple[str, ...] = ()
    required = 0
    rows: list[TableRow] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = [value.strip() for value in raw.split("\t")]
        if kind is None:
            kind, columns, required = _table_of(shown, number, fields)
            continue
        if not required <= len(fields) <= len(columns):
            raise LexiconError(shown, number, _column_problem(kind, columns, required, fields))
        fields += [""] * (len(columns) - len(fields))
        values = dict.fromkeys(sum(_SCHEMAS[kind], ()), "")  # optional columns default blank
        values.update(zip(columns, fields, strict=True))
        rows.append(TableRow(shown, number, values))
    if kind is None:
        raise LexiconError(shown, None, "the file has no header line; " + _expected_headers())
    return kind, rows


def _table_of(path: str, line: int, header: list[str]) -> tuple[str, tuple[str, ...], int]:
    for kind, (required, optional) in _SCHEMAS.items():
        full = required + optional
        if tuple(header) == full[:len(header)] and len(header) >= len(required):
            return kind, tuple(header), len(required)
    raise LexiconError(path, line, f"unknown header {' | '.join(header)!r}; "
                                   + _expected_headers())


def _expected_headers() -> str:
    shapes = "; ".join(f"{kind}: {chr(9).join(req + opt)}" for kind, (req, opt) in
                       _SCHEMAS.items())
    return f"the first line must be the tab-separated header of one table ({shapes})"


def _column_problem(kind: str, columns: tuple[str, ...], required: int,
                    fields: list[str]) -> str:
    wanted = (f"{required}" if required == len(columns) else f"{required} to {len(columns)}")
    return (f"{len(fields)} tab-separated columns where the {kind} table has {wanted} "
            f"({', '.join(columns)}); separate columns with one tab and write "
            f"alternatives inside a column with '|'")


def _alternatives(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


class _Builder:
    """Checks rows table by table and fills the indexes of a Lexicon."""

    def __init__(self) -> None:
        self.plover: dict[str, dict[str, float | int | str]] = {}
        self.modes: dict[str, dict[str, float | None]] = {}
        self.codes: dict[str, CameoCode] = {}
        self.verbs: dict[tuple[str, str, str, str], VerbEntry] = {}
        self.nouns: dict[tuple[str, str], NounEntry] = {}
        self.cues: dict[tuple[str, str], Cue] = {}
        self.root_quads: dict[str, tuple[int, str]] = {}

    def add(self, kind: str, rows: list[TableRow]) -> None:
        """Check and index the rows of one file; a key seen twice in one file is an error."""
        seen: dict[object, int] = {}
        adder = getattr(self, f"_add_{kind}")
        for row in rows:
            for key in adder(row):
                if key in seen:
                    raise LexiconError(row.path, row.line, f"duplicates line {seen[key]} "
                                       f"({_show_key(key)}); keep one of the two rows")
                seen[key] = row.line

    def _add_plover(self, row: TableRow) -> list[object]:
        values = row.values
        kind, mode = values["type"], values["mode"]
        if not _TYPE.match(kind):
            raise LexiconError(row.path, row.line, f"PLOVER type {kind!r} must be one "
                               "upper-case word such as CONSULT")
        if mode and not _WORD.match(mode):
            raise LexiconError(row.path, row.line, f"mode {mode!r} must be one lower-case word")
        score = _number(row, "score", allow_blank=bool(mode))
        if not mode:
            quad = _quad(row)
            self.plover[kind] = {"quad": quad, "score": score if score is not None else 0.0}
            self.modes.setdefault(kind, {})
        elif kind not in self.plover:
            raise LexiconError(row.path, row.line, f"mode {mode!r} comes before the row of "
                               f"its type {kind}; put the type's own row (blank mode) first")
        else:
            self.modes[kind][mode] = score
        return [(kind, mode)]

    def _add_cameo(self, row: TableRow) -> list[object]:
        values = row.values
        code, plover, mode = values["code"], values["plover"], values["mode"]
        if not _CODE.match(code):
            raise LexiconError(row.path, row.line, f"CAMEO code {code!r} must be 3 or 4 digits")
        if plover not in self.plover:
            raise LexiconError(row.path, row.line, f"unknown PLOVER type {plover!r} for "
                               f"{code}; use one of {', '.join(self.plover)}")
        if mode and mode not in self.modes[plover]:
            known = ", ".join(self.modes[plover]) or "none"
            raise LexiconError(row.path, row.line, f"{mode!r} is not a mode of {plover} "
                               f"(its modes: {known}); leave the mode blank or pick one")
        if not values["label"]:
            raise LexiconError(row.path, row.line, f"CAMEO code {code} has no label")
        goldstein = _number(row, "goldstein")
        quad = _quad(row)
        self._check_root_quad(row, code, quad)
        self.codes[code] = CameoCode(code, values["label"], plover, mode, float(goldstein or 0),
                                     quad, frozenset(_alternatives(values["context"])),
                                     values["note"])
        return [code]

    def _check_root_quad(self, row: TableRow, code: str, quad: int) -> None:
        # Quad class is a property of the two-digit cue category: 04x codes cannot differ.
        known = self.root_quads.setdefault(code[:2], (quad, code))
        if known[0] != quad:
            raise LexiconError(row.path, row.line, f"quad {quad} for {code}, but {known[1]} "
                               f"of the same cue category {code[:2]} has quad {known[0]}")

    def _add_verbs(self, row: TableRow) -> list[object]:
        values = row.values
        lemma = _lemma(row, values["lemma"])
        code = self._code(row, values["cameo"])
        objects = frozenset(_words(row, "object"))
        keys: list[object] = []
        for particle in _words(row, "particle") or [""]:
            for prep in _words(row, "prep") or [""]:
                entry = VerbEntry(lemma, particle, prep, objects, code, values["note"])
                for target in sorted(objects) or [""]:
                    key = (lemma, particle, prep, target)
                    self.verbs[key] = entry
                    keys.append(key)
        return keys

    def _add_nouns(self, row: TableRow) -> list[object]:
        values = row.values
        lemma = _lemma(row, values["lemma"])
        entry = NounEntry(lemma, frozenset(_words(row, "modifier")), self._code(
            row, values["cameo"]), values["note"])
        keys: list[object] = []
        for modifier in sorted(entry.modifiers) or [""]:
            self.nouns[(lemma, modifier)] = entry
            keys.append((lemma, modifier))
        return keys

    def _add_cues(self, row: TableRow) -> list[object]:
        values = row.values
        cue, kind, value = values["cue"].lower(), values["kind"], values["value"]
        if not _PHRASE.match(cue):
            raise LexiconError(row.path, row.line, f"cue {values['cue']!r} must be lower-case "
                               "words separated by single spaces")
        if kind not in CUE_KINDS:
            raise LexiconError(row.path, row.line, f"unknown cue kind {kind!r}; use one of "
                               f"{', '.join(CUE_KINDS)}")
        allowed = CUE_KINDS[kind]
        if allowed is None:
            value = self._code(row, value)
        elif value not in allowed:
            raise LexiconError(row.path, row.line, f"value {value!r} for a {kind} cue; use "
                               f"{' or '.join(sorted(allowed))}")
        self.cues[(cue, kind)] = Cue(cue, kind, value, values["note"])
        return [(cue, kind)]

    def _code(self, row: TableRow, code: str) -> str:
        if code not in self.codes:
            close = _close_codes(code, self.codes)
            hint = f" (close: {', '.join(close)})" if close else ""
            raise LexiconError(row.path, row.line, f"unknown CAMEO code {code!r}{hint}; use a "
                               "code from cameo.tsv or add the code in a cameo table file")
        return code


def _show_key(key: object) -> str:
    if isinstance(key, tuple):
        return " + ".join(part for part in key if part) or "?"
    return str(key)


def _number(row: TableRow, column: str, *, allow_blank: bool = False) -> float | None:
    text = row.values[column]
    if not text and allow_blank:
        return None
    try:
        value = float(text)
    except ValueError as error:
        raise LexiconError(row.path, row.line, f"{column} {text!r} is not a number") from error
    if not -10.0 <= value <= 10.0:
        raise LexiconError(row.path, row.line, f"{column} {value} is outside -10 to 10")
    return value


def _quad(row: TableRow) -> int:
    text = row.values["quad"]
    if text not in ("1", "2", "3", "4"):
        raise LexiconError(row.path, row.line, f"quad {text!r} must be 1 (verbal cooperation),"
                           " 2 (material cooperation), 3 (verbal conflict) or 4 (material "
                           "conflict)")
    return int(text)


def _lemma(row: TableRow, lemma: str) -> str:
    if not _WORD.match(lemma):
        raise LexiconError(row.path, row.line, f"lemma {lemma!r} must be one lower-case word "
                           "(the spaCy lemma); put particles and prepositions in their columns")
    return lemma


def _words(row: TableRow, column: str) -> list[str]:
    words = _alternatives(row.values[column])
    for word in words:
        if not _WORD.match(word):
            raise LexiconError(row.path, row.line, f"{column} {word!r} must be one lower-case "
                               "word; separate alternatives with '|'")
    return words


def _close_codes(code: str, codes: Iterable[str]) -> list[str]:
    """Known codes near ``code``: same category first, then look-alikes."""
    known = sorted(codes)
    close = [c for c in known if len(code) >= 3 and c.startswith(code[:3]) and c != code]
    if not close:
        close = [c for c in known if code[:2] and c[:2] == code[:2]][:6]
    for similar in difflib.get_close_matches(code, known, n=3, cutoff=0.6):
        if similar not in close:
            close.append(similar)
    return close[:8]


class Lexicon:
    """The checked, indexed lexicon: look up CAMEO codes, verb and noun patterns, cues.

    Build it with :func:`load_lexicon`; a Lexicon does not change once built.
    """

    def __init__(self, builder: _Builder, sources: Sequence[str]) -> None:
        self._codes = dict(builder.codes)
        self._plover = {kind: dict(info) for kind, info in builder.plover.items()}
        self._modes = {kind: dict(modes) for kind, modes in builder.modes.items()}
        self._verb_index = dict(builder.verbs)
        self._noun_index = dict(builder.nouns)
        self._cues = list(builder.cues.values())
        self._verbs_by_lemma = _group_verbs(self._verb_index.values())
        self._nouns_by_lemma = _group_nouns(self._noun_index.values())
        self.sources: tuple[str, ...] = tuple(sources)
        self.plover_types: tuple[str, ...] = tuple(self._plover)

    def __repr__(self) -> str:
        return (f"<Lexicon {len(self._codes)} codes, {len(self._verb_index)} verb keys, "
                f"{len(self._noun_index)} noun keys, {len(self._cues)} cues>")

    # --- CAMEO and PLOVER ---------------------------------------------------------------

    def cameo(self, code: str) -> CameoCode:
        """The CAMEO code ``code``; raises UnknownCodeError (a KeyError) naming close codes."""
        try:
            return self._codes[code]
        except KeyError:
            raise UnknownCodeError(code, _close_codes(code, self._codes)) from None

    def codes(self, *, plover: str | None = None) -> list[CameoCode]:
        """Every CAMEO code in code order, or only those of one PLOVER type."""
        return [c for _, c in sorted(self._codes.items()) if plover in (None, c.plover)]

    def plover_modes(self, plover: str) -> tuple[str, ...]:
        """The modes the PLOVER manual defines for a type (empty for types without modes)."""
        return tuple(self._modes[self._known_type(plover)])

    def plover_quad(self, plover: str) -> int:
        """The quad class the PLOVER manual gives a type."""
        return int(self._plover[self._known_type(plover)]["quad"])

    def plover_score(self, plover: str, mode: str = "") -> float:
        """The PLOVER conflict-cooperation score of a type, or of a type with a mode."""
        kind = self._known_type(plover)
        score = self._modes[kind].get(mode) if mode else None
        return float(score if score is not None else self._plover[kind]["score"])

    def _known_type(self, plover: str) -> str:
        if plover not in self._plover:
            raise UnknownCodeError(plover, difflib.get_close_matches(plover, self.plover_types),
                                   what="PLOVER type")
        return plover

    # --- verbs --------------------------------------------------------------------------

    def verbs(self, lemma: str) -> list[VerbEntry]:
        """Every entry for a verb lemma, most specific first."""
        return list(self._verbs_by_lemma.get(lemma.lower().strip(), ()))

    def match_verb(self, lemma: str, *, particle: str | None = None,
                   prep: str | Iterable[str] | None = None,
                   object_lemma: str | None = None) -> VerbEntry | None:
        """The entry that best fits a verb with its particle, preposition(s) and object head.

        An entry's particle, preposition and objects, where given, must all be present; a
        blank one accepts anything. Of the entries that fit, the one meeting the most
        constraints wins, then particle beats object beats preposition. ``prep`` may be
        several prepositions (all those attached to the verb). Returns None when nothing fits.
        """
        lemma = lemma.lower().strip()
        if lemma not in self._verbs_by_lemma:
            return None
        particles = _options(particle)
        preps = _options(prep)
        objects = _options(object_lemma)
        best: VerbEntry | None = None
        for p in particles:
            for q in preps:
                for o in objects:
                    entry = self._verb_index.get((lemma, p, q, o))
                    if entry is not None and (best is None or
                                              entry.specificity > best.specificity):
                        best = entry
        return best

    # --- nouns --------------------------------------------------------------------------

    def nouns(self, lemma: str) -> list[NounEntry]:
        """Every entry for an event noun, entries with modifiers first."""
        return list(self._nouns_by_lemma.get(lemma.lower().strip(), ()))

    def match_noun(self, lemma: str, *, modifiers: Iterable[str] = ()) -> NounEntry | None:
        """The entry for an event noun given the lemmas of its modifiers (any order).

        An entry that needs a modifier fits when one of ``modifiers`` is among its own; when
        several modifiers fit different entries the first one given wins. Falls back to the
        entry without modifiers; returns None when the noun is not an event noun.
        """
        lemma = lemma.lower().strip()
        if lemma not in self._nouns_by_lemma:
            return None
        for modifier in modifiers:
            entry = self._noun_index.get((lemma, modifier.lower().strip()))
            if entry is not None:
                return entry
        return self._noun_index.get((lemma, ""))

    # --- cues ---------------------------------------------------------------------------

    def cues(self, kind: str | None = None) -> list[Cue]:
        """All cues in file order, or those of one kind; raises UnknownCodeError for a bad kind."""
        if kind is not None and kind not in CUE_KINDS:
            raise UnknownCodeError(kind, difflib.get_close_matches(kind, CUE_KINDS),
                                   what="cue kind")
        return [cue for cue in self._cues if kind in (None, cue.kind)]

    def find_cues(self, tokens: Sequence[tuple[str, str]], *,
                  kind: str | None = None) -> list[CueMatch]:
        """Cues in a token sequence given as ``(text, lemma)`` pairs, left to right.

        A cue word matches a token whose lower-cased text or lemma equals it, so "refuse to"
        matches "refused to" and "be expected to" matches "is expected to". At each position
        the longest cue wins and matches do not overlap.
        """
        words = [(text.lower(), lemma.lower()) for text, lemma in tokens]
        candidates = sorted(self.cues(kind), key=lambda cue: -len(cue.words))
        found: list[CueMatch] = []
        start = 0
        while start < len(words):
            match = next((c for c in candidates if _cue_at(c.words, words, start)), None)
            if match is None:
                start += 1
                continue
            found.append(CueMatch(start, start + len(match.words), match))
            start += len(match.words)
        return found


def _options(value: str | Iterable[str] | None) -> list[str]:
    # The blank key is always a candidate: blank columns accept anything.
    if value is None:
        return [""]
    values = [value] if isinstance(value, str) else list(value)
    return [v.lower().strip() for v in values if v and v.strip()] + [""]


def _cue_at(cue: tuple[str, ...], words: list[tuple[str, str]], start: int) -> bool:
    if start + len(cue) > len(words):
        return False
    return all(word in words[start + i] for i, word in enumerate(cue))


def _group_verbs(entries: Iterable[VerbEntry]) -> dict[str, tuple[VerbEntry, ...]]:
    grouped: dict[str, dict[VerbEntry, None]] = {}
    for entry in entries:
        grouped.setdefault(entry.lemma, {})[entry] = None
    return {lemma: tuple(sorted(found, key=_verb_order)) for lemma, found in grouped.items()}


def _verb_order(entry: VerbEntry) -> tuple:
    count, particle, objects, prep = entry.specificity
    return (-count, not particle, not objects, not prep, entry.particle, entry.prep,
            sorted(entry.objects), entry.cameo)


def _group_nouns(entries: Iterable[NounEntry]) -> dict[str, tuple[NounEntry, ...]]:
    grouped: dict[str, dict[NounEntry, None]] = {}
    for entry in entries:
        grouped.setdefault(entry.lemma, {})[entry] = None
    return {lemma: tuple(sorted(found, key=lambda e: (not e.modifiers, sorted(e.modifiers),
                                                      e.cameo)))
            for lemma, found in grouped.items()}


@lru_cache(maxsize=1)
def _builtin_tables() -> tuple[tuple[str, tuple[TableRow, ...]], ...]:
    tables = []
    for name in BUILTIN_FILES:
        kind, rows = read_table(DATA_DIR / name)
        tables.append((kind, tuple(rows)))
    return tuple(tables)


@lru_cache(maxsize=16)
def _load(extra: tuple[tuple[str, int, int], ...]) -> Lexicon:
    tables = list(_builtin_tables())
    sources = [str(DATA_DIR / name) for name in BUILTIN_FILES]
    for path, _, _ in extra:
        kind, rows = read_table(path)
        tables.append((kind, tuple(rows)))
        sources.append(path)
    builder = _Builder()
    # Tables are applied kind by kind (codes before the patterns that cite them); within a
    # kind, files in the order given, so a user's row replaces a built-in row with its key.
    for kind in _LOAD_ORDER:
        for table_kind, table_rows in tables:
            if table_kind == kind:
                builder.add(kind, list(table_rows))
    _check_complete(builder, sources[0])
    return Lexicon(builder, sources)


def _check_complete(builder: _Builder, path: str) -> None:
    if not builder.plover:
        raise LexiconError(path, None, "no PLOVER types were loaded; plover.tsv is missing "
                                       "or empty")


def load_lexicon(extra: Iterable[str | Path] = ()) -> Lexicon:
    """The built-in lexicon plus rows from user files ``extra`` (each a TSV with a header).

    Loads are cached: the same unchanged files give the same Lexicon object (a user file
    that changed on disk is read again). Raises LexiconError naming the file and line of
    the first bad row.
    """
    return _load(tuple(_file_key(path) for path in extra))


def _file_key(path: str | Path) -> tuple[str, int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (str(path), -1, -1)  # read_table reports the missing file
    return (str(path), stat.st_mtime_ns, stat.st_size)
