"""``ashyq appeals``: ingest e-Otinish records, count the index inputs, national statistics."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer

from ashyq.appeals.indicators import COUNTS
from ashyq.appeals.model import KINDS
from ashyq.appeals.pipeline import (
    INDEX_FIELDS,
    body_counts,
    drill_down,
    index_counts,
    open_period,
)
from ashyq.appeals.stats import NationalStats, national_stats
from ashyq.cli.common import (
    INGEST_PATHS_HELP,
    fail,
    ingest_files,
    json_text,
    methodology_or_exit,
    period_or_exit,
    resolve_lang,
    stored_appeals_or_exit,
    write_output,
    write_text_or_json,
)
from ashyq.cli.options import LangOption, OutOption, PeriodOption, choice_option, format_option
from ashyq.index.inputs import field_specs
from ashyq.index.methodology import Authority

app = typer.Typer(
    help="e-Otinish appeals: ingest records, count the index inputs, national statistics.",
    no_args_is_help=True,
)


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help=INGEST_PATHS_HELP)],
    period: PeriodOption,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="appeals or bookings (default: read from the header)."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Validate records and merge them into the store; quarantine the rejected ones."""
    ingest_files(paths, period_or_exit(period), KINDS, kind, resolve_lang(lang))


@app.command("indicators")
def indicators_command(
    period: PeriodOption,
    output_format: Annotated[str, format_option("csv", "json")] = "csv",
    authority: Annotated[
        str | None,
        choice_option(
            "--authority",
            tuple(a.value for a in Authority),
            "Only the counts this authority supplies: the file it uploads to the portal.",
        ),
    ] = None,
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """The index's raw counts per body, computed from the stored records."""
    chosen = resolve_lang(lang)
    data = stored_appeals_or_exit(period, chosen)
    methodology = methodology_or_exit(str(data.period.year))
    facts = index_counts(data, body_counts(data), methodology)
    fields = INDEX_FIELDS
    if authority is not None:
        specs = field_specs(methodology)
        fields = tuple(f for f in INDEX_FIELDS if f in specs and specs[f].authority == authority)
        facts = {
            body: {f: fact for f, fact in values.items() if f in fields}
            for body, values in facts.items()
        }
    if output_format == "json":
        payload = {
            "period": data.period.name,
            "bodies": {
                body: {
                    name: float(f.value) if name == "satisfaction_pct" else int(f.value)
                    for name, f in values.items()
                }
                for body, values in facts.items()
            },
        }
        write_output((json_text(payload) + "\n").encode("utf-8"), out)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["body", *fields])
    for body, values in facts.items():
        writer.writerow([body, *(str(values[f].value) if f in values else "" for f in fields)])
    write_output(buffer.getvalue().encode("utf-8"), out)


@app.command("drill")
def drill_command(
    body: Annotated[str, typer.Argument(help="The body's code.")],
    count: Annotated[str, typer.Argument(help="A count, e.g. reviewed_late.")],
    period: PeriodOption,
    limit: Annotated[int, typer.Option("--limit", help="At most this many records.")] = 50,
    out: OutOption = None,
) -> None:
    """The records behind one body's count: every late review, every missed hearing…"""
    when = period_or_exit(period)
    data = open_period(when)
    try:
        behind = drill_down(data, body, count)
    except KeyError:
        names = ", ".join(spec.name for spec in COUNTS)
        fail(f"{count}: not a count; use one of {names}", code=2)
    except LookupError as error:
        fail(str(error), code=2)
    table = data.con.to_pyarrow(behind.limit(limit) if limit > 0 else behind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else v for v in row.values()])
    write_output(buffer.getvalue().encode("utf-8"), out)


def _stats_text(stats: NationalStats) -> str:
    lines = [f"{stats.period}: {stats.total:,}".replace(",", " ")]
    growth = stats.growth_pct
    if stats.previous_total is not None and growth is not None:
        lines.append(
            f"  {stats.previous_period}: {stats.previous_total:,} ({growth:+}%)".replace(",", " ")
        )
    sections = (
        ("type", stats.by_type),
        ("form", stats.by_form),
        ("applicant_kind", stats.by_applicant_kind),
        ("level", stats.by_level),
        ("topic", stats.top_topics),
        ("body", stats.top_bodies),
        ("redirects", stats.top_redirecting_bodies),
    )
    for title, shares in sections:
        lines.append(f"[{title}]")
        for share in shares:
            lines.append(f"  {share.key:<24} {share.count:>10} {share.share_pct:>6}%")
            for part in share.parts:
                lines.append(f"    {part.key:<22} {part.count:>10} {part.share_pct:>6}%")
    return "\n".join(lines) + "\n"


@app.command("stats")
def stats_command(
    period: PeriodOption,
    output_format: Annotated[str, format_option("text", "json")] = "text",
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """National statistics: totals, growth, shares, top topics and bodies."""
    chosen = resolve_lang(lang)
    stats = national_stats(stored_appeals_or_exit(period, chosen))
    write_text_or_json(output_format, stats.as_dict, lambda: _stats_text(stats), out)
