"""The published results of a period, transcribed from the report, as reference data.

``reference/<period>/`` holds the transcription, true to the printed report, errors
included:

- ``published_tables.csv``: every row of every score table (indicator, criterion and
  total tables, CGO and MIO), with the name, score and label exactly as printed;
- ``quoted_facts.csv``: the raw counts the prose quotes for a body;
- ``stated_grades.csv``: what the prose states about grades, categories and levels;
- ``national_facts.csv``: the country-wide figures;
- ``errata.yaml``: the report's own errors, each with its evidence and the value the
  agency must have used; the reproduction applies them and the reconciliation names them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable

import yaml
from pydantic import BaseModel, ConfigDict

from ashyq.bodies import Level
from ashyq.index.engine import BodyInput, Fact, Provenance
from ashyq.index.methodology import Methodology
from ashyq.numbers import parse_decimal

__all__ = [
    "Erratum",
    "PublishedReport",
    "PublishedRow",
    "QuotedFact",
    "StatedGrade",
    "available_periods",
    "load_published",
    "reproduction_input",
]


@dataclass(frozen=True)
class PublishedRow:
    """One printed row of a score table."""

    table: str
    level: Level
    position: int
    name_as_printed: str
    body: str
    score: Decimal
    score_as_printed: str
    label_as_printed: str
    seed_line: int


@dataclass(frozen=True)
class QuotedFact:
    """A raw count or share the report's prose quotes for one body."""

    body: str
    indicator: str
    field: str
    value: Decimal
    score_quoted: str
    seed_line: int
    quote: str


@dataclass(frozen=True)
class StatedGrade:
    """A statement of the prose about a body's grade, category or level."""

    body: str
    table: str
    stated: str
    seed_line: int
    quote: str


class Erratum(BaseModel):
    """An error of the report: the value the agency must have used, and why we think so."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    body: str
    printed: str | None  # what the table prints ("" when the row is missing)
    value: Decimal
    reason: str
    seed_lines: tuple[int, ...]


@dataclass(frozen=True)
class PublishedReport:
    """Everything transcribed from one period's report."""

    period: int
    rows: tuple[PublishedRow, ...]
    facts: tuple[QuotedFact, ...]
    stated: tuple[StatedGrade, ...]
    errata: tuple[Erratum, ...]
    national: dict[str, Decimal]

    @cached_property
    def _first_rows(self) -> dict[tuple[str, str], PublishedRow]:
        first: dict[tuple[str, str], PublishedRow] = {}
        for row in self.rows:
            first.setdefault((row.table, row.body), row)
        return first

    def table(self, table: str, level: Level) -> list[PublishedRow]:
        """The printed rows of one table, in printed order."""
        rows = [r for r in self.rows if r.table == table and r.level is level]
        return sorted(rows, key=lambda r: r.position)

    def score(self, table: str, body: str) -> PublishedRow | None:
        """The first printed row of ``body`` in ``table`` (either level), or None."""
        return self._first_rows.get((table, body))

    def erratum(self, table: str, body: str) -> Erratum | None:
        """The erratum for one table cell, or None."""
        return next((e for e in self.errata if e.table == table and e.body == body), None)


def _folder(period: int) -> Traversable:
    return resources.files("ashyq.index.reference").joinpath(str(period))


def available_periods() -> list[int]:
    """The periods whose published results ship with Ashyq."""
    root = resources.files("ashyq.index.reference")
    return sorted(int(entry.name) for entry in root.iterdir() if entry.name.isdigit())


def _csv(folder: Traversable, name: str) -> list[dict[str, str]]:
    text = folder.joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@cache
def load_published(period: int) -> PublishedReport:
    """Load the transcribed report of ``period``; raises LookupError when none ships."""
    if period not in available_periods():
        known = ", ".join(str(p) for p in available_periods())
        raise LookupError(f"no published results for {period}; available: {known}")
    folder = _folder(period)
    rows = tuple(
        PublishedRow(
            table=r["table"],
            level=Level(r["level"]),
            position=int(r["position"]),
            name_as_printed=r["name_as_printed"],
            body=r["body"],
            score=parse_decimal(r["score_as_printed"]),
            score_as_printed=r["score_as_printed"],
            label_as_printed=r["label_as_printed"],
            seed_line=int(r["seed_line"]),
        )
        for r in _csv(folder, "published_tables.csv")
    )
    facts = tuple(
        QuotedFact(
            body=r["body"],
            indicator=r["indicator"],
            field=r["field"],
            value=Decimal(r["value"]),
            score_quoted=r["score_quoted"],
            seed_line=int(r["seed_line"]),
            quote=r["quote"],
        )
        for r in _csv(folder, "quoted_facts.csv")
    )
    stated = tuple(
        StatedGrade(r["body"], r["table"], r["stated"], int(r["seed_line"]), r["quote"])
        for r in _csv(folder, "stated_grades.csv")
    )
    national = {r["key"]: Decimal(r["value"]) for r in _csv(folder, "national_facts.csv")}
    errata_data = yaml.safe_load(folder.joinpath("errata.yaml").read_text(encoding="utf-8"))
    errata = tuple(Erratum.model_validate(item) for item in errata_data["errata"])
    return PublishedReport(period, rows, facts, stated, errata, national)


def reproduction_input(report: PublishedReport, methodology: Methodology) -> list[BodyInput]:
    """The index input the agency must have used: each printed indicator score, per body.

    Where ``errata.yaml`` corrects a cell (a duplicated or missing row, a score printed
    rounded), the corrected value is used and its provenance names the erratum. Bodies
    come in the order of the first indicator table.
    """
    codes: list[str] = []
    scores: dict[str, dict[str, Fact]] = {}
    source = f"seed 003 ({report.period})"
    for indicator in methodology.indicators:
        for row in report.rows:
            if row.table != indicator.id:
                continue
            if row.body not in scores:
                codes.append(row.body)
                scores[row.body] = {}
            provenance = Provenance(source, row.seed_line, indicator.id, indicator.authority.value)
            scores[row.body].setdefault(indicator.id, Fact(row.score, provenance))
    for erratum in report.errata:
        if erratum.table in {i.id for i in methodology.indicators}:
            line = erratum.seed_lines[0] if erratum.seed_lines else None
            authority = methodology.indicator(erratum.table).authority.value
            provenance = Provenance(f"{source}, erratum", line, erratum.table, authority)
            scores.setdefault(erratum.body, {})[erratum.table] = Fact(erratum.value, provenance)
            if erratum.body not in codes:
                codes.append(erratum.body)
    return [BodyInput(code, scores[code], {}) for code in codes]
