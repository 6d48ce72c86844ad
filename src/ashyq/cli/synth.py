"""``ashyq synth``: synthetic data calibrated to the published figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from ashyq.cli.common import fail, methodology_or_exit, period_or_exit, resolve_lang
from ashyq.cli.options import LangOption, year_option
from ashyq.i18n import N_, Lang, translate
from ashyq.synth.appeals import synthesize_appeals
from ashyq.synth.services import LAYOUTS, synthesize_services
from ashyq.synth.survey import synthesize_survey
from ashyq.synth.survey_plan import CalibrationError

app = typer.Typer(help="Synthetic data calibrated to the published figures.", no_args_is_help=True)

_WROTE = N_("Wrote {rows} appeals of {bodies} bodies to {path}")
_UNREPRODUCED = N_("{body}: {indicator}: {reason}")
_WROTE_SURVEY = N_("Wrote {answers} answers of {respondents} respondents of {year} to {path}")
_WROTE_SERVICES = N_(
    "Wrote {deliveries} deliveries ({electronic} electronic) and {violations} planned "
    "violations to {path}"
)


SeedOption = Annotated[int, typer.Option("--seed", help="Same seed, same files.")]
FolderOption = Annotated[Path, typer.Option("--out", help="Folder for the files.")]


@app.command("appeals")
def appeals_command(
    year: Annotated[str, typer.Option("--year", help="The period to imitate (2025).")] = "2025",
    scale: Annotated[float, typer.Option("--scale", help="1.0 is the national year.")] = 1.0,
    seed: SeedOption = 0,
    out: FolderOption = Path("synth"),
    lang: LangOption = None,
) -> None:
    """A national year of appeals and bookings, with the authorities' other scores."""
    chosen = resolve_lang(lang)
    period = period_or_exit(year, chosen, option="--year")
    if scale <= 0:
        fail("--scale must be positive", code=2)
    methodology = methodology_or_exit(str(period.year))
    with Progress(transient=True) as progress:
        task = progress.add_task("synth", total=None)

        def on_body(body: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=body)

        try:
            result = synthesize_appeals(
                methodology, out, period=period, scale=scale, seed=seed, on_body=on_body
            )
        except LookupError as error:
            fail(str(error), code=2)
    typer.echo(translate(_WROTE, chosen, rows=result.rows, bodies=len(result.plans), path=out))
    for plan in result.plans:
        for indicator, reason in sorted(plan.unreproduced.items()):
            typer.echo(
                translate(
                    _UNREPRODUCED, chosen, body=plan.body, indicator=indicator, reason=reason
                ),
                err=True,
            )


@app.command("services")
def services_command(
    year: Annotated[int, year_option("The year to imitate (2025).")] = 2025,
    scale: Annotated[float, typer.Option("--scale", help="1.0 is the national year.")] = 1.0,
    seed: SeedOption = 0,
    out: FolderOption = Path("synth"),
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            help="import: files for «ashyq services ingest»; monthly: the same, with the "
            "deliveries in twelve files by month; store: a data home to use as "
            "ASHYQ_HOME directly, without the ingest (11 minutes for the national year).",
        ),
    ] = "import",
    lang: LangOption = None,
) -> None:
    """A year of public-service deliveries with the registry, staff, leave and findings,
    calibrated to the published 2025 figures (seed 000)."""
    chosen = resolve_lang(lang)
    if scale <= 0:
        fail("--scale must be positive", code=2)
    if layout not in LAYOUTS:
        fail(f"--layout {layout}: use {', '.join(LAYOUTS)}", code=2)
    with Progress(transient=True) as progress:
        task = progress.add_task("synth", total=None)

        def on_body(body: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=body)

        result = synthesize_services(
            year,
            scale,
            seed,
            out,
            layout=next(known for known in LAYOUTS if known == layout),
            on_body=on_body,
        )
    typer.echo(
        translate(
            _WROTE_SERVICES,
            chosen,
            deliveries=result.deliveries,
            electronic=result.electronic,
            violations=sum(result.planned_by_type.values()),
            path=out,
        )
    )


_BAD_YEARS = N_("--year {found}: expected a year (2025) or years (2016-2025)")
_YEARS_REVERSED = N_("--year {found}: the first year is after the last")


def _years(text: str, lang: Lang) -> list[int]:
    """``2025`` or ``2016-2025``; exits with status 2 otherwise."""
    first, _, last = text.partition("-")
    try:
        years = list(range(int(first), int(last or first) + 1))
    except ValueError:
        fail(translate(_BAD_YEARS, lang, found=text), code=2)
    if not years:
        fail(translate(_YEARS_REVERSED, lang, found=text), code=2)
    return years


@app.command("survey")
def survey_command(
    year: Annotated[
        str, typer.Option("--year", help="The year (2025) or years (2016-2025) to imitate.")
    ] = "2025",
    scale: Annotated[
        float, typer.Option("--scale", help="1.0 is 20 000 respondents a year.")
    ] = 1.0,
    seed: SeedOption = 0,
    out: FolderOption = Path("synth"),
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            help="import: files for «ashyq monitoring import»; store: a data home to use as "
            "ASHYQ_HOME directly.",
        ),
    ] = "import",
    lang: LangOption = None,
) -> None:
    """Answers of the public monitoring, one Parquet file a year, calibrated to seed 001:
    the 2025 figures and the 2016-2025 trend (import with «ashyq monitoring import»)."""
    chosen = resolve_lang(lang)
    if layout not in ("import", "store"):
        fail(f"--layout {layout}: use import or store", code=2)
    try:
        result = synthesize_survey(
            _years(year, chosen),
            out,
            seed=seed,
            scale=scale,
            layout="store" if layout == "store" else "import",
        )
    except (ValueError, CalibrationError) as error:
        fail(str(error), code=2)
    for each, path in result.files.items():
        typer.echo(
            translate(
                _WROTE_SURVEY,
                chosen,
                answers=result.answers[each],
                respondents=result.respondents[each],
                year=each,
                path=path,
            )
        )
