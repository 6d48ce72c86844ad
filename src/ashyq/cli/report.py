"""``ashyq report``: the agency's documents in Russian, Kazakh and English.

``openness`` writes the annual Openness Index report; the format is any registered
report renderer (html, pdf, docx, xlsx). ``--lang all`` and ``--format all`` write every
combination into the folder ``--out``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ashyq.cli.common import fail, fail_input, resolve_lang
from ashyq.errors import InputError
from ashyq.i18n import LANGUAGES, N_, Lang, translate
from ashyq.reports.model import Report
from ashyq.reports.render import REPORT_RENDERERS

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Generate the agency's reports.")

_WROTE = N_("Wrote {path}")
_UNKNOWN_FORMAT = N_("Unknown format {name}; use one of: {names}")

PeriodOption = Annotated[int, typer.Option("--period", help="The evaluated year, e.g. 2025.")]
ReportLangOption = Annotated[
    str | None,
    typer.Option("--lang", help="ru, kk, en or all (default: $ASHYQ_LANG or ru)."),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", help="html, pdf, docx, xlsx or all."),
]
ReportOutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="The file to write; a folder with --lang all or --format all "
        "(default: the current folder).",
    ),
]


def _languages(value: str | None) -> list[Lang]:
    return list(LANGUAGES) if value == "all" else [resolve_lang(value)]


def _formats(value: str, lang: Lang) -> list[str]:
    if value == "all":
        return list(REPORT_RENDERERS)
    if value not in REPORT_RENDERERS:
        fail(translate(_UNKNOWN_FORMAT, lang, name=value, names=", ".join(REPORT_RENDERERS)))
    return [value]


def write_reports(
    build: Callable[[Lang], Report],
    stem: str,
    langs: list[Lang],
    formats: list[str],
    out: Path | None,
    message_lang: Lang,
) -> list[Path]:
    """Build the report once per language and write it in every format; returns the paths."""
    single = len(langs) == 1 and len(formats) == 1
    folder = Path.cwd() if out is None else out
    written = []
    for lang in langs:
        report = build(lang)
        for name in formats:
            renderer = REPORT_RENDERERS[name]
            if single and out is not None and out.suffix:
                path = out
            else:
                path = folder / f"{stem}-{lang}{renderer.suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(renderer.render(report))
            typer.echo(translate(_WROTE, message_lang, path=path))
            written.append(path)
    return written


@app.command("openness")
def openness_command(
    period: PeriodOption,
    lang: ReportLangOption = None,
    output_format: FormatOption = "pdf",
    out: ReportOutOption = None,
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="Compute from this index input file instead of the period's published results.",
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="The previous period's results (CSV, XLSX or JSON)."),
    ] = None,
) -> None:
    """The annual Openness Index report of a period."""
    from ashyq.reports.openness import build_openness_report
    from ashyq.reports.sources import computed_openness, published_openness

    langs = _languages(lang)
    message_lang = langs[0] if len(langs) == 1 else resolve_lang(None)
    formats = _formats(output_format, message_lang)
    try:
        if input_file is not None:
            data = computed_openness(period, input_file, previous_path=previous)
        else:
            data = published_openness(period)
            if previous is not None:
                fail(translate(N_("--previous needs --input."), message_lang))
    except InputError as error:
        fail_input(error, message_lang)
    except LookupError as error:
        fail(str(error))
    write_reports(
        lambda chosen: build_openness_report(data, chosen),
        f"openness-{period}",
        langs,
        formats,
        out,
        message_lang,
    )
