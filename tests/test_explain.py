"""Explaining a score: the points lost, and the fewest improvements to the next grade."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.index.engine import BodyInput, BodyResult, Fact, IndexResult, Provenance, compute_index
from ashyq.index.explain import Explanation, explain
from ashyq.index.methodology import IndicatorRole, Methodology

CODES = [body.code for body in load_bodies()]


def body_input(
    methodology: Methodology,
    code: str,
    scores: Mapping[str, str],
    counts: Mapping[str, int],
) -> BodyInput:
    """Full marks (bonus included, no penalty) except the ``scores`` given; indicators whose
    raw counts are given are computed from them instead."""
    counted = {
        i.id
        for i in methodology.indicators
        if i.input_fields and set(i.input_fields) <= set(counts)
    }
    ready: dict[str, Fact] = {}
    for indicator in methodology.indicators:
        if indicator.id in counted:
            continue
        full = Decimal(0) if indicator.role is IndicatorRole.PENALTY else indicator.max
        value = Decimal(scores[indicator.id]) if indicator.id in scores else full
        ready[indicator.id] = Fact(value, Provenance("test", 2, indicator.id))
    facts = {name: Fact(Decimal(n), Provenance("test", 2, name)) for name, n in counts.items()}
    return BodyInput(code, ready, facts)


def compute_one(methodology: Methodology, registry: BodyRegistry, given: BodyInput) -> BodyResult:
    return compute_index(methodology, [given], registry).for_body(given.body)


def next_bound(methodology: Methodology, explanation: Explanation) -> Decimal:
    assert explanation.next_grade is not None
    bound = methodology.grades.band(explanation.next_grade).bound
    assert bound is not None
    return bound


def test_top_grade_has_no_next_grade(result_2025: IndexResult, methodology: Methodology) -> None:
    zhambyl = result_2025.for_body("zhambyl")
    assert zhambyl.grade == "AAA"

    explanation = explain(methodology, zhambyl)

    assert explanation.next_grade is None
    assert explanation.improvements == ()
    assert explanation.points_needed == 0
    # The points lost are still listed, largest first.
    assert explanation.losses
    lost = [i.points_lost for i in explanation.losses]
    assert lost == sorted(lost, reverse=True)
    assert all(points > 0 for points in lost)


def test_losses_cover_every_indicator_below_full_marks(
    result_2025: IndexResult, methodology: Methodology
) -> None:
    mf = result_2025.for_body("mf")

    explanation = explain(methodology, mf)

    expected = {k for k, i in mf.indicators.items() if i.points_lost > 0}
    assert {i.indicator.id for i in explanation.losses} == expected
    assert explanation.losses[0].indicator.id == "open_budget"
    assert explanation.losses[0].points_lost == Decimal("4.45")


@pytest.mark.parametrize("code", CODES)
def test_the_fewest_improvements_reach_the_next_grade(
    result_2025: IndexResult, methodology: Methodology, code: str
) -> None:
    result = result_2025.for_body(code)

    explanation = explain(methodology, result)

    if result.grade == methodology.grades.bands[0].id:
        assert explanation.next_grade is None
        return
    position = methodology.grades.rank_of(result.grade)
    assert explanation.next_grade == methodology.grades.bands[position - 1].id
    bound = next_bound(methodology, explanation)
    assert explanation.points_needed == bound - result.total
    improvements = explanation.improvements
    assert improvements, "every 2025 body can reach the next grade"
    gains = sum((step.gain for step in improvements), Decimal(0))
    assert gains >= explanation.points_needed
    # Applying them reaches the next grade's bound.
    assert result.total + gains >= bound
    assert methodology.grades.classify(result.total + gains, methodology.max_total) == (
        explanation.next_grade
    )
    # Ordered by the points lost: the k indicators that can give the most.
    lost = [step.indicator.points_lost for step in improvements]
    assert lost == sorted(lost, reverse=True)
    k = len(improvements)
    assert [s.indicator.indicator.id for s in improvements] == [
        i.indicator.id for i in explanation.losses[:k]
    ]
    # No k − 1 indicators could close the gap, even recovered in full.
    largest = sorted((i.points_lost for i in explanation.losses), reverse=True)
    assert sum(largest[: k - 1], Decimal(0)) < explanation.points_needed
    for step in improvements:
        assert 0 < step.gain <= step.indicator.points_lost
    for step in improvements[:-1]:
        assert step.gain == step.indicator.points_lost  # all but the last in full


def test_the_bottom_grade_aims_at_the_lowest_named_grade(
    methodology: Methodology, registry: BodyRegistry
) -> None:
    zero = body_input(methodology, "mf", {i.id: "0" for i in methodology.indicators}, {})
    bottom = compute_one(methodology, registry, zero)
    assert bottom.total == 0
    assert bottom.grade == "ineffective"

    explanation = explain(methodology, bottom)

    assert explanation.next_grade == "B"
    assert explanation.points_needed == Decimal(50)
    gains = sum((s.gain for s in explanation.improvements), Decimal(0))
    assert gains == Decimal(50)
    assert explanation.improvements[0].indicator.indicator.id == "open_budget"  # 12 points


def test_a_rate_deduction_improvement_is_stated_in_raw_counts(
    methodology: Methodology, registry: BodyRegistry
) -> None:
    # 4·(1 − 1000·97/123 457) = 0.857… → 0.86: 3.14 points lost, the largest loss.
    counts = {"reviewed_total": 123_457, "reviewed_late": 97}
    scores = {
        "open_budget": "9",
        "official_website": "3",
        "complaint_review_control": "6",
        "satisfaction": "6",
    }
    result = compute_one(methodology, registry, body_input(methodology, "mf", scores, counts))
    timeliness = result.indicators["review_timeliness"]
    assert timeliness.score == Decimal("0.86")
    assert result.total == Decimal("93.86")  # 107 − 3.14 − 3 − 3 − 3 − 1
    assert result.grade == "AA"

    explanation = explain(methodology, result)

    assert explanation.points_needed == Decimal("1.14")
    assert len(explanation.improvements) == 1
    step = explanation.improvements[0]
    assert step.indicator.indicator.id == "review_timeliness"
    assert step.gain == Decimal("1.14")
    assert step.target_score == Decimal("2.00")
    assert step.field == "reviewed_late"
    assert step.current_count == 97
    assert step.target_count is not None
    assert step.target_count < step.current_count
    # With the target count the score reaches the target, and the body the next grade.
    target_count = int(step.target_count)
    improved = compute_one(
        methodology,
        registry,
        body_input(methodology, "mf", scores, {**counts, "reviewed_late": target_count}),
    )
    assert improved.indicators["review_timeliness"].score >= step.target_score
    assert improved.grade == explanation.next_grade
    # …and it is the most late reviews allowed: one more falls short.
    one_more = compute_one(
        methodology,
        registry,
        body_input(methodology, "mf", scores, {**counts, "reviewed_late": target_count + 1}),
    )
    assert one_more.indicators["review_timeliness"].score < step.target_score


def test_a_penalty_improvement_is_stated_in_raw_counts(
    methodology: Methodology, registry: BodyRegistry
) -> None:
    # 20 non-accredited channels at 0.2 points each: a penalty of 4, the largest loss.
    counts = {"unaccredited_channels_found": 20}
    scores = {"open_budget": "9", "official_website": "3", "complaint_review_control": "6"}
    result = compute_one(methodology, registry, body_input(methodology, "mf", scores, counts))
    assert result.indicators["unaccredited_channels"].score == Decimal(4)
    assert result.total == Decimal(94)
    assert result.grade == "AA"

    explanation = explain(methodology, result)

    assert len(explanation.improvements) == 1
    step = explanation.improvements[0]
    assert step.indicator.indicator.id == "unaccredited_channels"
    assert step.gain == Decimal(1)
    assert step.target_score == Decimal(3)  # a lower penalty
    assert step.field == "unaccredited_channels_found"
    assert step.current_count == 20
    assert step.target_count == 15
    improved = compute_one(
        methodology,
        registry,
        body_input(methodology, "mf", scores, {"unaccredited_channels_found": 15}),
    )
    assert improved.indicators["unaccredited_channels"].score <= step.target_score
    assert improved.grade == explanation.next_grade


def test_a_ready_score_improvement_has_no_raw_counts(
    result_2025: IndexResult, methodology: Methodology
) -> None:
    explanation = explain(methodology, result_2025.for_body("mf"))

    assert explanation.improvements
    for step in explanation.improvements:
        assert step.field is None
        assert step.current_count is None
        assert step.target_count is None
