"""The report on a year of public monitoring (seed 001's figures, computed from the stored
answers): the nation's average and satisfaction with their changes, the trend of every
stored year, the ranking of bodies and of services with their scale bands and changes in
percentage points, the channels and the barriers; for the year the agency published, its
figures next to the computed ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import figure, number
from ashyq.monitoring.figures import SurveyStore, YearFigures, trend, year_groupings
from ashyq.monitoring.names import band_names, group_names
from ashyq.monitoring.published import PublishedMonitoring, load_published_monitoring
from ashyq.monitoring.stats import scale_bands
from ashyq.reports.model import (
    BulletList,
    Cell,
    Chart,
    Column,
    Heading,
    LevelRule,
    Paragraph,
    Report,
    Table,
)

__all__ = [
    "BAND_LEVELS",
    "MonitoringData",
    "build_monitoring_report",
    "monitoring_data",
]

# The colour of each scale band, as the other reports colour levels.
BAND_LEVELS = {"very_high": "high", "above_average": "medium", "average_or_lower": "low"}

_TITLE = N_("Public monitoring of the quality of public services")
_SUBTITLE = N_("Results of {year}")
_NATIONAL = N_("The nation")
_LEAD = N_(
    "In {year} service recipients gave an average score of {average} out of 5 ({band}); "
    "{satisfaction}% were satisfied (the highest score). {answers} answers of {respondents} "
    "respondents, weighted by the survey weights."
)
_CHANGE = N_(
    "Against {previous}: the average changed by {average} points, satisfaction by {pp} "
    "percentage points."
)
_NO_PREVIOUS = N_("The store holds no survey of {previous}: no changes are shown.")
_INTERVALS = N_(
    "95% confidence intervals: average {average_low}-{average_high}, satisfaction "
    "{satisfaction_low}-{satisfaction_high}%."
)
_PUBLISHED = N_("Computed and published figures")
_PUBLISHED_LEAD = N_(
    "The agency published the {year} figures in its report on the public monitoring; the "
    "computed ones come from the stored answers."
)
_TREND = N_("Trend")
_TREND_CAPTION = N_("Average score and satisfaction by year")
_TREND_CHART = N_("Average score by year")
_TREND_ALT = N_("A line of the national average score for each stored year.")
_BODIES = N_("Ranking of government bodies")
_BODIES_CAPTION = N_("Bodies by average score, {year}")
_BODIES_CHART = N_("Average score of each body, {year}")
_BODIES_ALT = N_("Horizontal bars of each body's average score, coloured by scale band.")
_SERVICES = N_("Ranking of public services")
_SERVICES_CAPTION = N_("Services by average score, {year}")
_SERVICES_CHART = N_("The ten best and ten weakest services, {year}")
_SERVICES_ALT = N_("Horizontal bars of the average score of the best and weakest services.")
_CHANNELS = N_("Channels")
_CHANNELS_CAPTION = N_("Average score and satisfaction by channel, {year}")
_BARRIERS = N_("Barriers to the highest score")
_BARRIERS_CAPTION = N_("Answers naming each barrier, {year}")
_BARRIERS_LEAD = N_(
    "{any}% of the answers named at least one barrier: administrative {administrative}%, "
    "technical {technical}%."
)
_ADMINISTRATIVE = N_("administrative")
_TECHNICAL = N_("technical")
_SCALE = N_("How the figures are computed")
_SCALE_ITEMS = (
    N_("Average: the sum of weight × score over the sum of the weights."),
    N_("Satisfaction: the weighted share of answers with the highest score, 5."),
    N_(
        "Ranks: by average, ties by satisfaction, as printed (two decimals, one decimal); "
        "equal printed figures share a rank."
    ),
    N_(
        "Changes: this year's figure minus the previous year's, in points of average and "
        "in percentage points of satisfaction."
    ),
)
_BAND_RULE = N_("Scale band «{name}»: {rule}.")
_ABOVE = N_("above {bound}")
_FROM = N_("from {bound}")
_BELOW = N_("below the bands above")

_FIGURE_COLUMNS = (N_("Figure"), N_("Published"), N_("Computed"))
_AVERAGE = N_("Average score")
_SATISFACTION = N_("Satisfaction, %")
_RANK_COLUMNS = (
    N_("Rank"),
    N_("Answers"),
    N_("Average score"),
    N_("95% interval"),
    N_("Satisfaction, %"),
    N_("Change, points"),
    N_("Change, pp"),
    N_("Scale band"),
)
_TREND_COLUMNS = (
    N_("Year"),
    N_("Answers"),
    N_("Average score"),
    N_("Satisfaction, %"),
    N_("Change, points"),
    N_("Change, pp"),
)
_BARRIER_COLUMNS = (N_("Barrier"), N_("Kind"), N_("Answers naming it, %"))


@dataclass(frozen=True)
class MonitoringData:
    """What the report of a survey year is built from."""

    year: int
    bodies: YearFigures
    services: YearFigures
    channels: YearFigures
    regions: YearFigures
    trend: list[dict[str, Any]]
    published: PublishedMonitoring | None

    def grouped(self, by: str) -> YearFigures:
        """The figures grouped by ``by``: body, service, channel or region."""
        groups = {
            "body": self.bodies,
            "service": self.services,
            "channel": self.channels,
            "region": self.regions,
        }
        return groups[by]


def monitoring_data(survey: SurveyStore, year: int) -> MonitoringData:
    """The figures of ``year`` from the stored answers; NoSurveyError when not stored."""
    published = load_published_monitoring()
    groups = year_groupings(survey, year, ("body", "service", "channel", "region"))
    # The store names a period by its text ("2025"); the report counts years.
    rows = [
        {**row, "period": int(row["period"])}
        for row in survey.con.to_pyarrow(trend(survey)).to_pylist()
    ]
    return MonitoringData(
        year=year,
        bodies=groups["body"],
        services=groups["service"],
        channels=groups["channel"],
        regions=groups["region"],
        trend=rows,
        published=published if published.period == year else None,
    )


def _decimal(value: float | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _cell(value: float | None, places: int, lang: Lang, signed: bool = False) -> Cell:
    return Cell(figure(value, places, lang, signed=signed), _decimal(value, places))


def _band_cell(band: str, lang: Lang) -> Cell:
    return Cell(band_names(lang).get(band, band), band, BAND_LEVELS.get(band))


def _rank_rows(
    figures: YearFigures, name: Callable[[str], str], lang: Lang
) -> tuple[tuple[Cell, ...], ...]:
    rows = []
    for row in figures.rows:
        interval = f"{figure(row['average_low'], 2, lang)}-{figure(row['average_high'], 2, lang)}"
        rows.append(
            (
                Cell(str(row["rank"]), int(row["rank"])),
                Cell(name(str(row["key"])), str(row["key"])),
                Cell(number(int(row["answers"]), lang), int(row["answers"])),
                _cell(row["average"], 2, lang),
                Cell(interval),
                _cell(row["satisfaction_pct"], 1, lang),
                _cell(row["change_average"], 2, lang, signed=True),
                _cell(row["change_satisfaction_pp"], 1, lang, signed=True),
                _band_cell(str(row["band"]), lang),
            )
        )
    return tuple(rows)


def _rank_columns(first: str, lang: Lang) -> tuple[Column, ...]:
    titles = [translate(t, lang) for t in _RANK_COLUMNS]
    band_rules = tuple(
        LevelRule(BAND_LEVELS[band_id], "==", name) for band_id, name in band_names(lang).items()
    )
    return (
        Column(titles[0], "integer"),
        Column(first),
        Column(titles[1], "integer"),
        Column(titles[2], "number", 2),
        Column(titles[3]),
        Column(titles[4], "number", 1),
        Column(titles[5], "number", 2),
        Column(titles[6], "number", 1),
        Column(titles[7], "label", rules=band_rules),
    )


def _charts(data: MonitoringData, lang: Lang) -> list[Chart]:
    from ashyq.reports.charts import horizontal_bars, line_chart

    year = data.year
    charts = []
    if len(data.trend) > 1:
        charts.append(
            line_chart(
                "trend",
                translate(_TREND_CHART, lang),
                translate(_TREND_ALT, lang),
                [str(row["period"]) for row in data.trend],
                [
                    (
                        translate(_AVERAGE, lang),
                        [_decimal(row["average"], 2) for row in data.trend],
                    )
                ],
                lang=lang,
            )
        )
    bodies = data.bodies.rows
    charts.append(
        horizontal_bars(
            "bodies",
            translate(_BODIES_CHART, lang, year=year),
            translate(_BODIES_ALT, lang),
            [group_names("body", lang)(str(r["key"])) for r in bodies],
            [_decimal(r["average"], 2) or Decimal(0) for r in bodies],
            [BAND_LEVELS.get(str(r["band"])) for r in bodies],
            lang=lang,
            minimum=Decimal(4),
            maximum=Decimal(5),
        )
    )
    services = data.services.rows
    chosen = services if len(services) <= 20 else [*services[:10], *services[-10:]]
    charts.append(
        horizontal_bars(
            "services",
            translate(_SERVICES_CHART, lang, year=year),
            translate(_SERVICES_ALT, lang),
            [group_names("service", lang)(str(r["key"])) for r in chosen],
            [_decimal(r["average"], 2) or Decimal(0) for r in chosen],
            [BAND_LEVELS.get(str(r["band"])) for r in chosen],
            lang=lang,
            minimum=Decimal(4),
            maximum=Decimal(5),
        )
    )
    return charts


def _published_table(data: MonitoringData, lang: Lang) -> Table | None:
    published = data.published
    if published is None:
        return None
    national = data.bodies.national
    titles = [translate(t, lang) for t in _FIGURE_COLUMNS]
    rows = [
        (
            Cell(translate(_AVERAGE, lang)),
            Cell(number(published.national["average"], lang, 2), published.national["average"]),
            _cell(national["average"], 2, lang),
        ),
        (
            Cell(translate(_SATISFACTION, lang)),
            Cell(
                number(published.national["satisfaction_pct"], lang, 1),
                published.national["satisfaction_pct"],
            ),
            _cell(national["satisfaction_pct"], 1, lang),
        ),
    ]
    columns = (Column(titles[0]), Column(titles[1], "number", 2), Column(titles[2], "number", 2))
    return Table("published", translate(_PUBLISHED, lang), columns, tuple(rows))


def _scale_items(lang: Lang) -> Sequence[str]:
    items = [translate(item, lang) for item in _SCALE_ITEMS]
    for band in scale_bands():
        if band.lower is None:
            rule = translate(_BELOW, lang)
        else:
            bound = number(band.lower, lang, 2)
            rule = translate(_FROM if band.inclusive else _ABOVE, lang, bound=bound)
        items.append(translate(_BAND_RULE, lang, name=band.name[lang], rule=rule))
    return items


def build_monitoring_report(data: MonitoringData, lang: Lang) -> Report:
    """The report on ``data``'s year in ``lang``."""
    year = data.year
    published = data.published or load_published_monitoring()
    report = Report(
        kind="monitoring",
        lang=lang,
        title=translate(_TITLE, lang),
        subtitle=translate(_SUBTITLE, lang, year=year),
        footer=f"{translate(_TITLE, lang)} · {year}",
        cover=False,
    )
    national = data.bodies.national
    band = band_names(lang).get(str(national["band"]), str(national["band"]))
    report.add(Heading(translate(_NATIONAL, lang), 1, "national"))
    report.add(
        Paragraph(
            translate(
                _LEAD,
                lang,
                year=year,
                average=figure(national["average"], 2, lang),
                band=band,
                satisfaction=figure(national["satisfaction_pct"], 1, lang),
                answers=number(int(national["answers"]), lang),
                respondents=number(int(national["respondents"]), lang),
            ),
            "lead",
        )
    )
    if data.bodies.previous is not None:
        change = _cell(national["change_average"], 2, lang, signed=True).text
        pp = _cell(national["change_satisfaction_pp"], 1, lang, signed=True).text
        report.add(
            Paragraph(
                translate(_CHANGE, lang, previous=data.bodies.previous, average=change, pp=pp)
            )
        )
    else:
        report.add(Paragraph(translate(_NO_PREVIOUS, lang, previous=year - 1)))
    report.add(
        Paragraph(
            translate(
                _INTERVALS,
                lang,
                average_low=figure(national["average_low"], 2, lang),
                average_high=figure(national["average_high"], 2, lang),
                satisfaction_low=figure(national["satisfaction_low_pct"], 1, lang),
                satisfaction_high=figure(national["satisfaction_high_pct"], 1, lang),
            )
        )
    )
    table = _published_table(data, lang)
    if table is not None:
        report.add(Paragraph(translate(_PUBLISHED_LEAD, lang, year=year)), table)

    charts = {chart.key: chart for chart in _charts(data, lang)}

    report.add(Heading(translate(_TREND, lang), 1, "trend"))
    if "trend" in charts:
        report.add(charts["trend"])
    trend_titles = [translate(t, lang) for t in _TREND_COLUMNS]
    report.add(
        Table(
            "trend",
            translate(_TREND_CAPTION, lang),
            (
                Column(trend_titles[0], "integer"),
                Column(trend_titles[1], "integer"),
                Column(trend_titles[2], "number", 2),
                Column(trend_titles[3], "number", 1),
                Column(trend_titles[4], "number", 2),
                Column(trend_titles[5], "number", 1),
            ),
            tuple(
                (
                    Cell(str(row["period"]), int(row["period"])),
                    Cell(number(int(row["answers"]), lang), int(row["answers"])),
                    _cell(row["average"], 2, lang),
                    _cell(row["satisfaction_pct"], 1, lang),
                    _cell(row["change_average"], 2, lang, signed=True),
                    _cell(row["change_satisfaction_pp"], 1, lang, signed=True),
                )
                for row in data.trend
            ),
        )
    )

    body_title = translate(N_("Body"), lang)
    report.add(Heading(translate(_BODIES, lang), 1, "bodies"), charts["bodies"])
    report.add(
        Table(
            "bodies",
            translate(_BODIES_CAPTION, lang, year=year),
            _rank_columns(body_title, lang),
            _rank_rows(data.bodies, group_names("body", lang), lang),
        )
    )
    service_title = translate(N_("Service"), lang)
    report.add(Heading(translate(_SERVICES, lang), 1, "services"), charts["services"])
    report.add(
        Table(
            "services",
            translate(_SERVICES_CAPTION, lang, year=year),
            _rank_columns(service_title, lang),
            _rank_rows(data.services, group_names("service", lang), lang),
        )
    )
    report.add(Heading(translate(_CHANNELS, lang), 1, "channels"))
    report.add(
        Table(
            "channels",
            translate(_CHANNELS_CAPTION, lang, year=year),
            _rank_columns(translate(N_("Channel"), lang), lang),
            _rank_rows(data.channels, group_names("channel", lang), lang),
        )
    )

    shares = data.bodies.barriers
    report.add(Heading(translate(_BARRIERS, lang), 1, "barriers"))
    report.add(
        Paragraph(
            translate(
                _BARRIERS_LEAD,
                lang,
                any=figure(shares["any_pct"], 1, lang),
                administrative=figure(shares["administrative_pct"], 1, lang),
                technical=figure(shares["technical_pct"], 1, lang),
            )
        )
    )
    kinds = {"administrative": _ADMINISTRATIVE, "technical": _TECHNICAL}
    barrier_titles = [translate(t, lang) for t in _BARRIER_COLUMNS]
    report.add(
        Table(
            "barriers",
            translate(_BARRIERS_CAPTION, lang, year=year),
            (
                Column(barrier_titles[0]),
                Column(barrier_titles[1]),
                Column(barrier_titles[2], "number", 1),
            ),
            tuple(
                (
                    Cell(barrier.name[lang], barrier.code),
                    Cell(translate(kinds[barrier.kind], lang), barrier.kind),
                    _cell(shares[f"{barrier.code}_pct"], 1, lang),
                )
                for barrier in sorted(
                    published.barriers, key=lambda b: -float(shares[f"{b.code}_pct"])
                )
            ),
        )
    )
    report.add(Heading(translate(_SCALE, lang), 1, "method"), BulletList(tuple(_scale_items(lang))))
    return report
