"""Public monitoring: weighted survey statistics checked against a direct computation, the
scale bands of seed 001, and its published figures as reference data."""

from __future__ import annotations

import math
from decimal import Decimal

import ibis
import numpy as np
import pytest

from ashyq.monitoring.published import load_published_monitoring
from ashyq.monitoring.stats import Z_95, scale_band, weighted_summary


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
        share = np.average(scores >= 4, weights=weights)
        effective = weights.sum() ** 2 / (weights**2).sum()
        error = math.sqrt(np.average((scores - mean) ** 2, weights=weights) / effective)
        assert row["respondents"] == len(scores)
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
    assert row["satisfaction_pct"] == pytest.approx(75.0)
    assert row["effective_n"] == pytest.approx(4.0)
    heavy = _answers({"x": ([5, 5, 4, 1], [1.0, 1.0, 1.0, 5.0])})
    weighted = con.to_pyarrow(weighted_summary(heavy, ["body"])).to_pylist()[0]
    assert weighted["average"] == pytest.approx((5 + 5 + 4 + 5) / 8)
    assert weighted["satisfaction_pct"] == pytest.approx(100 * 3 / 8)
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
