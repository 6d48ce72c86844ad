"""Dynamics: each body's movement against an earlier period's results."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest

from ashyq.bodies import BodyRegistry
from ashyq.errors import InputError, InputProblem
from ashyq.index.dynamics import (
    BodyDynamics,
    Change,
    PreviousResult,
    compare_periods,
    read_previous,
)
from ashyq.index.engine import BodyResult, IndexResult
from ashyq.index.methodology import Methodology
from ashyq.results.render import RENDERERS, results_of


def previous_of(result: BodyResult) -> PreviousResult:
    """The earlier result identical to ``result``: nothing moved."""
    return PreviousResult(
        body=result.body.code,
        total=result.total,
        grade=result.grade,
        rank=result.rank,
        criteria={k: c.score for k, c in result.criteria.items()},
        categories={k: c.category for k, c in result.criteria.items()},
        indicators={k: i.score for k, i in result.indicators.items()},
        levels={k: i.level for k, i in result.indicators.items()},
    )


def moved(result: IndexResult, before: PreviousResult) -> BodyDynamics:
    dynamics = compare_periods(result, {before.body: before})
    assert set(dynamics) == {before.body}
    return dynamics[before.body]


def test_nothing_moved_is_kept_everywhere(result_2025: IndexResult) -> None:
    mf = result_2025.for_body("mf")

    dynamics = moved(result_2025, previous_of(mf))

    assert dynamics.total.change is Change.KEPT
    assert dynamics.total.delta == 0
    assert dynamics.grade.change is Change.KEPT
    assert dynamics.rank.change is Change.KEPT
    assert set(dynamics.indicators) == set(mf.indicators)
    assert set(dynamics.criteria) == set(mf.criteria)
    movements = [
        *dynamics.criteria.values(),
        *dynamics.categories.values(),
        *dynamics.indicators.values(),
        *dynamics.levels.values(),
    ]
    assert {m.change for m in movements} == {Change.KEPT}


@pytest.mark.parametrize(
    ("previous_total", "change", "delta"),
    [
        ("90", Change.IMPROVED, "1.07"),
        ("91.07", Change.KEPT, "0"),
        ("92.5", Change.DECLINED, "-1.43"),
    ],
)
def test_total_moves_by_its_delta(
    result_2025: IndexResult, previous_total: str, change: Change, delta: str
) -> None:
    mf = result_2025.for_body("mf")
    assert mf.total == Decimal("91.07")

    dynamics = moved(result_2025, replace(previous_of(mf), total=Decimal(previous_total)))

    assert dynamics.total.change is change
    assert dynamics.total.delta == Decimal(delta)
    assert dynamics.total.previous == previous_total
    assert dynamics.total.current == "91.07"


@pytest.mark.parametrize(
    ("code", "previous_grade", "change"),
    [
        ("mf", "A", Change.IMPROVED),  # AA now, A before
        ("mf", "BBB", Change.IMPROVED),
        ("mf", "AA", Change.KEPT),
        ("mf", "AAA", Change.DECLINED),
        ("almaty", "ineffective", Change.IMPROVED),  # B now: ineffective is the worst band
        ("almaty", "BB", Change.DECLINED),
        ("zhambyl", "AA", Change.IMPROVED),  # AAA now
    ],
)
def test_grades_run_from_best_to_worst(
    result_2025: IndexResult, code: str, previous_grade: str, change: Change
) -> None:
    body = result_2025.for_body(code)

    dynamics = moved(result_2025, replace(previous_of(body), grade=previous_grade))

    assert dynamics.grade.change is change
    assert dynamics.grade.previous == previous_grade
    assert dynamics.grade.current == body.grade


@pytest.mark.parametrize(
    ("previous_rank", "change"),
    [(8, Change.IMPROVED), (6, Change.KEPT), (3, Change.DECLINED)],
)
def test_a_smaller_rank_number_is_better(
    result_2025: IndexResult, previous_rank: int, change: Change
) -> None:
    mf = result_2025.for_body("mf")
    assert mf.rank == 6

    dynamics = moved(result_2025, replace(previous_of(mf), rank=previous_rank))

    assert dynamics.rank.change is change
    assert dynamics.rank.previous == str(previous_rank)
    assert dynamics.rank.current == "6"


@pytest.mark.parametrize(
    ("previous_category", "change"),
    [("C", Change.IMPROVED), ("B", Change.KEPT), ("A", Change.DECLINED)],
)
def test_category_moves(result_2025: IndexResult, previous_category: str, change: Change) -> None:
    mf = result_2025.for_body("mf")
    assert mf.criteria["appk_compliance"].category == "B"
    before = previous_of(mf)
    before = replace(before, categories={**before.categories, "appk_compliance": previous_category})

    dynamics = moved(result_2025, before)

    assert dynamics.categories["appk_compliance"].change is change
    assert dynamics.categories["open_government"].change is Change.KEPT


def test_criterion_score_moves(result_2025: IndexResult) -> None:
    mf = result_2025.for_body("mf")
    before = previous_of(mf)
    before = replace(before, criteria={**before.criteria, "public_feedback": Decimal("25")})

    dynamics = moved(result_2025, before)

    assert dynamics.criteria["public_feedback"].change is Change.DECLINED
    assert dynamics.criteria["public_feedback"].delta == Decimal("-2")


@pytest.mark.parametrize(
    ("previous_score", "change", "delta"),
    [("3.5", Change.IMPROVED, "0.28"), ("3.78", Change.KEPT, "0"), ("4", Change.DECLINED, "-0.22")],
)
def test_indicator_moves(
    result_2025: IndexResult, previous_score: str, change: Change, delta: str
) -> None:
    mf = result_2025.for_body("mf")
    assert mf.indicators["review_timeliness"].score == Decimal("3.78")
    before = previous_of(mf)
    before = replace(
        before, indicators={**before.indicators, "review_timeliness": Decimal(previous_score)}
    )

    dynamics = moved(result_2025, before)

    assert dynamics.indicators["review_timeliness"].change is change
    assert dynamics.indicators["review_timeliness"].delta == Decimal(delta)


@pytest.mark.parametrize(
    ("previous_penalty", "change"),
    [("3", Change.IMPROVED), ("2", Change.KEPT), ("1", Change.DECLINED)],
)
def test_a_lower_penalty_is_an_improvement(
    result_2025: IndexResult, previous_penalty: str, change: Change
) -> None:
    arrfr = result_2025.for_body("arrfr")
    assert arrfr.indicators["unaccredited_channels"].score == Decimal("2")
    before = previous_of(arrfr)
    before = replace(
        before,
        indicators={**before.indicators, "unaccredited_channels": Decimal(previous_penalty)},
    )

    dynamics = moved(result_2025, before)

    movement = dynamics.indicators["unaccredited_channels"]
    assert movement.change is change
    assert movement.delta == Decimal(2) - Decimal(previous_penalty)


@pytest.mark.parametrize(
    ("previous_level", "change"),
    [("ineffective", Change.IMPROVED), ("medium", Change.KEPT), ("high", Change.DECLINED)],
)
def test_indicator_levels_move(
    result_2025: IndexResult, previous_level: str, change: Change
) -> None:
    # The penalty's own scale is inverted (fewer points, higher level), yet it too runs
    # from the best level to the worst.
    arrfr = result_2025.for_body("arrfr")
    assert arrfr.indicators["unaccredited_channels"].level == "medium"
    before = previous_of(arrfr)
    before = replace(before, levels={**before.levels, "unaccredited_channels": previous_level})

    dynamics = moved(result_2025, before)

    assert dynamics.levels["unaccredited_channels"].change is change


def test_bodies_and_values_absent_before_are_left_out(result_2025: IndexResult) -> None:
    mf = previous_of(result_2025.for_body("mf"))
    mf = replace(mf, indicators={"open_budget": mf.indicators["open_budget"]}, levels={})

    dynamics = compare_periods(result_2025, {"mf": mf})

    assert set(dynamics) == {"mf"}
    assert set(dynamics["mf"].indicators) == {"open_budget"}
    assert dynamics["mf"].levels == {}


# --- read_previous -------------------------------------------------------------------------


def write_results(result: IndexResult, tmp_path: Path, name: str) -> Path:
    renderer = RENDERERS[name]
    path = tmp_path / f"previous{renderer.suffix}"
    path.write_bytes(renderer.render(results_of(result, "en")))
    return path


@pytest.mark.parametrize("name", ["csv", "json", "xlsx"])
def test_read_previous_round_trips_the_results_files(
    result_2025: IndexResult,
    methodology: Methodology,
    registry: BodyRegistry,
    tmp_path: Path,
    name: str,
) -> None:
    path = write_results(result_2025, tmp_path, name)

    previous = read_previous(path, methodology, registry)

    assert set(previous) == {b.body.code for b in result_2025.bodies}
    for body in result_2025.bodies:
        before = previous[body.body.code]
        assert before.total == body.total, body.body.code
        assert before.rank == body.rank, body.body.code
        assert before.grade == body.grade, body.body.code
        assert before.criteria == {k: c.score for k, c in body.criteria.items()}
        assert before.categories == {k: c.category for k, c in body.criteria.items()}
        assert before.indicators == {k: i.score for k, i in body.indicators.items()}
        assert before.levels == {k: i.level for k, i in body.indicators.items()}
    dynamics = compare_periods(result_2025, previous)
    assert {d.total.change for d in dynamics.values()} == {Change.KEPT}
    assert {d.grade.change for d in dynamics.values()} == {Change.KEPT}
    assert {d.rank.change for d in dynamics.values()} == {Change.KEPT}


def rewrite_csv(path: Path, edit: dict[str, str], row_index: int = 0) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    columns = list(rows[0])
    rows[row_index].update(edit)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return rows


def caught_problems(
    path: Path, methodology: Methodology, registry: BodyRegistry
) -> list[InputProblem]:
    with pytest.raises(InputError) as caught:
        read_previous(path, methodology, registry)
    return caught.value.problems


def test_read_previous_names_a_non_numeric_total(
    result_2025: IndexResult, methodology: Methodology, registry: BodyRegistry, tmp_path: Path
) -> None:
    path = write_results(result_2025, tmp_path, "csv")
    rows = rewrite_csv(path, {"total": "n/a"}, row_index=2)

    problems = caught_problems(path, methodology, registry)

    bad = [p for p in problems if p.code == "not_a_number"]
    assert len(bad) == 1, [p.render("en") for p in problems]
    assert bad[0].row == 4  # the header is row 1, so the third body is row 4
    assert bad[0].column == "total"
    assert bad[0].file == str(path)
    message = bad[0].render("en")
    assert str(path) in message
    assert "row 4" in message
    assert "«total»" in message
    assert "n/a" in message
    assert {p.row for p in problems} == {4}, f"only {rows[2]['body']}'s row is wrong"


def test_read_previous_json_names_the_record(
    result_2025: IndexResult, methodology: Methodology, registry: BodyRegistry, tmp_path: Path
) -> None:
    path = write_results(result_2025, tmp_path, "json")
    payload = cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))
    payload["rows"][0]["total"] = "много"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    problems = caught_problems(path, methodology, registry)

    bad = [p for p in problems if p.code == "not_a_number"]
    assert [(p.row, p.column, p.found) for p in bad] == [(1, "total", "много")]


def test_read_previous_names_an_unknown_body(
    result_2025: IndexResult, methodology: Methodology, registry: BodyRegistry, tmp_path: Path
) -> None:
    path = write_results(result_2025, tmp_path, "csv")
    rewrite_csv(path, {"body": "Министерство магии"})

    problems = caught_problems(path, methodology, registry)

    assert [(p.code, p.row, p.column) for p in problems] == [("unknown_body", 2, "body")]


def test_read_previous_classifies_missing_grades_and_levels(
    result_2025: IndexResult, methodology: Methodology, registry: BodyRegistry, tmp_path: Path
) -> None:
    path = write_results(result_2025, tmp_path, "csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    kept = [c for c in rows[0] if c != "grade" and not c.endswith("_level")]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=kept, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")

    previous = read_previous(path, methodology, registry)

    for body in result_2025.bodies:
        assert previous[body.body.code].grade == body.grade
        assert previous[body.body.code].levels == {k: i.level for k, i in body.indicators.items()}
