"""Projects: registry and pattern names, stated countries, milestones, through the real pipeline."""

from __future__ import annotations

import pytest

import dyadwatch.stages.projects  # noqa: F401 - registers the stage
from dyadwatch.pipeline import DEFAULT_STAGES, Pipeline
from dyadwatch.readers import Article, article_to_document
from dyadwatch.registry import load_registry
from dyadwatch.stages.projects import load_project_words, stated_countries


@pytest.fixture(scope="module")
def run():
    pipeline = Pipeline(tuple(dict.fromkeys((*DEFAULT_STAGES, "projects"))))

    def run(text: str, date: str | None = "2025-02-06"):
        article = Article(source="<test>", text=text, encoding="utf-8", fmt="txt",
                          published=date)
        return pipeline(article_to_document(article))

    return run


def project(doc, project_id):
    found = [record for record in doc.projects if record.project_id == project_id]
    assert len(found) == 1, [(r.project_id, r.mentions) for r in doc.projects]
    return found[0]


def test_registry_project_with_all_its_surface_forms(run):
    doc = run("Kazakhstan backs the Belt and Road Initiative. The BRI brought new rail links, "
              "and the Belt and Road keeps growing.")
    record = project(doc, "project:bri")
    assert record.name == "Belt and Road Initiative"
    assert record.mentions == ["Belt and Road Initiative", "BRI", "Belt and Road"]
    assert record.countries == ["CHN"] and record.sector == "DEV"
    assert doc.text[record.start:record.end] == "Belt and Road Initiative"


def test_misnamed_railway_resolves_by_shared_parts_and_keeps_what_was_written(run):
    doc = run("Officials discussed the China-Kyrgyzstan-Ukraine railway construction project "
              "on Monday.")
    record = project(doc, "project:cku_railway")
    assert record.countries == ["CHN", "KGZ", "UZB"]  # the registry's
    assert record.stated_countries == ["CHN", "KGZ", "UKR"]  # as written
    assert record.mentions == ["China-Kyrgyzstan-Ukraine railway",
                               "China-Kyrgyzstan-Ukraine railway construction project"]
    assert record.confidence < 0.9  # found by parts, not by name


def test_unknown_named_project_gets_an_id_of_its_own(run):
    doc = run("Teachers from the Osh Vocational Workshop met officials. The Kyrgyz railway "
              "needs repairs.")
    assert [r.project_id for r in doc.projects] == ["project:unk:osh_vocational_workshop"]
    assert doc.projects[0].name == "Osh Vocational Workshop"


def test_stated_countries_leave_out_regions_and_lower_case_words():
    registry = load_registry()
    assert stated_countries("Central Asia-China gas pipeline", registry) == ["CHN"]
    assert stated_countries("Belt and Road", registry) == []
    assert stated_countries("China Kyrgyzstan Uzbekistan railway", registry) == \
        ["CHN", "KGZ", "UZB"]


@pytest.mark.parametrize("text, project_id, status, date", [
    ("The Kamchiq tunnel was first proposed in 2010.", "kamchiq_tunnel", "proposed", "2010"),
    ("China and Kyrgyzstan plan to start construction of the Kambarata-1 dam next year.",
     "kambarata_1", "planned", "2025-02-06"),
    ("The governments agreed to launch the Rogun Dam project in 2016.", "rogun_dam", "agreed",
     "2016"),
    ("Kyrgyzstan and Kazakhstan signed an agreement on the Kambarata-1 dam in January 2023.",
     "kambarata_1", "signed", "2023-01"),
    ("The Asian Development Bank financed the CASA-1000 power line in 2018.", "casa_1000",
     "financed", "2018"),
    ("Construction of the China-Kyrgyzstan-Uzbekistan railway began in December 2024.",
     "cku_railway", "construction started", "2024-12"),
    ("The two presidents launched the Trans-Afghan railway in Termez on Tuesday.",
     "trans_afghan_railway", "launched", "2025-02-04"),
    ("Workers completed the Angren-Pap railway in 2016.", "angren_pap_railway", "completed",
     "2016"),
    ("The Dostyk-Moiynty railway was put into operation in 2022.", "dostyk_moiynty",
     "operational", "2022"),
    ("Work on the Rogun Dam was suspended in 2012.", "rogun_dam", "suspended", "2012"),
    ("Tajikistan resumed the Rogun Dam project in 2016.", "rogun_dam", "resumed", "2016"),
    ("The Power of Siberia 2 pipeline has been delayed again.", "power_of_siberia_2",
     "delayed", None),
    ("The government cancelled the Kambarata-1 project in 2015.", "kambarata_1", "cancelled",
     "2015"),
    ("The Khorgos Gateway was expanded in 2021.", "khorgos_gateway", "expanded", "2021"),
])
def test_each_milestone_status_with_its_date(run, text, project_id, status, date):
    record = project(run(text), f"project:{project_id}")
    assert [(m.status, m.date) for m in record.milestones] == [(status, date)]


def test_every_status_of_the_data_file_is_tested():
    tested = {"proposed", "planned", "agreed", "signed", "financed", "construction started",
              "launched", "completed", "inaugurated", "operational", "suspended", "resumed",
              "delayed", "cancelled", "expanded"}
    assert {status for status, _ in load_project_words().statuses} == tested


def test_inauguration_in_an_undated_article_has_no_date(run):
    doc = run("The inauguration of the Luban Workshop in Dushanbe drew many officials.",
              date=None)
    milestone = project(doc, "project:luban_workshop").milestones[0]
    assert (milestone.status, milestone.date) == ("inaugurated", None)
    assert doc.text[milestone.start:milestone.end] == "inauguration"


def test_inauguration_told_in_the_present_of_a_dated_article_is_dated_by_it(run):
    doc = run("The inauguration of the Luban Workshop in Dushanbe marks a new stage.")
    milestones = project(doc, "project:luban_workshop").milestones
    assert [(m.status, m.date) for m in milestones] == [("inaugurated", "2025-02-06")]


def test_a_phrase_referring_back_carries_the_milestone(run):
    doc = run("Kyrgyz officials praised the China-Kyrgyzstan-Uzbekistan railway. Launched "
              "last December, the railway will link the three countries.")
    record = project(doc, "project:cku_railway")
    assert [(m.status, m.date) for m in record.milestones] == [("launched", "2024-12")]


def test_a_step_at_an_early_date_is_a_plan_dated_by_the_report(run):
    doc = run("Both sides called for starting construction of the Kambarata-1 dam at an "
              "early date.", date="2023-05-19")
    record = project(doc, "project:kambarata_1")
    assert [(m.status, m.date) for m in record.milestones] == [("planned", "2023-05-19")]


def test_steps_about_something_else_are_not_milestones(run):
    doc = run("China and Kyrgyzstan should build the China-Kyrgyzstan-Uzbekistan railway, "
              "renovate ports and open more flights. Their Belt and Road cooperation has "
              "been expanded to culture.")
    assert all(record.milestones == [] for record in doc.projects)


def test_without_a_parse_projects_are_found_and_the_gap_is_said(run):
    from dyadwatch.pipeline import registered_stages

    doc = run("Workers completed the Angren-Pap railway in 2016.")
    assert doc.spacy_doc is None  # the pipeline drops the parse when it is done
    doc = registered_stages()["projects"].factory()(doc)
    record = project(doc, "project:angren_pap_railway")
    assert record.milestones == []
    assert any(problem.startswith("projects@1: no spaCy parse") for problem in doc.problems)
