"""A chapter per criterion: its text, tables, chart and findings."""

from __future__ import annotations

from collections import Counter

from ashyq.bodies import Level
from ashyq.i18n.grammar import join_names, number
from ashyq.index.engine import BodyResult
from ashyq.index.methodology import Criterion
from ashyq.reports import charts
from ashyq.reports.describe import describe_criterion
from ashyq.reports.model import (
    Block,
    Heading,
    Paragraph,
    Table,
)
from ashyq.reports.openness.base import (
    colour_of,
    criterion_score,
    t,
)
from ashyq.reports.openness.indicators import Indicators

__all__ = ["Criteria"]


class Criteria(Indicators):
    """A chapter per criterion: its text, tables, chart and findings."""

    # --- criteria ------------------------------------------------------------------------

    def criterion(self, criterion: Criterion) -> list[Block]:
        lang = self.lang
        blocks: list[Block] = [Heading(criterion.name[lang].upper(), 1, criterion.id)]
        blocks.append(Heading(t("methodology", lang), 2, f"{criterion.id}-methodology"))
        blocks.extend(Paragraph(s) for s in describe_criterion(self.methodology, criterion, lang))
        blocks.append(Heading(t("findings", lang), 2, f"{criterion.id}-findings"))
        for level in Level:
            results = self.sorted_by(level, criterion_score(criterion.id))
            if not results:
                continue
            blocks.extend(self.criterion_findings(criterion, level, results))
            blocks.append(self.criterion_table(criterion, level, results))
            blocks.append(self.criterion_chart(criterion, level, results))
        for indicator in criterion.indicators:
            blocks.extend(self.indicator(indicator))
        return blocks

    def criterion_findings(
        self, criterion: Criterion, level: Level, results: list[BodyResult]
    ) -> list[Block]:
        lang = self.lang
        scale = criterion.categories
        counts = Counter(r.criteria[criterion.id].category for r in results)
        spelled = [
            t("level_count", lang, name=band.name[lang], count=self.bodies(counts[band.id]))
            for band in scale.bands
        ]
        abbr = self.level_abbr(level)
        top = [
            t(
                "named_score",
                lang,
                name=self.name(r.body),
                score=number(r.criteria[criterion.id].score, lang),
            )
            for r in results[:3]
        ]
        bottom = [
            t(
                "named_score",
                lang,
                name=self.name(r.body),
                score=number(r.criteria[criterion.id].score, lang),
            )
            for r in results[-3:][::-1]
        ]
        return [
            Heading(abbr, 3, f"{criterion.id}-{level.value.lower()}"),
            Paragraph(t("criterion_categories", lang, level=abbr, counts="; ".join(spelled))),
            Paragraph(t("criterion_top", lang, level=abbr, names=join_names(top, lang))),
            Paragraph(t("criterion_bottom", lang, level=abbr, names=join_names(bottom, lang))),
        ]

    def criterion_table(
        self, criterion: Criterion, level: Level, results: list[BodyResult]
    ) -> Table:
        lang = self.lang
        return self.score_table(
            f"{criterion.id}_{level.value}",
            t("distribution", lang, level=self.level_abbr(level), name=criterion.name[lang]),
            results,
            lambda r: r.criteria[criterion.id].score,
            lambda r: r.criteria[criterion.id].category,
            criterion.categories,
            criterion.max,
            t("col_category", lang),
        )

    def criterion_chart(
        self, criterion: Criterion, level: Level, results: list[BodyResult]
    ) -> Block:
        lang = self.lang
        scores = [r.criteria[criterion.id].score for r in results]
        return charts.horizontal_bars(
            f"{criterion.id}_{level.value}",
            t("chart_criterion", lang, name=criterion.name[lang], level=self.level_abbr(level)),
            t(
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
