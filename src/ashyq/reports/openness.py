"""The annual Openness Index report, with the structure of seed 003.

Introduction (purpose, criteria, sources and authorities, timeline); national appeal
statistics; a chapter per criterion (the methodology text generated from the methodology
file, a table per indicator and level coloured by level, and findings written from the
data: leaders and the lowest, counts per level, named bodies with their raw facts,
changes against the previous period, recommendations where points were lost);
conclusions with the grades and the final tables; charts. Every figure in the text is
read from the computation; nothing is typed in.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from ashyq.bodies import Body, Level
from ashyq.i18n import Lang, Text
from ashyq.i18n.grammar import Case, join_names, number, quantity
from ashyq.index.dynamics import BodyDynamics, Change, PreviousResult, compare_periods
from ashyq.index.engine import BodyResult, IndexResult
from ashyq.index.methodology import BandScale, Criterion, Indicator, IndicatorRole, Methodology
from ashyq.reports import charts
from ashyq.reports.describe import describe_criterion, describe_indicator
from ashyq.reports.model import (
    Block,
    BulletList,
    Cell,
    Column,
    DataSheet,
    Heading,
    LevelRule,
    PageBreak,
    Paragraph,
    Report,
    Table,
    TableOfContents,
)
from ashyq.reports.statistics import AppealStatistics, Share
from ashyq.reports.texts import openness_texts

__all__ = ["OpennessData", "build_openness_report", "colour_of", "fact_phrase", "scale_rules"]

_LEVEL_ABBR: dict[Level, Text] = {
    Level.CGO: Text(ru="ЦГО", kk="ОМО", en="CGO"),
    Level.MIO: Text(ru="МИО", kk="ЖАО", en="MIO"),
}
_COLOURS = ("high", "medium", "low", "ineffective")
# The case of a count after "up to": "до 30 баллов" (genitive), "ең көбі 30 балл".
_UP_TO: dict[Lang, Case] = {"ru": "partitive", "kk": "nominative", "en": "nominative"}
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


def _text(section: str, key: str, lang: Lang) -> str:
    value: str = openness_texts()[section][key][lang]
    return value


def _t(key: str, lang: Lang, **values: object) -> str:
    frame: str = openness_texts()["frames"][key][lang]
    return frame.format(**values)


def colour_of(scale: BandScale, band_id: str) -> str:
    """The colour level of a band: the scale's bands spread over high…ineffective."""
    rank = scale.rank_of(band_id)
    return (
        _COLOURS[min(3, rank * 4 // len(scale.bands))] if len(scale.bands) != 4 else _COLOURS[rank]
    )


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


def _label_rules(scale: BandScale, lang: Lang) -> tuple[LevelRule, ...]:
    return tuple(
        LevelRule(colour_of(scale, band.id), "==", band.name[lang]) for band in scale.bands
    )


class _Writer:
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
        return _LEVEL_ABBR[level][self.lang]

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

    # --- the report --------------------------------------------------------------------

    def build(self) -> Report:
        lang = self.lang
        report = Report(
            kind="openness",
            lang=lang,
            title=self.methodology.title[lang],
            subtitle=_t("subtitle", lang, period=self.data.period),
            footer=_t("footer", lang, period=self.data.period),
        )
        report.add(TableOfContents(_t("contents", lang)))
        report.add(*self.introduction())
        if self.data.statistics is not None:
            report.add(PageBreak(), *self.national(self.data.statistics))
        for criterion in self.methodology.criteria:
            report.add(PageBreak(), *self.criterion(criterion))
        report.add(PageBreak(), *self.conclusions())
        report.data_sheets.append(self.raw_inputs())
        return report

    def introduction(self) -> list[Block]:
        lang, m = self.lang, self.methodology
        blocks: list[Block] = [
            Heading(_t("introduction", lang), 1, "introduction"),
            Paragraph(openness_texts()["purpose"][lang].format(period=self.data.period)),
        ]
        bonus = sum((c.bonus_max for c in m.criteria), Decimal(0))
        blocks.append(
            Paragraph(
                _t(
                    "criteria_intro",
                    lang,
                    count=len(m.criteria),
                    points=self.points(m.max_total),
                    bonus=self.points(bonus, _UP_TO[lang]),
                )
            )
        )
        blocks.append(
            BulletList(
                tuple(
                    _t(
                        "criterion_item",
                        lang,
                        name=c.name[lang],
                        points=self.points(c.max, _UP_TO[lang]),
                    )
                    for c in m.criteria
                ),
                ordered=True,
            )
        )
        blocks.append(Heading(_t("sources_heading", lang), 2, "sources"))
        by_authority: dict[str, list[str]] = {}
        for indicator in m.indicators:
            by_authority.setdefault(indicator.authority.value, []).append(
                f"«{indicator.name[lang]}»" if lang != "en" else f"“{indicator.name[lang]}”"
            )
        blocks.append(
            BulletList(
                tuple(
                    _t(
                        "authority_item",
                        lang,
                        authority=_text("authorities", authority, lang),
                        indicators="; ".join(names),
                    )
                    for authority, names in by_authority.items()
                )
            )
        )
        blocks.append(Heading(_t("timeline_heading", lang), 2, "timeline"))
        blocks.append(
            Paragraph(
                _t(
                    "timeline",
                    lang,
                    due=self.date(m.timeline.source_data_due),
                    disputes=self.date(m.timeline.disputes_until),
                    consolidation=self.date(m.timeline.consolidation_by),
                )
            )
        )
        counts = Counter(r.body.level for r in self.data.result.bodies)
        blocks.append(
            Paragraph(
                _t(
                    "evaluated",
                    lang,
                    cgo=number(counts[Level.CGO], lang),
                    mio=number(counts[Level.MIO], lang),
                )
            )
        )
        blocks.append(Paragraph(openness_texts()["roadmap_rule"][lang]))
        blocks.append(
            Paragraph(_t("results_source", lang, source=self.data.source[lang]), style="note")
        )
        return blocks

    # --- national statistics -----------------------------------------------------------

    def national(self, stats: AppealStatistics) -> list[Block]:
        lang = self.lang
        blocks: list[Block] = [Heading(_t("statistics_heading", lang), 1, "statistics")]
        growth = ""
        if stats.previous_total is not None and stats.previous_total > 0:
            change = (stats.total - stats.previous_total) * 100 / stats.previous_total
            key = "growth_up" if change >= 0 else "growth_down"
            growth = _t(
                key,
                lang,
                pct=number(abs(change).quantize(Decimal("0.1")), lang),
                previous=stats.previous_period,
                before=number(stats.previous_total, lang),
            )
        blocks.append(
            Paragraph(
                _t(
                    "statistics_total",
                    lang,
                    period=stats.period,
                    total=quantity(stats.total, "appeal", lang),
                    growth=growth,
                )
            )
        )
        if stats.cgo_share_pct is not None and stats.mio_share_pct is not None:
            blocks.append(
                Paragraph(
                    _t(
                        "by_level",
                        lang,
                        cgo=number(stats.cgo_share_pct, lang),
                        mio=number(stats.mio_share_pct, lang),
                    )
                )
            )
        sections = (
            ("by_type", stats.by_type),
            ("by_form", stats.by_form),
            ("by_applicant", stats.by_applicant_kind),
            ("top_topics", stats.top_topics),
            ("top_bodies", stats.top_bodies),
        )
        for key, shares in sections:
            if shares:
                blocks.append(self.share_table(key, _t(key, lang), shares, stats))
        with_previous = [s for s in stats.by_type if s.previous_share_pct is not None]
        if with_previous and stats.previous_period:
            blocks.append(
                charts.grouped_bars(
                    "appeal_types",
                    _t("chart_appeals", lang, previous=stats.previous_period, period=stats.period),
                    _t(
                        "chart_appeals_alt",
                        lang,
                        previous=stats.previous_period,
                        period=stats.period,
                    ),
                    [s.label[lang] for s in with_previous],
                    [
                        (
                            stats.previous_period,
                            [s.previous_share_pct or Decimal(0) for s in with_previous],
                        ),
                        (str(stats.period), [s.share_pct or Decimal(0) for s in with_previous]),
                    ],
                    lang=lang,
                )
            )
        return blocks

    def share_table(
        self,
        key: str,
        caption: str,
        shares: Sequence[Share],
        stats: AppealStatistics,
    ) -> Table:
        lang = self.lang
        with_previous = any(s.previous_share_pct is not None for s in shares)
        columns = [
            Column(_t("col_category", lang)),
            Column(_t("col_count", lang), "integer"),
            Column(_t("col_share", lang), "percent"),
        ]
        if with_previous:
            columns.append(
                Column(_t("col_previous_share", lang, previous=stats.previous_period), "percent")
            )
        rows = []
        for share in shares:
            row = [
                Cell(share.label[lang]),
                Cell(share.spelled(lang), share.count),
                Cell(_pct(share.share_pct, lang), share.share_pct),
            ]
            if with_previous:
                row.append(Cell(_pct(share.previous_share_pct, lang), share.previous_share_pct))
            rows.append(tuple(row))
        return Table(f"stat_{key}", caption, tuple(columns), tuple(rows))

    # --- criteria ------------------------------------------------------------------------

    def criterion(self, criterion: Criterion) -> list[Block]:
        lang = self.lang
        blocks: list[Block] = [Heading(criterion.name[lang].upper(), 1, criterion.id)]
        blocks.append(Heading(_t("methodology", lang), 2, f"{criterion.id}-methodology"))
        blocks.extend(Paragraph(s) for s in describe_criterion(self.methodology, criterion, lang))
        blocks.append(Heading(_t("findings", lang), 2, f"{criterion.id}-findings"))
        for level in Level:
            results = self.sorted_by(level, _criterion_score(criterion.id))
            if not results:
                continue
            blocks.extend(self.criterion_findings(criterion, level, results))
            blocks.append(self.criterion_table(criterion, level, results))
            blocks.append(self.criterion_chart(criterion, level, results))
        for indicator in criterion.indicators:
            blocks.extend(self.indicator(indicator))
        return blocks

    def sorted_by(
        self, level: Level, key: Callable[[BodyResult], Decimal], *, reverse: bool = True
    ) -> list[BodyResult]:
        results = self.data.result.of_level(level)
        # Highest first; equal scores in the order of the body's short name.
        by_name = sorted(results, key=lambda r: r.body.short(self.lang))
        return sorted(by_name, key=key, reverse=reverse)

    def criterion_findings(
        self, criterion: Criterion, level: Level, results: list[BodyResult]
    ) -> list[Block]:
        lang = self.lang
        scale = criterion.categories
        counts = Counter(r.criteria[criterion.id].category for r in results)
        spelled = [
            _t("level_count", lang, name=band.name[lang], count=self.bodies(counts[band.id]))
            for band in scale.bands
        ]
        abbr = self.level_abbr(level)
        top = [
            _t(
                "named_score",
                lang,
                name=self.name(r.body),
                score=number(r.criteria[criterion.id].score, lang),
            )
            for r in results[:3]
        ]
        bottom = [
            _t(
                "named_score",
                lang,
                name=self.name(r.body),
                score=number(r.criteria[criterion.id].score, lang),
            )
            for r in results[-3:][::-1]
        ]
        return [
            Heading(abbr, 3, f"{criterion.id}-{level.value.lower()}"),
            Paragraph(_t("criterion_categories", lang, level=abbr, counts="; ".join(spelled))),
            Paragraph(_t("criterion_top", lang, level=abbr, names=join_names(top, lang))),
            Paragraph(_t("criterion_bottom", lang, level=abbr, names=join_names(bottom, lang))),
        ]

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
            Column(_t("col_number", lang), "integer"),
            Column(_t("col_body", lang)),
            Column(_t("col_score", lang), "number", 2, scale_rules(scale, maximum)),
            Column(band_title, "label", rules=_label_rules(scale, lang)),
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

    def criterion_table(
        self, criterion: Criterion, level: Level, results: list[BodyResult]
    ) -> Table:
        lang = self.lang
        return self.score_table(
            f"{criterion.id}_{level.value}",
            _t("distribution", lang, level=self.level_abbr(level), name=criterion.name[lang]),
            results,
            lambda r: r.criteria[criterion.id].score,
            lambda r: r.criteria[criterion.id].category,
            criterion.categories,
            criterion.max,
            _t("col_category", lang),
        )

    def criterion_chart(
        self, criterion: Criterion, level: Level, results: list[BodyResult]
    ) -> Block:
        lang = self.lang
        scores = [r.criteria[criterion.id].score for r in results]
        return charts.horizontal_bars(
            f"{criterion.id}_{level.value}",
            _t("chart_criterion", lang, name=criterion.name[lang], level=self.level_abbr(level)),
            _t(
                "chart_criterion_alt",
                lang,
                count=self.bodies(len(results)),
                best=number(scores[0], lang),
                best_name=results[0].body.short(lang),
                worst=number(scores[-1], lang),
                worst_name=results[-1].body.short(lang),
            ),
            [r.body.short(lang) for r in results],
            scores,
            [colour_of(criterion.categories, r.criteria[criterion.id].category) for r in results],
            maximum=criterion.max + criterion.bonus_max,
            lang=lang,
        )

    # --- indicators ----------------------------------------------------------------------

    def indicator(self, indicator: Indicator) -> list[Block]:
        lang = self.lang
        scale = self.methodology.level_scale(indicator)
        blocks: list[Block] = [
            Heading(
                f"«{indicator.name[lang]}»" if lang != "en" else indicator.name[lang],
                2,
                indicator.id,
            )
        ]
        blocks.extend(
            Paragraph(s, "note") for s in describe_indicator(self.methodology, indicator, lang)
        )
        penalty = indicator.role is IndicatorRole.PENALTY
        weak_bands = {b.id for b in scale.bands[2:]}  # low and ineffective
        weak: list[BodyResult] = []
        for level in Level:
            results = self.sorted_by(
                level, lambda r: r.indicators[indicator.id].score, reverse=not penalty
            )
            if not results:
                continue
            blocks.extend(self.indicator_findings(indicator, scale, level, results))
            blocks.append(
                self.score_table(
                    f"{indicator.id}_{level.value}",
                    _t(
                        "distribution",
                        lang,
                        level=self.level_abbr(level),
                        name=indicator.name[lang],
                    ),
                    results,
                    lambda r: r.indicators[indicator.id].score,
                    lambda r: r.indicators[indicator.id].level,
                    scale,
                    indicator.max,
                    _t("col_level", lang),
                )
            )
            weak += [r for r in results if r.indicators[indicator.id].level in weak_bands]
        if weak:
            blocks.append(
                Paragraph(
                    _t(
                        "weak_intro",
                        lang,
                        low=scale.bands[2].name[lang],
                        ineffective=scale.bands[-1].name[lang],
                    )
                )
            )
            items = []
            for result in weak:
                facts = self.facts(result.body.code, indicator)
                items.append(
                    _t(
                        "weak_item",
                        lang,
                        name=self.name(result.body),
                        score=self.points(result.indicators[indicator.id].score),
                        facts=f" ({facts})" if facts else "",
                    )
                )
            blocks.append(BulletList(tuple(items)))
        blocks.extend(self.indicator_dynamics(indicator))
        lost = [r for r in self.data.result.bodies if r.indicators[indicator.id].points_lost > 0]
        if lost and indicator.role is not IndicatorRole.BONUS:
            named = weak or lost
            names = self.names(named[:8])
            bodies = _t("recommendation_bodies", lang, names=names) if names else ""
            blocks.append(
                Paragraph(
                    _t(
                        "recommendation",
                        lang,
                        text=_text("recommendations", indicator.id, lang),
                        bodies=bodies,
                    ),
                    "lead",
                )
            )
        return blocks

    def indicator_findings(
        self, indicator: Indicator, scale: BandScale, level: Level, results: list[BodyResult]
    ) -> list[Block]:
        lang = self.lang
        abbr = self.level_abbr(level)
        counts = Counter(r.indicators[indicator.id].level for r in results)
        spelled = [
            _t("level_count", lang, name=band.name[lang], count=self.bodies(counts[band.id]))
            for band in scale.bands
        ]
        blocks: list[Block] = [
            Paragraph(_t("level_counts", lang, level=abbr, counts="; ".join(spelled)))
        ]
        best = results[0].indicators[indicator.id].score
        leaders = [r for r in results if r.indicators[indicator.id].score == best]
        full = best == indicator.max and indicator.role is not IndicatorRole.PENALTY
        if full:
            blocks.append(
                Paragraph(
                    _t(
                        "leaders_full",
                        lang,
                        max=self.points(indicator.max),
                        level=abbr,
                        names=self.names(leaders),
                    )
                )
            )
        else:
            blocks.append(
                Paragraph(
                    _t(
                        "leaders",
                        lang,
                        score=self.points(best),
                        level=abbr,
                        names=self.names(leaders),
                    )
                )
            )
        worst = results[-1].indicators[indicator.id].score
        if worst != best:
            lowest = [r for r in results if r.indicators[indicator.id].score == worst]
            blocks.append(
                Paragraph(
                    _t(
                        "lowest",
                        lang,
                        score=self.points(worst),
                        level=abbr,
                        names=self.names(lowest),
                    )
                )
            )
        weak_bands = {b.id for b in scale.bands[2:]}
        if not any(counts[b] for b in weak_bands):
            blocks.append(Paragraph(_t("no_low", lang, level=abbr)))
        return blocks

    def indicator_dynamics(self, indicator: Indicator) -> list[Block]:
        if not self.dynamics or self.data.previous_period is None:
            return []
        lang = self.lang
        up: list[BodyResult] = []
        down: list[BodyResult] = []
        same = 0
        for result in self.data.result.bodies:
            moved = self.dynamics.get(result.body.code)
            movement = moved.levels.get(indicator.id) if moved else None
            if movement is None:
                continue
            if movement.change is Change.IMPROVED:
                up.append(result)
            elif movement.change is Change.DECLINED:
                down.append(result)
            else:
                same += 1
        blocks: list[Block] = [
            Paragraph(
                _t(
                    "dynamics",
                    lang,
                    previous=self.data.previous_period,
                    up=self.bodies(len(up)),
                    down=self.bodies(len(down)),
                    same=self.bodies(same),
                )
            )
        ]
        if up:
            blocks.append(Paragraph(_t("improved", lang, names=self.names(up))))
        if down:
            blocks.append(Paragraph(_t("declined", lang, names=self.names(down))))
        return blocks

    # --- conclusions ---------------------------------------------------------------------

    def conclusions(self) -> list[Block]:
        lang, m = self.lang, self.methodology
        result = self.data.result
        blocks: list[Block] = [Heading(_t("conclusions", lang), 1, "conclusions")]
        blocks.append(Paragraph(_t("grades_intro", lang, period=self.data.period)))
        items = []
        rows = []
        for band in m.grades.bands:
            graded = [r for r in result.bodies if r.grade == band.id]
            if not graded:
                continue
            items.append(
                _t(
                    "grade_item",
                    lang,
                    grade=band.name[lang],
                    count=self.bodies(len(graded)),
                    names=self.names(graded),
                )
            )
            colour = colour_of(m.grades, band.id)
            for level in Level:
                of_level = [r for r in graded if r.body.level is level]
                rows.append(
                    (
                        Cell(band.name[lang], band.id, colour),
                        Cell(self.level_abbr(level), level.value),
                        Cell(number(len(of_level), lang), len(of_level)),
                        Cell(join_names([r.body.short(lang) for r in of_level], lang)),
                    )
                )
        blocks.append(BulletList(tuple(items)))
        averages = {
            level: statistics.mean([r.total for r in result.of_level(level)])
            for level in Level
            if result.of_level(level)
        }
        if len(averages) == 2:
            blocks.append(
                Paragraph(
                    _t(
                        "averages",
                        lang,
                        cgo=number(averages[Level.CGO].quantize(Decimal("0.01")), lang),
                        mio=number(averages[Level.MIO].quantize(Decimal("0.01")), lang),
                    )
                )
            )
        due = [r for r in result.bodies if m.needs_roadmap(r.grade)]
        blocks.append(
            Paragraph(
                _t("roadmaps", lang, names=self.names(due)) if due else _t("roadmaps_none", lang),
                "lead",
            )
        )
        blocks.append(
            Table(
                "grades",
                _t("grade_table", lang),
                (
                    Column(_t("col_grade", lang), "label"),
                    Column(_t("col_level", lang)),
                    Column(_t("col_count", lang), "integer"),
                    Column(_t("col_grade_bodies", lang)),
                ),
                tuple(rows),
            )
        )
        blocks.append(self.grade_chart())
        dynamics = self.grade_dynamics_chart()
        if dynamics is not None:
            blocks.append(dynamics)
        else:
            blocks.append(Paragraph(_t("no_previous", lang), "note"))
        for level in Level:
            blocks.append(self.final_table(level))
        return blocks

    def grade_chart(self) -> Block:
        lang, m = self.lang, self.methodology
        result = self.data.result
        series = []
        summary = []
        for band in m.grades.bands:
            counts = [
                sum(1 for r in result.of_level(level) if r.grade == band.id) for level in Level
            ]
            if any(counts):
                series.append((band.name[lang], colour_of(m.grades, band.id), counts))
                summary.append(f"{band.name[lang]} {counts[0]}/{counts[1]}")
        return charts.stacked_bars(
            "grades",
            _t("chart_grades", lang),
            _t("chart_grades_alt", lang, summary=", ".join(summary)),
            [self.level_abbr(level) for level in Level],
            series,
        )

    def grade_dynamics_chart(self) -> Block | None:
        previous = self.data.previous
        if not previous or self.data.previous_period is None:
            return None
        lang, m = self.lang, self.methodology
        before = Counter(p.grade for p in previous.values())
        now = Counter(r.grade for r in self.data.result.bodies)
        bands = [b for b in m.grades.bands if before[b.id] or now[b.id]]
        period = self.data.period
        return charts.grouped_bars(
            "grade_dynamics",
            _t("chart_dynamics", lang, previous=self.data.previous_period, period=period),
            _t("chart_dynamics_alt", lang, previous=self.data.previous_period, period=period),
            [b.name[lang] for b in bands],
            [
                (self.data.previous_period, [Decimal(before[b.id]) for b in bands]),
                (str(period), [Decimal(now[b.id]) for b in bands]),
            ],
            lang=lang,
        )

    def final_table(self, level: Level) -> Table:
        lang, m = self.lang, self.methodology
        results = self.data.result.of_level(level)
        columns = [
            Column(_t("col_rank", lang), "integer"),
            Column(_t("col_body", lang)),
            *(
                Column(c.name[lang], "number", 2, scale_rules(c.categories, c.max))
                for c in m.criteria
            ),
            Column(_t("col_total", lang), "number", 2, scale_rules(m.grades, m.max_total)),
            Column(_t("col_grade", lang), "label", rules=_label_rules(m.grades, lang)),
        ]
        rows = []
        for r in results:
            grade_colour = colour_of(m.grades, r.grade)
            rows.append(
                (
                    Cell(number(r.rank, lang), r.rank),
                    Cell(r.body.short(lang), r.body.code, note=r.body.name(lang)),
                    *(
                        Cell(
                            number(r.criteria[c.id].score, lang),
                            r.criteria[c.id].score,
                            colour_of(c.categories, r.criteria[c.id].category),
                        )
                        for c in m.criteria
                    ),
                    Cell(number(r.total, lang), r.total, grade_colour),
                    Cell(m.grades.band(r.grade).name[lang], r.grade, grade_colour),
                )
            )
        return Table(
            f"total_{level.value}",
            _t("final_table", lang, level=self.level_abbr(level)),
            tuple(columns),
            tuple(rows),
        )

    def raw_inputs(self) -> DataSheet:
        lang = self.lang
        rows = []
        for result in self.data.result.bodies:
            for indicator_id, indicator in result.indicators.items():
                for field, fact in indicator.facts.items():
                    rows.append(
                        (
                            Cell(result.body.code),
                            Cell(result.body.short(lang)),
                            Cell(indicator_id),
                            Cell(field),
                            Cell(number(fact.value, lang), fact.value),
                            Cell(str(fact.provenance)),
                        )
                    )
        return DataSheet(
            "inputs",
            _t("raw_inputs", lang),
            (
                Column(_t("col_code", lang)),
                Column(_t("col_body", lang)),
                Column(_t("col_indicator", lang)),
                Column(_t("col_field", lang)),
                Column(_t("col_value", lang), "number"),
                Column(_t("col_source", lang)),
            ),
            tuple(rows),
        )


def _criterion_score(criterion_id: str) -> Callable[[BodyResult], Decimal]:
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
        return "" if value is None else _t("facts_percent", lang, value=number(value, lang))
    count = known.get(spec["count"])
    if count is None:
        return ""
    counted = quantity(count, spec["noun"], lang)
    out_of = known.get(spec.get("out_of", ""))
    if out_of is None:
        return counted
    whole = quantity(out_of, spec["out_of_noun"], lang, "partitive")
    return _t("facts_out_of", lang, count=counted, out_of=whole)


def _pct(value: Decimal | None, lang: Lang) -> str:
    return "—" if value is None else number(value, lang)


def build_openness_report(data: OpennessData, lang: Lang) -> Report:
    """The annual report of ``data`` in ``lang``."""
    return _Writer(data, lang).build()
