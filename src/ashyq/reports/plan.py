"""The report on a strategic plan's year, as the agency writes it (seed 004): the table of
target indicators with plan, actual and verdict, the verdicts checked against those the
report printed, and the risk register with planned and actual mitigation."""

from __future__ import annotations

from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import number, quantity
from ashyq.plans.model import VERDICT_NAMES, StrategicPlan, Target, Verdict
from ashyq.plans.verdicts import reconcile_verdicts
from ashyq.reports.model import (
    BulletList,
    Cell,
    Column,
    Heading,
    LevelRule,
    Paragraph,
    Report,
    Table,
)

__all__ = ["build_plan_report"]

_COLOURS = {
    Verdict.ACHIEVED: "high",
    Verdict.NOT_ACHIEVED: "ineffective",
    Verdict.NO_DATA: None,
}
_SUBTITLE = N_("Report on {year}")
_TARGETS = N_("Achievement of goals and target indicators")
_RISKS = N_("Risk management")
_SUMMARY = N_("Target indicators of {year}: {total}; achieved: {achieved}; not achieved: {missed}.")
_NO_DATA = N_("Without an actual value: {count}.")
_DIRECTION = N_("Strategic direction {id}. {name}")
_GOAL = N_("Goal {id}. {name}")
_CAPTION = N_("Target indicators of goal {id}, {year}")
_RISK_ITEM = N_("Risk: {risk} Planned: {planned} Done: {actual} Status: {status}.")
_NOT_REPORTED = N_("not reported")
_STATUS = {
    "executed": N_("executed"),
    "partly_executed": N_("partly executed"),
    "not_executed": N_("not executed"),
}
_PRINTED_DIFFERS = N_(
    "The report printed «{printed}» for {indicator}; the plan and actual give {computed}."
)
_COLUMNS = (
    N_("No."),
    N_("Target indicator"),
    N_("Source"),
    N_("Unit"),
    N_("Plan"),
    N_("Actual"),
    N_("Verdict"),
    N_("Note"),
)


def _row(position: int, target: Target, plan: StrategicPlan, lang: Lang) -> tuple[Cell, ...]:
    value = target.value
    verdict = translate(VERDICT_NAMES[target.verdict], lang)
    return (
        Cell(str(position), position),
        Cell(target.indicator.name[lang], target.indicator.id),
        Cell(plan.sources[target.indicator.source][lang]),
        Cell(target.indicator.unit),
        Cell(number(value.plan, lang), value.plan),
        Cell(number(value.actual, lang) if value.actual is not None else "—", value.actual),
        Cell(verdict, target.verdict.value, _COLOURS[target.verdict]),
        Cell(value.note or ""),
    )


def build_plan_report(plan: StrategicPlan, year: int, lang: Lang) -> Report:
    """The report on ``year`` of ``plan`` in ``lang``; raises KeyError for a year with no
    plan values."""
    targets = plan.targets(year)
    if not targets:
        raise KeyError(year)
    report = Report(
        kind="plan",
        lang=lang,
        title=plan.name[lang],
        subtitle=translate(_SUBTITLE, lang, year=year),
        footer=f"{plan.name[lang]} · {year}",
        cover=False,
    )
    counted = {v: sum(1 for t in targets if t.verdict is v) for v in Verdict}
    report.add(Heading(translate(_TARGETS, lang), 1, "targets"))
    report.add(
        Paragraph(
            translate(
                _SUMMARY,
                lang,
                year=year,
                total=quantity(len(targets), "indicator", lang),
                achieved=number(counted[Verdict.ACHIEVED], lang),
                missed=number(counted[Verdict.NOT_ACHIEVED], lang),
            ),
            "lead",
        )
    )
    if counted[Verdict.NO_DATA]:
        report.add(
            Paragraph(translate(_NO_DATA, lang, count=number(counted[Verdict.NO_DATA], lang)))
        )
    verdict_rules = tuple(
        LevelRule(colour, "==", translate(VERDICT_NAMES[verdict], lang))
        for verdict, colour in _COLOURS.items()
        if colour is not None
    )
    titles = [translate(title, lang) for title in _COLUMNS]
    columns = (
        Column(titles[0], "integer"),
        Column(titles[1]),
        Column(titles[2]),
        Column(titles[3]),
        Column(titles[4], "number"),
        Column(titles[5], "number"),
        Column(titles[6], "label", rules=verdict_rules),
        Column(titles[7]),
    )
    position = 0
    for direction in plan.directions:
        in_direction = [t for t in targets if t.direction.id == direction.id]
        if not in_direction:
            continue
        report.add(
            Heading(
                translate(_DIRECTION, lang, id=direction.id, name=direction.name[lang]),
                2,
                f"direction-{direction.id}",
            )
        )
        for goal in direction.goals:
            rows = []
            for target in (t for t in in_direction if t.goal.id == goal.id):
                position += 1
                rows.append(_row(position, target, plan, lang))
            if not rows:
                continue
            report.add(
                Heading(
                    translate(_GOAL, lang, id=goal.id, name=goal.name[lang]), 3, f"goal-{goal.id}"
                ),
                Table(
                    f"goal_{goal.id.replace('.', '_')}",
                    translate(_CAPTION, lang, id=goal.id, year=year),
                    columns,
                    tuple(rows),
                ),
            )
    differing = reconcile_verdicts(plan, year).differing
    if differing:
        report.add(
            BulletList(
                tuple(
                    translate(
                        _PRINTED_DIFFERS,
                        lang,
                        printed=t.value.verdict_as_printed,
                        indicator=t.indicator.name[lang],
                        computed=translate(VERDICT_NAMES[t.verdict], lang),
                    )
                    for t in differing
                )
            )
        )
    if plan.risks:
        report.add(Heading(translate(_RISKS, lang), 1, "risks"))
        for direction in plan.directions:
            for goal in direction.goals:
                risks = plan.risks_of(goal.id)
                if not risks:
                    continue
                report.add(
                    Heading(
                        translate(_GOAL, lang, id=goal.id, name=goal.name[lang]),
                        3,
                        f"risks-{goal.id}",
                    ),
                    BulletList(
                        tuple(
                            translate(
                                _RISK_ITEM,
                                lang,
                                risk=risk.risk,
                                planned=risk.planned,
                                actual=risk.actual or translate(_NOT_REPORTED, lang),
                                status=translate(_STATUS[risk.status], lang),
                            )
                            for risk in risks
                        )
                    ),
                )
    return report
