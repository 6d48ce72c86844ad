"""``ashyq demo``: the 2025 ranking from the published reference data, and the workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ashyq.bodies import load_bodies
from ashyq.cli.common import LangOption, resolve_lang
from ashyq.export import RENDERERS, build_document
from ashyq.i18n import N_, translate
from ashyq.index.methodology import load_methodology
from ashyq.index.published import load_published
from ashyq.index.reconcile import CheckKind, Status, reconcile

_WROTE = N_("Wrote {path}")
_RECONCILED = N_(
    "Recomputed the {period} report: {totals} of {bodies} totals and {grades} stated grades "
    "reproduced; {errata} report errors corrected by documented errata "
    "(`ashyq index reproduce {period}`)."
)


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the results files.")] = Path(
        "ashyq-output"
    ),
    lang: LangOption = None,
) -> None:
    """Recompute the published 2025 Openness Index, print the ranking, write the workbook."""
    chosen = resolve_lang(lang)
    methodology = load_methodology("2025")
    report = load_published(2025)
    rec = reconcile(methodology, load_bodies(), report)
    document = build_document(rec.result, chosen)
    typer.echo(RENDERERS["table"].render(document).decode("utf-8"), nl=False)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("xlsx", "csv", "json"):
        renderer = RENDERERS[name]
        path = out / f"openness-index-2025{renderer.suffix}"
        path.write_bytes(renderer.render(document))
        typer.echo(translate(_WROTE, chosen, path=path))
    summary = rec.summary()
    totals = summary[CheckKind.TOTAL]
    grades = summary[CheckKind.GRADE]
    typer.echo(
        translate(
            _RECONCILED,
            chosen,
            period=report.period,
            totals=totals[Status.REPRODUCED] + totals[Status.WITH_ERRATUM],
            bodies=len(rec.result.bodies),
            grades=grades[Status.REPRODUCED],
            errata=len(report.errata),
        )
    )
    if not rec.totals_and_stated_grades_reproduced:
        raise typer.Exit(1)
