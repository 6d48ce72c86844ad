"""The 2025 methodology file: structure, stable ids, and strict loading."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from ashyq.index.methodology import (
    IndicatorRole,
    Methodology,
    MethodologyNotFoundError,
    available_methodologies,
    load_methodology,
    load_methodology_file,
)

EXPECTED = {
    "appk_compliance": [
        "review_timeliness",
        "redirect_timeliness",
        "unjustified_redirection",
        "hearing_procedure",
        "statistics_quality",
        "court_upheld",
        "reception_intensity",
        "first_head_activity",
        "reception_waiting",
    ],
    "open_government": ["open_data", "open_budget", "open_npa"],
    "public_feedback": [
        "satisfaction",
        "requests_share",
        "knowledge_base",
        "population_meetings",
        "unaccredited_channels",
    ],
    "internal_control": ["official_website", "complaint_review_control", "hidden_services"],
}
MAXIMA = {
    "appk_compliance": 30,
    "open_government": 30,
    "public_feedback": 25,
    "internal_control": 15,
}
FORMULA_KINDS = {
    "rate_deduction",
    "per_fact_deduction",
    "step_thresholds",
    "bucketed_average",
    "correlating_coefficients",
    "penalty",
    "capped_bonus",
    "ready_score",
}
PACKAGED = Path(__file__).parents[1] / "src/ashyq/index/methodologies/openness-2025.yaml"


def test_stable_ids_in_order(methodology: Methodology) -> None:
    assert {c.id: [i.id for i in c.indicators] for c in methodology.criteria} == EXPECTED


def test_points(methodology: Methodology) -> None:
    assert {c.id: c.max for c in methodology.criteria} == MAXIMA
    assert methodology.max_total == 100
    assert methodology.criterion("internal_control").bonus_max == 7
    assert methodology.indicator("unaccredited_channels").role is IndicatorRole.PENALTY
    assert methodology.indicator("hidden_services").role is IndicatorRole.BONUS


def test_every_declared_formula_kind_is_used(methodology: Methodology) -> None:
    assert {i.formula.kind for i in methodology.indicators} == FORMULA_KINDS


def test_every_indicator_names_its_authority_and_source(methodology: Methodology) -> None:
    for indicator in methodology.indicators:
        assert indicator.authority.value in {"kpssu", "mki", "miicr"}
        assert indicator.source.ref.startswith("seed 003")
        assert indicator.name.ru and indicator.name.kk and indicator.name.en


def test_levels_and_grades(methodology: Methodology) -> None:
    review = methodology.indicator("review_timeliness")
    scale = methodology.level_scale(review)
    assert [
        scale.classify(Decimal(v), review.max) for v in ("4", "3.6", "3.59", "2.8", "2", "1.99")
    ] == [
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "ineffective",
    ]
    grades = methodology.grades
    assert [
        grades.classify(Decimal(v), Decimal(100))
        for v in ("95", "94.99", "90", "85", "80", "79.99")
    ] == [
        "AAA",
        "AA",
        "AA",
        "A",
        "BBB",
        "BB",
    ]


def test_penalty_levels_are_inverted(methodology: Methodology) -> None:
    channels = methodology.indicator("unaccredited_channels")
    scale = methodology.level_scale(channels)
    assert [scale.classify(Decimal(v), channels.max) for v in ("0", "1", "2", "3", "4", "5")] == [
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "ineffective",
    ]


def test_packaged_methodologies_are_listed() -> None:
    assert "2025" in available_methodologies()


def test_unknown_methodology(tmp_path: Path) -> None:
    with pytest.raises(MethodologyNotFoundError):
        load_methodology("1999")
    with pytest.raises(MethodologyNotFoundError):
        load_methodology_file(tmp_path / "missing.yaml")


@pytest.mark.parametrize("name", ["README.md", "../pyproject.toml", "/etc/passwd", "2025/../2025"])
def test_a_name_is_never_read_as_a_path(name: str) -> None:
    # The portal passes names from URLs and from a period's settings here.
    with pytest.raises(MethodologyNotFoundError):
        load_methodology(name)


def test_the_agency_adds_a_methodology_to_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    data = yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))
    data["id"], data["period"], data["version"] = "openness-2031", 2031, "2031.1"
    folder = tmp_path / "methodologies"
    folder.mkdir()
    text = yaml.safe_dump(data, allow_unicode=True)
    (folder / "openness-2031.yaml").write_text(text, encoding="utf-8")
    assert load_methodology("2031").period == 2031


def _variant(tmp_path: Path, change: str) -> Path:
    data = yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))
    if change == "unknown_key":
        data["criteria"][0]["indicators"][0]["weight"] = 2
    elif change == "points_do_not_add_up":
        data["criteria"][0]["indicators"][0]["max"] = 5
    elif change == "duplicate_id":
        data["criteria"][1]["indicators"][0]["id"] = "review_timeliness"
    elif change == "unknown_formula":
        data["criteria"][0]["indicators"][0]["formula"] = {"kind": "magic"}
    path = tmp_path / f"{change}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change", ["unknown_key", "points_do_not_add_up", "duplicate_id", "unknown_formula"]
)
def test_a_broken_methodology_file_is_rejected(tmp_path: Path, change: str) -> None:
    with pytest.raises(ValidationError):
        load_methodology_file(_variant(tmp_path, change))


def test_a_new_year_is_a_new_file_not_new_code(tmp_path: Path, methodology: Methodology) -> None:
    data = yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))
    data["id"], data["period"], data["version"] = "openness-2026", 2026, "2026.1"
    data["criteria"][0]["indicators"][2]["formula"]["per_fact"] = 0.2  # a stricter rule
    path = tmp_path / "openness-2026.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_methodology_file(path)
    assert loaded.period == 2026
    assert (
        loaded.indicator("unjustified_redirection").formula
        != methodology.indicator("unjustified_redirection").formula
    )
