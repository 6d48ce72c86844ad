"""``ashyq report``: the agency's documents in Russian, Kazakh and English.

``openness`` writes the annual Openness Index report, ``compendium`` the compendium of
typical violations in public services from the stored records of a period. The format is
any registered report renderer (html, pdf, docx, xlsx); ``--lang all`` and ``--format
all`` write every combination into the folder ``--out``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ashyq.cli.common import (
    fail,
    fail_input,
    resolve_lang,
    stored_services_or_exit,
    write_reports,
)
from ashyq.cli.options import ReportLangOption, format_option, period_option, year_option
from ashyq.errors import InputError
from ashyq.i18n import LANGUAGES, N_, Lang, translate
from ashyq.reports.model import Report
from ashyq.reports.render import REPORT_RENDERERS

if TYPE_CHECKING:  # the builders load Matplotlib; commands import them when they run
    from ashyq.reports.openness import OpennessData
__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Generate the agency's reports.")

EvaluatedYearOption = Annotated[int, year_option("The evaluated year, e.g. 2025.", "--period")]
FormatOption = Annotated[str, format_option(*REPORT_RENDERERS, "all")]
ReportOutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="The file to write; a folder with --lang all or --format all "
        "(default: the current folder).",
    ),
]


InputOption = Annotated[
    Path | None,
    typer.Option(
        "--input",
        help="Compute from this index input file instead of the period's published results.",
    ),
]
PreviousOption = Annotated[
    Path | None,
    typer.Option("--previous", help="The previous period's results (CSV, XLSX or JSON)."),
]


def _openness_data(
    period: int, input_file: Path | None, previous: Path | None, lang: Lang
) -> OpennessData:
    """The period's published results, or those computed from ``input_file``; exits on a
    bad file (status 2, every problem named) or an unknown period (status 1)."""
    from ashyq.reports.sources import computed_openness, published_openness

    if previous is not None and input_file is None:
        fail(translate(N_("--previous needs --input."), lang))
    try:
        if input_file is not None:
            return computed_openness(period, input_file, previous_path=previous)
        return published_openness(period)
    except InputError as error:
        fail_input(error, lang)
    except LookupError as error:
        fail(str(error))


@dataclass(frozen=True)
class _Chosen:
    """What a report command was asked for: the languages and formats to write, where,
    and the language of its messages."""

    langs: list[Lang]
    formats: list[str]
    out: Path | None
    message_lang: Lang

    def write(self, build: Callable[[Lang], Report], stem: str) -> None:
        write_reports(build, stem, self.langs, self.formats, self.out, self.message_lang)


def _choices(lang: str | None, output_format: str, out: Path | None) -> _Chosen:
    """The languages and formats to write (``all`` for every one), and the language of
    messages: the one language written, else the setting's."""
    langs = list(LANGUAGES) if lang == "all" else [resolve_lang(lang)]
    message_lang = langs[0] if len(langs) == 1 else resolve_lang(None)
    formats = list(REPORT_RENDERERS) if output_format == "all" else [output_format]
    return _Chosen(langs, formats, out, message_lang)


@app.command("openness")
def openness_command(
    period: EvaluatedYearOption,
    lang: ReportLangOption = None,
    output_format: FormatOption = "pdf",
    out: ReportOutOption = None,
    input_file: InputOption = None,
    previous: PreviousOption = None,
) -> None:
    """The annual Openness Index report of a period."""
    from ashyq.reports.openness import build_openness_report

    chosen = _choices(lang, output_format, out)
    data = _openness_data(period, input_file, previous, chosen.message_lang)
    chosen.write(lambda each: build_openness_report(data, each), f"openness-{period}")


@app.command("compendium")
def compendium_command(
    period: Annotated[str, period_option("The period of the stored records: 2025 or 2025H1.")],
    lang: ReportLangOption = None,
    output_format: FormatOption = "pdf",
    out: ReportOutOption = None,
) -> None:
    """The compendium of typical violations found in the stored public-service records."""
    from ashyq.reports.compendium import build_compendium, collect_compendium

    chosen = _choices(lang, output_format, out)
    data = stored_services_or_exit(period, chosen.message_lang)
    try:
        facts = collect_compendium(data)
    except LookupError as error:
        fail(str(error), code=2)
    chosen.write(lambda each: build_compendium(facts, each), f"compendium-{data.period.name}")


@app.command("monitoring")
def monitoring_command(
    year: Annotated[int, year_option("The survey year, e.g. 2025.")],
    lang: ReportLangOption = None,
    output_format: FormatOption = "pdf",
    out: ReportOutOption = None,
) -> None:
    """The report on a year of public monitoring, from the stored survey answers."""
    from ashyq.monitoring.figures import NoSurveyError, open_survey
    from ashyq.reports.monitoring import build_monitoring_report, monitoring_data

    chosen = _choices(lang, output_format, out)
    try:
        data = monitoring_data(open_survey(), year)
    except NoSurveyError:
        fail(translate(_NO_SURVEY, chosen.message_lang, year=year), code=2)
    chosen.write(lambda each: build_monitoring_report(data, each), f"monitoring-{year}")


# The message of «ashyq monitoring stats» for the same case (one catalogue entry).
_NO_SURVEY = N_(
    "No survey answers are stored for {year}; run «ashyq monitoring import FILE --year "
    "{year}» first (synthetic answers: «ashyq synth survey --year {year}»)"
)


@app.command("scorecard")
def scorecard_command(
    body: Annotated[str, typer.Argument(help="The body: its code, abbreviation or name.")],
    period: EvaluatedYearOption,
    lang: ReportLangOption = None,
    output_format: FormatOption = "pdf",
    out: ReportOutOption = None,
    input_file: InputOption = None,
    previous: PreviousOption = None,
) -> None:
    """One body's scorecard: scores against the maximum and its level's median, dynamics,
    points lost and the way to the next grade; a roadmap draft for a low-rated body."""
    from ashyq.bodies import UnknownBodyError, load_bodies
    from ashyq.reports.scorecard import build_scorecard

    chosen = _choices(lang, output_format, out)
    try:
        code = load_bodies().resolve(body).code
    except UnknownBodyError as error:
        fail(str(error))
    data = _openness_data(period, input_file, previous, chosen.message_lang)
    chosen.write(
        lambda each: build_scorecard(
            data.result, code, each, period=period, previous=data.previous
        ),
        f"scorecard-{period}-{code}",
    )
