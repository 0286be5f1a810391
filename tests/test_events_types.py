"""Every PLOVER type, coded from short hand-written sentences between two states or leaders.

Each case names the PLOVER type, the CAMEO root (two digits) its code must fall under, and
the ISO3 codes of source and target. The sentences are our own; the office holders named
held office on the report date used (2025-02-06).
"""

from __future__ import annotations

from collections import Counter

import pytest

from dyadwatch.api import build_pipeline, code_text
from dyadwatch.document import Event
from dyadwatch.lexicon import load_lexicon

REPORT_DATE = "2025-02-06"  # a Thursday

PLOVER_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
                "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
                "COERCE", "ASSAULT")


def case(plover: str, root: str, text: str, source: str, target: str) -> object:
    return pytest.param(plover, root, text, source, target, id=f"{plover}:{text[:40]}")


CASES = [
    case("AGREE", "03", "Uzbekistan and Kazakhstan agreed to build a joint industrial zone.",
         "UZB", "KAZ"),
    case("AGREE", "03", "China offered Kyrgyzstan a loan.", "CHN", "KGZ"),
    case("AGREE", "03", "China invited Turkmenistan to a summit on gas.", "CHN", "TKM"),
    case("AGREE", "03", "Russia accepted the Turkish proposal on grain shipments.", "RUS", "TUR"),
    case("CONSULT", "04", "Kassym-Jomart Tokayev met Shavkat Mirziyoyev in Tashkent.",
         "KAZ", "UZB"),
    case("CONSULT", "04", "Sadyr Japarov held talks with Emomali Rahmon on the border.",
         "KGZ", "TJK"),
    case("CONSULT", "04", "Xi Jinping spoke by phone with Vladimir Putin.", "CHN", "RUS"),
    case("CONSULT", "04", "Narendra Modi visited Japan.", "IND", "JPN"),
    case("SUPPORT", "05", "Mongolia praised China for its help after the floods.", "MNG", "CHN"),
    case("SUPPORT", "05", "Russia welcomed the decision of Kazakhstan to host the summit.",
         "RUS", "KAZ"),
    case("SUPPORT", "05", "Vladimir Putin praised Kazakhstan for its stability.", "RUS", "KAZ"),
    case("CONCEDE", "08", "Tajikistan eased restrictions on Kyrgyz trucks.", "TJK", "KGZ"),
    case("CONCEDE", "08", "Iran yielded to Turkey on the pipeline tariff.", "IRN", "TUR"),
    case("CONCEDE", "08", "Japan lifted the ban on South Korean seafood.", "JPN", "KOR"),
    case("COOPERATE", "06", "Kazakhstan cooperated with Uzbekistan on water management.",
         "KAZ", "UZB"),
    case("COOPERATE", "06", "China partnered with Pakistan on a new port.", "CHN", "PAK"),
    case("COOPERATE", "06", "Kazakhstan exchanged intelligence with Kyrgyzstan.", "KAZ", "KGZ"),
    case("AID", "07", "Japan provided aid to Tajikistan.", "JPN", "TJK"),
    case("AID", "07", "China donated vaccines to Kyrgyzstan.", "CHN", "KGZ"),
    case("AID", "07", "Kazakhstan granted a loan to Kyrgyzstan.", "KAZ", "KGZ"),
    case("RETREAT", "08", "Russia withdrew its troops from Georgia.", "RUS", "GEO"),
    case("RETREAT", "08", "Iran released two British sailors.", "IRN", "GBR"),
    case("RETREAT", "08", "Israel lifted the sanctions on Turkey.", "ISR", "TUR"),
    case("REQUEST", "02", "Afghanistan asked China for assistance.", "AFG", "CHN"),
    case("REQUEST", "02", "Kyrgyzstan urged Tajikistan to resume talks.", "KGZ", "TJK"),
    case("REQUEST", "02", "Ukraine called on Russia to withdraw.", "UKR", "RUS"),
    case("ACCUSE", "11", "Russia accused Ukraine of shelling the power plant.", "RUS", "UKR"),
    case("ACCUSE", "11", "China condemned Japan over the visit to the shrine.", "CHN", "JPN"),
    case("ACCUSE", "11", "India criticized Pakistan for harbouring militants.", "IND", "PAK"),
    case("REJECT", "12", "Iran rejected the American proposal.", "IRN", "USA"),
    case("REJECT", "12", "Turkey vetoed the membership bid of Sweden.", "TUR", "SWE"),
    case("REJECT", "12", "India boycotted the summit in Pakistan.", "IND", "PAK"),
    case("THREATEN", "13", "Russia threatened Ukraine with retaliation.", "RUS", "UKR"),
    case("THREATEN", "13", "North Korea warned South Korea of a strong response.", "PRK", "KOR"),
    case("THREATEN", "13", "Iran threatened Israel.", "IRN", "ISR"),
    case("PROTEST", "14", "Kyrgyzstan protested against Tajikistan.", "KGZ", "TJK"),
    case("PROTEST", "14", "Armenia staged a protest against Azerbaijan.", "ARM", "AZE"),
    case("PROTEST", "14", "Pakistan protested to India over the arrests.", "PAK", "IND"),
    case("SANCTION", "16", "The United States imposed sanctions on Iran.", "USA", "IRN"),
    case("SANCTION", "16", "Japan expelled a Russian diplomat.", "JPN", "RUS"),
    case("SANCTION", "16", "China froze its ties with Lithuania.", "CHN", "LTU"),
    case("SANCTION", "16", "Lithuania recalled its ambassador from China.", "LTU", "CHN"),
    case("MOBILIZE", "15", "China sent warships toward Taiwan.", "CHN", "TWN"),
    case("MOBILIZE", "15", "Azerbaijan mobilized troops against Armenia.", "AZE", "ARM"),
    case("MOBILIZE", "15", "Russia and Belarus held joint exercises.", "RUS", "BLR"),
    case("COERCE", "17", "Russia seized a Ukrainian vessel.", "RUS", "UKR"),
    case("COERCE", "17", "China detained two Canadian citizens.", "CHN", "CAN"),
    case("COERCE", "17", "Iran arrested a British diplomat.", "IRN", "GBR"),
    case("ASSAULT", "19", "Pakistan attacked India.", "PAK", "IND"),
    case("ASSAULT", "19", "Israel bombed Iran.", "ISR", "IRN"),
    case("ASSAULT", "19", "Russia invaded Ukraine.", "RUS", "UKR"),
    case("ASSAULT", "19", "Azerbaijan and Armenia exchanged fire.", "AZE", "ARM"),
]

# One actor only: in dyadic mode nothing comes out; with min_actors=1 the one-sided event does.
ONE_SIDED = {
    "AGREE": "Kazakhstan agreed to the proposal.",
    "CONSULT": "Kassym-Jomart Tokayev held talks in the capital.",
    "SUPPORT": "Mongolia praised the new rules.",
    "CONCEDE": "Tajikistan eased restrictions on trucks.",
    "COOPERATE": "Uzbekistan invested heavily in solar power.",
    "AID": "Japan provided humanitarian aid after the earthquake.",
    "RETREAT": "Russia withdrew its troops.",
    "REQUEST": "Afghanistan asked for help.",
    "ACCUSE": "India condemned the decision.",
    "REJECT": "Iran rejected the proposal.",
    "THREATEN": "North Korea threatened retaliation.",
    "PROTEST": "Armenia staged a protest.",
    "SANCTION": "Japan expelled a diplomat.",
    "MOBILIZE": "Azerbaijan mobilized its reservists.",
    "COERCE": "Kyrgyzstan arrested three activists.",
    "ASSAULT": "Pakistan launched airstrikes on the border region.",
}
ONE_SIDED_SOURCE = {"AGREE": "KAZ", "CONSULT": "KAZ", "SUPPORT": "MNG", "CONCEDE": "TJK",
                    "COOPERATE": "UZB", "AID": "JPN", "RETREAT": "RUS", "REQUEST": "AFG",
                    "ACCUSE": "IND", "REJECT": "IRN", "THREATEN": "PRK", "PROTEST": "ARM",
                    "SANCTION": "JPN", "MOBILIZE": "AZE", "COERCE": "KGZ", "ASSAULT": "PAK"}


@pytest.fixture(scope="module")
def dyadic():
    return build_pipeline()


@pytest.fixture(scope="module")
def monadic():
    return build_pipeline(min_actors=1)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(())


def _expected_quad(root: str) -> int:
    """CAMEO quad class by cue category: 01-05, 06-08, 09-13, 14-20."""
    number = int(root)
    return 1 if number <= 5 else 2 if number <= 8 else 3 if number <= 13 else 4


def _of_type(events: list[Event], plover: str) -> list[Event]:
    return [event for event in events if event.plover == plover]


def test_every_plover_type_has_two_sentences() -> None:
    counts = Counter(param.values[0] for param in CASES)
    assert {plover: counts[plover] for plover in PLOVER_TYPES if counts[plover] < 2} == {}
    assert set(ONE_SIDED) == set(PLOVER_TYPES)


@pytest.mark.parametrize(("plover", "root", "text", "source", "target"), CASES)
def test_plover_type_from_sentence(dyadic, lexicon, plover: str, root: str, text: str,
                                   source: str, target: str) -> None:
    events = code_text(text, date=REPORT_DATE, pipeline=dyadic).events
    found = _of_type(events, plover)
    assert found, f"no {plover} in {[(e.plover, e.cameo) for e in events]}"
    event = found[0]
    assert (event.source.country, event.target.country) == (source, target)
    assert event.cameo[:2] == root
    # the code, its PLOVER type and its quad class agree with the lexicon's CAMEO table
    assert lexicon.cameo(event.cameo).plover == plover
    assert event.quad == _expected_quad(root)
    assert event.source.entity_id and event.target.entity_id
    assert event.source.entity_id != event.target.entity_id


@pytest.mark.parametrize("plover", PLOVER_TYPES)
def test_one_actor_gives_no_dyadic_event(dyadic, plover: str) -> None:
    assert code_text(ONE_SIDED[plover], date=REPORT_DATE, pipeline=dyadic).events == []


@pytest.mark.parametrize("plover", PLOVER_TYPES)
def test_one_actor_gives_one_sided_event_with_min_actors_1(monadic, plover: str) -> None:
    events = code_text(ONE_SIDED[plover], date=REPORT_DATE, pipeline=monadic).events
    found = _of_type(events, plover)
    assert found, f"no {plover} in {[(e.plover, e.cameo) for e in events]}"
    assert found[0].source.country == ONE_SIDED_SOURCE[plover]
    assert found[0].target is None
