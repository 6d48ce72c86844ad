"""Invariants of the engine, for any input a supplier could send."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ashyq.bodies import BodyRegistry, Level, load_bodies
from ashyq.index.engine import BodyInput, Fact, Provenance, compute_index
from ashyq.index.formulas import clamp_and_round, raw_score
from ashyq.index.inputs import ratio_pairs
from ashyq.index.methodology import Indicator, IndicatorRole, Methodology, load_methodology

METHODOLOGY = load_methodology("2025")
HERE = Provenance("hypothesis")
counts = st.integers(min_value=0, max_value=10**7)
levels = st.sampled_from(list(Level))


def _count_values(indicator: Indicator, draw: st.DrawFn) -> dict[str, Decimal]:
    """Raw counts that pass validation: numerators never above their denominators."""
    values: dict[str, Decimal] = {}
    pairs = dict(ratio_pairs(indicator))
    for name in indicator.input_fields:
        if name in pairs:
            continue
        if name.endswith("_pct"):
            values[name] = Decimal(draw(st.integers(0, 1000))) / 10
        elif name.endswith("_coefficient"):
            values[name] = draw(st.sampled_from([Decimal(0), Decimal("0.25"), Decimal("0.5")]))
        elif name.startswith("open_data_"):
            values[name] = Decimal(draw(st.integers(0, 500))) / 100
        else:
            values[name] = Decimal(draw(counts))
    for numerator, denominator in pairs.items():
        values[numerator] = Decimal(draw(st.integers(0, int(values[denominator]))))
    return values


computed = [i for i in METHODOLOGY.indicators if i.formula.kind != "ready_score"]


@st.composite
def indicator_case(draw: st.DrawFn) -> tuple[Indicator, dict[str, Decimal], Level]:
    indicator = draw(st.sampled_from(computed))
    return indicator, _count_values(indicator, draw), draw(levels)


def _score(indicator: Indicator, values: dict[str, Decimal], level: Level) -> Decimal:
    return clamp_and_round(raw_score(indicator, values, level), indicator.max, METHODOLOGY.rounding)


@given(indicator_case())
def test_every_score_is_within_zero_and_max(
    case: tuple[Indicator, dict[str, Decimal], Level],
) -> None:
    indicator, values, level = case
    assert Decimal(0) <= _score(indicator, values, level) <= indicator.max


# The count that measures each indicator's violations (a bonus has none: more approved
# hidden services is better).
VIOLATIONS = {
    "review_timeliness": "reviewed_late",
    "redirect_timeliness": "redirected_late",
    "unjustified_redirection": "unjustified_redirects",
    "hearing_procedure": "hearings_missed",
    "statistics_quality": "statistics_distortions",
    "court_upheld": "court_upheld_cases",
    "requests_share": "information_requests",
    "unaccredited_channels": "unaccredited_channels_found",
}


@st.composite
def violation_case(
    draw: st.DrawFn,
) -> tuple[Indicator, dict[str, Decimal], dict[str, Decimal], Level]:
    """Valid counts, and the same counts with more of the indicator's violation."""
    indicator = METHODOLOGY.indicator(draw(st.sampled_from(sorted(VIOLATIONS))))
    base = _count_values(indicator, draw)
    field = VIOLATIONS[indicator.id]
    denominators = {n: d for i in METHODOLOGY.indicators for n, d in ratio_pairs(i)}
    more = dict(base)
    raised = base[field] + draw(st.integers(1, 10**6))
    if field in denominators:  # a numerator may not pass its denominator
        raised = min(raised, base[denominators[field]])
    more[field] = raised
    return indicator, base, more, draw(levels)


@given(violation_case())
def test_more_violations_never_raise_a_score(
    case: tuple[Indicator, dict[str, Decimal], dict[str, Decimal], Level],
) -> None:
    indicator, base, more, level = case
    before, after = _score(indicator, base, level), _score(indicator, more, level)
    if indicator.role is IndicatorRole.PENALTY:
        assert after >= before  # a penalty grows with violations, and is subtracted
    else:
        assert after <= before


@st.composite
def body_inputs(draw: st.DrawFn, registry: BodyRegistry) -> list[BodyInput]:
    bodies = draw(
        st.lists(st.sampled_from([b.code for b in registry]), min_size=1, max_size=8, unique=True)
    )
    inputs = []
    for code in bodies:
        scores = {}
        for indicator in METHODOLOGY.indicators:
            hundredths = draw(st.integers(0, int(indicator.max * 100)))
            scores[indicator.id] = Fact(Decimal(hundredths) / 100, HERE)
        inputs.append(BodyInput(code, scores))
    return inputs


@settings(max_examples=60)
@given(st.data())
def test_criteria_and_totals_are_sums(data: st.DataObject) -> None:
    registry = load_bodies()
    inputs = data.draw(body_inputs(registry))
    result = compute_index(METHODOLOGY, inputs, registry)
    assert len(result.bodies) == len(inputs)
    for body in result.bodies:
        for criterion in METHODOLOGY.criteria:
            expected = sum(
                (
                    -body.indicators[i.id].score
                    if i.role is IndicatorRole.PENALTY
                    else body.indicators[i.id].score
                )
                for i in criterion.indicators
            )
            assert body.criteria[criterion.id].score == expected
        assert body.total == sum(c.score for c in body.criteria.values())
        assert (
            body.total
            <= METHODOLOGY.max_total + METHODOLOGY.criterion("internal_control").bonus_max
        )
    for level in Level:
        ranked = result.of_level(level)
        assert [b.total for b in ranked] == sorted((b.total for b in ranked), reverse=True)
        assert all(a.rank <= b.rank for a, b in itertools.pairwise(ranked))


def test_methodology_fixture_is_the_module_one(methodology: Methodology) -> None:
    assert methodology == METHODOLOGY
