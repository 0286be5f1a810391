"""Turn the bytes of a file into text: byte-order marks, UTF-8, then a guarded detector.

Order of the checks, and why:

1. A byte-order mark is the file's own statement of its encoding, so it wins.
2. Known binary signatures (PNG, ZIP, PDF…) and NUL bytes mean "not a text file": we say
   so instead of decoding garbage. UTF-16 without a BOM also has NUL bytes, but only in
   every other position, which we recognise before calling the file binary.
3. Strict UTF-8 is by far the most common encoding and decoding it never succeeds by
   accident on real single-byte text, so it comes before any guessing.
4. Bytes that hold valid multi-byte UTF-8 sequences *and* invalid ones are a file of mixed
   encodings: any single decoding garbles part of it, so it is a failure, not a guess.
5. Otherwise charset-normalizer chooses among the single-byte encodings news text comes in
   (Western and Central European, Cyrillic). Multi-byte East Asian codecs are left out on
   purpose: they "decode" short Cyrillic or random bytes into plausible-looking CJK text.
   A caller who knows the encoding passes it and skips detection altogether.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from .failure import DECODE, READ, InputError

__all__ = ["decode_bytes", "binary_kind", "declared_html_charset", "DETECTABLE_ENCODINGS"]

# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE mark.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# File signatures ("magic numbers") of formats people drop into a folder of articles by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or a DOCX/XLSX/EPUB file)"),
    (b"PK\x05\x06", "empty ZIP archive"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Microsoft Office (OLE) document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x7fELF", "ELF executable"),
)

# Single-byte encodings charset-normalizer may choose from, in order of preference when two
# of them decode the bytes to the same text (cp1250 and cp1252 agree on "Zürich").
DETECTABLE_ENCODINGS: tuple[str, ...] = (
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1251",
    "koi8_r",
    "iso8859_5",
    "mac_cyrillic",
    "cp1250",
    "iso8859_2",
)

_ENCODING_HINT = "pass encoding='...' (the CLI's --encoding) or re-save the file as UTF-8"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_bytes(data: bytes, *, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    ``encoding`` given by the caller is used as is (a BOM still wins over it).
    Raises InputError (a ReaderError) naming ``source`` when the bytes are empty, binary, of mixed
    encodings or not decodable by any supported encoding.
    """
    if not data:
        raise InputError(source, "empty file (0 bytes): nothing to read", stage=READ)
    for bom, name in _BOMS:
        if data.startswith(bom):  # decode past the mark: it is not part of the text
            return _decode_as(data[len(bom):], name, source), name
    kind = binary_kind(data)
    if kind is not None:
        raise InputError(
            source, f"binary file ({kind}), not text: give a .txt, .html or .jsonl file",
            stage=DECODE,
        )
    if encoding is not None:
        return _decode_as(data, encoding, source), codecs.lookup(encoding).name
    bomless = _bomless_utf16(data)
    if bomless is not None:
        text = _decode_as(data, bomless, source)
        if not _plausible(text):
            raise InputError(source, "binary data: contains NUL bytes and is not UTF-16 text",
                             stage=DECODE)
        return text, bomless
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        return _detect(data, source, exc)


def binary_kind(data: bytes) -> str | None:
    """Name the binary format ``data`` starts with, "binary data" for NUL bytes, else None.

    UTF-16/32 text (with a BOM, or UTF-16 without one) is not binary.
    """
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    head = data[:8192]
    if b"\x00" in head and _bomless_utf16(head) is None:
        return "binary data: contains NUL bytes"
    return None


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag near its start, when Python knows it."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _bomless_utf16(data: bytes) -> str | None:
    # Latin-script UTF-16 has a NUL in every other byte; binary files have NULs anywhere.
    # A few NULs on the other side are allowed: U+0100, U+2000 or U+4E00 hold one too.
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls >= 0.3 * pairs and even_nuls <= 0.02 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.3 * pairs and odd_nuls <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode_as(data: bytes, name: str, source: str) -> str:
    try:
        return data.decode(name)
    except LookupError as exc:
        raise InputError(source, f"unknown encoding {name!r}: use a Python codec name such as "
                                 "'utf-8', 'cp1251' or 'latin-1'", stage=DECODE) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            source, f"not valid {name} (bad byte at offset {exc.start}): {_ENCODING_HINT}",
            stage=DECODE,
        ) from exc


def _detect(data: bytes, source: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    valid, invalid = _utf8_balance(data)
    if valid >= invalid:
        raise InputError(
            source,
            f"mixed encodings: UTF-8 text with {invalid} invalid byte sequence(s), the first at "
            f"byte {utf8_error.start}; no single encoding decodes it cleanly: {_ENCODING_HINT}",
            stage=DECODE,
        ) from utf8_error
    matches = from_bytes(data, cp_isolation=list(DETECTABLE_ENCODINGS))
    best = matches.best()
    if best is None:
        raise InputError(
            source,
            f"not UTF-8 (bad byte at offset {utf8_error.start}) and no supported encoding "
            f"decodes it cleanly (tried {', '.join(DETECTABLE_ENCODINGS)}): {_ENCODING_HINT}",
            stage=DECODE,
        ) from utf8_error
    text = str(best)
    if not _plausible(text):
        raise InputError(
            source,
            f"not UTF-8 (bad byte at offset {utf8_error.start}) and the best guess, "
            f"{best.encoding}, gives no readable text: {_ENCODING_HINT}",
            stage=DECODE,
        ) from utf8_error
    # Among equally good guesses that give the same text, report the most common encoding.
    same = [m.encoding for m in matches if m.chaos == best.chaos and str(m) == text]
    name = min(same, key=_preference) if same else best.encoding
    return text, codecs.lookup(name).name


def _preference(name: str) -> int:
    if name in DETECTABLE_ENCODINGS:
        return DETECTABLE_ENCODINGS.index(name)
    return len(DETECTABLE_ENCODINGS)


def _utf8_balance(data: bytes) -> tuple[int, int]:
    """Count ``(valid non-ASCII characters, invalid sequences)`` when read as UTF-8.

    Single-byte text (cp1251, latin-1) is almost all invalid sequences with at most a few
    accidental valid pairs; UTF-8 with a stray byte is the other way round. When the valid
    ones are at least as many, the file is UTF-8 with damage, and guessing would garble it.
    """
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(_NON_ASCII.findall(text))
    return valid, invalid


_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _plausible(text: str) -> bool:
    """True when a guessed decoding looks like writing: no control characters, and words.

    A detector can give every byte a letter of some single-byte alphabet; random bytes then
    "decode" to one endless word. Writing separates words with spaces (URLs included,
    words average well under 25 characters).
    """
    if _CONTROL.search(text):
        return False
    tokens = text.split()
    return len(text) < 40 or (bool(tokens) and sum(map(len, tokens)) / len(tokens) <= 25)
