"""Golden tests: Ashyq reproduces the published 2025 Openness Index."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ashyq.bodies import BodyRegistry, Level
from ashyq.index.engine import IndexResult
from ashyq.index.methodology import Methodology
from ashyq.index.published import PublishedReport
from ashyq.index.reconcile import CheckKind, Reconciliation, Status, normalise_label, reconcile
from ashyq.results.render import RENDERERS, results_of
from tests.conftest import GOLDEN


@pytest.fixture(scope="module")
def reconciliation(
    methodology: Methodology, registry: BodyRegistry, report: PublishedReport
) -> Reconciliation:
    return reconcile(methodology, registry, report)


def test_all_49_published_totals_are_reproduced(
    result_2025: IndexResult, report: PublishedReport
) -> None:
    assert len(result_2025.bodies) == 49
    for body in result_2025.bodies:
        published = report.score("total", body.body.code)
        assert published is not None, body.body.code
        assert body.total == published.score, body.body.code


def test_every_grade_the_text_states_is_reproduced(reconciliation: Reconciliation) -> None:
    grades = [
        c
        for c in reconciliation.checks
        if c.kind is CheckKind.GRADE and c.status is not Status.UNCHECKABLE
    ]
    assert len(grades) == 72  # AAA 1, AA 12, BB 10 named, and "no ineffective grade" for all 49
    assert all(c.status is Status.REPRODUCED for c in grades), [
        c for c in grades if c.status is not Status.REPRODUCED
    ]
    assert reconciliation.totals_and_stated_grades_reproduced


@pytest.mark.parametrize(
    ("code", "total", "grade", "rank"),
    [  # typed from seed 003, lines 2617-2686
        ("zhambyl", "96.15", "AAA", 1),
        ("west_kazakhstan", "91.42", "AA", 2),
        ("east_kazakhstan", "90.17", "AA", 4),
        ("mt", "93.31", "AA", 1),
        ("mvd", "88.97", "A", 10),
        ("adgs", "83.81", "BBB", 16),
        ("mp", "79.085", "BB", 19),
        ("mchs", "69.83", "BB", 29),
        ("north_kazakhstan", "76.66", "BB", 17),
        ("almaty", "60.07", "B", 20),
    ],
)
def test_published_totals_grades_and_ranks(
    result_2025: IndexResult, code: str, total: str, grade: str, rank: int
) -> None:
    body = result_2025.for_body(code)
    assert (body.total, body.grade, body.rank) == (Decimal(total), grade, rank)


def test_criterion_sums(
    result_2025: IndexResult, report: PublishedReport, methodology: Methodology
) -> None:
    for body in result_2025.bodies:
        for criterion in methodology.criteria:
            published = report.score(criterion.id, body.body.code)
            assert published is not None
            assert body.criteria[criterion.id].score == published.score, (
                body.body.code,
                criterion.id,
            )


def test_the_report_errors_are_named(reconciliation: Reconciliation) -> None:
    with_errata = {
        (c.body, c.subject) for c in reconciliation.checks if c.status is Status.WITH_ERRATUM
    }
    assert {
        ("mt", "open_government"),
        ("mp", "open_government"),
        ("pavlodar", "open_government"),
        ("karaganda", "appk_compliance"),
        ("almaty", "appk_compliance"),
    } <= with_errata
    duplicated = [c for c in reconciliation.failures() if c.kind is CheckKind.TABLE_ROWS]
    assert [(c.body, c.subject) for c in duplicated] == [("mts", "open_npa")]
    contradicted = {
        (c.body, c.subject) for c in reconciliation.failures() if c.kind is CheckKind.QUOTED_COUNTS
    }
    # Quoted counts that contradict their printed scores (seed 003 lines 342 and 350).
    assert {("almaty_region", "review_timeliness"), ("mnvo", "review_timeliness")} <= contradicted


def test_formulas_reproduce_the_quoted_counts(reconciliation: Reconciliation) -> None:
    checks = [c for c in reconciliation.checks if c.kind is CheckKind.QUOTED_COUNTS]
    reproduced = {c.subject for c in checks if c.status is Status.REPRODUCED}
    assert {
        "review_timeliness",
        "redirect_timeliness",
        "unjustified_redirection",
        "court_upheld",
        "first_head_activity",
        "reception_waiting",
        "satisfaction",
        "unaccredited_channels",
    } <= reproduced
    for subject in (
        "redirect_timeliness",
        "unjustified_redirection",
        "court_upheld",
        "satisfaction",
    ):
        assert not [c for c in checks if c.subject == subject and c.status is Status.NOT_REPRODUCED]


def test_reconciliation_counts_are_pinned(reconciliation: Reconciliation) -> None:
    expected = json.loads((GOLDEN / "reconciliation-2025.json").read_text(encoding="utf-8"))
    summary = {
        k.value: {s.value: n for s, n in sorted(c.items())}
        for k, c in reconciliation.summary().items()
    }
    assert summary == expected


def test_results_table_is_pinned(result_2025: IndexResult) -> None:
    rendered = RENDERERS["csv"].render(results_of(result_2025, "ru")).decode("utf-8")
    assert rendered == (GOLDEN / "openness-2025.csv").read_text(encoding="utf-8")


def test_levels_and_categories_of_the_tables(result_2025: IndexResult) -> None:
    mf = result_2025.for_body("mf")
    assert mf.indicators["review_timeliness"].level == "high"  # 3,78 of 4
    assert mf.indicators["unjustified_redirection"].level == "ineffective"  # 1,3 of 3
    assert mf.criteria["appk_compliance"].category == "B"  # 22,73
    assert result_2025.for_body("almaty").criteria["appk_compliance"].category == "C"
    assert [b.body.code for b in result_2025.of_level(Level.MIO)][:3] == [
        "zhambyl",
        "west_kazakhstan",
        "astana",
    ]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("высокий", "high"),
        ("Неэффективный", "ineffective"),
        ("ВВ", "BB"),
        ("А", "A"),
        ("ААА", "AAA"),
        ("", None),
    ],
)
def test_printed_labels_are_read(label: str, expected: str | None) -> None:
    assert normalise_label(label) == expected
