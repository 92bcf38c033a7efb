"""`sitegen new --form F`: a skeleton laid out as form family F, which checks as a draft.

Every family's skeleton used to be Shanghai 2023's (its title, facts, goal label and
levels), and `check` did not notice, since the title is not a stand-in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, run_cli

FORMS = ("shanghai-2020", "shanghai-2023", "lianyungang-2024", "kunming-2020")
# Each form's title and a goal label only it prints, as in FORMS.md.
OWN_WORDS = {"shanghai-2020": ("财政项目支出绩效目标表", "总目标及阶段性目标"),
             "shanghai-2023": ("财政项目支出绩效目标申报表", "年度总体目标"),
             "lianyungang-2024": ("连云港市本级项目预算绩效目标表", "中长期目标"),
             "kunming-2020": ("项目支出绩效目标申报表（生成表）", "中期目标")}


def seeds_of(form: str) -> list[dict[str, Any]]:
    """The seed records of a form family in content/, every scalar as the string typed."""
    records = (yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
               for path in sorted((REPO / "content").glob("*/*/*.yaml")))
    return [record for record in records if record.get("form") == form]


def new_skeleton(project_factory, capsys, form: str, year: str) -> tuple[Any, Path]:
    project = project_factory({})  # no other record: what `check` says is the skeleton's
    status, output = run_cli(capsys, project, "new", "new-bureau", year, "first-table",
                             "--form", form)
    assert status == 0, output
    return project, project.content_dir / "new-bureau" / year / "first-table.yaml"


def is_stand_in(text: str) -> bool:
    return text.startswith("【") and text.endswith("】")


def row_labels(rows: list[dict[str, Any]]) -> list[Any]:
    return [(row["label"], row_labels(row.get("parts", []))) for row in rows]


def funding_layout(table: dict[str, Any]) -> dict[str, Any]:
    return {key: table.get(key) for key in ("caption", "unit", "kind", "columns",
                                            "total_column")}


def levels(record: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for first in record["indicators"]["first_levels"]:
        if "name" in first:  # Lianyungang's seed has rows under no first level
            found.setdefault(first["name"], set()).update(
                second["name"] for second in first["second_levels"] if "name" in second)
    return found


def zh(text: str | dict[str, str] | None) -> str | None:
    return text.get("zh") if isinstance(text, dict) else text


def texts_layout(record: dict[str, Any]) -> dict[str, Any]:
    """What a skeleton takes from its family, as a seed record has it."""
    preamble = record.get("preamble", {}).get("sections", [])
    return {
        "title": record["title"],
        "start": record["project"].get("start"), "end": record["project"].get("end"),
        "narrative": [section["label"] for section in record.get("narrative", [])],
        "preamble": [(section["label"], [fact["label"] for fact in section.get("facts", [])])
                     for section in preamble],
        "goals": [(goal["label"], goal.get("span")) for goal in record["goals"]],
        "caption": zh(record["indicators"].get("caption")),
        "headers": record["indicators"]["headers"],
        "targets": record["indicators"]["targets"],
    }


@pytest.mark.parametrize("form", FORMS)
def test_a_skeleton_is_laid_out_as_the_seed_records_of_its_form(project_factory, capsys,
                                                                  form):
    """Title, project facts, dates or years, text rows, funding tables, goals, indicator
    headings, target columns and level names: each as the family's seeds print them."""
    seeds = seeds_of(form)
    year = seeds[0]["year"]
    _, path = new_skeleton(project_factory, capsys, form, year)
    text = path.read_text("utf-8")
    skeleton = yaml.load(text, Loader=yaml.BaseLoader)
    assert skeleton["form"] == form and skeleton["draft"] == "true"

    assert texts_layout(skeleton) == texts_layout(seeds[0])
    for written, seed in zip(skeleton["funding"], seeds[0]["funding"], strict=True):
        assert funding_layout(written) == funding_layout(seed)
        rows = row_labels(written["rows"])
        # A stand-in row is for the project's own rows (Lianyungang's spending items).
        if not all(is_stand_in(label) for label, _ in rows):
            assert rows == row_labels(seed["rows"])

    # Every fact any seed of the family has; 项目负责人 (personal data) as a comment.
    seed_facts = {key for seed in seeds for key in seed["project"]} - {"name"}
    written = set(skeleton["project"]) - {"name"}
    commented = set(re.findall(r"^  # (\w+): 【", text, re.MULTILINE))
    assert written | commented == seed_facts and not written & commented

    # Every level any seed of the family prints, each with an indicator to copy that has
    # a value per target column.
    seed_levels: dict[str, set[str]] = {}
    for seed in seeds:
        for first, seconds in levels(seed).items():
            seed_levels.setdefault(first, set()).update(seconds)
    assert levels(skeleton) == seed_levels
    for first in skeleton["indicators"]["first_levels"]:
        for second in first["second_levels"]:
            (indicator,) = second["indicators"]
            values = indicator.get("values", [indicator.get("value")])
            assert len(values) == len(skeleton["indicators"]["targets"])


@pytest.mark.parametrize("form", FORMS)
def test_a_skeleton_of_every_form_checks_as_a_draft_with_only_its_stand_ins_named(
        project_factory, capsys, form):
    """The editor's round trip: `new`, then `check` lists what is left to fill in and
    nothing else; published unfilled, every one of those is an error."""
    title, own_label = OWN_WORDS[form]
    project, path = new_skeleton(project_factory, capsys, form, "2024")
    text = path.read_text("utf-8")
    skeleton = yaml.load(text, Loader=yaml.BaseLoader)
    assert skeleton["title"] == title
    assert own_label in [goal["label"] for goal in skeleton["goals"]]

    status, output = run_cli(capsys, project, "check", "--all")
    assert status == 0 and " error: " not in output, output
    warnings = [line for line in output.splitlines() if ": warning: " in line]
    assert warnings and all("is still the placeholder `sitegen new` wrote" in line
                            for line in warnings), output
    assert all(line.startswith("content/new-bureau/2024/first-table.yaml:")
               for line in warnings)
    # Each stand-in written (outside comments) is named at its own line.
    stand_ins = [number for number, line in enumerate(text.splitlines(), 1)
                 if "【" in line.split("#")[0]]
    assert sorted(int(line.split(":")[1]) for line in warnings) == stand_ins

    path.write_text(path.read_text("utf-8").replace("draft: true", "draft: false"), "utf-8")
    status, output = run_cli(capsys, project, "check", "--all")
    assert status == 1
    errors = [line for line in output.splitlines() if ": error: " in line
              and line.startswith("content/new-bureau/2024/first-table.yaml:")]
    assert len(errors) == len(warnings) and all("is still the placeholder" in line
                                                for line in errors), output



def test_a_form_family_without_a_skeleton_is_read_and_new_says_what_it_lacks():
    """docs/import.md adds a family with `name` and `fact_labels` only: reading it was a
    KeyError in every command; `new --form` for it now says what the family lacks."""
    from sitegen.glossary import form_families
    from sitegen.skeleton import form_problem

    forms_data = yaml.safe_load((REPO / "sitegen/data/forms.yaml").read_text("utf-8"))
    forms_data["beijing-2025"] = {"name": {"zh": "北京市绩效目标表", "en": "Beijing table"},
                                  "fact_labels": {}}
    families = form_families(forms_data)
    assert families["beijing-2025"].skeleton is None
    assert form_problem("beijing-2025", families) == (
        "the form family 'beijing-2025' has no skeleton: give it a `title` and a "
        "`skeleton` in sitegen/data/forms.yaml, as the other families have")
    assert form_problem("shanghai-2020", families) is None
