"""Read and validate an index input file: one row per body, scores and raw counts.

The columns a file may have are generated from the methodology: ``body``, each indicator
id (a ready score delivered by the authority) and each raw-count field a formula reads.
Every problem is collected, so a supplier sees all of them at once, each naming the file,
row, column, what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ashyq.bodies import BodyRegistry, UnknownBodyError
from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_
from ashyq.index.engine import BodyInput, Fact, Provenance
from ashyq.index.methodology import (
    CorrelatingCoefficients,
    Indicator,
    Methodology,
    RateDeduction,
    StepThresholds,
)
from ashyq.limits import INPUT_LIMITS
from ashyq.numbers import parse_decimal
from ashyq.tabular import Cell, Table, TableRow, read_table

__all__ = [
    "BODY_COLUMN",
    "FieldSpec",
    "field_specs",
    "input_columns",
    "ratio_pairs",
    "read_index_input",
]

BODY_COLUMN = "body"
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FieldSpec:
    """What a raw-count column may hold."""

    name: str
    kind: str  # "count", "percent", "component" or "coefficient"
    authority: str
    maximum: Decimal | None = None
    allowed: tuple[Decimal, ...] = ()


def field_specs(methodology: Methodology) -> dict[str, FieldSpec]:
    """The raw-count columns of a methodology, each with the values it accepts."""
    specs: dict[str, FieldSpec] = {}

    def add(
        name: str,
        kind: str,
        indicator: Indicator,
        maximum: Decimal | None = None,
        allowed: tuple[Decimal, ...] = (),
    ) -> None:
        authority = indicator.authority.value
        specs.setdefault(name, FieldSpec(name, kind, authority, maximum, allowed))

    for indicator in methodology.indicators:
        formula = indicator.formula
        if isinstance(formula, StepThresholds) and formula.value is not None:
            add(formula.value, "percent", indicator, maximum=_HUNDRED)
        elif isinstance(formula, CorrelatingCoefficients):
            for component in formula.components:
                add(component.field, "component", indicator, maximum=component.max)
            for coefficient in formula.coefficients:
                add(coefficient, "coefficient", indicator, allowed=formula.coefficient_values)
        else:
            for name in indicator.input_fields:
                add(name, "count", indicator)
    return specs


def input_columns(methodology: Methodology) -> list[str]:
    """Every column an input file may have, in the order of the template."""
    return [BODY_COLUMN, *(i.id for i in methodology.indicators), *methodology.raw_fields]


def ratio_pairs(indicator: Indicator) -> list[tuple[str, str]]:
    """The (numerator, denominator) pairs of a ratio formula; a numerator may not pass its pair."""
    formula = indicator.formula
    if isinstance(formula, RateDeduction):
        return [(formula.numerator, formula.denominator)]
    if isinstance(formula, StepThresholds) and formula.numerator and formula.denominator:
        return [(formula.numerator, formula.denominator)]
    return []


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


class _Validator:
    def __init__(
        self,
        table: Table,
        methodology: Methodology,
        registry: BodyRegistry,
        supplied: Mapping[str, Mapping[str, Fact]] | None = None,
        only: Collection[str] | None = None,
    ) -> None:
        self.supplied = supplied or {}
        self.table = table
        self.methodology = methodology
        self.registry = registry
        self.only = None if only is None else frozenset(only)
        self.indicators = [
            i for i in methodology.indicators if self.only is None or i.id in self.only
        ]
        own_fields = {name for i in self.indicators for name in i.input_fields}
        self.specs = {
            name: spec
            for name, spec in field_specs(methodology).items()
            if self.only is None or name in own_fields
        }
        self.problems: list[InputProblem] = []

    def problem(
        self,
        code: str,
        row: int | None,
        column: str | None,
        expected: Message,
        found: str | Message,
    ) -> None:
        self.problems.append(InputProblem(code, self.table.file, row, column, expected, found))

    def number(self, row: TableRow, column: str, *, allow_percent: bool = False) -> Decimal | None:
        value = row.cells.get(column)
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, int | float):
            return Decimal(str(value))
        text = _cell_text(value)
        if text == "":
            return None
        try:
            return parse_decimal(text, allow_percent=allow_percent)
        except ValueError:
            self.problem(
                "not_a_number",
                row.number,
                column,
                Message(N_("a number, such as 3,78 or 391 954")),
                text,
            )
            return None

    def check_columns(self) -> bool:
        header = self.table.header
        if BODY_COLUMN not in header:
            self.problem(
                "missing_column",
                1,
                BODY_COLUMN,
                Message(N_("a column «{column}» naming each body"), {"column": BODY_COLUMN}),
                ", ".join(header),
            )
        known = {BODY_COLUMN, *(i.id for i in self.indicators), *self.specs}
        if self.only is None:
            expected = Message(
                N_("a column of methodology {methodology} (see `ashyq index template`)"),
                {"methodology": self.methodology.id},
            )
        else:
            expected = Message(
                N_("a column of the indicators this file may supply: {columns}"),
                {"columns": ", ".join(sorted(known - {BODY_COLUMN}))},
            )
        for name in header:
            if name not in known:
                self.problem("unknown_column", 1, name, expected, name or "(empty header)")
        duplicated = sorted({name for name in header if header.count(name) > 1})
        for name in duplicated:
            self.problem("duplicate_column", 1, name, Message(N_("each column once")), name)
        return BODY_COLUMN in header

    def check_value(self, row: TableRow, name: str, value: Decimal) -> None:
        spec = self.specs[name]
        if value < 0:
            self.problem(
                "negative", row.number, name, Message(N_("a number of zero or more")), str(value)
            )
        elif spec.kind == "count" and value != value.to_integral_value():
            self.problem(
                "not_a_whole_number", row.number, name, Message(N_("a whole number")), str(value)
            )
        elif spec.maximum is not None and value > spec.maximum:
            self.problem(
                "above_maximum",
                row.number,
                name,
                Message(N_("at most {maximum}"), {"maximum": spec.maximum}),
                str(value),
            )
        elif spec.allowed and value not in spec.allowed:
            allowed = ", ".join(str(v) for v in spec.allowed)
            self.problem(
                "not_allowed",
                row.number,
                name,
                Message(N_("one of {values}"), {"values": allowed}),
                str(value),
            )

    def body_input(self, row: TableRow, code: str) -> BodyInput:
        scores: dict[str, Fact] = {}
        counts: dict[str, Fact] = {}
        values: dict[str, Decimal] = {}
        supplied = self.supplied.get(code, {})
        for name in self.specs:
            if name in row.cells and _cell_text(row.cells.get(name)):
                if name in supplied:
                    self.problem(
                        "count_from_records",
                        row.number,
                        name,
                        Message(N_("no value: this count is computed from the stored records")),
                        _cell_text(row.cells.get(name)),
                    )
                    continue
                parsed = self.number(row, name, allow_percent=self.specs[name].kind == "percent")
                if parsed is not None:
                    values[name] = parsed
                    self.check_value(row, name, parsed)
        values.update({name: fact.value for name, fact in supplied.items() if name in self.specs})
        consumed: set[str] = set()
        given_as_score: dict[str, str] = {}
        for indicator in self.indicators:
            score = self.number(row, indicator.id) if indicator.id in row.cells else None
            fields = indicator.input_fields
            present = [name for name in fields if name in values]
            provenance = Provenance(
                self.table.file, row.number, indicator.id, indicator.authority.value
            )
            if score is None and _cell_text(row.cells.get(indicator.id)):
                continue  # an unreadable score, already reported by number()
            if score is not None:
                self.check_score(row, indicator, score)
                scores[indicator.id] = Fact(score, provenance)
                for name in fields:
                    given_as_score.setdefault(name, indicator.id)
                continue
            if not fields:
                self.missing(
                    row,
                    indicator,
                    Message(N_("a score from 0 to {maximum}"), {"maximum": indicator.max}),
                )
                continue
            missing = [name for name in fields if name not in values]
            if missing:
                expected = Message(
                    N_("a score from 0 to {maximum}, or the raw counts {fields}"),
                    {"maximum": indicator.max, "fields": ", ".join(fields)},
                )
                if present:
                    for name in missing:
                        self.problem("incomplete_counts", row.number, name, expected, "")
                else:
                    self.missing(row, indicator, expected)
                continue
            consumed.update(fields)
            for numerator, denominator in ratio_pairs(indicator):
                if values[numerator] > values[denominator]:
                    self.problem(
                        "numerator_above_denominator",
                        row.number,
                        numerator,
                        Message(
                            N_("at most «{denominator}» ({value})"),
                            {"denominator": denominator, "value": values[denominator]},
                        ),
                        str(values[numerator]),
                    )
        for name in values:
            if name in consumed:
                counts[name] = supplied.get(name) or Fact(
                    values[name],
                    Provenance(self.table.file, row.number, name, self.specs[name].authority),
                )
            elif name in given_as_score:
                self.problem(
                    "score_and_counts",
                    row.number,
                    name,
                    Message(
                        N_("either the score «{indicator}» or its raw counts, not both"),
                        {"indicator": given_as_score[name]},
                    ),
                    str(values[name]),
                )
        return BodyInput(code, scores, counts)

    def check_score(self, row: TableRow, indicator: Indicator, score: Decimal) -> None:
        if not 0 <= score <= indicator.max:
            self.problem(
                "score_out_of_range",
                row.number,
                indicator.id,
                Message(N_("a score from 0 to {maximum}"), {"maximum": indicator.max}),
                str(score),
            )

    def missing(self, row: TableRow, indicator: Indicator, expected: Message) -> None:
        self.problem("missing_indicator", row.number, indicator.id, expected, "")

    def run(self, require_all_bodies: bool) -> list[BodyInput]:
        if not self.check_columns():
            raise InputError(self.problems)
        inputs: list[BodyInput] = []
        first_row: dict[str, int] = {}
        for row in self.table.rows:
            if row.is_empty():
                continue
            name = _cell_text(row.cells.get(BODY_COLUMN))
            try:
                body = self.registry.resolve(name)
            except UnknownBodyError:
                self.problem(
                    "unknown_body",
                    row.number,
                    BODY_COLUMN,
                    Message(N_("the code or name of an evaluated body (see `ashyq bodies list`)")),
                    name,
                )
                continue
            if body.code in first_row:
                self.problem(
                    "duplicate_body",
                    row.number,
                    BODY_COLUMN,
                    Message(
                        N_("each body once; {body} is already on row {row}"),
                        {"body": body.code, "row": first_row[body.code]},
                    ),
                    name,
                )
                continue
            first_row[body.code] = row.number
            inputs.append(self.body_input(row, body.code))
        if require_all_bodies:
            for body in self.registry:
                if body.code not in first_row:
                    self.problem(
                        "missing_body",
                        None,
                        BODY_COLUMN,
                        Message(N_("a row for every evaluated body")),
                        Message(
                            N_("no row for {body} ({name})"),
                            {"body": body.code, "name": body.short_ru},
                        ),
                    )
        if self.problems:
            raise InputError(self.problems)
        return inputs


def read_index_input(
    path: Path,
    methodology: Methodology,
    registry: BodyRegistry,
    *,
    require_all_bodies: bool = True,
    supplied: Mapping[str, Mapping[str, Fact]] | None = None,
    indicators: Collection[str] | None = None,
) -> list[BodyInput]:
    """Read a CSV or XLSX index input, one row per body, and validate every cell.

    Returns the bodies' inputs in file order. Raises InputError listing every problem:
    an unknown, missing or duplicated body, an unknown column, a non-numeric cell, a
    negative count, a numerator above its denominator, a score above its max, an
    indicator given both as a score and as raw counts, or one given neither way.
    ``supplied`` holds counts computed elsewhere (from the appeal records), by body and
    field: they complete each row, and the file may not give them again. ``indicators``
    restricts the file to those indicators (an authority's own): only their scores and
    raw counts are columns, and only they are required.
    """
    # One row per body: the row limit is the registry's, not Excel's.
    table = read_table(path, replace(INPUT_LIMITS, rows=INPUT_LIMITS.index_input_rows))
    validator = _Validator(table, methodology, registry, supplied, indicators)
    return validator.run(require_all_bodies)
