"""Recompute a published report and reconcile every figure it states with the computation.

The engine runs on the printed indicator scores (with the documented errata), and every
printed criterion, total, grade, category and level, every grade or level the prose
states, and every raw count the prose quotes is checked against what the methodology
gives. Each check is reproduced, reproduced only once an erratum is applied, not
reproduced (with the reason), or not checkable (with the reason).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import partial

from ashyq.bodies import BodyRegistry, Level
from ashyq.i18n.grammar import number
from ashyq.index.engine import BodyResult, IndexResult, compute_index
from ashyq.index.formulas import clamp_and_round, raw_score
from ashyq.index.methodology import BandScale, IndicatorRole, Methodology
from ashyq.index.published import PublishedReport, PublishedRow, reproduction_input
from ashyq.numbers import plain_decimal

__all__ = ["Check", "CheckKind", "Reconciliation", "Status", "reconcile"]

_ZERO = Decimal(0)


class Status(StrEnum):
    """The outcome of one check."""

    REPRODUCED = "reproduced"
    WITH_ERRATUM = "reproduced_with_erratum"
    NOT_REPRODUCED = "not_reproduced"
    UNCHECKABLE = "not_checkable"


class CheckKind(StrEnum):
    """What was checked."""

    TABLE_ROWS = "table_rows"  # each table lists each body once
    CRITERION = "criterion"  # printed criterion = sum of its indicators
    TOTAL = "total"  # printed total = sum of the criteria
    GRADE = "grade"  # grades the prose states
    GRADE_LABEL = "grade_label"  # grades printed in the total tables
    CATEGORY_LABEL = "category_label"  # categories printed in the criterion tables
    LEVEL_LABEL = "level_label"  # levels printed in the indicator tables
    STATED_LEVEL = "stated_level"  # levels and categories the prose states
    QUOTED_COUNTS = "quoted_counts"  # indicator scores recomputed from quoted raw counts


@dataclass(frozen=True)
class Check:
    """One published figure and what the computation made of it."""

    kind: CheckKind
    body: str
    subject: str
    published: str
    computed: str
    status: Status
    reason: str = ""
    seed_line: int | None = None


@dataclass(frozen=True)
class Reconciliation:
    """Every check, and the index result computed for it."""

    period: int
    result: IndexResult
    checks: tuple[Check, ...]

    def summary(self) -> dict[CheckKind, Counter[Status]]:
        """Counts of each status, per kind of check."""
        summary: dict[CheckKind, Counter[Status]] = {}
        for check in self.checks:
            summary.setdefault(check.kind, Counter())[check.status] += 1
        return summary

    def failures(self) -> list[Check]:
        """The checks that were not reproduced."""
        return [c for c in self.checks if c.status is Status.NOT_REPRODUCED]

    @property
    def totals_and_stated_grades_reproduced(self) -> bool:
        """True when every published total and every grade the prose states is reproduced."""
        return not any(
            c.kind in {CheckKind.TOTAL, CheckKind.GRADE} and c.status is Status.NOT_REPRODUCED
            for c in self.checks
        )


_LEVEL_WORDS = {
    "высокий": "high",
    "средний": "medium",
    "низкий": "low",
    "неэффективный": "ineffective",
}
# The report mixes Cyrillic letters into grades and categories (ВВ for BB, А for A).
_LOOKALIKES = str.maketrans("АВС", "ABC")


def normalise_label(label: str) -> str | None:
    """The scale id a printed label means (``высокий`` → high, ``ВВ`` → BB), or None."""
    text = label.strip()
    if not text:
        return None
    word = _LEVEL_WORDS.get(text.casefold())
    if word:
        return word
    latin = text.translate(_LOOKALIKES)
    return latin if latin.isascii() and latin.isalpha() else None


def _fmt(value: Decimal) -> str:
    # As the report prints it (in Russian), to set beside the figure it states.
    return number(value, "ru")


def _table_row_checks(
    report: PublishedReport, registry: BodyRegistry, tables: list[str]
) -> list[Check]:
    checks: list[Check] = []
    for table in tables:
        for level in Level:
            rows = report.table(table, level)
            printed = Counter(r.body for r in rows)
            expected = {b.code for b in registry.of_level(level)}
            for body in sorted(expected | set(printed)):
                count = printed.get(body, 0)
                if count == 1 and body in expected:
                    checks.append(
                        Check(CheckKind.TABLE_ROWS, body, table, "1", "1", Status.REPRODUCED)
                    )
                    continue
                erratum = report.erratum(table, body)
                if count == 0:
                    reason = "the table has no row for this body"
                elif count > 1:
                    lines = ", ".join(str(r.seed_line) for r in rows if r.body == body)
                    reason = f"the table prints this body {count} times (lines {lines})"
                else:
                    reason = f"the body belongs to the other level, not {level.value}"
                status = Status.WITH_ERRATUM if erratum and count == 0 else Status.NOT_REPRODUCED
                if erratum and count == 0:
                    reason += f"; erratum: {erratum.reason}"
                line = next((r.seed_line for r in rows if r.body == body), None)
                checks.append(
                    Check(CheckKind.TABLE_ROWS, body, table, str(count), "1", status, reason, line)
                )
    return checks


def _printed_indicator_sum(
    report: PublishedReport, methodology: Methodology, criterion_id: str, body: str
) -> Decimal | None:
    total = _ZERO
    for indicator in methodology.criterion(criterion_id).indicators:
        row = report.score(indicator.id, body)
        if row is None:
            return None
        total += -row.score if indicator.role is IndicatorRole.PENALTY else row.score
    return total


def _errata_of(
    report: PublishedReport, methodology: Methodology, criterion_id: str, body: str
) -> list[str]:
    ids = {i.id for i in methodology.criterion(criterion_id).indicators}
    return [e.reason for e in report.errata if e.body == body and e.table in ids]


def _sum_checks(
    report: PublishedReport, methodology: Methodology, result: IndexResult
) -> list[Check]:
    checks: list[Check] = []
    for body_result in result.bodies:
        code = body_result.body.code
        for criterion in methodology.criteria:
            printed = report.score(criterion.id, code)
            computed = body_result.criteria[criterion.id].score
            if printed is None:
                checks.append(
                    Check(
                        CheckKind.CRITERION,
                        code,
                        criterion.id,
                        "",
                        _fmt(computed),
                        Status.UNCHECKABLE,
                        "the criterion table has no row for this body",
                    )
                )
                continue
            errata = _errata_of(report, methodology, criterion.id, code)
            plain_sum = _printed_indicator_sum(report, methodology, criterion.id, code)
            checks.append(
                _compare(
                    CheckKind.CRITERION, code, criterion.id, printed, computed, errata, plain_sum
                )
            )
        printed_total = report.score("total", code)
        if printed_total is None:
            continue
        errata = [e.reason for e in report.errata if e.body == code]
        checks.append(
            _compare(CheckKind.TOTAL, code, "total", printed_total, body_result.total, errata, None)
        )
    return checks


def _compare(
    kind: CheckKind,
    body: str,
    subject: str,
    printed: PublishedRow,
    computed: Decimal,
    errata: list[str],
    plain_sum: Decimal | None,
) -> Check:
    check = partial(Check, kind, body, subject, printed.score_as_printed, _fmt(computed))
    mismatch = plain_sum is not None and plain_sum != computed
    added_up = (
        f"the printed indicators add up to {_fmt(plain_sum)}" if plain_sum is not None else ""
    )
    if printed.score != computed:
        reason = added_up or f"the computation gives {_fmt(computed)}"
        return check(Status.NOT_REPRODUCED, reason, printed.seed_line)
    if not errata:
        return check(Status.REPRODUCED, "", printed.seed_line)
    reason = "; ".join(errata)
    if mismatch:
        reason = f"{added_up}. {reason}"
    return check(Status.WITH_ERRATUM, reason, printed.seed_line)


def _label_checks(
    report: PublishedReport,
    table: str,
    kind: CheckKind,
    scale: BandScale,
    computed: dict[str, str],
    describe: dict[str, str],
) -> list[Check]:
    """Compare printed labels with the computed band, carrying a label down its group."""
    checks: list[Check] = []
    known = {b.id for b in scale.bands}
    for level in Level:
        current: str | None = None
        for row in report.table(table, level):
            label = normalise_label(row.label_as_printed)
            if label is not None and label in known:
                current = label
            if current is None or row.body not in computed:
                continue
            if computed[row.body] == current:
                checks.append(
                    Check(
                        kind,
                        row.body,
                        table,
                        current,
                        current,
                        Status.REPRODUCED,
                        "",
                        row.seed_line,
                    )
                )
                continue
            carried = (
                "printed on this row" if label == current else "carried down from an earlier row"
            )
            reason = (
                f"the table labels it {current} ({carried}); by the declared scale "
                f"{describe[row.body]} is {computed[row.body]}"
            )
            checks.append(
                Check(
                    kind,
                    row.body,
                    table,
                    current,
                    computed[row.body],
                    Status.NOT_REPRODUCED,
                    reason,
                    row.seed_line,
                )
            )
    return checks


def _labels(report: PublishedReport, methodology: Methodology, result: IndexResult) -> list[Check]:
    checks: list[Check] = []
    totals = {r.body.code: r.grade for r in result.bodies}
    describe = {r.body.code: f"the total {_fmt(r.total)}" for r in result.bodies}
    checks += _label_checks(
        report, "total", CheckKind.GRADE_LABEL, methodology.grades, totals, describe
    )
    for criterion in methodology.criteria:
        computed = {r.body.code: r.criteria[criterion.id].category for r in result.bodies}
        describe = {
            r.body.code: f"{_fmt(r.criteria[criterion.id].score)} points" for r in result.bodies
        }
        checks += _label_checks(
            report, criterion.id, CheckKind.CATEGORY_LABEL, criterion.categories, computed, describe
        )
    for indicator in methodology.indicators:
        computed = {r.body.code: r.indicators[indicator.id].level for r in result.bodies}
        describe = {
            r.body.code: f"{_fmt(r.indicators[indicator.id].score)} of {_fmt(indicator.max)}"
            for r in result.bodies
        }
        checks += _label_checks(
            report,
            indicator.id,
            CheckKind.LEVEL_LABEL,
            methodology.level_scale(indicator),
            computed,
            describe,
        )
    return checks


_CATEGORY_OF_LEVEL = {"high": "A", "medium": "B", "low": "C"}


def _statement_targets(result: IndexResult, body: str) -> list[BodyResult]:
    """``*`` states something of every body, ``*CGO`` / ``*MIO`` of one level's bodies."""
    if body == "*":
        return list(result.bodies)
    if body.startswith("*"):
        return result.of_level(Level(body[1:]))
    return [result.for_body(body)]


def _stated_checks(
    report: PublishedReport, methodology: Methodology, result: IndexResult
) -> list[Check]:
    checks: list[Check] = []
    criteria = {c.id for c in methodology.criteria}
    indicators = {i.id for i in methodology.indicators}
    for statement in report.stated:
        negated = statement.stated.startswith("not_")
        stated = statement.stated.removeprefix("not_")
        targets = _statement_targets(result, statement.body)
        if statement.table == "total":
            kind = CheckKind.GRADE
            values = {r.body.code: r.grade for r in targets}
        elif statement.table in criteria:
            kind = CheckKind.STATED_LEVEL
            values = {r.body.code: r.criteria[statement.table].category for r in targets}
            stated = _CATEGORY_OF_LEVEL.get(stated, stated)
        elif statement.table in indicators:
            kind = CheckKind.STATED_LEVEL
            values = {r.body.code: r.indicators[statement.table].level for r in targets}
        else:
            continue
        if stated in {"highest", "lowest"}:
            checks.append(
                Check(
                    kind,
                    statement.body,
                    statement.table,
                    statement.stated,
                    "",
                    Status.UNCHECKABLE,
                    "a comparison among bodies, not a level of the scale",
                    statement.seed_line,
                )
            )
            continue
        for body, value in values.items():
            holds = (value != stated) if negated else (value == stated)
            status = Status.REPRODUCED if holds else Status.NOT_REPRODUCED
            reason = "" if holds else f"the prose says {statement.stated}: «{statement.quote}»"
            checks.append(
                Check(
                    kind,
                    body,
                    statement.table,
                    statement.stated,
                    value,
                    status,
                    reason,
                    statement.seed_line,
                )
            )
    return checks


def _quoted_count_checks(
    report: PublishedReport, methodology: Methodology, result: IndexResult
) -> list[Check]:
    """Recompute each indicator whose raw counts the prose quotes, and compare."""
    # A field quoted in the indicator's own section wins; another section may fill a gap
    # (the court indicator divides by the reviewed total quoted under timeliness).
    own: dict[tuple[str, str], dict[str, Decimal]] = {}
    anywhere: dict[str, dict[str, Decimal]] = {}
    for fact in report.facts:
        own.setdefault((fact.body, fact.indicator), {}).setdefault(fact.field, fact.value)
        anywhere.setdefault(fact.body, {}).setdefault(fact.field, fact.value)
    checks: list[Check] = []
    indicator_ids = {i.id for i in methodology.indicators}
    for body, indicator_id in sorted({(f.body, f.indicator) for f in report.facts}):
        if indicator_id not in indicator_ids:
            continue
        indicator = methodology.indicator(indicator_id)
        line = min(
            f.seed_line for f in report.facts if f.body == body and f.indicator == indicator_id
        )
        row = report.score(indicator_id, body)
        published = row.score_as_printed if row else ""

        check = partial(Check, CheckKind.QUOTED_COUNTS, body, indicator_id, published)
        counts = anywhere.get(body, {}) | own.get((body, indicator_id), {})
        missing = [f for f in indicator.input_fields if f not in counts]
        if not indicator.input_fields:
            checks.append(
                check(
                    "",
                    Status.UNCHECKABLE,
                    "the report publishes no formula for this indicator",
                    line,
                )
            )
        elif missing:
            quoted = f"the report does not quote {', '.join(missing)}"
            checks.append(check("", Status.UNCHECKABLE, quoted, line))
        else:
            values = {f: counts[f] for f in indicator.input_fields}
            level = result.for_body(body).body.level
            unrounded = raw_score(indicator, values, level)
            computed = clamp_and_round(unrounded, indicator.max, methodology.rounding)
            shown = ", ".join(f"{k}={plain_decimal(v)}" for k, v in values.items())
            if row is not None and row.score == computed:
                checks.append(check(_fmt(computed), Status.REPRODUCED, shown, line))
            else:
                reason = f"the quoted counts ({shown}) give {_fmt(computed)}"
                checks.append(check(_fmt(computed), Status.NOT_REPRODUCED, reason, line))
    return checks


def reconcile(
    methodology: Methodology, registry: BodyRegistry, report: PublishedReport
) -> Reconciliation:
    """Recompute ``report`` with ``methodology`` and check every figure it publishes."""
    result = compute_index(methodology, reproduction_input(report, methodology), registry)
    tables = (
        [i.id for i in methodology.indicators] + [c.id for c in methodology.criteria] + ["total"]
    )
    checks = _table_row_checks(report, registry, tables)
    checks += _sum_checks(report, methodology, result)
    checks += _stated_checks(report, methodology, result)
    checks += _labels(report, methodology, result)
    checks += _quoted_count_checks(report, methodology, result)
    return Reconciliation(report.period, result, tuple(checks))
