"""``ashyq services``: ingest public-service records, detect violations, trace them back."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Final

import pyarrow as pa
import pyarrow.csv as pacsv
import typer

from ashyq.cli.common import (
    INGEST_PATHS_HELP,
    fail,
    ingest_files,
    json_text,
    period_or_exit,
    resolve_lang,
    stored_services_or_exit,
    write_output,
    write_text_or_json,
)
from ashyq.cli.options import LangOption, OutOption, PeriodOption, format_option
from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import number as spell_number
from ashyq.i18n.grammar import percent as spell_percent
from ashyq.numbers import Share
from ashyq.records.model import CODES_SEPARATOR, RecordKind
from ashyq.services.catalogue import load_catalogue
from ashyq.services.control import (
    CONTROL_MEASURES,
    DISCIPLINARY,
    INSTRUCTIONS,
    PROTOCOLS,
)
from ashyq.services.detect import ServicesPeriod, detect
from ashyq.services.liability import PermitCategory, load_mci, mci_tenge, suggest
from ashyq.services.model import DELIVERIES, FINDINGS, KINDS
from ashyq.services.stats import ServiceStats, service_stats
from ashyq.storage.atomic import replacing

app = typer.Typer(
    help="Public-service quality control: ingest delivery records, detect violations.",
    no_args_is_help=True,
)

_UNKNOWN_VIOLATION = N_("No violation {id} in {period}")
_SUGGESTED = N_("Suggested liability ({rule}): {basis}. Liable: {liable}")
_SUGGESTED_FINE = N_("Fine: {mci} MCI = {tenge} tenge at the {year} MCI")
_NO_DECISION = N_("No sanction or protocol recorded for it yet")
_DECIDED = N_("Decided: {kind} {id}, employee {employee}, rule followed: {rule}")
_DECISION_KINDS: Final = {
    DISCIPLINARY.name: N_("disciplinary sanction"),
    PROTOCOLS.name: N_("administrative protocol"),
}
_RECORD = N_("Delivery record ({file}, row {row}):")
_ESTABLISHED = N_("Established by: {how}, finding {finding}")
_FOUND_IN_RECORD = N_("Established by: the delivery record")
_NO_RECORD = N_("Delivery record {id} is not stored for {period}; the finding: {file}, row {row}")
_PARQUET_NEEDS_OUT = N_("--format parquet writes a file: give --out FILE")


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help=INGEST_PATHS_HELP)],
    period: PeriodOption,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="services, deliveries, staff, leaves, findings, control_measures, "
            "rights_restored, disciplinary, protocols, representations or instructions "
            "(default: from the header).",
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
    output_format: Annotated[str, format_option("csv", "json", "parquet")] = "csv",
    violation_type: Annotated[
        str | None, typer.Option("--type", help="Only this violation type (see «catalogue»).")
    ] = None,
    body: Annotated[str | None, typer.Option("--body", help="Only this provider body.")] = None,
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """The violation registry: one row per violation found in the delivery records."""
    chosen = resolve_lang(lang)
    if output_format == "parquet" and out is None:
        fail(translate(_PARQUET_NEEDS_OUT, chosen), code=2)
    if violation_type is not None and violation_type not in load_catalogue().ids():
        fail(f"--type {violation_type}: see «ashyq services catalogue»", code=2)
    data = stored_services_or_exit(period, chosen)
    registry = detect(data.of_body(body) if body is not None else data, chosen)
    if violation_type is not None:
        registry = registry.filter(registry.violation_type == violation_type)
    registry = registry.order_by("provider_body", "delivery_id", "violation_type")
    if output_format == "parquet" and out is not None:
        with replacing(out) as temporary:
            data.con.to_parquet(registry, temporary)
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
    data = stored_services_or_exit(period, chosen)
    # The id starts with the body: detect over that body's deliveries only.
    registry = detect(data.of_body(violation_id.split("/", 1)[0]), chosen)
    found = data.con.to_pyarrow(registry.filter(registry.violation_id == violation_id))
    if found.num_rows == 0:
        fail(translate(_UNKNOWN_VIOLATION, chosen, id=violation_id, period=period), code=2)
    row = found.to_pylist()[0]
    violation_type = load_catalogue().get(row["violation_type"])
    evidence = json.loads(row["evidence"])
    deliveries = data.deliveries
    if deliveries is None:  # stored_services_or_exit has exited already
        raise typer.Exit(2)
    records = data.con.to_pyarrow(
        deliveries.filter(
            (deliveries.provider_body == row["provider_body"])
            & (deliveries.delivery_id == row["delivery_id"])
        )
    ).to_pylist()
    typer.echo(f"{violation_id}: {violation_type.names[chosen]}")
    typer.echo(violation_type.describe(evidence, chosen))
    typer.echo(f"{violation_type.norm[chosen]}")
    if row["finding_id"] is None:
        typer.echo(translate(_FOUND_IN_RECORD, chosen))
    else:
        how = _choice(FINDINGS, "established_by", chosen).get(row["established_by"])
        how = how or row["established_by"]
        typer.echo(translate(_ESTABLISHED, chosen, how=how, finding=row["finding_id"]))
    where = {"file": row["source_file"], "row": row["source_row"]}
    if not records:
        # A finding about a delivery missing from the period's records.
        typer.echo(translate(_NO_RECORD, chosen, id=row["delivery_id"], period=period, **where))
    else:
        record = records[0]
        typer.echo(translate(_RECORD, chosen, **where))
        for name in DELIVERIES.names():
            if record.get(name) is not None:
                typer.echo(f"  {name:<28} {record[name]}")
    _show_liability(data, row, chosen)


def _show_liability(data: ServicesPeriod, violation: dict[str, Any], lang: Lang) -> None:
    """The liability the rule table suggests for ``violation``, and what was decided."""
    services = data.services
    permit: PermitCategory = "none"
    if services is not None:
        found = data.con.to_pyarrow(
            services.filter(services.service_code == violation["service_code"]).select(
                "permit_category"
            )
        ).to_pylist()
        if found and found[0]["permit_category"] in ("first", "second"):
            permit = found[0]["permit_category"]
    rule = suggest(violation["violation_type"], permit)
    liable = {
        "responsible": violation.get("responsible_employee") or "—",
        "first_head": _first_head(data, violation["provider_body"], violation.get("provider_unit"))
        or "—",
        "body": violation["provider_body"],
    }[rule.liable]
    typer.echo(translate(_SUGGESTED, lang, rule=rule.id, basis=rule.basis[lang], liable=liable))
    if rule.fine_mci is not None:
        year = _mci_year()
        tenge = _count(rule.fine_mci * mci_tenge(year), lang)
        typer.echo(translate(_SUGGESTED_FINE, lang, mci=rule.fine_mci, tenge=tenge, year=year))
    decisions = _decisions(data, violation["violation_id"])
    if not decisions:
        typer.echo(translate(_NO_DECISION, lang))
    for kind, record in decisions:
        key = record[kind.key]
        followed = record.get("rule_id") or "—"
        typer.echo(
            translate(
                _DECIDED,
                lang,
                kind=translate(_DECISION_KINDS[kind.name], lang),
                id=key,
                employee=record["employee_id"],
                rule=followed,
            )
        )


def _first_head(data: ServicesPeriod, body: str, unit: str | None) -> str | None:
    """The first head of ``body``: of the provider ``unit`` if the staff list names one."""
    staff = data.staff
    if staff is None:
        return None
    heads = data.con.to_pyarrow(
        staff.filter((staff.body == body) & staff.is_first_head)
        .select("employee_id", "unit")
        .order_by("employee_id")
    ).to_pylist()
    of_unit = [head for head in heads if unit is not None and head["unit"] == unit]
    chosen = (of_unit or heads or [None])[0]
    return None if chosen is None else str(chosen["employee_id"])


def _mci_year() -> int:
    """The MCI year for a fine decided today: this year's, or the latest known."""
    known = [value.year for value in load_mci()]
    this_year = date.today().year
    return this_year if this_year in known else max(known)


def _decisions(data: ServicesPeriod, violation_id: str) -> list[tuple[RecordKind, dict[str, Any]]]:
    """The sanctions and protocols recorded for ``violation_id``."""
    out: list[tuple[RecordKind, dict[str, Any]]] = []
    for kind in (DISCIPLINARY, PROTOCOLS):
        table = data.store.read(data.con, kind, data.period)
        if table is None:
            continue
        near = table.filter(table.violation_ids.contains(violation_id))
        for record in data.con.to_pyarrow(near).to_pylist():
            if violation_id in str(record["violation_ids"]).split(CODES_SEPARATOR):
                out.append((kind, record))
    return out


_LABELS: Final = {
    "registration": N_("registration"),
    "review": N_("review"),
    "decision": N_("decision"),
    "deadline": N_("deadline"),
    "order": N_("order of delivery"),
    "refusal": N_("refusal"),
    "technical": N_("technical failure"),
    "CGO": N_("central bodies"),
    "MIO": N_("local executive bodies"),
}
_STATS_LINES: Final = {
    "title": N_("Public services, {period}"),
    "deliveries": N_("Services delivered: {total} ({electronic}% electronic)"),
    "refusals": N_("Refusals: {total}; reconsidered: {reconsidered} ({share}%)"),
    "violations": N_("Violations found: {total}; deadline {deadline}%, order of delivery {order}%"),
    "by_type": N_("By type (central / local / total):"),
    "measures": N_("Control measures: {total}; complaints behind them: {complaints}"),
    "confirmed": N_("Violations confirmed by findings: {total}"),
    "restored": N_("Rights restored: {total}; without an inspection: {remote} ({share}%)"),
    "disciplinary": N_("Disciplinary sanctions: {total}; of managers: {managers} ({share}%)"),
    "protocols": N_(
        "Administrative protocols (CAO art. 465): {total}; fines {mci} MCI = {tenge} tenge; "
        "collected {collected} tenge ({paid} paid)"
    ),
    "representations": N_(
        "Orders to remedy: {total}; instructions: {instructions}, executed: {executed}"
    ),
}


def _count(value: int, lang: Lang) -> str:
    """A whole number with its thousands grouped: «2 925 000» (ru, kk), «2,925,000» (en)."""
    return spell_number(value, lang)


def _choice(kind: RecordKind, field: str, lang: Lang) -> dict[str, str]:
    return {choice.code: getattr(choice, lang) for choice in kind.field(field).choices}


def _stats_text(stats: ServiceStats, lang: Lang) -> str:
    def line(key: str, **values: object) -> str:
        return translate(_STATS_LINES[key], lang, **values)

    def pct(value: Decimal) -> str:
        return spell_number(value, lang)

    def shares(items: tuple[Share, ...], names: dict[str, str]) -> list[str]:
        return [
            f"  {names.get(s.key, translate(_LABELS.get(s.key, s.key), lang)):<44} "
            f"{_count(s.count, lang):>12} {spell_percent(s.share_pct, lang):>8}"
            for s in items
        ]

    catalogue = load_catalogue()
    lines = [line("title", period=stats.period)]
    lines.append(
        line(
            "deliveries", total=_count(stats.deliveries, lang), electronic=pct(stats.electronic_pct)
        )
    )
    lines += shares(stats.by_channel, _choice(DELIVERIES, "channel", lang))
    lines.append(
        line(
            "refusals",
            total=_count(stats.refusals, lang),
            reconsidered=_count(stats.reconsidered, lang),
            share=pct(stats.reconsidered_pct),
        )
    )
    lines += shares(stats.refusals_reconsidered, _choice(DELIVERIES, "reconsidered_by", lang))
    lines.append(
        line(
            "violations",
            total=_count(stats.violations, lang),
            deadline=pct(stats.deadline_pct),
            order=pct(stats.order_pct),
        )
    )
    for items in (stats.by_level, stats.by_stage, stats.by_category):
        lines += shares(items, {})
    lines.append(line("by_type"))
    for row in stats.by_type:
        name = catalogue.get(row.type).names[lang]
        counts = " / ".join(_count(n, lang) for n in (row.central, row.local, row.total))
        lines.append(f"  {counts:>26}  {name}")
    lines.append(
        line("measures", total=_count(stats.control_measures, lang), complaints=stats.complaints)
    )
    lines += shares(stats.measures_by_kind, _choice(CONTROL_MEASURES, "kind", lang))
    lines.append(line("confirmed", total=_count(stats.confirmed, lang)))
    lines += shares(stats.confirmed_by, _choice(FINDINGS, "established_by", lang))
    lines.append(
        line(
            "restored",
            total=_count(stats.rights_restored, lang),
            remote=_count(stats.restored_remotely, lang),
            share=pct(stats.restored_remotely_pct),
        )
    )
    lines.append(
        line(
            "disciplinary",
            total=_count(stats.disciplinary, lang),
            managers=_count(stats.disciplinary_managers, lang),
            share=pct(stats.managers_pct),
        )
    )
    lines += shares(stats.penalties, _choice(DISCIPLINARY, "penalty", lang))
    lines.append(
        line(
            "protocols",
            total=_count(stats.protocols, lang),
            mci=_count(stats.fines_mci, lang),
            tenge=_count(stats.fines_tenge, lang),
            collected=_count(stats.fines_collected_tenge, lang),
            paid=_count(stats.fines_paid, lang),
        )
    )
    lines.append(
        line(
            "representations",
            total=_count(stats.representations, lang),
            instructions=_count(stats.instructions, lang),
            executed=_count(stats.instructions_executed, lang),
        )
    )
    lines += shares(stats.instructions_by_status, _choice(INSTRUCTIONS, "status", lang))
    return "\n".join(lines) + "\n"


@app.command("stats")
def stats_command(
    period: PeriodOption,
    output_format: Annotated[str, format_option("text", "json")] = "text",
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """Statistics as seeds 000 and 002 report them: deliveries, violations, sanctions."""
    chosen = resolve_lang(lang)
    data = stored_services_or_exit(period, chosen)
    try:
        stats = service_stats(data, chosen)
    except LookupError as error:
        fail(str(error), code=2)
    write_text_or_json(output_format, stats.as_dict, lambda: _stats_text(stats, chosen), out)
