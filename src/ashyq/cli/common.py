"""What the commands share: errors and refusals, ingest with its progress bar, the stored
records of a period, writing output and reports, serving the portal. (The options they share
are declared in ``cli.options``.)"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ashyq.appeals.pipeline import PeriodData
from ashyq.appeals.pipeline import open_period as open_appeals
from ashyq.errors import InputError
from ashyq.i18n import DEFAULT_LANG, LANGUAGES, N_, Lang, translate
from ashyq.i18n.grammar import number
from ashyq.index.methodology import (
    Methodology,
    MethodologyNotFoundError,
    load_methodology,
    load_methodology_file,
)
from ashyq.periods import Period, PeriodError
from ashyq.records.ingest import IngestReport, ingest
from ashyq.records.model import RecordKind
from ashyq.records.sources import source_files
from ashyq.records.store import RecordStore
from ashyq.reports.model import Report
from ashyq.reports.render import REPORT_RENDERERS
from ashyq.services.detect import ServicesPeriod
from ashyq.services.detect import open_period as open_services
from ashyq.settings import Engine, settings
from ashyq.storage.atomic import write_file

__all__ = [
    "INGEST_PATHS_HELP",
    "NO_APPEALS",
    "NO_DELIVERIES",
    "fail",
    "fail_input",
    "ingest_files",
    "json_text",
    "methodology_or_exit",
    "period_or_exit",
    "resolve_lang",
    "serve_settings",
    "stored_appeals_or_exit",
    "stored_services_or_exit",
    "write_json",
    "write_output",
    "write_reports",
    "write_text_or_json",
]

INGEST_PATHS_HELP = (
    "CSV, JSON Lines, Parquet or XLSX files, directories of them, or glob patterns "
    "(quoted, such as 'deliveries/*.parquet')."
)


def resolve_lang(value: str | None) -> Lang:
    """The language chosen by ``--lang``, else the setting ``lang`` (``$ASHYQ_LANG``, by
    default Russian)."""
    if value is None:
        try:
            return settings().lang
        except InputError:
            # Another setting's bad value is reported by the command that reads it (in
            # this language); a bad language is refused below.
            value = os.environ.get("ASHYQ_LANG")
    chosen = value or DEFAULT_LANG
    for lang in LANGUAGES:
        if lang == chosen:
            return lang
    raise typer.BadParameter(f"{chosen!r}: use one of {', '.join(LANGUAGES)}", param_hint="--lang")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` to standard error and exit with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def fail_input(error: InputError, lang: Lang, *, as_json: bool = False) -> NoReturn:
    """Print every problem of a rejected input and exit with status 2.

    As text, one problem per line; with ``as_json``, ``{"errors": [...]}`` in the one
    error shape of Ashyq (code, file, row, column, expected, found, message).
    """
    if as_json:
        payload = {"errors": [problem.as_dict(lang) for problem in error.problems]}
        fail(json_text(payload), code=2)
    fail(error.render(lang), code=2)


BAD_PERIOD = N_("{option} {found}: expected a year such as 2025, or a half-year: 2025H1 or 2025H2")


def period_or_exit(text: str, lang: Lang | None = None, *, option: str = "--period") -> Period:
    """The period named ``text`` (given as ``option``), or exit with status 2 and the
    message in ``lang`` (by default the setting's)."""
    try:
        return Period.parse(text)
    except PeriodError:
        message = translate(BAD_PERIOD, lang or resolve_lang(None), option=option, found=text)
        fail(message, code=2)


_RECONCILIATION = N_(
    "{file}: read {read} = stored {stored} (new {new}, replaced {replaced}) + quarantined "
    "{quarantined}"
)
_TOTAL = N_(
    "In all, {files} files: read {read} = stored {stored} (new {new}, replaced {replaced}) "
    "+ quarantined {quarantined}"
)
_REFUSED = N_("{count} of {files} files were refused whole; the others were ingested")
_QUARANTINE = N_("Quarantined records and their reasons: {path}")
_NOT_RECONCILED = N_("The counts do not reconcile: some records were lost")
_STAGES = {"read": N_("Reading"), "check": N_("Checking"), "store": N_("Storing")}
_RATE = N_("{rate} records/s")


class _Rate(ProgressColumn):
    """Records a second, for the stage that counts records."""

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.lang = lang

    def render(self, task: Task) -> Text:
        if task.fields.get("unit") != "records" or not task.speed:
            return Text("")
        return Text(translate(_RATE, self.lang, rate=number(round(task.speed), self.lang)))


class _Bar:
    """A rich progress bar fed by the ingest's stage callback."""

    def __init__(self, progress: Progress, lang: Lang) -> None:
        self.progress = progress
        self.lang = lang
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            label = translate(_STAGES.get(stage, stage), self.lang)
            unit = "records" if stage == "check" else ""
            self.tasks[stage] = self.progress.add_task(label, total=total or None, unit=unit)
        self.progress.update(self.tasks[stage], completed=done, total=total or None)


def _print_report(report: IngestReport, lang: Lang) -> None:
    typer.echo(
        translate(
            _RECONCILIATION,
            lang,
            file=report.file,
            read=report.read,
            stored=report.stored,
            new=report.new,
            replaced=report.replaced,
            quarantined=report.quarantined,
        )
    )
    if report.quarantine_file is not None:
        for problem in report.problems[:10]:
            typer.echo(problem.render(lang), err=True)
        typer.echo(translate(_QUARANTINE, lang, path=report.quarantine_file))


def _print_total(reports: list[IngestReport], lang: Lang) -> None:
    typer.echo(
        translate(
            _TOTAL,
            lang,
            files=len(reports),
            read=sum(r.read for r in reports),
            stored=sum(r.stored for r in reports),
            new=sum(r.new for r in reports),
            replaced=sum(r.replaced for r in reports),
            quarantined=sum(r.quarantined for r in reports),
        )
    )


_INGEST_EMBEDDED = N_(
    "Ingest validates on the embedded engine, on this machine; the cluster reads the "
    "records it stores."
)


def ingest_files(
    paths: list[Path],
    period: Period,
    kinds: tuple[RecordKind, ...],
    kind: str | None,
    lang: Lang,
) -> None:
    """Ingest each file into the store with a progress bar, printing its reconciliation.

    A path may be a file, a directory (its import files) or a glob pattern; the files are
    taken in a stable order (``records.sources.source_files``), each in a run of its own,
    and a total is printed when there are several. ``kind`` names one of ``kinds`` (else
    each file's kind is read from its header). A file refused whole does not stop the
    others: its problems are printed and the command exits with status 2 at the end; it
    exits with 1 when counts do not reconcile.
    """
    by_name = {k.name: k for k in kinds}
    if kind is not None and kind not in by_name:
        fail(f"--kind {kind}: use one of {', '.join(by_name)}", code=2)
    candidates = (by_name[kind],) if kind is not None else kinds
    files: list[Path] = []
    try:
        for path in paths:
            files.extend(p for p in source_files(path) if p not in files)
        elsewhere = settings().engine != Engine.DUCKDB  # a spoiled setting is an input problem
    except InputError as error:
        fail_input(error, lang)
    store = RecordStore()
    if elsewhere:
        typer.echo(translate(_INGEST_EMBEDDED, lang), err=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        _Rate(lang),
        TimeElapsedColumn(),
    )
    reports: list[IngestReport] = []
    refused: list[InputError] = []
    for file in files:
        with Progress(*columns, transient=True) as progress:
            try:
                report = ingest(
                    file, period, candidates, store=store, lang=lang, on_stage=_Bar(progress, lang)
                )
            except InputError as error:
                refused.append(error)
                typer.echo(error.render(lang), err=True)
                continue
        _print_report(report, lang)
        reports.append(report)
        if not report.reconciles:
            fail(translate(_NOT_RECONCILED, lang))
    if len(files) > 1:
        _print_total(reports, lang)
    if refused:
        if len(files) > 1:
            typer.echo(translate(_REFUSED, lang, count=len(refused), files=len(files)), err=True)
        raise typer.Exit(2)


def methodology_or_exit(name: str) -> Methodology:
    """Load a methodology by name or, given a .yaml file, from it; or exit with a clear
    message."""
    try:
        if name.endswith((".yaml", ".yml")):
            return load_methodology_file(Path(name))
        return load_methodology(name)
    except MethodologyNotFoundError as error:
        fail(str(error), code=2)
    except ValidationError as error:
        fail(f"methodology {name}: {error}", code=2)


def json_text(payload: object) -> str:
    """``payload`` as indented JSON, Cyrillic kept readable."""
    return json.dumps(payload, ensure_ascii=False, indent=2)


def write_json(payload: object) -> None:
    """Write ``payload`` as JSON to standard output."""
    write_output((json_text(payload) + "\n").encode("utf-8"), None)


def write_text_or_json(
    output_format: str, payload: Callable[[], object], text: Callable[[], str], out: Path | None
) -> None:
    """Write ``payload()`` as JSON or ``text()``, as ``output_format`` says."""
    if output_format == "json":
        write_output((json_text(payload()) + "\n").encode("utf-8"), out)
    else:
        write_output(text().encode("utf-8"), out)


def write_output(data: bytes, out: Path | None) -> None:
    """Write ``data`` to ``out`` (whole or not at all: ``storage.atomic``), or to standard
    output when ``out`` is None."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_file(out, data)


_WROTE = N_("Wrote {path}")


def write_reports(
    build: Callable[[Lang], Report],
    stem: str,
    langs: list[Lang],
    formats: list[str],
    out: Path | None,
    message_lang: Lang,
) -> list[Path]:
    """Build the report once per language and write it in every format (each file whole or
    not at all); returns the paths."""
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
            write_file(path, renderer.render(report))
            typer.echo(translate(_WROTE, message_lang, path=path))
            written.append(path)
    return written


NO_APPEALS = N_("No appeals are stored for {period}; run «ashyq appeals ingest» first")
NO_DELIVERIES = N_(
    "No deliveries or no registry of services are stored for {period}; run «ashyq services "
    "ingest» first"
)


def stored_appeals_or_exit(text: str, lang: Lang) -> PeriodData:
    """The stored appeals of the period named ``text``, or exit with status 2 when the name
    is wrong or no appeals are stored for it."""
    when = period_or_exit(text, lang)
    data = open_appeals(when)
    if data.appeals is None:
        fail(translate(NO_APPEALS, lang, period=when.name), code=2)
    return data


def stored_services_or_exit(text: str, lang: Lang) -> ServicesPeriod:
    """The stored public-service records of a period; exits with status 2 when none are
    stored."""
    when = period_or_exit(text, lang)
    data = open_services(when)
    if data.deliveries is None or data.services is None:
        fail(translate(NO_DELIVERIES, lang, period=when.name), code=2)
    return data


_SERVING = N_("Serving the portal on http://{host}:{port}/ (data in {home}); Ctrl+C stops it.")
_NOT_A_PROXY = N_(
    "--trusted-proxies (ASHYQ_TRUSTED_PROXIES): expected IP addresses or networks; found {entry}"
)


def serve_settings(host: str, port: int, lang: Lang | None = None) -> None:
    """Run the portal as the settings of this process set it, until interrupted."""
    import uvicorn

    from ashyq.web import create_app
    from ashyq.web.security import NotAProxyError, TrustedProxies

    config = settings()
    try:
        TrustedProxies.parse(config.trusted_proxies)
    except NotAProxyError as error:
        fail(translate(_NOT_A_PROXY, resolve_lang(lang), entry=error.entry), code=2)
    application = create_app(config)
    typer.echo(translate(_SERVING, resolve_lang(lang), host=host, port=port, home=config.home))
    uvicorn.run(application, host=host, port=port, log_level="warning", proxy_headers=False)
