"""``ashyq monitoring``: the answers of the public monitoring, imported, and their
statistics: rankings, changes against the previous year, scale bands, barriers, the trend."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from rich.console import Console
from rich.table import Table

from ashyq.bodies import load_bodies
from ashyq.cli.common import (
    INGEST_PATHS_HELP,
    fail,
    ingest_files,
    json_text,
    period_or_exit,
    resolve_lang,
    write_output,
)
from ashyq.cli.options import LangOption, OutOption, format_option, year_option
from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import figure, number
from ashyq.monitoring.bodies import load_monitored_bodies
from ashyq.monitoring.figures import (
    GROUPINGS,
    NoSurveyError,
    YearFigures,
    open_survey,
    trend,
    year_figures,
)
from ashyq.monitoring.model import KINDS
from ashyq.monitoring.names import band_names, group_names
from ashyq.monitoring.published import load_published_monitoring

app = typer.Typer(
    help="Public monitoring: import survey answers, rankings, changes, barriers and trend.",
    no_args_is_help=True,
)

YearOption = Annotated[int, year_option("The survey year (2025).")]

_EVALUATED = N_("evaluated")
_MONITORED = N_("monitored only")


@app.command("import")
def import_command(
    paths: Annotated[list[Path], typer.Argument(help=INGEST_PATHS_HELP)],
    year: YearOption,
    lang: LangOption = None,
) -> None:
    """Validate survey answers and merge them into the store; quarantine the rejected ones."""
    ingest_files(paths, period_or_exit(str(year)), KINDS, None, resolve_lang(lang))


@app.command("bodies")
def bodies_command(lang: LangOption = None) -> None:
    """The monitored bodies: the 49 evaluated bodies and the other central bodies rated."""
    chosen = resolve_lang(lang)
    evaluated = load_bodies()
    table = Table("code", "level", "", "name")
    for body in load_monitored_bodies():
        status = _EVALUATED if body.code in evaluated else _MONITORED
        table.add_row(body.code, body.level.value, translate(status, chosen), body.short(chosen))
    console, buffer = _console()
    console.print(table)
    write_output(buffer.getvalue().encode("utf-8"), None)


FormatOption = Annotated[str, format_option("table", "csv", "json")]

_NO_YEAR = N_(
    "No survey answers are stored for {year}; run «ashyq monitoring import FILE --year "
    "{year}» first (synthetic answers: «ashyq synth survey --year {year}»)"
)
_NO_YEARS = N_(
    "No survey answers are stored; run «ashyq monitoring import FILE --year YEAR» first "
    "(synthetic answers: «ashyq synth survey --year 2016-2025»)"
)
_NO_PREVIOUS = N_("No answers are stored for {year}: no changes against it")
_NATIONAL = N_(
    "Public monitoring {year}: average {average} (95% CI {low}-{high}), satisfaction "
    "{satisfaction}% ({satisfaction_low}-{satisfaction_high}), {band}; {answers} answers "
    "of {respondents} respondents"
)
_CHANGE = N_("Change against {year}: {average} points, {satisfaction} pp")
_HEADERS: Final = {
    "rank": N_("rank"),
    "key": N_("code"),
    "name": N_("name"),
    "answers": N_("answers"),
    "average": N_("average"),
    "interval": N_("95% CI"),
    "satisfaction": N_("satisfied, %"),
    "band": N_("band"),
    "change_average": N_("change, points"),
    "change_satisfaction": N_("change, pp"),
    "year": N_("year"),
    "kind": N_("kind"),
    "barrier": N_("barrier"),
    "share": N_("named by, %"),
}
_KINDS: Final = {"administrative": N_("administrative"), "technical": N_("technical")}
_ANY_OF_KIND: Final = {
    "administrative": N_("any administrative barrier"),
    "technical": N_("any technical barrier"),
    "any": N_("any barrier"),
}
_MACHINE_COLUMNS: Final = (
    "rank",
    "key",
    "name",
    "answers",
    "weight_sum",
    "average",
    "average_low",
    "average_high",
    "satisfaction_pct",
    "satisfaction_low_pct",
    "satisfaction_high_pct",
    "effective_n",
    "band",
    "previous_average",
    "previous_satisfaction_pct",
    "change_average",
    "change_satisfaction_pp",
)
_TREND_COLUMNS: Final = (
    "year",
    "answers",
    "average",
    "average_low",
    "average_high",
    "satisfaction_pct",
    "satisfaction_low_pct",
    "satisfaction_high_pct",
    "band",
    "change_average",
    "change_satisfaction_pp",
)


def _figure_cells(row: dict[str, Any], bands: dict[str, str], lang: Lang) -> list[str]:
    """A row's answers, average with its interval, satisfaction, band and changes, as the
    tables print them."""
    interval = f"{figure(row['average_low'], 2, lang)}-{figure(row['average_high'], 2, lang)}"
    return [
        number(row["answers"], lang),
        figure(row["average"], 2, lang),
        interval,
        figure(row["satisfaction_pct"], 1, lang),
        bands[row["band"]],
        figure(row["change_average"], 2, lang, signed=True),
        figure(row["change_satisfaction_pp"], 1, lang, signed=True),
    ]


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> bytes:
    """``rows`` as CSV with a header of ``columns``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _machine(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """A row for CSV and JSON: floats to six decimals, dot decimal."""
    return {
        column: round(row[column], 6) if isinstance(row.get(column), float) else row.get(column)
        for column in columns
    }


def _figures_or_exit(year: int, by: str, lang: Lang) -> YearFigures:
    if by not in GROUPINGS:
        fail(f"--by {by}: use one of {', '.join(GROUPINGS)}", code=2)
    try:
        return year_figures(open_survey(), year, by)
    except NoSurveyError:
        fail(translate(_NO_YEAR, lang, year=year), code=2)


def _barrier_rows(figures: YearFigures, lang: Lang) -> list[dict[str, Any]]:
    """One row per barrier, the most named first, then the shares naming any barrier of
    each kind and any barrier at all (``kind`` empty)."""
    rows: list[dict[str, Any]] = [
        {
            "code": barrier.code,
            "kind": barrier.kind,
            "name": barrier.name[lang],
            "share_pct": figures.barriers[f"{barrier.code}_pct"],
        }
        for barrier in load_published_monitoring().barriers
    ]
    rows.sort(key=lambda row: -row["share_pct"])
    for kind, label in _ANY_OF_KIND.items():
        rows.append(
            {
                "code": kind,
                "kind": "",
                "name": translate(label, lang),
                "share_pct": figures.barriers[f"{kind}_pct"],
            }
        )
    return rows


def _console() -> tuple[Console, io.StringIO]:
    """A console writing plain text (no colours) to a buffer, wide enough for the tables."""
    buffer = io.StringIO()
    return Console(file=buffer, width=140, color_system=None, highlight=False), buffer


def _stats_text(figures: YearFigures, lang: Lang) -> str:
    console, buffer = _console()
    national = figures.national
    bands = band_names(lang)
    console.print(
        translate(
            _NATIONAL,
            lang,
            year=figures.year,
            average=figure(national["average"], 2, lang),
            low=figure(national["average_low"], 2, lang),
            high=figure(national["average_high"], 2, lang),
            satisfaction=figure(national["satisfaction_pct"], 1, lang),
            satisfaction_low=figure(national["satisfaction_low_pct"], 1, lang),
            satisfaction_high=figure(national["satisfaction_high_pct"], 1, lang),
            band=bands[national["band"]],
            answers=number(national["answers"], lang),
            respondents=number(national["respondents"], lang),
        )
    )
    if figures.previous is None:
        console.print(translate(_NO_PREVIOUS, lang, year=figures.year - 1))
    else:
        console.print(
            translate(
                _CHANGE,
                lang,
                year=figures.previous,
                average=figure(national["change_average"], 2, lang, signed=True),
                satisfaction=figure(national["change_satisfaction_pp"], 1, lang, signed=True),
            )
        )
    name = group_names(figures.by, lang)
    keys: tuple[str, ...] = ("rank", "key", "name", "answers", "average", "interval")
    keys += ("satisfaction", "band", "change_average", "change_satisfaction")
    table = Table(*(translate(_HEADERS[key], lang) for key in keys))
    for row in figures.rows:
        table.add_row(
            str(row["rank"]),
            row["key"],
            name(row["key"]),
            *_figure_cells(row, bands, lang),
        )
    console.print(table)
    barriers = Table(*(translate(_HEADERS[key], lang) for key in ("kind", "barrier", "share")))
    for row in _barrier_rows(figures, lang):
        kind = _KINDS.get(row["kind"])
        barriers.add_row(
            translate(kind, lang) if kind else "",
            row["name"],
            figure(row["share_pct"], 1, lang),
        )
    console.print(barriers)
    return buffer.getvalue()


@app.command("stats")
def stats_command(
    year: YearOption,
    by: Annotated[
        str, typer.Option("--by", help="Rank body, service, region or channel.")
    ] = "body",
    output_format: FormatOption = "table",
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """A year's figures: the nation's, the ranking with changes against the year before,
    scale bands and the barriers named."""
    chosen = resolve_lang(lang)
    figures = _figures_or_exit(year, by, chosen)
    name = group_names(by, chosen)
    rows = [_machine({**row, "name": name(row["key"])}, _MACHINE_COLUMNS) for row in figures.rows]
    if output_format == "table":
        write_output(_stats_text(figures, chosen).encode("utf-8"), out)
    elif output_format == "csv":
        write_output(_csv(rows, _MACHINE_COLUMNS), out)
    else:
        national_columns = (*_MACHINE_COLUMNS[3:], "respondents")
        payload = {
            "year": figures.year,
            "by": by,
            "previous_year": figures.previous,
            "national": _machine(figures.national, national_columns),
            "rows": rows,
            "barriers": [
                {**row, "share_pct": round(row["share_pct"], 6)}
                for row in _barrier_rows(figures, chosen)
            ],
        }
        write_output((json_text(payload) + "\n").encode("utf-8"), out)


@app.command("trend")
def trend_command(
    output_format: FormatOption = "table",
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """The nation's average and satisfaction of every stored year, with the changes."""
    chosen = resolve_lang(lang)
    data = open_survey()
    try:
        table = data.con.to_pyarrow(trend(data))
    except NoSurveyError:
        fail(translate(_NO_YEARS, chosen), code=2)
    rows = [
        _machine({**row, "year": int(row["period"])}, _TREND_COLUMNS) for row in table.to_pylist()
    ]
    if output_format == "csv":
        write_output(_csv(rows, _TREND_COLUMNS), out)
        return
    if output_format == "json":
        write_output((json_text(rows) + "\n").encode("utf-8"), out)
        return
    bands = band_names(chosen)
    keys: tuple[str, ...] = ("year", "answers", "average", "interval", "satisfaction", "band")
    keys += ("change_average", "change_satisfaction")
    shown = Table(*(translate(_HEADERS[key], chosen) for key in keys))
    for row in rows:
        shown.add_row(
            str(row["year"]),
            *_figure_cells(row, bands, chosen),
        )
    console, buffer = _console()
    console.print(shown)
    write_output(buffer.getvalue().encode("utf-8"), out)
