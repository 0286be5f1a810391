"""Per-rule tests of the event coder: one test (or parametrised group) per construction.

Sentences are short, hand-written and our own. Unless a test says otherwise the report is
dated Thursday 2025-02-06. A case marked xfail is a construction the coder's docstrings
promise but does not yet handle; its reason names the function at fault.
"""

from __future__ import annotations

import pytest

from dyadwatch.api import build_pipeline, code_text
from dyadwatch.document import Document, Event

REPORT_DATE = "2025-02-06"  # a Thursday

HEADLINE_NAME_SPAN = pytest.mark.xfail(strict=True, reason=(
    "spaCy's NER makes 'Tokayev Meets Mirziyoyev' one PERSON span before the headline "
    "re-parse runs, so the headline has one unknown actor and no dyad; the resolver would "
    "have to split a PERSON span around a verb"))


@pytest.fixture(scope="module")
def dyadic():
    return build_pipeline()


@pytest.fixture(scope="module")
def monadic():
    return build_pipeline(min_actors=1)


def code(pipeline, text: str, date: str | None = REPORT_DATE) -> Document:
    return code_text(text, date=date, pipeline=pipeline)


def of_type(events: list[Event], plover: str) -> list[Event]:
    return [event for event in events if event.plover == plover]


def pair(event: Event) -> tuple[str | None, str | None]:
    return (event.source.country if event.source else None,
            event.target.country if event.target else None)


def summary(events: list[Event]) -> list[tuple]:
    return [(event.plover, event.cameo, pair(event), event.rule) for event in events]


def only(events: list[Event], plover: str) -> Event:
    found = of_type(events, plover)
    assert len(found) == 1, summary(events)
    return found[0]


# --- grammatical roles ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "plover", "source", "target"), [
    ("Kazakhstan criticised Russia.", "ACCUSE", "KAZ", "RUS"),
    ("Russia criticised Kazakhstan.", "ACCUSE", "RUS", "KAZ"),
    ("Kassym-Jomart Tokayev met Shavkat Mirziyoyev.", "CONSULT", "KAZ", "UZB"),
    ("Shavkat Mirziyoyev met Kassym-Jomart Tokayev.", "CONSULT", "UZB", "KAZ"),
])
def test_subject_is_source_object_is_target(dyadic, text, plover, source, target) -> None:
    event = only(code(dyadic, text).events, plover)
    assert pair(event) == (source, target)
    assert event.rule == "verb"


@pytest.mark.parametrize(("text", "plover", "source", "target"), [
    ("Tajikistan negotiated with Kyrgyzstan over the border.", "CONSULT", "TJK", "KGZ"),
    ("China partnered with Pakistan on a new port.", "COOPERATE", "CHN", "PAK"),
    ("Uzbekistan sent a delegation to Turkmenistan.", "CONSULT", "UZB", "TKM"),
    ("Mongolia appealed to Russia for help with fuel.", "REQUEST", "MNG", "RUS"),
    ("India protested against China.", "PROTEST", "IND", "CHN"),
    ("Russia imposed tariffs against Turkey.", "SANCTION", "RUS", "TUR"),
])
def test_target_from_with_to_against_phrase(dyadic, text, plover, source, target) -> None:
    assert pair(only(code(dyadic, text).events, plover)) == (source, target)


@pytest.mark.parametrize(("text", "plover", "source", "target"), [
    ("Japan gave Mongolia a grant for schools.", "AID", "JPN", "MNG"),
    ("China offered Kyrgyzstan a loan.", "AGREE", "CHN", "KGZ"),
])
def test_indirect_object_is_target(dyadic, text, plover, source, target) -> None:
    assert pair(only(code(dyadic, text).events, plover)) == (source, target)


@pytest.mark.parametrize(("text", "plover", "target"), [
    ("Russia withdrew its troops from Georgia.", "RETREAT", "GEO"),
    ("Lithuania recalled its ambassador from China.", "SANCTION", "CHN"),
    pytest.param("Turkmenistan expressed support for Afghanistan in its reconstruction.",
                 "SUPPORT", "AFG"),
])
def test_possessive_in_object_points_back_not_at_target(dyadic, text, plover, target) -> None:
    event = only(code(dyadic, text).events, plover)
    assert event.target.country == target
    assert event.source.country != target


@pytest.mark.parametrize(("text", "plover", "source"), [
    ("Kyrgyzstan was attacked by Tajikistan.", "ASSAULT", "TJK"),
    ("Afghanistan was condemned by Iran.", "ACCUSE", "IRN"),
])
def test_agent_of_passive_is_source(monadic, text, plover, source) -> None:
    assert only(code(monadic, text).events, plover).source.country == source


@pytest.mark.parametrize(("text", "plover", "source", "target"), [
    pytest.param("Kyrgyzstan was attacked by Tajikistan.", "ASSAULT", "TJK", "KGZ"),
    pytest.param("Afghanistan was condemned by Iran.", "ACCUSE", "IRN", "AFG"),
])
def test_subject_of_passive_is_target(dyadic, text, plover, source, target) -> None:
    assert pair(only(code(dyadic, text).events, plover)) == (source, target)


@pytest.mark.parametrize(("text", "forbidden"), [
    ("Kazakhstan signed a deal with China in Moscow.", "RUS"),
    ("Kassym-Jomart Tokayev met Xi Jinping in Moscow as Russia watched.", "RUS"),
])
def test_bystanders_are_not_actors(dyadic, text, forbidden) -> None:
    events = code(dyadic, text).events
    assert events, "the sentence has an event"
    assert all(forbidden not in pair(event) for event in events), summary(events)


@pytest.mark.parametrize(("text", "critic", "wrong_type"), [
    pytest.param("China condemned the attack on Pakistan.", "CHN", "ASSAULT"),
    pytest.param("Russia condemned the sanctions against Iran.", "RUS", "SANCTION"),
])
def test_object_of_criticism_is_not_an_act_of_the_critic(dyadic, text, critic,
                                                         wrong_type) -> None:
    events = code(dyadic, text).events
    assert of_type(events, "ACCUSE")
    assert not [e for e in of_type(events, wrong_type) if e.source.country == critic]


# --- light verbs and event nouns ---------------------------------------------------------


@pytest.mark.parametrize(("text", "plover", "cameo", "source", "target"), [
    ("Vladimir Putin paid a visit to Kazakhstan.", "CONSULT", "042", "RUS", "KAZ"),
    ("Vladimir Putin paid tribute to Kazakhstan.", "SUPPORT", "051", "RUS", "KAZ"),
    ("Narendra Modi made a trip to Mongolia.", "CONSULT", "042", "IND", "MNG"),
    ("Shavkat Mirziyoyev held talks with Serdar Berdimuhamedov.", "CONSULT", "040",
     "UZB", "TKM"),
    ("Kazakhstan and China held consultations on migration.", "CONSULT", "040", "KAZ", "CHN"),
    ("Russia and Belarus held joint exercises.", "MOBILIZE", "150", "RUS", "BLR"),
])
def test_light_verb_takes_its_code_from_the_event_noun(dyadic, text, plover, cameo, source,
                                                       target) -> None:
    event = only(code(dyadic, text).events, plover)
    assert (event.cameo, pair(event)) == (cameo, (source, target))


@pytest.mark.parametrize(("text", "plover", "source", "target", "trigger"), [
    ("The visit by Xi Jinping to Kazakhstan ended on Friday.", "CONSULT", "CHN", "KAZ",
     "visit"),
    ("Narendra Modi's visit to Japan lasted three days.", "CONSULT", "IND", "JPN", "visit"),
    ("Tokayev's meetings with Vladimir Putin were productive.", "CONSULT", "KAZ", "RUS",
     "meetings"),
    ("Kazakhstan and Uzbekistan attended the signing of a border treaty.", "AGREE", "KAZ",
     "UZB", "signing"),
    ("Xi Jinping and Sadyr Japarov witnessed the signing of a dozen cooperation documents.",
     "AGREE", "CHN", "KGZ", "signing"),
])
def test_nominal_event(dyadic, text, plover, source, target, trigger) -> None:
    event = only(code(dyadic, text).events, plover)
    assert pair(event) == (source, target)
    assert event.trigger == trigger
    assert event.rule in ("nominal", "light_verb")


# --- headlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "plover", "source", "target"), [
    ("Xi Jinping Meets Kassym-Jomart Tokayev\n\nThe talks lasted three hours.", "CONSULT",
     "CHN", "KAZ"),
    ("Japan protests to China\n\nThe foreign ministry summoned the ambassador.", "PROTEST",
     "JPN", "CHN"),
    ("Putin visits Mongolia\n\nThe trip lasted two days.", "CONSULT", "RUS", "MNG"),
    pytest.param("Xi Jinping Talks with President Zaparov of Kyrgyzstan\n\nThe meeting was "
                 "held in Beijing.", "CONSULT", "CHN", "KGZ"),
    pytest.param("Russia Imposes Sanctions on Ukraine\n\nThe measures take effect in March.",
                 "SANCTION", "RUS", "UKR"),
    pytest.param("Tokayev Meets Mirziyoyev in Tashkent\n\nThe talks lasted three hours.",
                 "CONSULT", "KAZ", "UZB", marks=HEADLINE_NAME_SPAN),
])
def test_headline_is_coded(dyadic, text, plover, source, target) -> None:
    event = only(code(dyadic, text).events, plover)
    assert pair(event) == (source, target)
    assert event.sentence == 0


def test_headline_given_as_title_is_coded(dyadic) -> None:
    doc = code_text("The talks lasted three hours.", date=REPORT_DATE, pipeline=dyadic,
                    title="Xi Jinping meets Kassym-Jomart Tokayev in Astana")
    event = only(doc.events, "CONSULT")
    assert pair(event) == ("CHN", "KAZ")
    assert event.end <= doc.text.index("The talks")


# --- reported speech ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "plover", "source", "target"), [
    ('"China is willing to deepen cooperation with Kazakhstan," Xi Jinping said.', "AGREE",
     "CHN", "KAZ"),
    ("Xi Jinping said China is ready to work with Kyrgyzstan on energy.", "AGREE", "CHN",
     "KGZ"),
    ("Xi Jinping said China firmly supports Kazakhstan.", "SUPPORT", "CHN", "KAZ"),
])
def test_reported_clause_gives_type_and_its_own_actor(dyadic, text, plover, source,
                                                      target) -> None:
    events = code(dyadic, text).events
    assert pair(only(events, plover)) == (source, target)


@pytest.mark.parametrize(("text", "speaker", "target"), [
    ("Xi Jinping said he was ready to strengthen cooperation with Kazakhstan.",
     "person:xi_jinping", "KAZ"),
    ("Shavkat Mirziyoyev said he would visit China.", "person:shavkat_mirziyoyev", "CHN"),
    pytest.param('"We are ready to work with Kyrgyzstan on energy," Xi Jinping said.',
                 "person:xi_jinping", "KGZ"),
    pytest.param('"We will deepen cooperation with Kazakhstan," Xi Jinping said.',
                 "person:xi_jinping", "KAZ"),
])
def test_speaker_is_source_when_clause_has_no_actor(dyadic, text, speaker, target) -> None:
    events = code(dyadic, text).events
    assert events, summary(events)
    assert {(e.source.entity_id, e.target.country) for e in events} == {(speaker, target)}


@pytest.mark.parametrize(("text", "source", "target"), [
    ("Kassym-Jomart Tokayev said Russia should respect the borders of Kazakhstan.", "KAZ",
     "RUS"),
    ("Sadyr Japarov said Tajikistan must stop the shelling.", "KGZ", "TJK"),
    ('"Tajikistan must withdraw its troops," Sadyr Japarov told reporters.', "KGZ", "TJK"),
    pytest.param("Xi Jinping hopes Kazakhstan will join the project.", "CHN", "KAZ"),
    pytest.param("China hoped that Kyrgyzstan would protect Chinese investors.", "CHN", "KGZ"),
])
def test_what_the_other_side_should_do_is_a_request(dyadic, text, source, target) -> None:
    event = only(code(dyadic, text).events, "REQUEST")
    assert pair(event) == (source, target)


def test_what_both_sides_should_do_is_no_request(dyadic) -> None:
    events = code(dyadic, "Xi Jinping said China and Kazakhstan should strengthen "
                          "cooperation.").events
    assert events and not of_type(events, "REQUEST"), summary(events)


@pytest.mark.parametrize(("text", "source", "target"), [
    ("Xi Jinping said Kazakhstan has achieved great success in its development.", "CHN",
     "KAZ"),
    ("Vladimir Putin said Mongolia had made impressive progress.", "RUS", "MNG"),
    ("Shavkat Mirziyoyev noted that Kazakhstan has made great progress.", "UZB", "KAZ"),
])
def test_praise_of_the_other_side_is_support(dyadic, text, source, target) -> None:
    event = only(code(dyadic, text).events, "SUPPORT")
    assert (pair(event), event.rule) == ((source, target), "praise")


def test_praise_of_own_side_is_no_event(dyadic) -> None:
    assert code(dyadic, "Xi Jinping said China has achieved great success.").events == []


# --- coordinated actors ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "date", "plover", "sides"), [
    ("Xi Jinping and Nursultan Nazarbayev met in Astana.", "2015-05-08", "CONSULT",
     {"CHN", "KAZ"}),
    ("Nursultan Nazarbayev welcomed Xi Jinping in Astana on Monday. Xi and Nazarbayev met "
     "again on Tuesday.", "2015-05-08", "CONSULT", {"CHN", "KAZ"}),
    ("Kazakhstan and Uzbekistan signed a treaty on water.", REPORT_DATE, "AGREE",
     {"KAZ", "UZB"}),
    ("Sadyr Japarov met Xi Jinping in Xi'an. The two leaders signed a joint declaration.",
     REPORT_DATE, "AGREE", {"KGZ", "CHN"}),
    ("Sadyr Japarov met Xi Jinping. The two heads of state witnessed the signing of twenty "
     "documents.", REPORT_DATE, "AGREE", {"KGZ", "CHN"}),
    ("China and Kazakhstan are neighbours. The two countries signed a treaty.", REPORT_DATE,
     "AGREE", {"CHN", "KAZ"}),
])
def test_coordinated_actors_are_source_and_target(dyadic, text, date, plover, sides) -> None:
    event = only(code(dyadic, text, date).events, plover)
    assert set(pair(event)) == sides
    assert event.source.entity_id != event.target.entity_id


# --- negation and modality ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "source", "target", "cooperative"), [
    ("Armenia and Azerbaijan did not hold talks.", "ARM", "AZE", "CONSULT"),
    ("Tajikistan refused to cooperate with Kyrgyzstan on water.", "TJK", "KGZ", "COOPERATE"),
    ("India refused to meet Pakistan.", "IND", "PAK", "CONSULT"),
    pytest.param("Russia did not sign the agreement with Ukraine.", "RUS", "UKR", "AGREE"),
    pytest.param("Kyrgyzstan and Tajikistan failed to reach an agreement on the border.",
                 "KGZ", "TJK", "AGREE"),
])
def test_negated_cooperation_is_reject(dyadic, text, source, target, cooperative) -> None:
    events = code(dyadic, text).events
    assert pair(only(events, "REJECT")) == (source, target)
    assert not of_type(events, cooperative), summary(events)


@pytest.mark.parametrize(("text", "modes", "source", "target", "action"), [
    ("Uzbekistan intends to cooperate with Afghanistan on energy.", {"intend"}, "UZB", "AFG",
     "COOPERATE"),
    ("Kazakhstan will provide aid to Kyrgyzstan.", {"future"}, "KAZ", "KGZ", "AID"),
    # "would" in reported speech: future in the past or hypothetical, both prospective
    ("Turkmenistan said it would cooperate with Afghanistan.", {"future", "hypothetical"},
     "TKM", "AFG", "COOPERATE"),
])
def test_promised_cooperation_is_agree(dyadic, text, modes, source, target, action) -> None:
    events = code(dyadic, text).events
    event = only(events, "AGREE")
    assert (pair(event), event.negated) == ((source, target), False)
    assert event.mode in modes
    assert not of_type(events, action)


@pytest.mark.parametrize(("text", "source", "target", "action"), [
    ("Russia announced that it will impose sanctions on Moldova.", "RUS", "MDA", "SANCTION"),
    ("Iran plans to seize British tankers.", "IRN", "GBR", "COERCE"),
    ("North Korea will attack South Korea if provoked.", "PRK", "KOR", "ASSAULT"),
    pytest.param("Azerbaijan vowed to attack Armenia.", "AZE", "ARM", "AGREE"),
])
def test_announced_conflict_is_threaten(dyadic, text, source, target, action) -> None:
    events = code(dyadic, text).events
    event = only(events, "THREATEN")
    assert pair(event) == (source, target)
    assert event.mode in ("future", "intend", "hypothetical", "conditional")
    assert not of_type(events, action), summary(events)


# --- several events in one sentence ------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Kazakhstan condemned Russia and praised Ukraine.",
     {("ACCUSE", ("KAZ", "RUS")), ("SUPPORT", ("KAZ", "UKR"))}),
    ("Xi Jinping met Sadyr Japarov and praised Kyrgyzstan for its reforms.",
     {("CONSULT", ("CHN", "KGZ")), ("SUPPORT", ("CHN", "KGZ"))}),
    ("China signed a loan deal with Laos and criticized Japan.",
     {("AGREE", ("CHN", "LAO")), ("ACCUSE", ("CHN", "JPN"))}),
])
def test_several_events_in_one_sentence(dyadic, text, expected) -> None:
    events = code(dyadic, text).events
    assert {(event.plover, pair(event)) for event in events} == expected
    assert len({event.trigger_start for event in events}) == len(events)


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "report", "value", "precision"), [
    ("Kassym-Jomart Tokayev met Shavkat Mirziyoyev on Wednesday.", REPORT_DATE,
     "2025-02-05", "day"),
    ("Kazakhstan condemned Russia on Wednesday.", REPORT_DATE, "2025-02-05", "day"),
    ("Xi Jinping visited Kazakhstan from Tuesday to Friday.", "2025-02-10",
     "2025-02-04/2025-02-07", "interval"),
    ("Russian troops conducted exercises with Belarus from Monday to Thursday.",
     "2025-02-14", "2025-02-10/2025-02-13", "interval"),
    ("Kazakhstan and China held talks in December.", REPORT_DATE, "2024-12", "month"),
    ("Uzbekistan signed a deal with Turkmenistan in December.", REPORT_DATE, "2024-12",
     "month"),
    ("Narendra Modi visited Mongolia last month.", REPORT_DATE, "2025-01", "month"),
    ("Mongolia criticized China last month.", REPORT_DATE, "2025-01", "month"),
    ("Back in September 2013, Xi Jinping visited Kazakhstan.", REPORT_DATE, "2013-09",
     "month"),
    ("Xi Jinping first spoke of the Silk Road back in September 2013 during a visit to "
     "Kazakhstan.", REPORT_DATE, "2013-09", "month"),
])
def test_date_from_the_events_own_expression(dyadic, text, report, value, precision) -> None:
    events = code(dyadic, text, report).events
    assert events, "an event"
    assert {(e.date, e.date_precision, e.date_source) for e in events} == {
        (value, precision, "timex")}


@pytest.mark.parametrize("text", [
    "Kazakhstan signed a deal with China.",
    "Xi Jinping met Kassym-Jomart Tokayev in Astana.",
])
def test_undated_report_gives_no_date(dyadic, text) -> None:
    events = code(dyadic, text, date=None).events
    assert events and all(event.date is None and event.date_precision is None
                          for event in events)


def test_current_event_without_expression_gets_the_report_date(dyadic) -> None:
    event = only(code(dyadic, "Kazakhstan signed a deal with China.").events, "AGREE")
    assert (event.date, event.date_precision, event.date_source) == (
        REPORT_DATE, "day", "published")


@pytest.mark.parametrize("text", [
    "Kazakhstan has cooperated with China for years.",
    "Kazakhstan has supported China's position on Taiwan.",
    "In recent years Uzbekistan has cooperated closely with China.",
    "Since 2015, Kazakhstan has sold grain to China.",
    pytest.param("For years, Kazakhstan criticized Russia."),
    pytest.param("For decades Russia supplied arms to India."),
])
def test_background_is_undated(dyadic, text) -> None:
    events = code(dyadic, text).events
    assert events and all(event.date is None for event in events), summary(events)


def test_paragraph_and_lead_date_carry_to_undated_sentences(dyadic) -> None:
    text = ("Xi Jinping met Kassym-Jomart Tokayev in Astana on Tuesday. The two leaders "
            "signed a treaty on water.\n\nChina also criticized Japan.")
    events = code(dyadic, text).events
    by_type = {event.plover: event for event in events}
    assert by_type["CONSULT"].date_source == "timex"
    assert by_type["AGREE"].date_source == "reference"
    assert by_type["ACCUSE"].date_source == "reference"
    assert {event.date for event in events} == {"2025-02-04"}


@pytest.mark.parametrize(("text", "report", "value"), [
    ("The Astana International Forum was held last month. At the Astana International "
     "Forum, Kazakhstan signed a deal with China.", REPORT_DATE, "2025-01"),
    ("The Boao Forum opened on Tuesday. At the Boao Forum, Japan criticized China.",
     "2025-03-28", "2025-03-25"),
    pytest.param("The China-Central Asia Summit took place in Xi'an in May. During the "
                 "China-Central Asia Summit, Xi Jinping met Sadyr Japarov.", "2023-07-10",
                 "2023-05"),
])
def test_date_from_a_named_occasion_dated_elsewhere(dyadic, text, report, value) -> None:
    events = code(dyadic, text, report).events
    assert len(events) == 1, summary(events)
    assert (events[0].date, events[0].date_source) == (value, "occasion")


# --- location, evidence, boilerplate, one record per sentence ------------------------------


@pytest.mark.parametrize(("text", "date", "location"), [
    ("Kazakhstan signed a deal with China in Beijing.", REPORT_DATE, "Beijing"),
    ("Xi Jinping and Nursultan Nazarbayev met in Astana.", "2015-05-08", "Astana"),
    ("Kassym-Jomart Tokayev met Shavkat Mirziyoyev in Tashkent.", REPORT_DATE, "Tashkent"),
    ("Kazakhstan signed a deal with China in December.", REPORT_DATE, None),
])
def test_location_from_in_phrase(dyadic, text, date, location) -> None:
    events = code(dyadic, text, date).events
    assert len(events) == 1, summary(events)
    assert events[0].location == location


def test_evidence_span_holds_the_trigger_within_one_sentence(dyadic) -> None:
    text = ("Xi Jinping met Kassym-Jomart Tokayev in Astana on Tuesday. The two leaders signed "
            "a treaty on water and praised their cooperation.\n\nRussia criticised Japan. "
            "The visit by a Chinese delegation to Mongolia ended on Friday.")
    doc = code(dyadic, text)
    sentences = doc.layer("sentences")
    assert len(doc.events) >= 4, summary(doc.events)
    for event in doc.events:
        assert event.start <= event.trigger_start < event.trigger_end <= event.end
        assert doc.text[event.trigger_start:event.trigger_end] == event.trigger
        holders = [s for s in sentences if s.start <= event.start and event.end <= s.end]
        assert len(holders) == 1, (event.trigger, doc.text[event.start:event.end])
        assert event.source.start >= holders[0].start and event.source.end <= holders[0].end


_BODY = ("Kazakhstan and Uzbekistan sign water treaty\n\n"
         "Kazakhstan and Uzbekistan signed a water treaty on Monday.\n\n")


@pytest.mark.parametrize("tail", [
    "Related: Russia attacks Ukraine",
    "Read more: Pakistan accuses India of border violations",
    "Related stories\nIndia condemns China over border clash\nJapan protests Russian drills",
    "India condemns China over border clash\nJapan protests Russian drills at sea",
    "This article only represents the author's personal views. Russia attacked Ukraine.",
    "The views expressed in this article are those of the author, who argues that Russia "
    "attacked Ukraine.",
])
def test_boilerplate_is_never_a_source(dyadic, tail) -> None:
    doc = code(dyadic, _BODY + tail)
    assert doc.layer("boilerplate"), "the tail is marked as boilerplate"
    assert [(e.plover, pair(e)) for e in doc.events] == [("AGREE", ("KAZ", "UZB"))]
    assert not any(doc.in_boilerplate(event.start, event.end) for event in doc.events)


def test_header_lines_are_never_a_source(dyadic) -> None:
    text = ("By Aigerim Sultanova\nSource: Kazinform\nPublished: 2025-02-06\n\n"
            "Kazakhstan signed a deal with China.")
    doc = code(dyadic, text)
    assert doc.layer("header")
    header_end = max(span.end for span in doc.layer("header"))
    assert [event.plover for event in doc.events] == ["AGREE"]
    assert all(event.start >= header_end for event in doc.events)


@pytest.mark.parametrize(("text", "sentences"), [
    ("Sadyr Japarov met Xi Jinping on Tuesday. Sadyr Japarov met Xi Jinping on Tuesday.",
     [0, 1]),
    ("Xi Jinping met Sadyr Japarov. Later, Xi Jinping met Sadyr Japarov again, and Xi "
     "Jinping held talks with Sadyr Japarov.", [0, 1]),
])
def test_same_event_told_twice_is_one_record_per_sentence(dyadic, text, sentences) -> None:
    events = code(dyadic, text).events
    assert [event.plover for event in events] == ["CONSULT"] * len(sentences)
    assert [event.sentence for event in events] == sentences
    assert len({pair(event) for event in events}) == 1
    assert set(pair(events[0])) == {"KGZ", "CHN"}
