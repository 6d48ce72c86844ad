"""A section per indicator: its text, tables by level, findings and dynamics."""

from __future__ import annotations

from collections import Counter

from ashyq.bodies import Level
from ashyq.i18n.quotes import quoted
from ashyq.index.dynamics import Change
from ashyq.index.engine import BodyResult
from ashyq.index.methodology import BandScale, Indicator, IndicatorRole
from ashyq.reports.describe import describe_indicator
from ashyq.reports.model import (
    Block,
    BulletList,
    Heading,
    Paragraph,
)
from ashyq.reports.openness.base import WriterBase, t, text

__all__ = ["Indicators"]


class Indicators(WriterBase):
    """A section per indicator: its text, tables by level, findings and dynamics."""

    # --- indicators ----------------------------------------------------------------------

    def indicator(self, indicator: Indicator) -> list[Block]:
        lang = self.lang
        scale = self.methodology.level_scale(indicator)
        blocks: list[Block] = [
            Heading(
                quoted(indicator.name[lang], lang) if lang != "en" else indicator.name[lang],
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
                    t(
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
                    t("col_level", lang),
                )
            )
            weak += [r for r in results if r.indicators[indicator.id].level in weak_bands]
        if weak:
            blocks.append(
                Paragraph(
                    t(
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
                    t(
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
            bodies = t("recommendation_bodies", lang, names=names) if names else ""
            blocks.append(
                Paragraph(
                    t(
                        "recommendation",
                        lang,
                        text=text("recommendations", indicator.id, lang),
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
            t("level_count", lang, name=band.name[lang], count=self.bodies(counts[band.id]))
            for band in scale.bands
        ]
        blocks: list[Block] = [
            Paragraph(t("level_counts", lang, level=abbr, counts="; ".join(spelled)))
        ]
        best = results[0].indicators[indicator.id].score
        leaders = [r for r in results if r.indicators[indicator.id].score == best]
        full = best == indicator.max and indicator.role is not IndicatorRole.PENALTY
        if full:
            blocks.append(
                Paragraph(
                    t(
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
                    t(
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
                    t(
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
            blocks.append(Paragraph(t("no_low", lang, level=abbr)))
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
                t(
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
            blocks.append(Paragraph(t("improved", lang, names=self.names(up))))
        if down:
            blocks.append(Paragraph(t("declined", lang, names=self.names(down))))
        return blocks
