"""The wording of the compendium in one language (:class:`Context`), its introduction and
its chapter of general figures: deliveries, violations by stage, type and level, control
measures, restored rights, sanctions, protocols and fines, orders to remedy."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from ashyq.bodies import Level
from ashyq.i18n import Lang
from ashyq.i18n.grammar import join_names, number, quantity
from ashyq.numbers import Share, percent
from ashyq.records.model import RecordKind
from ashyq.reports.charts import grouped_bars, horizontal_bars
from ashyq.reports.compendium.records import CompendiumData
from ashyq.reports.compendium.texts import frame, load_compendium_texts, pct, period
from ashyq.reports.model import Block, Cell, Column, Heading, Paragraph, Table
from ashyq.services.catalogue import Category, Stage, load_catalogue
from ashyq.services.control import CONTROL_MEASURES, DISCIPLINARY
from ashyq.services.model import DELIVERIES, FINDINGS
from ashyq.services.stats import ServiceStats

__all__ = ["Context", "introduction", "share_of", "statistics"]

_CHART_LABEL: Final = 60
_Kind = Literal["text", "integer", "percent", "label"]


def _counts(lang: Lang, **counts: tuple[int, str]) -> dict[str, str]:
    """For each ``name=(count, noun)``: ``name`` the count with its noun, ``name_of`` the
    same after "из" (ablative in Kazakh), ``name_n`` the bare number."""
    values: dict[str, str] = {}
    for name, (count, noun) in counts.items():
        values[name] = quantity(count, noun, lang)
        values[f"{name}_of"] = quantity(count, noun, lang, "partitive")
        values[f"{name}_n"] = number(count, lang)
    return values


def share_of(shares: tuple[Share, ...], key: str) -> Share:
    """The share of ``key`` among ``shares``; zero when it is not among them."""
    return next((s for s in shares if s.key == key), Share(key, 0, Decimal(0)))


def _capitalised(text: str) -> str:
    """``text`` with a capital first letter, unless a Latin name starts a text in another
    script ("egov порталы")."""
    if text[:1].isascii() and not text.isascii():
        return text
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Context:
    """What every section of the compendium needs: the facts and the language they are
    worded in."""

    facts: CompendiumData
    lang: Lang

    @property
    def stats(self) -> ServiceStats:
        return self.facts.stats

    def t(self, key: str, **values: object) -> str:
        return frame(key, self.lang, **values)

    def n(self, value: int) -> str:
        return number(value, self.lang)

    def pct(self, value: Decimal) -> str:
        return pct(value, self.lang)

    def many(self, value: int, noun: str) -> str:
        return quantity(value, noun, self.lang)

    def counts(self, **counts: tuple[int, str]) -> dict[str, str]:
        return _counts(self.lang, **counts)

    def stage_name(self, stage: str) -> str:
        return load_compendium_texts().stages[Stage(stage)].name[self.lang]

    def type_name(self, type_id: str) -> str:
        return load_catalogue().get(type_id).names[self.lang]

    @property
    def period_in(self) -> str:
        return period(self.facts.period, self.lang, inside=True)

    def integer(self, value: int) -> Cell:
        return Cell(self.n(value), value)

    def percent(self, value: Decimal) -> Cell:
        return Cell(number(value, self.lang, 1), value)

    def columns(self, *specs: tuple[str, _Kind]) -> tuple[Column, ...]:
        """Columns from (title frame, kind) pairs; percentages have one decimal."""
        return tuple(
            Column(self.t(key), kind, 1 if kind == "percent" else None) for key, kind in specs
        )


def introduction(c: Context) -> list[Block]:
    """The introduction: purpose, content, sources, structure, anonymisation."""
    s = c.stats
    counts = c.counts(
        deliveries=(s.deliveries, "delivery"),
        services=(s.deliveries, "service"),
        measures=(s.control_measures, "control_measure"),
        violations=(s.violations, "violation"),
    )
    stages = join_names([c.stage_name(stage) for stage in Stage], c.lang)
    return [
        Heading(c.t("introduction"), 1, "introduction"),
        Paragraph(c.t("intro_purpose"), "lead"),
        Paragraph(c.t("intro_content")),
        Paragraph(c.t("intro_sources", period_in=c.period_in, **counts)),
        Paragraph(c.t("intro_structure", stages=stages)),
        Paragraph(c.t("intro_anonymised")),
        Paragraph(c.t("intro_call")),
    ]


def _labels(kind: RecordKind, name: str, lang: Lang) -> dict[str, str]:
    return {ch.code: _capitalised(getattr(ch, lang)) for ch in kind.field(name).choices}


def _share_table(
    c: Context,
    key: str,
    frames: tuple[str, str, str],
    shares: tuple[Share, ...],
    labels: dict[str, str],
) -> Table:
    """Label, count and share per row, then a total row; ``frames`` name the caption, the
    label column and the count column. A row's label cell holds its code as value."""
    caption, label, count = frames
    rows = [
        (Cell(labels.get(s.key, s.key), s.key), c.integer(s.count), c.percent(s.share_pct))
        for s in shares
    ]
    whole = sum(s.count for s in shares)
    rows.append(
        (Cell(c.t("col_total"), "total"), c.integer(whole), c.percent(percent(whole, whole)))
    )
    columns = c.columns((label, "label"), (count, "integer"), ("col_share", "percent"))
    return Table(key, c.t(caption), columns, tuple(rows))


def _bars(c: Context, key: str, caption: str, labels: list[str], values: list[int]) -> Block:
    items = "; ".join(
        f"{label} — {c.n(value)}" for label, value in zip(labels, values, strict=True)
    )
    alt = c.t("chart_alt", caption=caption, items=items)
    short = [textwrap.shorten(label, _CHART_LABEL, placeholder="…") for label in labels]
    values_ = [Decimal(value) for value in values]
    return horizontal_bars(key, caption, alt, short, values_, [None] * len(values), lang=c.lang)


def statistics(c: Context) -> list[Block]:
    """The chapter of general figures, as seed 000 reports them."""
    s, lang, texts = c.stats, c.lang, load_compendium_texts()
    electronic, paper = share_of(s.by_form, "electronic"), share_of(s.by_form, "paper")
    central, local = share_of(s.by_level, Level.CGO), share_of(s.by_level, Level.MIO)
    deadline = share_of(s.by_category, Category.DEADLINE)
    order = share_of(s.by_category, Category.ORDER)
    stages = {stage.value: _capitalised(c.stage_name(stage)) for stage in Stage}
    levels = {str(level): text[lang] for level, text in texts.levels.items()}
    categories = {str(category): text[lang] for category, text in texts.categories.items()}
    blocks: list[Block] = [
        Heading(c.t("statistics"), 1, "statistics"),
        Heading(c.t("deliveries_heading"), 2, "deliveries"),
        Paragraph(
            c.t(
                "deliveries_text",
                period_in=c.period_in,
                electronic_n=c.n(electronic.count),
                electronic_pct=c.pct(electronic.share_pct),
                paper_n=c.n(paper.count),
                paper_pct=c.pct(paper.share_pct),
                **c.counts(
                    deliveries=(s.deliveries, "delivery"), services=(s.deliveries, "service")
                ),
            )
        ),
        _share_table(
            c,
            "deliveries_by_channel",
            ("table_channel", "col_channel", "col_deliveries"),
            s.by_channel,
            _labels(DELIVERIES, "channel", lang),
        ),
        Heading(c.t("violations_heading"), 2, "violations"),
        Paragraph(
            c.t(
                "violations_text",
                violations=c.many(s.violations, "violation"),
                central_n=c.n(central.count),
                central_pct=c.pct(central.share_pct),
                local_n=c.n(local.count),
                local_pct=c.pct(local.share_pct),
            )
        ),
        Paragraph(
            c.t(
                "categories_text",
                deadline_pct=c.pct(deadline.share_pct),
                order_pct=c.pct(order.share_pct),
                **c.counts(
                    deadline=(deadline.count, "violation"), order=(order.count, "violation")
                ),
            )
        ),
        _share_table(
            c,
            "violations_by_stage",
            ("table_stage", "col_stage", "col_violations"),
            s.by_stage,
            stages,
        ),
        _share_table(
            c,
            "violations_by_level",
            ("table_level", "col_level", "col_violations"),
            s.by_level,
            levels,
        ),
        _share_table(
            c,
            "violations_by_category",
            ("table_category", "col_category", "col_violations"),
            s.by_category,
            categories,
        ),
        _type_table(c),
    ]
    if s.violations:
        blocks += _violation_charts(c, stages, levels)
    return blocks + _control_blocks(c) + _liability_blocks(c)


def _type_table(c: Context) -> Table:
    rows = tuple(
        (
            Cell(c.type_name(row.type), row.type),
            Cell(_capitalised(c.stage_name(row.stage)), row.stage),
            c.integer(row.central),
            c.integer(row.local),
            c.integer(row.total),
            c.percent(percent(row.total, c.stats.violations)),
        )
        for row in c.stats.by_type
    )
    columns = c.columns(
        ("col_type", "label"),
        ("col_stage", "label"),
        ("col_cgo", "integer"),
        ("col_mio", "integer"),
        ("col_total", "integer"),
        ("col_share_all", "percent"),
    )
    return Table("violations_by_type", c.t("table_type"), columns, rows)


def _violation_charts(c: Context, stages: dict[str, str], levels: dict[str, str]) -> list[Block]:
    s = c.stats
    by_stage = _bars(
        c,
        "chart_by_stage",
        c.t("chart_stage"),
        [stages[share.key] for share in s.by_stage],
        [share.count for share in s.by_stage],
    )
    found = sorted((row for row in s.by_type if row.total), key=lambda row: -row.total)
    by_type = _bars(
        c,
        "chart_by_type",
        c.t("chart_type"),
        [c.type_name(row.type) for row in found],
        [row.total for row in found],
    )
    groups = [stages[stage.value] for stage in Stage]
    central = [sum(r.central for r in s.by_type if r.stage == stage) for stage in Stage]
    local = [sum(r.local for r in s.by_type if r.stage == stage) for stage in Stage]
    caption = c.t("chart_level")
    items = "; ".join(
        f"{group}: {levels['CGO']} — {c.n(cgo)}, {levels['MIO']} — {c.n(mio)}"
        for group, cgo, mio in zip(groups, central, local, strict=True)
    )
    series = [
        (levels["CGO"], [Decimal(v) for v in central]),
        (levels["MIO"], [Decimal(v) for v in local]),
    ]
    alt = c.t("chart_alt", caption=caption, items=items)
    return [
        by_stage,
        by_type,
        grouped_bars("chart_by_level", caption, alt, groups, series, lang=c.lang),
    ]


def _control_blocks(c: Context) -> list[Block]:
    s = c.stats
    blocks: list[Block] = [Heading(c.t("control_heading"), 2, "control")]
    if not s.control_measures:
        blocks.append(Paragraph(c.t("control_none")))
    else:
        counts = c.counts(
            measures=(s.control_measures, "control_measure"), complaints=(s.complaints, "complaint")
        )
        blocks += [
            Paragraph(c.t("control_text", **counts)),
            _share_table(
                c,
                "measures_by_kind",
                ("table_kinds", "col_kind", "col_count"),
                s.measures_by_kind,
                _labels(CONTROL_MEASURES, "kind", c.lang),
            ),
        ]
    if s.confirmed:
        blocks += [
            Paragraph(c.t("confirmed_text", confirmed=c.many(s.confirmed, "violation"))),
            _share_table(
                c,
                "confirmed_by",
                ("table_confirmed", "col_established_by", "col_violations"),
                s.confirmed_by,
                _labels(FINDINGS, "established_by", c.lang),
            ),
        ]
    return blocks


def _liability_blocks(c: Context) -> list[Block]:
    s = c.stats
    executed = s.instructions_executed
    counts = c.counts(
        recipients=(s.rights_restored, "recipient"),
        employees=(s.disciplinary, "employee"),
        protocols=(s.protocols, "protocol"),
        representations=(s.representations, "representation"),
        instructions=(s.instructions, "instruction"),
    )
    outcomes = (
        ("out_restored", s.rights_restored),
        ("out_remote", s.restored_remotely),
        ("out_disciplinary", s.disciplinary),
        ("out_managers", s.disciplinary_managers),
        ("out_protocols", s.protocols),
        ("out_fined", s.fined),
        ("out_fines_mci", s.fines_mci),
        ("out_fines_tenge", s.fines_tenge),
        ("out_paid", s.fines_paid),
        ("out_collected", s.fines_collected_tenge),
        ("out_representations", s.representations),
        ("out_instructions", s.instructions),
        ("out_executed", executed),
    )
    values = {
        "remote_n": c.n(s.restored_remotely),
        "remote_pct": c.pct(s.restored_remotely_pct),
        "managers_n": c.n(s.disciplinary_managers),
        "managers_pct": c.pct(s.managers_pct),
        "fines_mci_n": c.n(s.fines_mci),
        "fines_tenge_n": c.n(s.fines_tenge),
        "collected_n": c.n(s.fines_collected_tenge),
        "executed_n": c.n(executed),
        "executed_pct": c.pct(percent(executed, s.instructions)),
        **counts,
    }
    # A sentence per kind of action taken; none taken leaves the zeros to the table.
    sentences = (
        ("restored_text", s.rights_restored),
        ("disciplinary_text", s.disciplinary),
        ("protocols_text", s.protocols),
        ("representations_text", s.representations),
    )
    blocks: list[Block] = [
        Heading(c.t("liability_section"), 2, "liability"),
        *(Paragraph(c.t(key, **values)) for key, count in sentences if count),
        Table(
            "control_outcomes",
            c.t("table_outcomes"),
            c.columns(("col_indicator", "label"), ("col_value", "integer")),
            tuple((Cell(c.t(key), key), c.integer(value)) for key, value in outcomes),
        ),
    ]
    if s.refusals:
        blocks.append(
            Paragraph(
                c.t(
                    "reconsidered_text",
                    reconsidered_n=c.n(s.reconsidered),
                    reconsidered_pct=c.pct(s.reconsidered_pct),
                    **c.counts(refusals=(s.refusals, "refusal")),
                )
            )
        )
    if s.reconsidered:
        blocks.append(
            _share_table(
                c,
                "refusals_reconsidered",
                ("table_reconsidered", "col_reconsidered_by", "col_count"),
                s.refusals_reconsidered,
                _labels(DELIVERIES, "reconsidered_by", c.lang),
            )
        )
    if s.penalties:
        blocks.append(
            _share_table(
                c,
                "penalties",
                ("table_penalties", "col_penalty", "col_count"),
                s.penalties,
                _labels(DISCIPLINARY, "penalty", c.lang),
            )
        )
    return blocks
