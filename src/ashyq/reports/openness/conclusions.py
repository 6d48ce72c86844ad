"""The conclusions: grades, their charts and the final tables, and the raw inputs."""

from __future__ import annotations

import statistics
from collections import Counter
from decimal import Decimal

from ashyq.bodies import Level
from ashyq.i18n.grammar import join_names, number
from ashyq.reports import charts
from ashyq.reports.model import (
    Block,
    BulletList,
    Cell,
    Column,
    DataSheet,
    Heading,
    Paragraph,
    Table,
)
from ashyq.reports.openness.base import WriterBase, colour_of, label_rules, scale_rules, t

__all__ = ["Conclusions"]


class Conclusions(WriterBase):
    """The conclusions: grades, their charts and the final tables, and the raw inputs."""

    # --- conclusions ---------------------------------------------------------------------

    def conclusions(self) -> list[Block]:
        lang, m = self.lang, self.methodology
        result = self.data.result
        blocks: list[Block] = [Heading(t("conclusions", lang), 1, "conclusions")]
        blocks.append(Paragraph(t("grades_intro", lang, period=self.data.period)))
        items = []
        rows = []
        for band in m.grades.bands:
            graded = [r for r in result.bodies if r.grade == band.id]
            if not graded:
                continue
            items.append(
                t(
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
                    t(
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
                t("roadmaps", lang, names=self.names(due)) if due else t("roadmaps_none", lang),
                "lead",
            )
        )
        blocks.append(
            Table(
                "grades",
                t("grade_table", lang),
                (
                    Column(t("col_grade", lang), "label"),
                    Column(t("col_level", lang)),
                    Column(t("col_count", lang), "integer"),
                    Column(t("col_grade_bodies", lang)),
                ),
                tuple(rows),
            )
        )
        blocks.append(self.grade_chart())
        dynamics = self.grade_dynamics_chart()
        if dynamics is not None:
            blocks.append(dynamics)
        else:
            blocks.append(Paragraph(t("no_previous", lang), "note"))
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
            t("chart_grades", lang),
            t("chart_grades_alt", lang, summary=", ".join(summary)),
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
            t("chart_dynamics", lang, previous=self.data.previous_period, period=period),
            t("chart_dynamics_alt", lang, previous=self.data.previous_period, period=period),
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
            Column(t("col_rank", lang), "integer"),
            Column(t("col_body", lang)),
            *(
                Column(c.name[lang], "number", 2, scale_rules(c.categories, c.max))
                for c in m.criteria
            ),
            Column(t("col_total", lang), "number", 2, scale_rules(m.grades, m.max_total)),
            Column(t("col_grade", lang), "label", rules=label_rules(m.grades, lang)),
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
            t("final_table", lang, level=self.level_abbr(level)),
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
            t("raw_inputs", lang),
            (
                Column(t("col_code", lang)),
                Column(t("col_body", lang)),
                Column(t("col_indicator", lang)),
                Column(t("col_field", lang)),
                Column(t("col_value", lang), "number"),
                Column(t("col_source", lang)),
            ),
            tuple(rows),
        )
