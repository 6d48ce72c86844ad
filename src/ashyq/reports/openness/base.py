"""What every part of the annual report shares: the data it is built from, its texts,
the colour and level rules of its tables, and the writer's spelling of numbers, names
and dates."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from ashyq.bodies import Body, Level
from ashyq.i18n import Lang, Text
from ashyq.i18n.grammar import Case, join_names, number, quantity
from ashyq.i18n.quotes import fill
from ashyq.index.dynamics import BodyDynamics, PreviousResult, compare_periods
from ashyq.index.engine import BodyResult, IndexResult
from ashyq.index.methodology import BandScale, Indicator, Methodology
from ashyq.reports.model import Cell, Column, LevelRule, Table
from ashyq.reports.statistics import AppealStatistics
from ashyq.reports.texts import openness_texts

__all__ = [
    "OpennessData",
    "WriterBase",
    "colour_of",
    "criterion_score",
    "fact_phrase",
    "label_rules",
    "pct",
    "scale_rules",
    "t",
    "text",
]

LEVEL_ABBR: dict[Level, Text] = {
    Level.CGO: Text(ru="ЦГО", kk="ОМО", en="CGO"),
    Level.MIO: Text(ru="МИО", kk="ЖАО", en="MIO"),
}
COLOURS = ("high", "medium", "low", "ineffective")
# The case of a count after "up to": "до 30 баллов" (genitive), "ең көбі 30 балл".
UP_TO: dict[Lang, Case] = {"ru": "partitive", "kk": "nominative", "en": "nominative"}
# A day in running text: "20 января 2026 года", "2026 жылғы 20 қаңтар", "20 January 2026".
_DATE_PATTERNS: dict[Lang, str] = {
    "ru": "d MMMM y 'года'",
    "kk": "y 'жылғы' d MMMM",
    "en": "d MMMM y",
}


@dataclass(frozen=True)
class OpennessData:
    """What the report is written from.

    ``facts`` holds the raw counts by (body, indicator): those the computation used, and
    for a published period also those the report's prose quotes. ``previous`` is the
    previous period's results (for dynamics), ``statistics`` the national appeal figures.
    """

    period: int
    result: IndexResult
    facts: Mapping[tuple[str, str], Mapping[str, Decimal]]
    previous: Mapping[str, PreviousResult] | None
    previous_period: str | None
    statistics: AppealStatistics | None
    source: Text


def text(section: str, key: str, lang: Lang) -> str:
    value: str = openness_texts()[section][key][lang]
    return value


def t(key: str, lang: Lang, **values: object) -> str:
    frame: str = openness_texts()["frames"][key][lang]
    return fill(frame, values)


def colour_of(scale: BandScale, band_id: str) -> str:
    """The colour level of a band: the scale's bands spread over high…ineffective."""
    rank = scale.rank_of(band_id)
    return COLOURS[min(3, rank * 4 // len(scale.bands))] if len(scale.bands) != 4 else COLOURS[rank]


def scale_rules(scale: BandScale, maximum: Decimal) -> tuple[LevelRule, ...]:
    """Conditional colour rules of a score column classified by ``scale``."""
    rules = []
    for band in scale.bands:
        level = colour_of(scale, band.id)
        if band.bound is None:
            rules.append(LevelRule(level))
            continue
        bound = band.bound * maximum if scale.measure == "share_of_max" else band.bound
        if scale.direction == "higher_is_better":
            rules.append(LevelRule(level, ">=", bound))
        else:
            rules.append(LevelRule(level, "<", bound))
    return tuple(rules)


def label_rules(scale: BandScale, lang: Lang) -> tuple[LevelRule, ...]:
    return tuple(
        LevelRule(colour_of(scale, band.id), "==", band.name[lang]) for band in scale.bands
    )


class WriterBase:
    """Builds the report for one language."""

    def __init__(self, data: OpennessData, lang: Lang) -> None:
        self.data = data
        self.lang = lang
        self.methodology: Methodology = data.result.methodology
        self.dynamics: dict[str, BodyDynamics] = (
            compare_periods(data.result, dict(data.previous)) if data.previous else {}
        )

    # --- spelling ----------------------------------------------------------------------

    def points(self, value: Decimal, case: Case = "nominative") -> str:
        return quantity(value, "point", self.lang, case)

    def bodies(self, count: int, case: Case = "nominative") -> str:
        return quantity(count, "body", self.lang, case)

    def level_abbr(self, level: Level) -> str:
        return LEVEL_ABBR[level][self.lang]

    def name(self, body: Body) -> str:
        """A body as the report's prose names it: "Министерство энергетики" (the short name
        of a central body), "Акимат Костанайской области" (the full name of an akimat)."""
        return body.short(self.lang) if body.level is Level.CGO else body.name(self.lang)

    def names(self, results: Sequence[BodyResult]) -> str:
        return join_names([self.name(r.body) for r in results], self.lang)

    def facts(self, body: str, indicator: Indicator) -> str:
        return fact_phrase(indicator.id, self.data.facts.get((body, indicator.id), {}), self.lang)

    def date(self, month_day: str) -> str:
        month, day = (int(part) for part in month_day.split("-"))
        return format_date(
            date(self.data.period + 1, month, day), _DATE_PATTERNS[self.lang], locale=self.lang
        )

    def sorted_by(
        self, level: Level, key: Callable[[BodyResult], Decimal], *, reverse: bool = True
    ) -> list[BodyResult]:
        results = self.data.result.of_level(level)
        # Highest first; equal scores in the order of the body's short name.
        by_name = sorted(results, key=lambda r: r.body.short(self.lang))
        return sorted(by_name, key=key, reverse=reverse)

    def score_table(
        self,
        key: str,
        caption: str,
        results: list[BodyResult],
        score: Callable[[BodyResult], Decimal],
        band: Callable[[BodyResult], str],
        scale: BandScale,
        maximum: Decimal,
        band_title: str,
    ) -> Table:
        lang = self.lang
        columns = (
            Column(t("col_number", lang), "integer"),
            Column(t("col_body", lang)),
            Column(t("col_score", lang), "number", 2, scale_rules(scale, maximum)),
            Column(band_title, "label", rules=label_rules(scale, lang)),
        )
        rows = []
        for position, result in enumerate(results, start=1):
            band_id = band(result)
            colour = colour_of(scale, band_id)
            rows.append(
                (
                    Cell(str(position), position),
                    Cell(result.body.short(lang), result.body.code, note=result.body.name(lang)),
                    Cell(number(score(result), lang), score(result), colour),
                    Cell(scale.band(band_id).name[lang], band_id, colour),
                )
            )
        legend = tuple((colour_of(scale, b.id), b.name[lang]) for b in scale.bands)
        return Table(key, caption, columns, tuple(rows), legend)


def criterion_score(criterion_id: str) -> Callable[[BodyResult], Decimal]:
    def score(result: BodyResult) -> Decimal:
        return result.criteria[criterion_id].score

    return score


def fact_phrase(indicator_id: str, known: Mapping[str, Decimal], lang: Lang) -> str:
    """A body's raw facts on one indicator as a phrase: "25 нарушений сроков из 48 981
    рассмотренного обращения"; "" when the indicator has none to quote or they are unknown."""
    spec = openness_texts()["facts"].get(indicator_id)
    if spec is None:
        return ""
    if "percent" in spec:
        value = known.get(spec["percent"])
        return "" if value is None else t("facts_percent", lang, value=number(value, lang))
    count = known.get(spec["count"])
    if count is None:
        return ""
    counted = quantity(count, spec["noun"], lang)
    out_of = known.get(spec.get("out_of", ""))
    if out_of is None:
        return counted
    whole = quantity(out_of, spec["out_of_noun"], lang, "partitive")
    return t("facts_out_of", lang, count=counted, out_of=whole)


def pct(value: Decimal | None, lang: Lang) -> str:
    return "—" if value is None else number(value, lang)
