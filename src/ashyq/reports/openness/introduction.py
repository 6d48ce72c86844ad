"""The introduction: purpose, criteria, sources and authorities, timeline."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from ashyq.bodies import Level
from ashyq.i18n.grammar import number
from ashyq.i18n.quotes import quoted
from ashyq.reports.model import (
    Block,
    BulletList,
    Heading,
    Paragraph,
)
from ashyq.reports.openness.base import UP_TO, WriterBase, t, text
from ashyq.reports.texts import openness_texts

__all__ = ["Introduction"]


class Introduction(WriterBase):
    """The introduction: purpose, criteria, sources and authorities, timeline."""

    def introduction(self) -> list[Block]:
        lang, m = self.lang, self.methodology
        blocks: list[Block] = [
            Heading(t("introduction", lang), 1, "introduction"),
            Paragraph(openness_texts()["purpose"][lang].format(period=self.data.period)),
        ]
        bonus = sum((c.bonus_max for c in m.criteria), Decimal(0))
        blocks.append(
            Paragraph(
                t(
                    "criteria_intro",
                    lang,
                    count=len(m.criteria),
                    points=self.points(m.max_total),
                    bonus=self.points(bonus, UP_TO[lang]),
                )
            )
        )
        blocks.append(
            BulletList(
                tuple(
                    t(
                        "criterion_item",
                        lang,
                        name=c.name[lang],
                        points=self.points(c.max, UP_TO[lang]),
                    )
                    for c in m.criteria
                ),
                ordered=True,
            )
        )
        blocks.append(Heading(t("sources_heading", lang), 2, "sources"))
        by_authority: dict[str, list[str]] = {}
        for indicator in m.indicators:
            by_authority.setdefault(indicator.authority.value, []).append(
                quoted(indicator.name[lang], lang)
            )
        blocks.append(
            BulletList(
                tuple(
                    t(
                        "authority_item",
                        lang,
                        authority=text("authorities", authority, lang),
                        indicators="; ".join(names),
                    )
                    for authority, names in by_authority.items()
                )
            )
        )
        blocks.append(Heading(t("timeline_heading", lang), 2, "timeline"))
        blocks.append(
            Paragraph(
                t(
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
                t(
                    "evaluated",
                    lang,
                    cgo=number(counts[Level.CGO], lang),
                    mio=number(counts[Level.MIO], lang),
                )
            )
        )
        blocks.append(Paragraph(openness_texts()["roadmap_rule"][lang]))
        blocks.append(
            Paragraph(t("results_source", lang, source=self.data.source[lang]), style="note")
        )
        return blocks
