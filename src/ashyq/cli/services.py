"""``ashyq services``: ingest public-service records, detect violations, trace them back."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.csv as pacsv
import typer

from ashyq.cli.common import (
    LangOption,
    OutOption,
    fail,
    ingest_files,
    json_text,
    period_or_exit,
    resolve_lang,
    write_output,
)
from ashyq.i18n import N_, Lang, translate
from ashyq.services.catalogue import load_catalogue
from ashyq.services.detect import ServicesPeriod, detect, open_period
from ashyq.services.model import DELIVERIES, KINDS

app = typer.Typer(
    help="Public-service quality control: ingest delivery records, detect violations.",
    no_args_is_help=True,
)

PeriodOption = Annotated[str, typer.Option("--period", help="A year (2025) or half (2025H1).")]

NO_DELIVERIES = N_(
    "No deliveries or no registry of services are stored for {period}; run «ashyq services "
    "ingest» first"
)
_UNKNOWN_VIOLATION = N_("No violation {id} in {period}")
_RECORD = N_("Delivery record ({file}, row {row}):")
_FORMATS = ("csv", "json", "parquet")


def _stored_or_exit(text: str, lang: Lang) -> ServicesPeriod:
    when = period_or_exit(text)
    data = open_period(when)
    if data.deliveries is None or data.services is None:
        fail(translate(NO_DELIVERIES, lang, period=when.name), code=2)
    return data


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="CSV, JSON Lines, Parquet or XLSX files.")],
    period: PeriodOption,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="services, deliveries, staff, leaves or findings (default: from the header).",
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Validate records and merge them into the store; quarantine the rejected ones."""
    ingest_files(paths, period_or_exit(period), KINDS, kind, resolve_lang(lang))


@app.command("catalogue")
def catalogue_command(lang: LangOption = None) -> None:
    """The violation types of seed 002, by stage: id, category, name and norm."""
    chosen = resolve_lang(lang)
    for violation_type in load_catalogue().types:
        typer.echo(
            f"{violation_type.stage.value:<13} {violation_type.id:<34} "
            f"{violation_type.category.value:<10} {violation_type.names[chosen]}"
        )
        typer.echo(f"{'':<13} {'':<34} {'':<10} {violation_type.norm[chosen]}")


@app.command("violations")
def violations_command(
    period: PeriodOption,
    output_format: Annotated[
        str, typer.Option("--format", help="csv, json or parquet (parquet needs --out).")
    ] = "csv",
    violation_type: Annotated[
        str | None, typer.Option("--type", help="Only this violation type (see «catalogue»).")
    ] = None,
    body: Annotated[str | None, typer.Option("--body", help="Only this provider body.")] = None,
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """The violation registry: one row per violation found in the delivery records."""
    chosen = resolve_lang(lang)
    if output_format not in _FORMATS:
        fail(f"--format {output_format}: use one of {', '.join(_FORMATS)}", code=2)
    if output_format == "parquet" and out is None:
        fail("--format parquet: give --out FILE", code=2)
    if violation_type is not None and violation_type not in load_catalogue().ids():
        fail(f"--type {violation_type}: see «ashyq services catalogue»", code=2)
    data = _stored_or_exit(period, chosen)
    registry = detect(data.of_body(body) if body is not None else data, chosen)
    if violation_type is not None:
        registry = registry.filter(registry.violation_type == violation_type)
    registry = registry.order_by("provider_body", "delivery_id", "violation_type")
    if output_format == "parquet" and out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        data.con.to_parquet(registry, out)
        return
    table: pa.Table = data.con.to_pyarrow(registry)
    if output_format == "json":
        rows = table.to_pylist()
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        write_output((json_text(rows) + "\n").encode("utf-8"), out)
    else:
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer)
        write_output(buffer.getvalue(), out)


@app.command("show")
def show_command(
    violation_id: Annotated[str, typer.Argument(help="body/delivery_id/type, as listed.")],
    period: PeriodOption,
    lang: LangOption = None,
) -> None:
    """One violation: what it is, its evidence, and the delivery record it was found in."""
    chosen = resolve_lang(lang)
    data = _stored_or_exit(period, chosen)
    # The id starts with the body: detect over that body's deliveries only.
    registry = detect(data.of_body(violation_id.split("/", 1)[0]), chosen)
    found = data.con.to_pyarrow(registry.filter(registry.violation_id == violation_id))
    if found.num_rows == 0:
        fail(translate(_UNKNOWN_VIOLATION, chosen, id=violation_id, period=period), code=2)
    row = found.to_pylist()[0]
    violation_type = load_catalogue().get(row["violation_type"])
    evidence = json.loads(row["evidence"])
    deliveries = data.deliveries
    if deliveries is None:  # _stored_or_exit has exited already
        raise typer.Exit(2)
    record = data.con.to_pyarrow(
        deliveries.filter(
            (deliveries.provider_body == row["provider_body"])
            & (deliveries.delivery_id == row["delivery_id"])
        )
    ).to_pylist()[0]
    typer.echo(f"{violation_id}: {violation_type.names[chosen]}")
    typer.echo(violation_type.describe(evidence, chosen))
    typer.echo(f"{violation_type.norm[chosen]}")
    where = {"file": record["source_file"], "row": record["source_row"]}
    typer.echo(translate(_RECORD, chosen, **where))
    for name in DELIVERIES.names():
        if record.get(name) is not None:
            typer.echo(f"  {name:<28} {record[name]}")
