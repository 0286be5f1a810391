"""Figures read from hand-written sentences through the real pipeline (spaCy, registry, timex)."""

from __future__ import annotations

import pytest

import dyadwatch.stages.facts  # noqa: F401 - registers the stage
from dyadwatch.document import Fact
from dyadwatch.errors import RegistryError
from dyadwatch.pipeline import DEFAULT_STAGES, Pipeline
from dyadwatch.readers import Article, article_to_document
from dyadwatch.stages.facts import load_indicators, read_table


@pytest.fixture(scope="module")
def run():
    pipeline = Pipeline(tuple(dict.fromkeys((*DEFAULT_STAGES, "facts"))))

    def run(text: str, date: str | None = "2025-02-06"):
        article = Article(source="<test>", text=text, encoding="utf-8", fmt="txt",
                          published=date)
        return pipeline(article_to_document(article))

    return run


def only(facts: list[Fact], indicator: str) -> Fact:
    found = [fact for fact in facts if fact.indicator == indicator]
    assert len(found) == 1, [(f.indicator, f.value, f.original) for f in facts]
    return found[0]


def test_trade_with_yoy_change_last_year_and_attribution(run):
    doc = run("Trade between Kazakhstan and Uzbekistan climbed to $4.4 billion last year, "
              "up 11.5 percent year on year, according to Kazakhstan's statistics bureau.")
    fact = only(doc.facts, "trade_value")
    assert fact.value == pytest.approx(4.4e9)
    assert (fact.unit, fact.currency, fact.original) == ("USD", "USD", "$4.4 billion")
    assert fact.countries == ["KAZ", "UZB"]
    assert fact.period == "2024"
    assert (fact.change_pct, fact.change_basis) == (11.5, "yoy")
    assert fact.attributed_to == "Kazakhstan's statistics bureau"
    assert doc.text[fact.start:fact.end] == "$4.4 billion"
    assert fact.provenance == "facts@1" and fact.sentence == 0


def test_year_on_year_is_never_a_quantity_nor_a_period(run):
    doc = run("Bilateral trade between China and Tajikistan rose by 9 percent year-on-year "
              "to 3.9 billion U.S. dollars in 2023.", date="2024-01-20")
    assert [(f.indicator, f.value, f.period) for f in doc.facts] == [
        ("trade_value", pytest.approx(3.9e9), "2023")]
    assert doc.facts[0].change_pct == 9.0


def test_investment_with_qualifier(run):
    doc = run("In 2023, Chinese direct investment in Tajikistan stood at over $850 million.")
    fact = only(doc.facts, "investment_value")
    assert fact.value == pytest.approx(850e6)
    assert fact.qualifier == "more than"
    assert fact.countries == ["CHN", "TJK"]
    assert fact.period == "2023"


@pytest.mark.parametrize("written, qualifier", [
    ("exceeding", "more than"), ("nearly", "nearly"), ("about", "about"),
    ("at least", "at least"), ("up to", "up to"), ("", None)])
def test_qualifiers_are_canonical(run, written, qualifier):
    doc = run(f"Russian investment in Kyrgyzstan reached {written} $500 million in 2022.")
    assert only(doc.facts, "investment_value").qualifier == qualifier


def test_loan_in_yuan(run):
    doc = run("China granted Kyrgyzstan a loan of 2.5 billion yuan in 2022.")
    fact = only(doc.facts, "loan_value")
    assert (fact.value, fact.currency, fact.original) == (2.5e9, "CNY", "2.5 billion yuan")
    assert fact.countries == ["CHN", "KGZ"] and fact.period == "2022"


def test_aid_current_this_year_in_roubles(run):
    doc = run("Russia is providing Tajikistan with aid worth 1.2 billion roubles this year.")
    fact = only(doc.facts, "aid_value")
    assert (fact.value, fact.currency) == (1.2e9, "RUB")
    assert fact.countries == ["RUS", "TJK"] and fact.period == "2025"


def test_count_of_agreements_alone_is_a_fact(run):
    doc = run("Kazakh and Chinese officials signed 18 cooperation agreements in Astana.")
    fact = only(doc.facts, "count_agreements")
    assert (fact.value, fact.unit) == (18, "count")
    assert fact.countries == ["CHN", "KAZ"]
    assert doc.text[fact.start:fact.end] == "18 cooperation agreements"


def test_count_beside_a_sum_goes_into_extra(run):
    doc = run("Russia and Uzbekistan are carrying out 40 joint projects with a total "
              "investment of $12 billion.")
    assert len(doc.facts) == 1
    fact = doc.facts[0]
    assert (fact.indicator, fact.value) == ("investment_value", 12e9)
    assert fact.extra == {"count_projects": 40}
    assert fact.period == "2025"  # present tense and no date: the publication year


def test_period_first_half(run):
    doc = run("In the first half of 2024, bilateral trade between China and Turkmenistan "
              "reached $5.2 billion.")
    fact = only(doc.facts, "trade_value")
    assert fact.period == "2024-H1"
    assert fact.countries == ["CHN", "TKM"]


def test_fall_is_a_negative_change(run):
    doc = run("Exports from Kazakhstan to Russia fell 3% to $9 billion in 2023.")
    fact = only(doc.facts, "export_value")
    assert (fact.value, fact.change_pct, fact.change_basis) == (9e9, -3.0, None)


def test_speaker_is_the_source(run):
    doc = run("Trade with Kyrgyzstan rose to $1.5 billion in 2024, the Kazakh trade "
              "ministry said.")
    assert only(doc.facts, "trade_value").attributed_to == "the Kazakh trade ministry"


def test_spelled_out_sum_and_capitals_for_states(run):
    doc = run("Beijing pledged two billion dollars in aid to Bishkek in 2020.")
    fact = only(doc.facts, "aid_value")
    assert (fact.value, fact.currency) == (2e9, "USD")
    assert fact.countries == ["CHN", "KGZ"]


def test_spelled_out_sum_beside_a_sum_in_digits(run):
    # the sum in digits is the patterns'; quantulum3 is still asked for the one in words
    doc = run("Kazakhstan lent Kyrgyzstan $300 million in 2021 and pledged five hundred million "
              "euros in aid to Bishkek in 2023.")
    sums = sorted((fact.value, fact.currency) for fact in doc.facts)
    assert sums == [(3e8, "USD"), (5e8, "EUR")], [(f.value, f.original) for f in doc.facts]


def test_sentences_without_a_currency_name_are_not_given_to_quantulum(run, monkeypatch):
    from dyadwatch.stages import facts

    asked: list[str] = []
    monkeypatch.setattr(facts, "_quiet_parse", lambda parser, text: asked.append(text) or [])
    run("The two presidents discussed trade and investment. Trade reached $2 billion in "
        "2024. Beijing pledged two billion dollars in aid to Bishkek.")
    assert asked == ["Beijing pledged two billion dollars in aid to Bishkek."]


def test_currency_names_are_quantulums_own():
    from dyadwatch.stages.facts import _quantulum_currencies

    pattern = _quantulum_currencies()
    for text in ("two billion dollars", "5 million Brazilian reais", "€3bn", "GBP 4 million"):
        assert pattern.search(text), text
    for text in ("The two presidents met.", "They signed.", "Carlos met Dmitri."):
        assert not pattern.search(text), text


def test_inflect_is_imported_without_typeguard_instrumentation():
    import sys

    from dyadwatch.stages.facts import _quantulum, import_inflect_unchecked

    assert _quantulum() is not None
    inflect = import_inflect_unchecked()
    assert inflect.engine().plural("dollar") == "dollars"
    # typeguard's recompiled methods call its checkers; inflect's own code does not
    assert not any("typeguard" in name or "check_argument_types" in name
                   for name in inflect.engine.plural.__code__.co_names)
    # the stand-in is gone: typeguard is the real one or not imported at all
    assert "typeguard" not in sys.modules or sys.modules["typeguard"].__file__


def test_bilateral_means_the_articles_two_countries(run):
    doc = run("Uzbek President Shavkat Mirziyoyev met Tajik President Emomali Rahmon in "
              "Dushanbe. Uzbekistan and Tajikistan want closer ties.\n\nBilateral trade "
              "reached $600 million last year.")
    assert only(doc.facts, "trade_value").countries == ["TJK", "UZB"]


def test_change_without_a_sum_is_a_fact_without_value(run):
    doc = run("Trade between Kazakhstan and China grew 12 percent in 2024.")
    fact = only(doc.facts, "trade_value")
    assert (fact.value, fact.change_pct, fact.period) == (None, 12.0, "2024")


def test_no_fact_from_dates_ordinals_or_shares(run):
    doc = run("The 5th summit of the two countries took place in 2019, and 30 percent of "
              "the delegates came from Kazakhstan and China.")
    assert doc.facts == []


def test_no_past_period_invented_for_an_undated_past_figure(run):
    doc = run("Kyrgyzstan and Uzbekistan once traded goods worth $300 million.", date=None)
    fact = only(doc.facts, "money_value")
    assert fact.period is None and fact.value == 300e6


def test_no_fact_from_boilerplate(run):
    text = ("Kazakhstan and Uzbekistan held talks in Astana on Tuesday.\n\n"
            "Related stories\n"
            "China lends $3 billion to Kyrgyzstan\n"
            "Trade with Tajikistan hits $2 billion\n")
    doc = run(text)
    assert doc.layer("boilerplate"), "the related-stories block must be boilerplate"
    assert doc.facts == []


def test_the_data_file_is_checked():
    with pytest.raises(RegistryError, match="header"):
        read_table("indicators.tsv", ("category", "key"))
    words = load_indicators()
    assert words.currencies["$"] == "USD" and words.scales["bn"] == 10**9
