"""``ashyq plan``: strategic plans, their targets and verdicts, and the risk register.

``plan report --year 2019`` prints the table of targets of the agency's plan (seed 004)
with the verdict each plan and actual value give, and checks them against the verdicts the
report printed; ``--format`` also writes it as CSV, JSON or any report format.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from ashyq.cli.common import fail, fail_input, json_text, resolve_lang, write_output
from ashyq.cli.options import LangOption, OutOption, format_option, year_option
from ashyq.errors import InputError
from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import number
from ashyq.numbers import plain_decimal
from ashyq.plans.model import VERDICT_NAMES, PlanNotFoundError, StrategicPlan, load_plan
from ashyq.plans.verdicts import reconcile_verdicts
from ashyq.reports.plan import build_plan_report

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Strategic plans: targets, verdicts and risks.")

_RECONCILED = N_("Verdicts of {year}: {same} of {printed} printed verdicts reproduced.")
_DIFFERS = N_("{indicator}: the report printed «{printed}», the values give «{computed}»")
_NO_YEAR = N_("The plan has no targets for {year}; years with targets: {years}")
_TABLE_COLUMNS = (N_("No."), N_("Target indicator"), N_("Plan"), N_("Actual"), N_("Verdict"))
_FORMATS = ("table", "csv", "json", "html", "pdf", "docx", "xlsx")
_COLUMNS = ("direction", "goal", "indicator", "unit", "direction_of_improvement", "plan",
            "actual", "verdict", "verdict_as_printed")  # fmt: skip


def _plan_or_exit(name: str, lang: Lang) -> StrategicPlan:
    try:
        return load_plan(name)
    except PlanNotFoundError as error:
        fail(str(error))
    except InputError as error:
        fail_input(error, lang)


def _rows(plan: StrategicPlan, year: int) -> list[dict[str, str]]:
    return [
        {
            "direction": t.direction.id,
            "goal": t.goal.id,
            "indicator": t.indicator.id,
            "unit": t.indicator.unit,
            "direction_of_improvement": t.indicator.direction.value,
            "plan": plain_decimal(t.value.plan),
            "actual": plain_decimal(t.value.actual) if t.value.actual is not None else "",
            "verdict": t.verdict.value,
            "verdict_as_printed": t.value.verdict_as_printed or "",
        }
        for t in plan.targets(year)
    ]


def _table(plan: StrategicPlan, year: int, lang: Lang) -> str:
    table = RichTable(title=f"{plan.name[lang]} — {year}")
    for title in _TABLE_COLUMNS:
        table.add_column(translate(title, lang))
    for position, target in enumerate(plan.targets(year), start=1):
        actual = target.value.actual
        table.add_row(
            str(position),
            target.indicator.name[lang],
            number(target.value.plan, lang),
            number(actual, lang) if actual is not None else "—",
            translate(VERDICT_NAMES[target.verdict], lang),
        )
    buffer = io.StringIO()
    Console(file=buffer, width=120, force_terminal=False).print(table)
    return buffer.getvalue()


@app.command("report")
def report_command(
    year: Annotated[int, year_option("The reported year, e.g. 2019.")],
    plan_name: Annotated[
        str,
        typer.Option("--plan", help="A packaged plan (adgs-2017-2021) or a plan YAML file."),
    ] = "adgs-2017-2021",
    output_format: Annotated[str, format_option(*_FORMATS)] = "table",
    out: OutOption = None,
    lang: LangOption = None,
) -> None:
    """The table of targets of a year with their verdicts, checked against the report."""
    chosen = resolve_lang(lang)
    plan = _plan_or_exit(plan_name, chosen)
    if year not in plan.years:
        years = ", ".join(map(str, plan.years))
        fail(translate(_NO_YEAR, chosen, year=year, years=years))
    if output_format == "table":
        write_output(_table(plan, year, chosen).encode("utf-8"), out)
    elif output_format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_rows(plan, year))
        write_output(buffer.getvalue().encode("utf-8"), out)
    elif output_format == "json":
        payload = {"plan": plan.id, "year": year, "targets": _rows(plan, year)}
        write_output((json_text(payload) + "\n").encode("utf-8"), out)
    else:
        from ashyq.reports.render import REPORT_RENDERERS

        renderer = REPORT_RENDERERS[output_format]
        path = out or Path(f"plan-{plan.id}-{year}-{chosen}{renderer.suffix}")
        write_output(renderer.render(build_plan_report(plan, year, chosen)), path)
    reconciliation = reconcile_verdicts(plan, year)
    printed = reconciliation.printed
    if printed:
        differing = reconciliation.differing
        message = translate(
            _RECONCILED, chosen, year=year, same=len(printed) - len(differing), printed=len(printed)
        )
        typer.echo(message, err=output_format in {"csv", "json"} and out is None)
        for target in differing:
            typer.echo(
                translate(
                    _DIFFERS,
                    chosen,
                    indicator=target.indicator.name[chosen],
                    printed=target.value.verdict_as_printed,
                    computed=translate(VERDICT_NAMES[target.verdict], chosen),
                ),
                err=True,
            )
        if differing:
            raise typer.Exit(1)
