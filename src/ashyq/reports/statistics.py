"""The national appeal figures of a report's statistics chapter, with their labels.

For a period whose report ships with Ashyq they are the published figures (seed 003,
lines 153-183; ``national_facts.csv``): counts rounded as printed ("369 тыс."), shares as
printed, and the previous year's shares where the report gives them. For any other
period they are computed from the stored e-Otinish records (``appeals.stats``), exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

import yaml

from ashyq.appeals.model import APPEALS
from ashyq.appeals.stats import NationalStats
from ashyq.bodies import Body, BodyRegistry, Level, load_bodies
from ashyq.i18n import Lang, Text
from ashyq.i18n.grammar import number
from ashyq.index.national import Figure, period_statistics
from ashyq.numbers import Share as CountedShare
from ashyq.reports.texts import openness_texts

__all__ = ["AppealStatistics", "Share", "computed_statistics", "published_statistics"]

_UNITS: dict[str, Text] = {
    "thousand": Text(ru="тыс.", kk="мың", en="thousand"),
    "million": Text(ru="млн", kk="млн", en="million"),
}
_SCALE = {"count": Decimal(1), "thousand": Decimal(1000), "million": Decimal(1_000_000)}


@dataclass(frozen=True)
class Share:
    """One line of a breakdown: its count (as precise as the source), share and label."""

    key: str
    label: Text
    count: Decimal
    unit: str  # "count", "thousand" or "million": how precisely the source states it
    share_pct: Decimal | None
    previous_share_pct: Decimal | None = None

    def spelled(self, lang: Lang) -> str:
        """The count as the source states it: "391 954", "369 тыс.", "3,9 млн"."""
        shown = number(self.count / _SCALE[self.unit], lang)
        return (
            shown if self.unit == "count" else f"{shown}\N{NO-BREAK SPACE}{_UNITS[self.unit][lang]}"
        )


@dataclass(frozen=True)
class AppealStatistics:
    """The national appeal figures of one period."""

    period: int
    total: Decimal
    previous_period: str | None
    previous_total: Decimal | None
    cgo_share_pct: Decimal | None
    mio_share_pct: Decimal | None
    by_type: tuple[Share, ...]
    by_form: tuple[Share, ...]
    by_applicant_kind: tuple[Share, ...]
    top_topics: tuple[Share, ...]
    top_bodies: tuple[Share, ...]


def _share(
    figures: dict[str, Figure],
    section: str,
    key: str,
    prefix: str,
) -> Share | None:
    share = figures.get(f"{prefix}_{key}_share_pct")
    count = figures.get(f"{prefix}_{key}_count_rounded") or figures.get(f"{prefix}_{key}_count")
    if count is None:
        return None
    previous = figures.get(f"{prefix}_{key}_share_pct_2024")
    unit = count.unit if count.unit in _SCALE else "count"
    return Share(
        key,
        Text.model_validate(openness_texts()[section][key]),
        count.value * _SCALE[unit],
        unit,
        share.value if share else None,
        previous.value if previous else None,
    )


def _body_label(body: Body) -> Text:
    """A body as the report's prose names it (short for central bodies, full for akimats)."""
    if body.level is Level.CGO:
        return Text(ru=body.short_ru, kk=body.short_kk, en=body.short_en)
    return Text(ru=body.name("ru"), kk=body.name("kk"), en=body.name("en"))


def _published_bodies(figures: dict[str, Figure], registry: BodyRegistry) -> tuple[Share, ...]:
    shares = []
    for body in registry:
        share = figures.get(f"appeals_{body.code}_share_pct")
        count = figures.get(f"appeals_{body.code}_count_rounded")
        if share is None or count is None:
            continue
        unit = count.unit if count.unit in _SCALE else "count"
        shares.append(
            Share(body.code, _body_label(body), count.value * _SCALE[unit], unit, share.value)
        )
    return tuple(sorted(shares, key=lambda s: (-(s.share_pct or 0), s.key)))


def published_statistics(
    period: int, registry: BodyRegistry | None = None
) -> AppealStatistics | None:
    """The published figures of ``period``, or None when no report of it ships."""
    stats = period_statistics(period)
    if stats is None or "appeals_total" not in stats.appeals:
        return None
    figures = stats.appeals

    def shares(section: str, prefix: str) -> tuple[Share, ...]:
        found = (_share(figures, section, key, prefix) for key in openness_texts()[section])
        return tuple(s for s in found if s is not None)

    previous = figures.get(f"appeals_total_{period - 1}")
    cgo = figures.get("appeals_cgo_share_pct")
    mio = figures.get("appeals_mio_share_pct")
    return AppealStatistics(
        period=period,
        total=figures["appeals_total"].value,
        previous_period=str(period - 1) if previous else None,
        previous_total=previous.value if previous else None,
        cgo_share_pct=cgo.value if cgo else None,
        mio_share_pct=mio.value if mio else None,
        by_type=shares("appeal_types", "appeals"),
        by_form=shares("appeal_forms", "appeals"),
        by_applicant_kind=shares("applicant_kinds", "applicants"),
        top_topics=shares("topics", "topic"),
        top_bodies=_published_bodies(figures, registry or load_bodies()),
    )


@cache
def _topic_names() -> dict[str, Text]:
    text = resources.files("ashyq.synth").joinpath("topics.yaml").read_text("utf-8")
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    return {topic["code"]: Text.model_validate(topic["name"]) for topic in data["topics"]}


def _choice_labels(field: str) -> dict[str, Text]:
    return {
        choice.code: Text(ru=choice.ru, kk=choice.kk, en=choice.en)
        for choice in APPEALS.field(field).choices
    }


def _counted(shares: tuple[CountedShare, ...], labels: dict[str, Text]) -> tuple[Share, ...]:
    return tuple(
        Share(
            s.key,
            labels.get(s.key, Text(ru=s.key, kk=s.key, en=s.key)),
            Decimal(s.count),
            "count",
            s.share_pct,
        )
        for s in shares
    )


def computed_statistics(
    stats: NationalStats, registry: BodyRegistry | None = None
) -> AppealStatistics:
    """The national statistics computed from a period's stored appeals, exact counts."""
    registry = registry or load_bodies()
    levels = {s.key: s.share_pct for s in stats.by_level}
    bodies = {body.code: _body_label(body) for body in registry}
    return AppealStatistics(
        period=int(stats.period[:4]),
        total=Decimal(stats.total),
        previous_period=stats.previous_period if stats.previous_total else None,
        previous_total=Decimal(stats.previous_total) if stats.previous_total else None,
        cgo_share_pct=levels.get(Level.CGO.value),
        mio_share_pct=levels.get(Level.MIO.value),
        by_type=_counted(stats.by_type, _choice_labels("appeal_type")),
        by_form=_counted(stats.by_form, _choice_labels("form")),
        by_applicant_kind=_counted(stats.by_applicant_kind, _choice_labels("applicant_kind")),
        top_topics=_counted(stats.top_topics, _topic_names()),
        top_bodies=_counted(stats.top_bodies, bodies),
    )
