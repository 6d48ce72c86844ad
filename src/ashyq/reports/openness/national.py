"""The national statistics of appeals."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ashyq.i18n.grammar import number, quantity
from ashyq.reports import charts
from ashyq.reports.model import (
    Block,
    Cell,
    Column,
    Heading,
    Paragraph,
    Table,
)
from ashyq.reports.openness.base import WriterBase, pct, t
from ashyq.reports.statistics import AppealStatistics, Share

__all__ = ["NationalStatistics"]


class NationalStatistics(WriterBase):
    """The national statistics of appeals."""

    # --- national statistics -----------------------------------------------------------

    def national(self, stats: AppealStatistics) -> list[Block]:
        lang = self.lang
        blocks: list[Block] = [Heading(t("statistics_heading", lang), 1, "statistics")]
        growth = ""
        if stats.previous_total is not None and stats.previous_total > 0:
            change = (stats.total - stats.previous_total) * 100 / stats.previous_total
            key = "growth_up" if change >= 0 else "growth_down"
            growth = t(
                key,
                lang,
                pct=number(abs(change).quantize(Decimal("0.1")), lang),
                previous=stats.previous_period,
                before=number(stats.previous_total, lang),
            )
        blocks.append(
            Paragraph(
                t(
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
                    t(
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
                blocks.append(self.share_table(key, t(key, lang), shares, stats))
        with_previous = [s for s in stats.by_type if s.previous_share_pct is not None]
        if with_previous and stats.previous_period:
            blocks.append(
                charts.grouped_bars(
                    "appeal_types",
                    t("chart_appeals", lang, previous=stats.previous_period, period=stats.period),
                    t(
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
            Column(t("col_category", lang)),
            Column(t("col_count", lang), "integer"),
            Column(t("col_share", lang), "percent"),
        ]
        if with_previous:
            columns.append(
                Column(t("col_previous_share", lang, previous=stats.previous_period), "percent")
            )
        rows = []
        for share in shares:
            row = [
                Cell(share.label[lang]),
                Cell(share.spelled(lang), share.count),
                Cell(pct(share.share_pct, lang), share.share_pct),
            ]
            if with_previous:
                row.append(Cell(pct(share.previous_share_pct, lang), share.previous_share_pct))
            rows.append(tuple(row))
        return Table(f"stat_{key}", caption, tuple(columns), tuple(rows))
