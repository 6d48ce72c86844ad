"""Public monitoring: weighted survey statistics checked against a direct computation, the
scale bands of seed 001, its published figures as reference data, and the figures of the
stored answers (rankings, changes, bands, barriers, trend) checked against NumPy."""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import ibis
import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ashyq.cli import app
from ashyq.monitoring.figures import (
    NoSurveyError,
    band,
    open_survey,
    ranking,
    trend,
    with_changes,
    year_figures,
)
from ashyq.monitoring.published import load_published_monitoring
from ashyq.monitoring.stats import SATISFIED_FROM, Z_95, scale_band, weighted_summary
from ashyq.records.store import RecordStore
from ashyq.synth.survey import synthesize_survey


def _answers(groups: dict[str, tuple[list[int], list[float]]]) -> ibis.Table:
    rows = [
        (group, score, weight)
        for group, (scores, weights) in groups.items()
        for score, weight in zip(scores, weights, strict=True)
    ]
    return ibis.memtable(
        {
            "body": [r[0] for r in rows],
            "score": [r[1] for r in rows],
            "weight": [r[2] for r in rows],
        }
    )


def test_weighted_figures_match_a_direct_computation() -> None:
    rng = np.random.default_rng(7)
    groups = {
        body: (
            list(rng.choice([1, 2, 3, 4, 5], size=n, p=[0.02, 0.03, 0.05, 0.2, 0.7])),
            list(rng.uniform(0.2, 3.0, size=n)),
        )
        for body, n in (("mf", 400), ("mvd", 250), ("almaty", 60))
    }
    con = ibis.duckdb.connect()
    rows = con.to_pyarrow(weighted_summary(_answers(groups), ["body"])).to_pylist()
    assert {row["body"] for row in rows} == set(groups)
    for row in rows:
        scores = np.array(groups[row["body"]][0], dtype=float)
        weights = np.array(groups[row["body"]][1])
        mean = np.average(scores, weights=weights)
        share = np.average(scores >= SATISFIED_FROM, weights=weights)
        effective = weights.sum() ** 2 / (weights**2).sum()
        error = math.sqrt(np.average((scores - mean) ** 2, weights=weights) / effective)
        assert row["answers"] == len(scores)
        assert row["average"] == pytest.approx(mean)
        assert row["satisfaction_pct"] == pytest.approx(100 * share)
        assert row["effective_n"] == pytest.approx(effective)
        assert row["average_low"] == pytest.approx(mean - Z_95 * error)
        assert row["average_high"] == pytest.approx(mean + Z_95 * error)
        assert (
            row["satisfaction_low_pct"] <= row["satisfaction_pct"] <= row["satisfaction_high_pct"]
        )


def test_equal_weights_give_the_plain_figures_and_weights_move_them() -> None:
    con = ibis.duckdb.connect()
    plain = _answers({"x": ([5, 5, 4, 1], [1.0, 1.0, 1.0, 1.0])})
    row = con.to_pyarrow(weighted_summary(plain, ["body"])).to_pylist()[0]
    assert row["average"] == pytest.approx(3.75)
    assert row["satisfaction_pct"] == pytest.approx(50.0)  # the two 5s of four scores
    assert row["effective_n"] == pytest.approx(4.0)
    heavy = _answers({"x": ([5, 5, 4, 1], [1.0, 1.0, 1.0, 5.0])})
    weighted = con.to_pyarrow(weighted_summary(heavy, ["body"])).to_pylist()[0]
    assert weighted["average"] == pytest.approx((5 + 5 + 4 + 5) / 8)
    assert weighted["satisfaction_pct"] == pytest.approx(100 * 2 / 8)
    assert weighted["effective_n"] < 4


def test_more_respondents_narrow_the_interval() -> None:
    con = ibis.duckdb.connect()
    small = _answers({"x": ([5, 4, 3, 5] * 5, [1.0] * 20)})
    large = _answers({"x": ([5, 4, 3, 5] * 500, [1.0] * 2000)})
    narrow, wide = (
        con.to_pyarrow(weighted_summary(t, ["body"])).to_pylist()[0] for t in (large, small)
    )
    assert (
        narrow["average_high"] - narrow["average_low"] < wide["average_high"] - wide["average_low"]
    )


@pytest.mark.parametrize(
    ("average", "band"),
    [("5", "very_high"), ("4.81", "very_high"), ("4.8", "above_average"),
     ("4.79", "above_average"), ("4.69", "above_average"), ("4.68", "average_or_lower"),
     ("4.36", "average_or_lower")],
)  # fmt: skip
def test_the_scale_bands_of_seed_001(average: str, band: str) -> None:
    assert scale_band(Decimal(average)).id == band


def test_the_published_figures_agree_with_the_scale() -> None:
    published = load_published_monitoring()
    assert published.period == 2025
    # ¶1: from 4,59 in 2016 to 4,88 in 2025; satisfaction 90,5 %.
    assert published.trend == {2016: Decimal("4.59"), 2025: Decimal("4.88")}
    assert published.national["satisfaction_pct"] == Decimal("90.5")
    assert published.national["services_monitored"] == 72
    # ¶3: the three weakest central bodies scored 4,69-4,79, "above average".
    weakest = [b for b in published.bodies if b.high == Decimal("4.79")]
    assert len(weakest) == 3
    assert all(scale_band(b.low).id == "above_average" for b in weakest if b.low)
    # ¶2: the leaders 4,99-5 are "very high".
    leaders = [b for b in published.bodies if b.low == Decimal("4.99")]
    assert len(leaders) == 3 and all(scale_band(b.low).id == "very_high" for b in leaders if b.low)
    assert {b.kind for b in published.barriers} == {"administrative", "technical"}


def _highest_average(satisfied_pct: Decimal, satisfied_from: int) -> Decimal:
    """The highest average a satisfaction level allows: the satisfied score 5, the others
    the highest score below ``satisfied_from``."""
    share = satisfied_pct / 100
    return share * 5 + (1 - share) * (satisfied_from - 1)


def test_satisfied_is_the_top_box_as_only_it_agrees_with_seed_001() -> None:
    published = load_published_monitoring()
    national = published.national
    weakest = [b for b in published.bodies if b.satisfaction_range_pct is not None]
    # Read as "4 or 5", 90,5 % satisfied caps the average below the published 4,88, and
    # 77-83 % below the weakest bodies' 4,69.
    assert _highest_average(national["satisfaction_pct"], 4) < national["average"]
    for body in weakest:
        assert body.satisfaction_range_pct is not None and body.low is not None
        assert _highest_average(body.satisfaction_range_pct[1], 4) < body.low
    # The top box allows them.
    assert SATISFIED_FROM == 5
    assert _highest_average(national["satisfaction_pct"], 5) > national["average"]
    for body in weakest:
        assert body.satisfaction_range_pct is not None and body.low is not None
        assert _highest_average(body.satisfaction_range_pct[0], 5) > body.low


# --- Figures of the stored answers: rankings, changes, bands, barriers, trend -------------


def _scored(groups: dict[str, list[tuple[int, float]]]) -> ibis.Table:
    rows = [(key, score, weight) for key, pairs in groups.items() for score, weight in pairs]
    return ibis.memtable(
        {
            "body": [r[0] for r in rows],
            "score": [r[1] for r in rows],
            "weight": [r[2] for r in rows],
        }
    )


def test_ranking_is_dense_by_printed_average_then_satisfaction() -> None:
    con = ibis.duckdb.connect()
    answers = _scored(
        {
            # 4,90 and 90 % satisfied (of 10 equal answers: nine 5s, one 4).
            "a": [(5, 1.0)] * 9 + [(4, 1.0)],
            # 4,90 and 90 % too, of twice as many answers: the same rank.
            "b": [(5, 1.0)] * 18 + [(4, 1.0)] + [(4, 1.0)],
            # 4,904 prints as 4,90; 95,2 % satisfied beats a and b.
            "c": [(5, 1.0)] * 20 + [(3, 1.0)],
            # 4,5: last, the next rank after a and b (dense: 1, 2, 2, 3).
            "d": [(5, 1.0), (4, 1.0)],
        }
    )
    rows = {r["key"]: r for r in con.to_pyarrow(ranking(answers, "body")).to_pylist()}
    assert {key: rows[key]["rank"] for key in rows} == {"c": 1, "a": 2, "b": 2, "d": 3}
    assert rows["c"]["average"] == pytest.approx(103 / 21)
    assert rows["d"]["band"] == "average_or_lower" and rows["a"]["band"] == "very_high"


@pytest.mark.parametrize(
    "average", [5.0, 4.805, 4.8049, 4.8, 4.795, 4.7949, 4.69, 4.685, 4.6849, 4.36, 1.0]
)
def test_the_band_expression_is_the_scale_of_the_printed_average(average: float) -> None:
    con = ibis.duckdb.connect()
    found = con.execute(band(ibis.literal(average)))
    printed = Decimal(repr(average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert found == scale_band(printed).id


def test_changes_are_against_the_same_group_of_the_previous_year() -> None:
    con = ibis.duckdb.connect()
    now = ranking(_scored({"a": [(5, 1.0), (4, 1.0)], "b": [(5, 2.0)]}), "body")
    before = ranking(_scored({"a": [(5, 1.0), (3, 1.0)], "c": [(4, 1.0)]}), "body")
    rows = {r["key"]: r for r in con.to_pyarrow(with_changes(now, before)).to_pylist()}
    assert rows["a"]["change_average"] == pytest.approx(0.5)
    assert rows["a"]["change_satisfaction_pp"] == pytest.approx(0.0)
    assert rows["b"]["change_average"] is None  # b was not rated the year before
    alone = con.to_pyarrow(with_changes(now, None)).to_pylist()
    assert all(row["change_satisfaction_pp"] is None for row in alone)


@pytest.fixture(scope="module")
def stored_survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("survey-home")
    synthesize_survey([2022, 2024, 2025], home, seed=5, scale=0.25, layout="store")
    return home


def _numpy_figures(home: Path, year: int, column: str) -> dict[str, tuple[float, float]]:
    table = pq.read_table(home / "store" / "survey_answers" / str(year))
    keys = np.asarray(table.column(column).to_pylist())
    score = table.column("score").to_numpy()
    weight = table.column("weight").to_numpy()
    return {
        str(key): (
            float(np.average(score[keys == key], weights=weight[keys == key])),
            float(100 * np.average(score[keys == key] == 5, weights=weight[keys == key])),
        )
        for key in np.unique(keys)
    }


def _dense_ranks(figures: dict[str, tuple[float, float]]) -> dict[str, int]:
    printed = {
        key: (
            Decimal(repr(a)).quantize(Decimal("0.01"), ROUND_HALF_UP),
            Decimal(repr(s)).quantize(Decimal("0.1"), ROUND_HALF_UP),
        )
        for key, (a, s) in figures.items()
    }
    distinct = sorted(set(printed.values()), reverse=True)
    return {key: distinct.index(value) + 1 for key, value in printed.items()}


@pytest.mark.parametrize(("by", "column"), [("body", "body"), ("service", "service_code")])
def test_year_figures_match_numpy(stored_survey: Path, by: str, column: str) -> None:
    figures = year_figures(open_survey(store=RecordStore(stored_survey)), 2025, by)
    now = _numpy_figures(stored_survey, 2025, column)
    before = _numpy_figures(stored_survey, 2024, column)
    assert figures.previous == 2024
    assert [row["key"] for row in figures.rows] == sorted(
        now, key=lambda key: (_dense_ranks(now)[key], key)
    )
    for row in figures.rows:
        average, satisfaction = now[row["key"]]
        assert row["average"] == pytest.approx(average)
        assert row["satisfaction_pct"] == pytest.approx(satisfaction)
        assert row["rank"] == _dense_ranks(now)[row["key"]]
        assert row["change_average"] == pytest.approx(average - before[row["key"]][0])
        assert row["change_satisfaction_pp"] == pytest.approx(satisfaction - before[row["key"]][1])
        printed = Decimal(repr(average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert row["band"] == scale_band(printed).id
    national = _numpy_figures(stored_survey, 2025, "period")["2025"]
    assert figures.national["average"] == pytest.approx(national[0])
    table = pq.read_table(stored_survey / "store" / "survey_answers" / "2025")
    assert figures.national["respondents"] == len(set(table.column("respondent_id").to_pylist()))
    assert figures.national["answers"] == table.num_rows


def test_barrier_shares_match_numpy(stored_survey: Path) -> None:
    figures = year_figures(open_survey(store=RecordStore(stored_survey)), 2025)
    table = pq.read_table(stored_survey / "store" / "survey_answers" / "2025")
    weight = table.column("weight").to_numpy()
    named = [set((b or "").split("|")) - {""} for b in table.column("barriers").to_pylist()]
    barriers = load_published_monitoring().barriers
    for barrier in barriers:
        share = 100 * np.average([barrier.code in n for n in named], weights=weight)
        assert figures.barriers[f"{barrier.code}_pct"] == pytest.approx(share)
    for kind in ("administrative", "technical"):
        codes = {b.code for b in barriers if b.kind == kind}
        share = 100 * np.average([bool(codes & n) for n in named], weights=weight)
        assert figures.barriers[f"{kind}_pct"] == pytest.approx(share)
    assert figures.barriers["any_pct"] == pytest.approx(
        100 * np.average([bool(n) for n in named], weights=weight)
    )
    assert figures.barriers["administrative_pct"] < figures.barriers["any_pct"]


def test_trend_changes_only_against_the_year_before(stored_survey: Path) -> None:
    data = open_survey(store=RecordStore(stored_survey))
    rows = data.con.to_pyarrow(trend(data)).to_pylist()
    assert [row["period"] for row in rows] == ["2022", "2024", "2025"]
    figures = {
        year: _numpy_figures(stored_survey, year, "period")[str(year)]
        for year in (2022, 2024, 2025)
    }
    for row in rows:
        assert row["average"] == pytest.approx(figures[int(row["period"])][0])
    # 2023 is not stored: 2024 has no change; 2025 has one against 2024.
    assert rows[1]["change_average"] is None and rows[1]["change_satisfaction_pp"] is None
    assert rows[2]["change_satisfaction_pp"] == pytest.approx(figures[2025][1] - figures[2024][1])
    assert year_figures(data, 2022).previous is None


def test_no_stored_year_says_what_to_run(tmp_path: Path, stored_survey: Path) -> None:
    empty = open_survey(store=RecordStore(tmp_path))
    with pytest.raises(NoSurveyError):
        trend(empty)
    with pytest.raises(NoSurveyError):
        year_figures(open_survey(store=RecordStore(stored_survey)), 2023)
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path), "ASHYQ_LANG": "en"})
    missing = runner.invoke(app, ["monitoring", "stats", "--year", "2023"])
    assert missing.exit_code == 2
    assert "No survey answers are stored for 2023" in missing.output
    assert "ashyq monitoring import FILE --year 2023" in missing.output
    no_trend = runner.invoke(app, ["monitoring", "trend"])
    assert no_trend.exit_code == 2 and "ashyq monitoring import" in no_trend.output


def test_stats_and_trend_commands(stored_survey: Path) -> None:
    runner = CliRunner(env={"ASHYQ_HOME": str(stored_survey), "ASHYQ_LANG": "en"})
    shown = runner.invoke(app, ["monitoring", "stats", "--year", "2025"], catch_exceptions=False)
    assert shown.exit_code == 0
    assert "Change against 2024" in shown.output and "Academy of Justice" in shown.output
    assert "any technical barrier" in shown.output
    alone = runner.invoke(app, ["monitoring", "stats", "--year", "2022"], catch_exceptions=False)
    assert "No answers are stored for 2021: no changes against it" in alone.output
    result = runner.invoke(
        app, ["monitoring", "stats", "--year", "2025", "--by", "region", "--format", "json"]
    )
    payload = json.loads(result.stdout)
    assert payload["previous_year"] == 2024 and len(payload["rows"]) == 20
    assert payload["national"]["respondents"] > 0
    assert [row["rank"] for row in payload["rows"]] == sorted(r["rank"] for r in payload["rows"])
    assert {b["code"] for b in payload["barriers"]} >= {"long_queues", "any"}
    csv_text = runner.invoke(app, ["monitoring", "trend", "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [row["year"] for row in rows] == ["2022", "2024", "2025"]
    assert rows[0]["change_average"] == ""
    bad = runner.invoke(app, ["monitoring", "stats", "--year", "2025", "--by", "district"])
    assert bad.exit_code == 2
