"""``ashyq index``: compute, reproduce and explain the Openness Index."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer

from ashyq.bodies import UnknownBodyError, load_bodies
from ashyq.cli.common import (
    fail,
    fail_input,
    methodology_or_exit,
    resolve_lang,
    stored_appeals_or_exit,
    write_json,
    write_output,
)
from ashyq.cli.options import LangOption, OutOption, format_option, period_option
from ashyq.errors import InputError
from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import number as spell_number
from ashyq.i18n.grammar import signed_number
from ashyq.index.dynamics import read_previous
from ashyq.index.engine import Fact, IndexResult, compute_index
from ashyq.index.explain import explain
from ashyq.index.inputs import input_columns, read_index_input
from ashyq.index.methodology import IndicatorRole, Methodology
from ashyq.index.published import load_published, reproduction_input
from ashyq.index.reconcile import CheckKind, Reconciliation, Status, reconcile
from ashyq.results.render import RENDERERS, results_of

app = typer.Typer(help="The Openness Index: compute, reproduce, explain.", no_args_is_help=True)


MethodologyOption = Annotated[
    str,
    typer.Option("--methodology", help="A packaged methodology (2025) or a methodology YAML file."),
]


def _render(
    result: IndexResult, output_format: str, out: Path | None, lang: Lang, previous: Path | None
) -> None:
    renderer = RENDERERS[output_format]
    earlier = None
    if previous is not None:
        try:
            earlier = read_previous(previous, result.methodology, load_bodies())
        except InputError as error:
            fail_input(error, lang)
    if out is None and renderer.suffix == ".xlsx":
        fail("--format xlsx needs --out FILE", code=2)
    write_output(renderer.render(results_of(result, lang, earlier=earlier)), out)


@app.command()
def compute(
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="CSV or XLSX, one row per body (with --period: the authorities' other scores).",
        ),
    ] = None,
    period: Annotated[
        str | None,
        period_option("Compute the appeal counts from the stored records of this period."),
    ] = None,
    methodology_name: MethodologyOption = "2025",
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="An earlier period's results (CSV, XLSX or JSON)."),
    ] = None,
    output_format: Annotated[str, format_option(*RENDERERS)] = "table",
    out: OutOption = None,
    partial: Annotated[
        bool, typer.Option(help="Allow a file that lists only some bodies.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Compute scores, levels, categories, grades and ranks.

    From an input file, or with --period from the stored appeal records (the counts) and
    the authorities' scores for the rest (--input, else $ASHYQ_HOME/inputs/PERIOD.csv).
    """
    chosen = resolve_lang(lang)
    methodology = methodology_or_exit(methodology_name)
    registry = load_bodies()
    supplied = None
    if period is not None:
        supplied, default_input = _record_counts(period, methodology, chosen)
        input_file = input_file or default_input
    if input_file is None:
        fail("--input FILE or --period PERIOD is needed", code=2)
    try:
        inputs = read_index_input(
            input_file,
            methodology,
            registry,
            require_all_bodies=not partial,
            supplied=supplied,
        )
    except InputError as error:
        fail_input(error, chosen, as_json=output_format == "json")
    result = compute_index(methodology, inputs, registry)
    _render(result, output_format, out, chosen, previous)


def _record_counts(
    period: str, methodology: Methodology, lang: Lang
) -> tuple[dict[str, dict[str, Fact]], Path]:
    """The counts of the stored records of ``period``, and the default authorities' file."""
    from ashyq.appeals.pipeline import body_counts, index_counts
    from ashyq.settings import settings

    data = stored_appeals_or_exit(period, lang)
    counts = index_counts(data, body_counts(data), methodology)
    return counts, settings().paths.inputs / f"{data.period.name}.csv"


@app.command()
def template(
    methodology_name: MethodologyOption = "2025",
    out: OutOption = None,
) -> None:
    """Print an empty input file (CSV) with every column the methodology accepts."""
    methodology = methodology_or_exit(methodology_name)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(input_columns(methodology))
    for body in load_bodies():
        writer.writerow([body.code])
    write_output(buffer.getvalue().encode("utf-8"), out)


_SUMMARY_TITLE = N_("Reconciliation of the published {period} report")
_KIND_TITLES = {
    CheckKind.TABLE_ROWS: N_("Table rows (each body once per table)"),
    CheckKind.CRITERION: N_("Criterion scores"),
    CheckKind.TOTAL: N_("Totals"),
    CheckKind.GRADE: N_("Grades stated in the text"),
    CheckKind.GRADE_LABEL: N_("Grades printed in the total tables"),
    CheckKind.CATEGORY_LABEL: N_("Categories printed in the criterion tables"),
    CheckKind.LEVEL_LABEL: N_("Levels printed in the indicator tables"),
    CheckKind.STATED_LEVEL: N_("Levels and categories stated in the text"),
    CheckKind.QUOTED_COUNTS: N_("Indicator scores recomputed from quoted counts"),
}
_STATUS_TITLES = {
    Status.REPRODUCED: N_("reproduced"),
    Status.WITH_ERRATUM: N_("reproduced with an erratum"),
    Status.NOT_REPRODUCED: N_("not reproduced"),
    Status.UNCHECKABLE: N_("not checkable"),
}
_LINE = N_("line")


def _reconciliation_text(rec: Reconciliation, lang: Lang, verbose: bool) -> str:
    lines = [translate(_SUMMARY_TITLE, lang, period=rec.period), ""]
    summary = rec.summary()
    for kind in CheckKind:
        counts = summary.get(kind)
        if not counts:
            continue
        parts = [f"{counts[s]} {translate(_STATUS_TITLES[s], lang)}" for s in Status if counts[s]]
        lines.append(f"{translate(_KIND_TITLES[kind], lang)}: {', '.join(parts)}")
    shown = {Status.NOT_REPRODUCED, Status.WITH_ERRATUM} | (
        {Status.UNCHECKABLE} if verbose else set()
    )
    for kind in CheckKind:
        checks = [c for c in rec.checks if c.kind is kind and c.status in shown]
        if not checks:
            continue
        lines += ["", f"## {translate(_KIND_TITLES[kind], lang)}"]
        for check in checks:
            where = f" ({translate(_LINE, lang)} {check.seed_line})" if check.seed_line else ""
            lines.append(
                f"- [{translate(_STATUS_TITLES[check.status], lang)}] "
                f"{check.body} · {check.subject}: "
                f"{check.published or '—'} → {check.computed or '—'}{where}. {check.reason}"
            )
    return "\n".join(lines) + "\n"


@app.command()
def reproduce(
    period: Annotated[int, typer.Argument(help="The period whose published report to recompute.")],
    methodology_name: Annotated[
        str | None, typer.Option("--methodology", help="Defaults to the period's own methodology.")
    ] = None,
    output_format: Annotated[str, format_option("text", "json")] = "text",
    verbose: Annotated[
        bool, typer.Option(help="Also list the checks that cannot be made.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Recompute a published report and reconcile every figure it states.

    Exits with status 1 when a published total or a grade stated in the text is not
    reproduced.
    """
    chosen = resolve_lang(lang)
    try:
        report = load_published(period)
    except LookupError as error:
        fail(str(error), code=2)
    methodology = methodology_or_exit(methodology_name or str(period))
    rec = reconcile(methodology, load_bodies(), report)
    if output_format == "json":
        payload = {
            "period": rec.period,
            "methodology": methodology.id,
            "summary": {
                k.value: {s.value: n for s, n in c.items()} for k, c in rec.summary().items()
            },
            "checks": [
                {
                    "kind": c.kind.value,
                    "body": c.body,
                    "subject": c.subject,
                    "published": c.published,
                    "computed": c.computed,
                    "status": c.status.value,
                    "reason": c.reason,
                    "seed_line": c.seed_line,
                }
                for c in rec.checks
            ],
        }
        write_json(payload)
    else:
        write_output(_reconciliation_text(rec, chosen, verbose).encode("utf-8"), None)
    if not rec.totals_and_stated_grades_reproduced:
        raise typer.Exit(1)


_EXPLAIN_HEAD = N_("{body}: total {total}, grade {grade}, rank {rank} among {level}")
_LOST = N_("Points lost")
_FACTS = N_("facts")
_NEXT = N_("To reach {grade} ({needed} more points), the fewest improvements:")
_TOP = N_("Already at the highest grade.")
_OUT_OF_REACH = N_("Even full marks everywhere would not reach the next grade.")
_RAISE = N_("raise «{indicator}» by {gain} to {target}")
_LOWER_PENALTY = N_("lower the penalty «{indicator}» by {gain} to {target}")
_COUNT = N_("«{field}» at most {target} instead of {current}")
_COUNT_UP = N_("«{field}» at least {target} instead of {current}")


def _explain_text(methodology: Methodology, code: str, result: IndexResult, lang: Lang) -> str:
    body_result = result.for_body(code)
    explanation = explain(methodology, body_result)
    grade = methodology.grades.band(body_result.grade).name[lang]
    lines = [
        translate(
            _EXPLAIN_HEAD,
            lang,
            body=body_result.body.short(lang),
            total=spell_number(body_result.total, lang),
            grade=grade,
            rank=body_result.rank,
            level=body_result.body.level.value,
        ),
        "",
        f"{translate(_LOST, lang)}:",
    ]
    for indicator in explanation.losses:
        facts = ", ".join(
            f"{name} = {spell_number(fact.value, lang)} [{fact.provenance}]"
            for name, fact in indicator.facts.items()
        )
        lines.append(
            f"- {indicator.indicator.name[lang]} ({indicator.indicator.id}): "
            f"{spell_number(indicator.score, lang)} / "
            f"{spell_number(indicator.indicator.max, lang)}, "
            f"{signed_number(-indicator.points_lost, lang)}; {translate(_FACTS, lang)}: {facts}"
        )
    lines.append("")
    if explanation.next_grade is None:
        lines.append(translate(_TOP, lang))
    elif not explanation.improvements:
        lines.append(translate(_OUT_OF_REACH, lang))
    else:
        lines.append(
            translate(
                _NEXT,
                lang,
                grade=methodology.grades.band(explanation.next_grade).name[lang],
                needed=spell_number(explanation.points_needed, lang),
            )
        )
        for step in explanation.improvements:
            penalty = step.indicator.indicator.role is IndicatorRole.PENALTY
            text = translate(
                _LOWER_PENALTY if penalty else _RAISE,
                lang,
                indicator=step.indicator.indicator.name[lang],
                gain=spell_number(step.gain, lang),
                target=spell_number(step.target_score, lang),
            )
            if (
                step.field is not None
                and step.current_count is not None
                and step.target_count is not None
            ):
                template_text = _COUNT_UP if step.target_count > step.current_count else _COUNT
                text += "; " + translate(
                    template_text,
                    lang,
                    field=step.field,
                    target=spell_number(step.target_count, lang),
                    current=spell_number(step.current_count, lang),
                )
            lines.append(f"- {text}")
    return "\n".join(lines) + "\n"


@app.command("explain")
def explain_body(
    body: Annotated[
        str, typer.Argument(help="A body's code, abbreviation or name, e.g. mf or МФ.")
    ],
    input_file: Annotated[
        Path | None,
        typer.Option("--input", help="An input file; default: the published 2025 results."),
    ] = None,
    methodology_name: MethodologyOption = "2025",
    lang: LangOption = None,
) -> None:
    """List a body's points lost, the facts behind them, and the way to the next grade."""
    chosen = resolve_lang(lang)
    methodology = methodology_or_exit(methodology_name)
    registry = load_bodies()
    try:
        code = registry.resolve(body).code
    except UnknownBodyError:
        fail(f"{body!r}: not an evaluated body (see `ashyq bodies list`)", code=2)
    if input_file is None:
        inputs = reproduction_input(load_published(methodology.period), methodology)
    else:
        try:
            inputs = read_index_input(input_file, methodology, registry, require_all_bodies=False)
        except InputError as error:
            fail_input(error, chosen)
    result = compute_index(methodology, inputs, registry)
    try:
        text = _explain_text(methodology, code, result, chosen)
    except KeyError:
        fail(f"{code}: no row for this body in the input", code=2)
    write_output(text.encode("utf-8"), None)
