"""Each formula kind against the raw counts the 2025 report quotes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ashyq.bodies import Level
from ashyq.index.formulas import clamp_and_round, raw_score, round_half_up
from ashyq.index.methodology import Methodology


def score(
    methodology: Methodology, indicator_id: str, level: str = "CGO", **counts: int | str
) -> Decimal:
    indicator = methodology.indicator(indicator_id)
    values = {name: Decimal(str(value)) for name, value in counts.items()}
    unrounded = raw_score(indicator, values, Level(level))
    return clamp_and_round(unrounded, indicator.max, methodology.rounding)


@pytest.mark.parametrize(
    ("late", "reviewed", "expected"),
    [
        (22, 391954, "3.78"),  # MF, seed 003 line 340
        (25, 48981, "1.96"),  # MZ, line 346
        (5, 8465, "1.64"),  # MTS
        (7, 9451, "1.04"),  # MP
        (24, 8677, "0"),  # MT: negative, clamped at 0
        (136, 182409, "1.02"),  # Almaty city
        (0, 19957, "4"),  # GP
        (0, 0, "4"),  # nothing reviewed: full marks
    ],
)
def test_review_timeliness(
    methodology: Methodology, late: int, reviewed: int, expected: str
) -> None:
    assert score(
        methodology, "review_timeliness", reviewed_late=late, reviewed_total=reviewed
    ) == Decimal(expected)


@pytest.mark.parametrize(
    ("late", "received", "expected"),
    [(24, 81670, "3.88"), (1806, 336627, "1.85"), (22, 22389, "3.61"), (39, 42958, "3.64")],
)
def test_redirect_timeliness(
    methodology: Methodology, late: int, received: int, expected: str
) -> None:
    got = score(
        methodology, "redirect_timeliness", "MIO", redirected_late=late, received_total=received
    )
    assert got == Decimal(expected)


@pytest.mark.parametrize(("facts", "expected"), [(0, "3"), (17, "1.3"), (26, "0.4"), (39, "0")])
def test_unjustified_redirection_per_fact(
    methodology: Methodology, facts: int, expected: str
) -> None:
    assert score(methodology, "unjustified_redirection", unjustified_redirects=facts) == Decimal(
        expected
    )


@pytest.mark.parametrize(
    ("upheld", "reviewed", "expected"), [(24, 391954, "1.16"), (3, 31132, "0.11"), (0, 500, "3")]
)
def test_court_upheld(methodology: Methodology, upheld: int, reviewed: int, expected: str) -> None:
    got = score(methodology, "court_upheld", court_upheld_cases=upheld, reviewed_total=reviewed)
    assert got == Decimal(expected)


@pytest.mark.parametrize(
    ("level", "first_head", "received", "expected"),
    [
        ("CGO", 116, 155, "4"),  # MT 74.8 %
        ("CGO", 105, 348, "4"),  # MKI 30.2 %: just above the CGO threshold
        ("CGO", 1, 23, "0"),  # MNE 4.4 %
        ("MIO", 145, 408, "4"),  # Karaganda 35.5 %
        ("MIO", 34, 100, "3"),  # below the MIO threshold of 35 %
        ("CGO", 0, 0, "4"),  # nobody booked: full marks (AAE)
    ],
)
def test_first_head_activity_thresholds_differ_by_level(
    methodology: Methodology, level: str, first_head: int, received: int, expected: str
) -> None:
    got = score(
        methodology,
        "first_head_activity",
        level,
        received_by_first_head=first_head,
        citizens_received=received,
    )
    assert got == Decimal(expected)


def test_reception_waiting_almaty_city(methodology: Methodology) -> None:
    # Seed 003, lines 1201-1203: 401 / 104 / 0 / 573 answers; 119 / 232 / 94 received.
    got = score(
        methodology,
        "reception_waiting",
        "MIO",
        booking_answer_within_15=401,
        booking_answer_within_30=104,
        booking_answer_within_60=0,
        booking_answer_over_60=573,
        received_on_date=119,
        received_within_month=232,
        received_later_or_never=94,
    )
    assert got == Decimal("0.69")


def test_reception_waiting_without_bookings_gives_full_marks(methodology: Methodology) -> None:
    indicator = methodology.indicator("reception_waiting")
    zero = dict.fromkeys(indicator.input_fields, Decimal(0))
    assert raw_score(indicator, zero, Level.CGO) == 3


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        ("93.2", "7"),
        ("90", "7"),
        ("89.3", "6"),
        ("80.6", "6"),
        ("79.3", "5"),
        ("70.1", "5"),
        ("12", "0"),
    ],
)
def test_satisfaction_steps_by_tens(methodology: Methodology, pct: str, expected: str) -> None:
    assert score(methodology, "satisfaction", satisfaction_pct=pct) == Decimal(expected)


@pytest.mark.parametrize(
    ("requests", "expected"),
    [(2281, "2"), (2596, "2"), (2625, "1"), (2738, "1"), (3388, "0"), (2100, "3"), (500, "6")],
)
def test_requests_share_lower_is_better(
    methodology: Methodology, requests: int, expected: str
) -> None:
    got = score(methodology, "requests_share", information_requests=requests, appeals_total=10000)
    assert got == Decimal(expected)


@pytest.mark.parametrize(("channels", "expected"), [(0, "0"), (10, "2"), (27, "5"), (131, "5")])
def test_penalty_is_capped(methodology: Methodology, channels: int, expected: str) -> None:
    assert score(
        methodology, "unaccredited_channels", unaccredited_channels_found=channels
    ) == Decimal(expected)


@pytest.mark.parametrize(("approved", "expected"), [(0, "0"), (3, "3"), (28, "7")])
def test_bonus_is_capped(methodology: Methodology, approved: int, expected: str) -> None:
    assert score(methodology, "hidden_services", hidden_services_approved=approved) == Decimal(
        expected
    )


def test_open_data_correlating_coefficients(methodology: Methodology) -> None:
    got = score(
        methodology,
        "open_data",
        open_data_completeness=5,
        open_data_timeliness=5,
        open_data_publication_coefficient=0,
        open_data_update_coefficient="0.5",
    )
    assert got == Decimal(5)  # Almaty city: full components, one request left unanswered


def test_ready_score_indicator_has_no_formula(methodology: Methodology) -> None:
    with pytest.raises(ValueError, match="ready-score"):
        raw_score(methodology.indicator("open_budget"), {}, Level.CGO)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3.785", "3.79"), ("3.7849", "3.78"), ("0.005", "0.01"), ("2.5", "2.50")],
)
def test_rounding_is_half_up(value: str, expected: str) -> None:
    assert round_half_up(Decimal(value), 2) == Decimal(expected)
