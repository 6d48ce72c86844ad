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

from ashyq.i18n import Lang
from ashyq.reports.model import PageBreak, Report, TableOfContents
from ashyq.reports.openness.base import OpennessData, colour_of, fact_phrase, scale_rules, t
from ashyq.reports.openness.conclusions import Conclusions
from ashyq.reports.openness.criteria import Criteria
from ashyq.reports.openness.introduction import Introduction
from ashyq.reports.openness.national import NationalStatistics

__all__ = ["OpennessData", "build_openness_report", "colour_of", "fact_phrase", "scale_rules"]


class _Writer(Introduction, NationalStatistics, Criteria, Conclusions):
    """The whole report, each part written by its section."""

    # --- the report --------------------------------------------------------------------

    def build(self) -> Report:
        lang = self.lang
        report = Report(
            kind="openness",
            lang=lang,
            title=t("title", lang),
            subtitle=t("subtitle", lang, period=self.data.period),
            footer=t("footer", lang, period=self.data.period),
        )
        report.add(TableOfContents(t("contents", lang)))
        report.add(*self.introduction())
        if self.data.statistics is not None:
            report.add(PageBreak(), *self.national(self.data.statistics))
        for criterion in self.methodology.criteria:
            report.add(PageBreak(), *self.criterion(criterion))
        report.add(PageBreak(), *self.conclusions())
        report.data_sheets.append(self.raw_inputs())
        return report


def build_openness_report(data: OpennessData, lang: Lang) -> Report:
    """The annual report of ``data`` in ``lang``."""
    return _Writer(data, lang).build()
