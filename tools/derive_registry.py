#!/usr/bin/env python3
"""Derive candidate registry rows from the PETRARCH/Phoenix actor dictionaries.

Reads ``Phoenix.Countries.actors.txt`` and ``Phoenix.International.actors.txt`` from
``../shared/reference/cameo/`` (beside the repository; openeventdata/petrarch2 @
676801cd9cb2924bbbad09f86d15c9323e7097bf, MIT) and writes two candidate files:

- ``countries.candidates.tsv``: one row per country code with the dictionary's headword and
  every synonym (names, common misspellings, capitals and big cities, all mixed together),
- ``igos.candidates.tsv``: one row per CAMEO IGO code with the names filed under it.

These are candidates, not the registry: the built-in files in
``src/dyadwatch/data/registry/`` were written by hand from them — synonyms sorted into
names, adjectives, prefixes and capitals, misspellings and cities dropped, current names
(Eswatini, Czechia, Türkiye, North Macedonia), codes (XKX, not KSV), capitals, Wikidata ids,
IGOs founded after the dictionaries (SCO, EAEU, AIIB, C5+1), orgs, places and projects
added. Office holders come from elsewhere: the dictionaries stop around 2015.

Usage: python tools/derive_registry.py [--shared DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

_CODE = re.compile(r"\[([A-Z~]{3,})(?:\s+([<>]?[0-9-]+))?\s*\]")
_SMALL_WORDS = {"of", "and", "the", "de", "da", "do", "du", "e", "el", "la", "al"}


def main(argv: list[str] | None = None) -> int:
    """Write the candidate files; return the exit status."""
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=root.parent / "shared",
                        help="the shared folder holding reference/cameo/ (default: ../shared)")
    parser.add_argument("--out", type=Path, default=Path("."),
                        help="folder for the candidate files (default: current folder)")
    args = parser.parse_args(argv)
    cameo = args.shared / "reference" / "cameo"
    if not cameo.is_dir():
        print(f"error: {cameo} not found; pass --shared DIR (the folder holding "
              "reference/cameo/)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    countries = country_candidates(cameo / "Phoenix.Countries.actors.txt")
    _write(args.out / "countries.candidates.tsv", ("code", "name", "synonyms"), countries)
    igos = igo_candidates(cameo / "Phoenix.International.actors.txt")
    _write(args.out / "igos.candidates.tsv", ("cameo_code", "names"), igos)
    print(f"wrote {len(countries)} country and {len(igos)} IGO candidates to {args.out}")
    return 0


def entries(path: Path) -> Iterator[tuple[str, list[str], list[tuple[str, str]]]]:
    """Yield (headword, synonyms, [(code, date restriction)]) for each dictionary entry.

    An entry starts on an unindented line; '+' lines add synonyms, indented '[CODE date]'
    lines (or codes on the headword line) give its codes.
    """
    head: str | None = None
    synonyms: list[str] = []
    codes: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith("+"):
            synonyms.append(_phrase(line[1:]))
        elif line[0].isspace():
            codes.extend(_CODE.findall(line))
        else:
            if head is not None:
                yield head, synonyms, codes
            head, synonyms, codes = _phrase(line.split("[", 1)[0]), [], _CODE.findall(line)
    if head is not None:
        yield head, synonyms, codes


def country_candidates(path: Path) -> list[tuple[str, ...]]:
    """Rows (code, headword, synonyms) for entries whose current code is a bare state code."""
    rows: list[tuple[str, ...]] = []
    for head, synonyms, codes in entries(path):
        current = [code for code, when in codes if len(code) == 3 and not when.startswith("<")]
        if head and current:
            names = [name for name in dict.fromkeys(synonyms) if name and name != head]
            rows.append((current[-1], head, "|".join(names)))
    return rows


def igo_candidates(path: Path) -> list[tuple[str, ...]]:
    """Rows (CAMEO IGO code, names) grouping every entry filed under one IGO code."""
    names: dict[str, list[str]] = defaultdict(list)
    for head, synonyms, codes in entries(path):
        for code, _ in codes:
            if code.startswith("IGO") and len(code) <= 9:
                names[code].extend(n for n in (head, *synonyms) if n)
    return [(code, "|".join(dict.fromkeys(found))) for code, found in sorted(names.items())]


def _phrase(token: str) -> str:
    """Turn a dictionary phrase (KYRGYZ_REPUBLIC_) into words (Kyrgyz Republic)."""
    words = token.strip().strip("_").replace("_", " ").split()
    return " ".join(_word(word, first=index == 0) for index, word in enumerate(words))


def _word(word: str, *, first: bool) -> str:
    lower = word.lower()
    if not first and lower in _SMALL_WORDS:
        return lower
    if len(word) <= 3 and "." not in word and word.isupper() and lower not in _SMALL_WORDS:
        return word  # abbreviations: UN, USA, PRC
    return "-".join(part[:1].upper() + part[1:] for part in lower.split("-"))


def _write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    lines = ["# Candidates derived by tools/derive_registry.py; review before use.",
             "\t".join(header)]
    lines.extend("\t".join(row) for row in rows)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
