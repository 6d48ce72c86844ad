"""``ashyq synth``: synthetic data calibrated to the published figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from ashyq.cli.common import LangOption, fail, methodology_or_exit, period_or_exit, resolve_lang
from ashyq.i18n import N_, translate
from ashyq.synth.appeals import synthesize_appeals

app = typer.Typer(help="Synthetic data calibrated to the published figures.", no_args_is_help=True)

_WROTE = N_("Wrote {rows} appeals of {bodies} bodies to {path}")
_UNREPRODUCED = N_("{body}: {indicator}: {reason}")


@app.command("appeals")
def appeals_command(
    year: Annotated[str, typer.Option("--year", help="The period to imitate (2025).")] = "2025",
    scale: Annotated[float, typer.Option("--scale", help="1.0 is the national year.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Folder for the files.")] = Path("synth"),
    lang: LangOption = None,
) -> None:
    """A national year of appeals and bookings, with the authorities' other scores."""
    chosen = resolve_lang(lang)
    period = period_or_exit(year)
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
