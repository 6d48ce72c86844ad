"""The synthetic public monitoring reproduces seed 001: every figure is recomputed here with
NumPy from the written files (not with Ashyq's statistics) and compared with
``monitoring/published.yaml`` and the trend ``synth/survey.yaml`` declares.

Tolerances, at the default scale (20 000 respondents a year): the nation's average within
0,002 of its target and its satisfaction within 0,05 percentage points, so both print as
published; a named service's average and a named body's within 0,005 (prints as
published); ranges and changes as printed. At the demo's scale (a quarter) the nation's
figures keep the same tolerance and named services are within 0,01.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ashyq.cli import app
from ashyq.monitoring.bodies import load_monitored_bodies, region_choices
from ashyq.monitoring.model import BARRIERS, KINDS, SURVEY_ANSWERS
from ashyq.monitoring.published import load_published_monitoring
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore
from ashyq.synth.arrays import Floats
from ashyq.synth.survey import SurveySynthesis, synthesize_survey
from ashyq.synth.survey_design import (
    MIN_RESPONDENTS,
    SurveyDesign,
    SurveyDesignError,
    check_design,
    load_survey_design,
)

YEARS = list(range(2016, 2026))
SEED = 3


@dataclass(frozen=True)
class Figures:
    """A group's weighted average and satisfaction (%), computed with NumPy."""

    average: float
    satisfaction: float
    answers: int


def _figures(path: Path, by: str | None = None) -> dict[str, Figures]:
    table = pq.read_table(path)
    score = table.column("score").to_numpy()
    weight = table.column("weight").to_numpy()
    keys = np.full(len(score), "all") if by is None else table.column(by).to_numpy(False)
    out = {}
    for key in np.unique(keys):
        chosen = keys == key
        w: Floats = weight[chosen]
        out[str(key)] = Figures(
            float(np.average(score[chosen], weights=w)),
            float(100 * np.average(score[chosen] == 5, weights=w)),
            int(chosen.sum()),
        )
    return out


def _printed(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> SurveySynthesis:
    return synthesize_survey(YEARS, tmp_path_factory.mktemp("survey"), seed=SEED)


def test_the_nation_reproduces_2025_and_the_trend(survey: SurveySynthesis) -> None:
    design = load_survey_design()
    published = load_published_monitoring()
    for year in YEARS:
        nation = _figures(survey.files[year])["all"]
        average, satisfaction = design.national(year)
        assert nation.average == pytest.approx(float(average), abs=0.002), year
        assert nation.satisfaction == pytest.approx(float(satisfaction), abs=0.05), year
    # Seed 001 ¶1: 4,59 in 2016, 4,88 and 90,5 % in 2025, printed as published.
    first = _figures(survey.files[2016])["all"]
    last = _figures(survey.files[2025])["all"]
    assert _printed(first.average, 2) == published.trend[2016] == Decimal("4.59")
    assert _printed(last.average, 2) == published.trend[2025] == Decimal("4.88")
    assert _printed(last.satisfaction, 1) == published.national["satisfaction_pct"]
    # ¶1's words: dips in 2017 and 2019-2020, growth every year from 2021, 2025 the record.
    averages = {year: _figures(survey.files[year])["all"].average for year in YEARS}
    assert averages[2017] < averages[2016]
    assert averages[2019] < averages[2018] and averages[2020] < averages[2019]
    assert all(averages[y] < averages[y + 1] for y in range(2020, 2025))
    assert max(averages, key=lambda year: averages[year]) == 2025


def test_the_bodies_of_2025_are_as_seed_001_describes_them(survey: SurveySynthesis) -> None:
    published = load_published_monitoring()
    now = _figures(survey.files[2025], "body")
    before = _figures(survey.files[2024], "body")
    central = [body.code for body in load_monitored_bodies() if body.level.value == "CGO"]
    # ¶3: 32 central bodies rated, 29 of them "very high" (above 4,8 as printed).
    assert sorted(now) == sorted(central) and len(now) == 32
    very_high = [code for code, f in now.items() if _printed(f.average, 2) > Decimal("4.8")]
    assert len(very_high) == published.national["central_bodies_very_high"] == 29
    # ¶5: 20 of 32 improved their satisfaction.
    improving = [code for code in now if now[code].satisfaction > before[code].satisfaction]
    assert len(improving) == published.national["bodies_improving"] == 20
    for named in published.bodies:
        figures = now[named.code]
        change = figures.satisfaction - before[named.code].satisfaction
        if named.low is not None and named.high is not None:
            assert named.low <= _printed(figures.average, 2) <= named.high, named.code
        if named.satisfaction_above_pct is not None:
            assert figures.satisfaction > named.satisfaction_above_pct, named.code
        if named.satisfaction_range_pct is not None:
            low, high = named.satisfaction_range_pct
            assert low <= _printed(figures.satisfaction, 0) <= high, named.code
        if named.satisfaction_change_pp is not None:
            places = max(0, -int(named.satisfaction_change_pp.as_tuple().exponent))
            assert _printed(change, places) == named.satisfaction_change_pp, named.code
        if named.satisfaction_change_pp_below is not None:
            assert change < named.satisfaction_change_pp_below, named.code
    # The three weakest of ¶3 are the three lowest.
    weakest = sorted(now, key=lambda code: now[code].average)[:3]
    assert set(weakest) == {"mps", "mchs", "mti"}


def test_the_named_services_of_2025_print_as_published(survey: SurveySynthesis) -> None:
    published = load_published_monitoring()
    services = _figures(survey.files[2025], "service_code")
    assert len(services) == published.national["services_monitored"] == 72
    for named in published.services:
        assert named.low is not None
        assert services[named.code].average == pytest.approx(float(named.low), abs=0.005)
        assert _printed(services[named.code].average, len(str(named.low)) - 2) == named.low
    # ¶6-¶8: the highest and lowest of those named.
    named_codes = [service.code for service in published.services]
    ranked = sorted(named_codes, key=lambda code: services[code].average)
    assert ranked[0] == "construction_design_approval"
    assert ranked[-1] == "land_plot_correction"


def test_every_answer_is_a_valid_record(survey: SurveySynthesis) -> None:
    table = pq.read_table(survey.files[2025])
    assert table.num_rows == survey.answers[2025]
    assert survey.respondents[2025] == load_survey_design().respondents
    answers = table.column("answer_id").to_pylist()
    assert len(set(answers)) == len(answers)
    pairs = set(zip(table.column("respondent_id").to_pylist(), table.column("service_code")
                    .to_pylist(), strict=True))  # fmt: skip
    assert len(pairs) == table.num_rows  # a respondent rates a service once
    assert set(table.column("score").to_pylist()) <= {1, 2, 3, 4, 5}
    assert min(table.column("weight").to_pylist()) > 0
    assert {str(d.year) for d in table.column("surveyed_on").to_pylist()} == {"2025"}
    assert set(table.column("region").to_pylist()) == {c.code for c in region_choices()}
    codes = {choice.code for choice in BARRIERS}
    named = [b for b in table.column("barriers").to_pylist() if b is not None]
    assert named and all(set(b.split("|")) <= codes for b in named)
    # Lower scores name barriers more often.
    scores = table.column("score").to_numpy()
    has = table.column("barriers").is_valid().to_numpy(zero_copy_only=False)
    assert has[scores <= 3].mean() > has[scores == 4].mean() > has[scores == 5].mean()


def test_the_same_seed_writes_the_same_answers_whatever_years_are_asked(
    survey: SurveySynthesis, tmp_path: Path
) -> None:
    alone = synthesize_survey([2024], tmp_path, seed=SEED)
    assert pq.read_table(alone.files[2024]).equals(pq.read_table(survey.files[2024]))
    other = synthesize_survey([2024], tmp_path / "other", seed=SEED + 1)
    assert not pq.read_table(other.files[2024]).equals(pq.read_table(survey.files[2024]))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_demo_scale_keeps_the_national_figures(tmp_path: Path, seed: int) -> None:
    small = synthesize_survey([2016, 2025], tmp_path, seed=seed, scale=0.25)
    design = load_survey_design()
    for year in (2016, 2025):
        nation = _figures(small.files[year])["all"]
        average, satisfaction = design.national(year)
        assert nation.average == pytest.approx(float(average), abs=0.002)
        assert nation.satisfaction == pytest.approx(float(satisfaction), abs=0.05)
    services = _figures(small.files[2025], "service_code")
    for named in load_published_monitoring().services:
        assert named.low is not None
        assert services[named.code].average == pytest.approx(float(named.low), abs=0.01)


def test_years_and_scales_outside_the_design_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2026"):
        synthesize_survey([2026], tmp_path)
    with pytest.raises(ValueError, match=str(MIN_RESPONDENTS)):
        synthesize_survey([2025], tmp_path, scale=0.01)


def test_a_design_that_contradicts_seed_001_is_refused() -> None:
    design = load_survey_design()
    bodies = dict(design.bodies)
    bodies["mps"] = bodies["mps"].model_copy(update={"change_pp": Decimal("-12")})
    bodies["gp"] = bodies["gp"].model_copy(update={"average": Decimal("4.95")})
    broken = SurveyDesign.model_validate({**design.model_dump(), "bodies": bodies})
    problems = check_design(broken)
    assert any(problem.startswith("mps: change not below -17") for problem in problems)
    assert any(problem.startswith("gp: average outside") for problem in problems)
    assert issubclass(SurveyDesignError, ValueError)


def test_the_store_layout_holds_what_an_import_of_the_file_stores(tmp_path: Path) -> None:
    written = synthesize_survey([2025], tmp_path / "files", seed=4, scale=0.25)
    imported = RecordStore(tmp_path / "imported")
    report = ingest(written.files[2025], Period(2025), KINDS, store=imported)
    assert (report.read, report.stored, report.quarantined) == (written.answers[2025],) * 2 + (0,)
    synthesize_survey([2025], tmp_path / "home", seed=4, scale=0.25, layout="store")
    direct = RecordStore(tmp_path / "home")
    kept = [*SURVEY_ANSWERS.names(), "period", "source_row"]
    imported_files = imported.files(SURVEY_ANSWERS, Period(2025))
    assert [p.name for p in imported_files] == [
        p.name for p in direct.files(SURVEY_ANSWERS, Period(2025))
    ]
    # The same records; the store keeps no order within a file.
    for path in imported_files:
        expected = pq.read_table(path).select(kept).sort_by(SURVEY_ANSWERS.key)
        found = pq.read_table(direct.partition(SURVEY_ANSWERS, Period(2025), path.stem))
        assert found.select(kept).sort_by(SURVEY_ANSWERS.key).equals(expected), path.name


def test_the_synth_survey_command_writes_files_to_import(tmp_path: Path) -> None:
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path / "home"), "ASHYQ_LANG": "en"})
    out = tmp_path / "synth"
    args = ["synth", "survey", "--year", "2024-2025", "--scale", "0.25", "--out", str(out)]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Wrote 7500 answers of 5000 respondents of 2025 to {out}" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "survey-answers-2024.parquet",
        "survey-answers-2025.parquet",
    ]
    imported = runner.invoke(
        app, ["monitoring", "import", str(out / "survey-answers-2025.parquet"), "--year", "2025"]
    )
    assert "read 7500 = stored 7500 (new 7500, replaced 0) + quarantined 0" in imported.output
    for wrong in (["--year", "2025-2016"], ["--year", "2030"], ["--layout", "cloud"]):
        refused = runner.invoke(app, ["synth", "survey", "--out", str(out), *wrong])
        assert refused.exit_code == 2, wrong
