"""The event lexicon: built-in data complete and valid, matching rules, user files, errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import dyadwatch.lexicon as lexicon_module
from dyadwatch.errors import DyadwatchError
from dyadwatch.lexicon import (
    DATA_DIR,
    LexiconError,
    UnknownCodeError,
    load_lexicon,
    read_table,
)

ROOT = Path(__file__).resolve().parents[1]
PLOVER_TYPES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
                "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
                "COERCE", "ASSAULT"}


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def codefile_codes(shared_dir: Path) -> set[str]:
    """Every event code of CAMEO_codefile.txt, read independently of the tool."""
    text = (shared_dir / "reference" / "cameo" / "CAMEO_codefile.txt").read_text("utf-8")
    codes = set()
    for code in re.findall(r"^LABEL[iI]?:\s*(\w+)=", text, re.M):
        code = code.removesuffix("i")
        if code.isdigit():  # "13y" is an ICEWS label with a mistyped code
            codes.add(code)
    return codes


def plover_table(shared_dir: Path) -> dict[str, str]:
    text = (shared_dir / "reference" / "plover" / "CAMEO2PLOVER-2021.txt").read_text("utf-8")
    table: dict[str, str] = {}
    for code, kind in re.findall(r"^(\d{3,4}):\s*([A-Z]+)\s*,", text, re.M):
        table.setdefault(code, kind)
    return table


def root_quad(code: str) -> int:
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


# --- the built-in data ----------------------------------------------------------------


def test_builtin_lexicon_loads_with_the_16_plover_types(lexicon):
    assert set(lexicon.plover_types) == PLOVER_TYPES
    assert len(lexicon.plover_types) == 16
    assert lexicon.verbs("meet") and lexicon.nouns("talk") and lexicon.cues("negation")


def test_every_codefile_code_has_a_plover_type_and_a_goldstein_weight(lexicon, shared_dir):
    codes = codefile_codes(shared_dir)
    assert len(codes) > 250
    for code in sorted(codes):
        entry = lexicon.cameo(code)
        assert entry.plover in PLOVER_TYPES, code
        assert -10.0 <= entry.goldstein <= 10.0, code
        assert entry.label, code
    assert {c.code for c in lexicon.codes()} == codes


def test_plover_types_follow_the_cameo2plover_table_unless_a_note_says_why(lexicon, shared_dir):
    table = plover_table(shared_dir)
    for code, kind in table.items():
        entry = lexicon.cameo(code)
        if entry.plover != kind:
            assert "corrected" in entry.note, (code, kind, entry.plover)
    dropped = [c for c in lexicon.codes() if c.code not in table]
    assert dropped, "PLOVER drops CAMEO 01 and 02"
    for entry in dropped:
        assert entry.note, f"{entry.code} is not in the PLOVER table but says nothing why"


@pytest.mark.parametrize(("code", "weight"), [("040", 1.0), ("042", 1.9), ("057", 8.0),
                                              ("190", -10.0)])
def test_goldstein_weights_are_the_published_ones(lexicon, code, weight):
    assert lexicon.cameo(code).goldstein == weight


def test_goldstein_sign_agrees_with_cooperation_and_conflict(lexicon):
    for entry in lexicon.codes():
        if entry.quad == 2:
            assert entry.goldstein > 0, entry.code
        if entry.quad == 4:
            assert entry.goldstein < 0, entry.code


def test_quad_class_follows_the_cameo_root_code(lexicon):
    for entry in lexicon.codes():
        assert entry.quad == root_quad(entry.code), entry.code
        assert entry.root == entry.code[:2]


def test_modes_are_modes_of_their_plover_type(lexicon):
    for entry in lexicon.codes():
        if entry.mode:
            assert entry.mode in lexicon.plover_modes(entry.plover), entry.code
    assert "visit" in lexicon.plover_modes("CONSULT")
    assert lexicon.plover_modes("AGREE") == ()
    assert lexicon.plover_score("CONSULT", "visit") > lexicon.plover_score("CONSULT", "phone")
    assert lexicon.plover_score("PROTEST", "vandalize") == lexicon.plover_score("PROTEST")


def row_types(lexicon, name: str) -> Counter:
    _, rows = read_table(DATA_DIR / name)
    return Counter(lexicon.cameo(row.values["cameo"]).plover for row in rows)


def test_every_plover_type_has_verb_and_noun_rows(lexicon):
    verbs, nouns = row_types(lexicon, "verbs.tsv"), row_types(lexicon, "nouns.tsv")
    assert sum(verbs.values()) >= 600
    assert sum(nouns.values()) >= 80
    for kind in PLOVER_TYPES:
        assert verbs[kind] >= 10, kind
        assert nouns[kind] >= 2, kind


def test_no_statement_code_is_derived_onto_a_verb(lexicon):
    # PLOVER drops public statements: reporting verbs are cues, not "010" events.
    _, rows = read_table(DATA_DIR / "verbs.tsv")
    assert not [row.line for row in rows if row.values["cameo"] == "010"]


def test_generated_files_are_up_to_date_with_the_references(shared_dir):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "derive_lexicon.py"),
                             "--check"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# --- verb matching --------------------------------------------------------------------


def test_an_object_makes_a_verb_more_specific(lexicon):
    assert lexicon.match_verb("sign", object_lemma="agreement").cameo == "057"
    assert lexicon.match_verb("sign", object_lemma="ceasefire").cameo == "0871"
    assert lexicon.match_verb("sign") is None  # signing what? not an event by itself
    assert lexicon.cameo(lexicon.match_verb("strike", object_lemma="deal").cameo).plover == \
        "AGREE"  # striking a deal is signing one (057)
    assert lexicon.cameo(lexicon.match_verb("strike").cameo).plover == "ASSAULT"
    assert lexicon.cameo(lexicon.match_verb("mobilize").cameo).plover == "MOBILIZE"
    assert lexicon.match_verb("mobilize", object_lemma="support").cameo == "053"


def test_an_unlisted_object_falls_back_to_the_bare_verb(lexicon):
    bare = lexicon.match_verb("impose")
    assert lexicon.match_verb("impose", object_lemma="will") == bare
    assert lexicon.match_verb("impose", object_lemma="sanction").cameo == "163"
    assert lexicon.match_verb("decline", object_lemma="percent") is None


@pytest.mark.parametrize(("particle", "prep", "obj", "plover"), [
    (None, "on", None, "REQUEST"),
    (None, "upon", None, "REQUEST"),
    (None, "for", None, "REQUEST"),
    ("off", None, None, "SANCTION"),
    ("off", None, "talk", "REJECT"),
    ("off", None, "offensive", "RETREAT"),
    ("up", None, "reservist", "MOBILIZE"),
    (None, None, None, "CONSULT"),
])
def test_particles_and_prepositions_change_the_meaning_of_call(lexicon, particle, prep, obj,
                                                               plover):
    entry = lexicon.match_verb("call", particle=particle, prep=prep, object_lemma=obj)
    assert lexicon.cameo(entry.cameo).plover == plover


def test_a_particle_the_lexicon_does_not_know_falls_back_to_the_bare_verb(lexicon):
    assert lexicon.match_verb("meet", particle="again") == lexicon.match_verb("meet")
    assert lexicon.match_verb("back") != lexicon.match_verb("back", particle="down")


def test_several_prepositions_pick_the_most_specific_entry(lexicon):
    entry = lexicon.match_verb("call", prep=["in", "for"], object_lemma="negotiation")
    assert entry.cameo == "026"
    assert lexicon.match_verb("impose", prep=("against",), object_lemma="embargo").prep == \
        "against"


def test_verbs_lists_the_most_specific_entries_first(lexicon):
    for lemma in ("call", "meet", "sign", "impose", "withdraw"):
        entries = lexicon.verbs(lemma)
        ranks = [entry.specificity for entry in entries]
        assert ranks == sorted(ranks, reverse=True), lemma
    assert lexicon.verbs("befriend") == []
    assert lexicon.match_verb("befriend") is None


def test_match_verb_ignores_case_and_spaces(lexicon):
    assert lexicon.match_verb(" Sign ", object_lemma="Agreement ").cameo == "057"


# --- nouns and cues -------------------------------------------------------------------


def test_noun_modifiers_refine_the_code(lexicon):
    assert lexicon.cameo(lexicon.match_noun("exercise", modifiers=["joint"]).cameo).plover == \
        "COOPERATE"
    assert lexicon.cameo(lexicon.match_noun("exercise").cameo).plover == "MOBILIZE"
    assert lexicon.match_noun("talk", modifiers=["the", "phone"]).cameo == "041"
    assert lexicon.match_noun("visit", modifiers=["state"]).cameo == "042"
    assert lexicon.match_noun("agreement") is None  # an event only as the object of a verb
    first = lexicon.nouns("strike")[0]
    assert first.modifiers, "entries with modifiers come first"


def test_every_cue_kind_is_present_with_a_valid_value(lexicon):
    kinds = {cue.kind for cue in lexicon.cues()}
    assert kinds == set(lexicon_module.CUE_KINDS)
    assert {cue.value for cue in lexicon.cues("negation")} == {"negation"}
    assert {cue.value for cue in lexicon.cues("conditional")} == {"hypothetical"}
    for cue in lexicon.cues("request") + lexicon.cues("threat"):
        assert lexicon.cameo(cue.value).plover in {"REQUEST", "THREATEN"}
    with pytest.raises(KeyError):
        lexicon.cues("modal")


def test_find_cues_matches_lemmas_and_prefers_the_longest_cue(lexicon):
    tokens = [("Talks", "talk"), ("were", "be"), ("expected", "expect"), ("to", "to"),
              ("resume", "resume"), ("but", "but"), ("did", "do"), ("n't", "not")]
    found = [(m.start, m.end, m.cue.kind) for m in lexicon.find_cues(tokens)]
    assert (1, 4, "future") in found
    assert (7, 8, "negation") in found
    negations = lexicon.find_cues(tokens, kind="negation")
    assert [m.start for m in negations] == [7]  # "n't" by its lemma "not" or its text


# --- errors -----------------------------------------------------------------------------


def test_an_unknown_code_is_a_key_error_that_names_close_codes(lexicon):
    with pytest.raises(UnknownCodeError) as caught:
        lexicon.cameo("0429")
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, DyadwatchError)
    message = str(caught.value)
    assert "0429" in message and "042" in message


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


VERB_HEADER = "lemma\tparticle\tprep\tobject\tcameo\tnote\n"


@pytest.mark.parametrize(("text", "line", "problem"), [
    (VERB_HEADER + "# a comment\nbefriend\t\t\t\t999\n", 3, "unknown CAMEO code"),
    (VERB_HEADER + "befriend\t\t\t\n", 2, "columns"),
    (VERB_HEADER + "befriend\t\t\t\t051\tnote\textra\n", 2, "columns"),
    (VERB_HEADER + "Be Friend\t\t\t\t051\n", 2, "lemma"),
    (VERB_HEADER + "befriend\t\t\t\t051\n\nbefriend\t\t\t\t050\n", 4, "duplicates line 2"),
    ("code\tlabel\tplover\tmode\tgoldstein\tquad\n0571\tSign a trade pact\tFRIEND\t\t8\t1\n",
     2, "unknown PLOVER type"),
    ("code\tlabel\tplover\tmode\tgoldstein\tquad\n0571\tSign a trade pact\tSUPPORT\t\t8\t3\n",
     2, "quad 3"),
    ("code\tlabel\tplover\tmode\tgoldstein\tquad\n0571\tSign a trade pact\tSUPPORT\tvisit\t8\t1\n",
     2, "not a mode of SUPPORT"),
    ("code\tlabel\tplover\tmode\tgoldstein\tquad\n0571\tSign a trade pact\tSUPPORT\t\t12\t1\n",
     2, "outside -10 to 10"),
    ("cue\tkind\tvalue\nif only\tmodal\thypothetical\n", 2, "unknown cue kind"),
    ("cue\tkind\tvalue\nimplore\trequest\tplease\n", 2, "unknown CAMEO code"),
    ("lemma\tcode\n", 1, "unknown header"),
])
def test_a_broken_user_file_is_refused_with_file_and_line(tmp_path, text, line, problem):
    path = write(tmp_path / "mine.tsv", text)
    with pytest.raises(LexiconError) as caught:
        load_lexicon([path])
    error = caught.value
    assert error.path == str(path)
    assert error.line == line
    assert problem in str(error)
    assert f"{path}:{line}" in str(error)


def test_a_missing_user_file_is_refused(tmp_path):
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon([tmp_path / "absent.tsv"])


def test_user_files_add_rows_and_replace_built_in_keys(tmp_path):
    codes = write(tmp_path / "codes.tsv", "code\tlabel\tplover\tmode\tgoldstein\tquad\n"
                  "0571\tSign a trade agreement\tSUPPORT\t\t8.0\t1\n")
    verbs = write(tmp_path / "verbs.tsv", VERB_HEADER + "befriend\t\t\t\t051\tours\n"
                  "sign\t\t\ttrade-pact|deal\t0571\n")
    nouns = write(tmp_path / "nouns.tsv", "lemma\tmodifier\tcameo\nparley\t\t040\n")
    mine = load_lexicon([verbs, codes, nouns])  # order of files of different tables is free
    assert mine.match_verb("befriend").cameo == "051"
    assert mine.match_verb("befriend").note == "ours"
    assert mine.match_verb("sign", object_lemma="deal").cameo == "0571"
    assert mine.match_verb("sign", object_lemma="agreement").cameo == "057"
    assert mine.match_noun("parley").cameo == "040"
    assert mine.cameo("0571").quad == 1
    builtin = load_lexicon()
    assert builtin.match_verb("befriend") is None
    assert builtin.match_verb("sign", object_lemma="deal").cameo == "057"


def test_loading_is_cached_until_a_user_file_changes(tmp_path):
    assert load_lexicon() is load_lexicon()
    path = write(tmp_path / "verbs.tsv", VERB_HEADER + "befriend\t\t\t\t051\n")
    first = load_lexicon([path])
    assert load_lexicon([str(path)]) is first
    write(path, VERB_HEADER + "befriend\t\t\t\t050\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_lexicon([path]).match_verb("befriend").cameo == "050"


def test_public_api_is_pinned():
    for name in lexicon_module.__all__:
        assert hasattr(lexicon_module, name), name


# --- the lexicon's conventions against the real parser -----------------------------------


def verb_keys(doc):
    """Root verb lemma, particle, prepositions and object head as the coder reads them."""
    root = next(token for token in doc if token.dep_ == "ROOT")
    particle = next((c.lemma_ for c in root.children if c.dep_ == "prt"), None)
    preps = [c for c in root.children if c.dep_ in ("prep", "agent", "dative")]
    objects = [c for c in root.children if c.dep_ in ("dobj", "obj")]
    if not objects:
        objects = [g for p in preps for g in p.children if g.dep_ == "pobj"]
    return root.lemma_, particle, [p.lemma_ for p in preps], (objects[0].lemma_ if objects
                                                              else None)


@pytest.mark.parametrize(("sentence", "plover"), [
    ("Iran called off the talks with the envoy.", "REJECT"),
    ("France called on Germany to act.", "REQUEST"),
    ("Japan called for negotiations.", "REQUEST"),
    ("The United States imposed sanctions on Iran.", "SANCTION"),
    ("China and Kenya signed an agreement.", "AGREE"),  # 057: see cameo.tsv's note
    ("Russia deployed troops along the border.", "MOBILIZE"),
    ("The army staged exercises near the border.", "MOBILIZE"),
    ("The two leaders held talks in Beijing.", "CONSULT"),
    ("The minister paid a visit to Nairobi.", "CONSULT"),
    ("Germany expressed concern over the tests.", "ACCUSE"),
    ("The rebels released the hostages.", "RETREAT"),
    ("The government cracked down on protesters.", "ASSAULT"),
    ("Brazil pledged aid to Haiti.", "AGREE"),
])
def test_lexicon_conventions_match_the_parser(lexicon, nlp, sentence, plover):
    lemma, particle, preps, obj = verb_keys(nlp(sentence))
    entry = lexicon.match_verb(lemma, particle=particle, prep=preps, object_lemma=obj)
    assert entry is not None, (lemma, particle, preps, obj)
    assert lexicon.cameo(entry.cameo).plover == plover, entry
