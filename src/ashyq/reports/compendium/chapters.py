"""The compendium's chapter per stage of delivery, with a section per violation type of the
catalogue (its count, typical cases, liability and recommendations), its conclusions and
its data sheets, and :func:`build_compendium`, which puts the chapters together."""

from __future__ import annotations

import json

from ashyq.bodies import BodyRegistry
from ashyq.i18n import Lang
from ashyq.i18n.grammar import join_names
from ashyq.numbers import percent
from ashyq.reports.compendium.figures import Context, introduction, share_of, statistics
from ashyq.reports.compendium.records import (
    Case,
    CompendiumData,
    Liability,
    action_text,
    collect_compendium,
    public_evidence,
    scrub,
)
from ashyq.reports.compendium.texts import load_compendium_texts, period, type_count_sentence
from ashyq.reports.model import (
    Block,
    BulletList,
    Cell,
    DataSheet,
    Heading,
    PageBreak,
    Paragraph,
    Report,
    Table,
    TableOfContents,
)
from ashyq.services.catalogue import Category, Stage, ViolationType, load_catalogue
from ashyq.services.detect import ServicesPeriod
from ashyq.services.liability import LiabilityRule, load_rules
from ashyq.services.stats import TypeCount

__all__ = ["build_compendium"]


def build_compendium(
    source: ServicesPeriod | CompendiumData, lang: Lang, *, registry: BodyRegistry | None = None
) -> Report:
    """The compendium of typical violations in ``lang`` (kind "compendium"): from a stored
    period, or from what :func:`collect_compendium` read (to build several languages from
    one reading). Per-type counts, liability and the typical cases' provenance go with it
    as data sheets.

    Raises LookupError as :func:`collect_compendium` does.
    """
    if isinstance(source, CompendiumData):
        facts = source
    else:
        facts = collect_compendium(source, registry=registry)
    c = Context(facts, lang)
    period_text = period(facts.period, lang)
    report = Report(
        kind="compendium",
        lang=lang,
        title=c.t("title"),
        subtitle=c.t("subtitle", period=period_text),
        footer=c.t("footer", period=period_text),
    )
    report.add(TableOfContents(c.t("contents")), *introduction(c))
    report.add(PageBreak(), *statistics(c))
    for stage in Stage:
        report.add(PageBreak(), *_stage_chapter(c, stage))
    report.add(PageBreak(), *_conclusions(c))
    report.data_sheets.extend(_data_sheets(c))
    return report


def _stage_chapter(c: Context, stage: Stage) -> list[Block]:
    lang, texts = c.lang, load_compendium_texts().stages[stage]
    counts = [row for row in c.stats.by_type if row.stage == stage.value]
    share = share_of(c.stats.by_stage, stage.value)
    summary = c.t(
        "stage_summary",
        violations=c.many(share.count, "violation"),
        share_pct=c.pct(share.share_pct),
        central_n=c.n(sum(row.central for row in counts)),
        local_n=c.n(sum(row.local for row in counts)),
    )
    items = tuple(
        c.t(
            "stage_type_item", name=c.type_name(row.type), violations=c.many(row.total, "violation")
        )
        for row in counts
    )
    rows = tuple(
        (
            Cell(c.type_name(row.type), row.type),
            c.integer(row.total),
            c.percent(percent(row.total, c.stats.violations)),
            c.integer(row.central),
            c.integer(row.local),
        )
        for row in counts
    )
    columns = c.columns(
        ("col_type", "label"),
        ("col_total", "integer"),
        ("col_share_all", "percent"),
        ("col_cgo", "integer"),
        ("col_mio", "integer"),
    )
    caption = c.t("table_stage_types", stage=c.stage_name(stage))
    blocks: list[Block] = [Heading(texts.title[lang], 1, f"stage-{stage.value}")]
    blocks += [Paragraph(text[lang]) for text in texts.intro]
    blocks += [
        Paragraph(summary),
        Paragraph(c.t("stage_types_lead")),
        BulletList(items),
        Table(f"stage_{stage.value}", caption, columns, rows),
    ]
    for row in counts:
        blocks += _type_section(c, load_catalogue().get(row.type), row)
    return blocks


def _type_section(c: Context, violation_type: ViolationType, count: TypeCount) -> list[Block]:
    lang = c.lang
    blocks: list[Block] = [
        Heading(violation_type.names[lang], 2, f"type-{violation_type.id}"),
        Paragraph(c.t("type_norm", norm=violation_type.norm[lang])),
    ]
    if not count.total:
        blocks.append(Paragraph(c.t("type_none")))
    else:
        cases = c.facts.cases.get(violation_type.id, [])
        lead = c.t("cases_lead", shown_n=c.n(len(cases)), **c.counts(cases=(count.total, "case")))
        blocks += [
            Paragraph(type_count_sentence(count, c.stats.violations, lang)),
            Heading(c.t("cases_heading"), 3),
            Paragraph(lead, "note"),
            *(Paragraph(_case_text(c, violation_type, case)) for case in cases),
        ]
    recommendations = load_compendium_texts().recommendations[violation_type.id]
    return [
        *blocks,
        *_type_liability(c, violation_type),
        Heading(c.t("recommendations_heading"), 3),
        BulletList(tuple(text[lang] for text in recommendations)),
    ]


def _case_text(c: Context, violation_type: ViolationType, case: Case) -> str:
    lang, row = c.lang, case.row
    body = c.facts.bodies.get(row["provider_body"]).short(lang)
    where = ", ".join(part for part in (body, row["provider_unit"]) if part)
    service = case.service_kk if lang == "kk" else case.service_ru
    lead = c.t("case_lead", number=case.number, where=where, service=service)
    evidence = public_evidence(violation_type, json.loads(row["evidence"]), lang)
    actions = c.facts.control.by_violation.get(row["violation_id"], [])
    if actions:
        outcome = c.t("case_measures", measures="; ".join(action_text(a, lang) for a in actions))
    else:
        outcome = c.t("case_no_measures")
    return scrub(f"{lead} {violation_type.describe(evidence, lang)} {outcome}", case.secrets, lang)


def _type_liability(c: Context, violation_type: ViolationType) -> list[Block]:
    found = c.facts.control.by_type.get(violation_type.id, Liability())
    blocks: list[Block] = [Heading(c.t("liability_heading"), 3)]
    if not found.recorded:
        blocks.append(Paragraph(c.t("liability_none")))
    else:
        values = c.counts(
            employees=(found.sanctions, "employee"),
            protocols=(found.protocols, "protocol"),
            recipients=(found.restored, "recipient"),
            representations=(found.representations, "representation"),
        )
        values |= {
            "managers_n": c.n(found.managers),
            "fines_mci_n": c.n(found.fines_mci),
            "fines_tenge_n": c.n(found.fines_tenge),
        }
        present = (
            ("liability_sanctions", found.sanctions),
            ("liability_protocols", found.protocols),
            ("liability_restored", found.restored),
            ("liability_representations", found.representations),
        )
        items = tuple(c.t(key, **values) for key, count in present if count)
        blocks += [Paragraph(c.t("liability_applied_lead")), BulletList(items)]
    rules = tuple(_rule_text(c, rule) for rule in _rules_for(violation_type.id))
    return [*blocks, Paragraph(c.t("liability_rules_lead")), BulletList(rules)]


def _rules_for(type_id: str) -> list[LiabilityRule]:
    """The rules of the liability table that apply to a type, whatever the permit category."""
    rules = load_rules()
    found: list[LiabilityRule] = []
    for permit in ("none", "first", "second"):
        rule = rules.suggest(type_id, permit)
        if rule not in found:
            found.append(rule)
    return found


def _rule_text(c: Context, rule: LiabilityRule) -> str:
    basis = rule.basis[c.lang]
    if rule.fine_mci is None:
        return c.t("liability_rule", basis=basis)
    return c.t("liability_rule_fine", basis=basis, mci_n=c.n(rule.fine_mci), article=rule.article)


def _conclusions(c: Context) -> list[Block]:
    s, lang = c.stats, c.lang
    blocks: list[Block] = [Heading(c.t("conclusions"), 1, "conclusions")]
    if not s.violations:
        blocks.append(Paragraph(c.t("concl_none", period_in=c.period_in)))
    else:
        order = {type_id: index for index, type_id in enumerate(load_catalogue().ids())}
        found = sorted((r for r in s.by_type if r.total), key=lambda r: (-r.total, order[r.type]))
        top = [
            c.t(
                "concl_top_item",
                name=c.type_name(row.type),
                violations=c.many(row.total, "violation"),
                share_pct=c.pct(percent(row.total, s.violations)),
            )
            for row in found[:3]
        ]
        stages = {stage.value: index for index, stage in enumerate(Stage)}
        largest = min(s.by_stage, key=lambda share: (-share.count, stages[share.key]))
        deadline = share_of(s.by_category, Category.DEADLINE)
        order_share = share_of(s.by_category, Category.ORDER)
        counts = c.counts(
            deadline=(deadline.count, "violation"),
            order=(order_share.count, "violation"),
            recipients=(s.rights_restored, "recipient"),
            employees=(s.disciplinary, "employee"),
            protocols=(s.protocols, "protocol"),
            representations=(s.representations, "representation"),
        )
        blocks += [
            Paragraph(c.t("concl_top", period_in=c.period_in, top=join_names(top, lang))),
            Paragraph(
                c.t(
                    "concl_stage",
                    stage=c.stage_name(largest.key),
                    violations=c.many(largest.count, "violation"),
                    share_pct=c.pct(largest.share_pct),
                )
            ),
            Paragraph(
                c.t(
                    "categories_text",
                    deadline_pct=c.pct(deadline.share_pct),
                    order_pct=c.pct(order_share.share_pct),
                    **counts,
                )
            ),
        ]
        blocks += _liability_summary(c, counts)
    return [
        *blocks,
        Paragraph(c.t("concl_closing_1")),
        Paragraph(c.t("concl_closing_2")),
        Paragraph(c.t("concl_closing_3"), "lead"),
    ]


def _liability_summary(c: Context, counts: dict[str, str]) -> list[Block]:
    """The action taken in the period, one item per kind of action taken."""
    s = c.stats
    values = {
        "managers_n": c.n(s.disciplinary_managers),
        "fines_mci_n": c.n(s.fines_mci),
        "fines_tenge_n": c.n(s.fines_tenge),
        **counts,
    }
    taken = (
        ("liability_restored", s.rights_restored),
        ("liability_sanctions", s.disciplinary),
        ("liability_protocols", s.protocols),
        ("concl_representations", s.representations),
    )
    items = tuple(c.t(key, **values) for key, count in taken if count)
    return [Paragraph(c.t("concl_liability_lead")), BulletList(items)] if items else []


def _data_sheets(c: Context) -> list[DataSheet]:
    """The per-type counts, the per-type liability and where each typical case comes from
    (file and row of the delivery record; no identifier of a person or a document)."""
    s, texts, ids = c.stats, load_compendium_texts(), load_catalogue().ids()
    types = tuple(
        (
            Cell(row.type, row.type),
            Cell(c.type_name(row.type), row.type),
            Cell(row.stage, row.stage),
            Cell(texts.categories[Category(row.category)][c.lang], row.category),
            c.integer(row.central),
            c.integer(row.local),
            c.integer(row.total),
            c.percent(percent(row.total, s.violations)),
        )
        for row in s.by_type
    )
    cases = tuple(
        (
            Cell(type_id, type_id),
            c.integer(case.number),
            Cell(case.row["provider_body"], case.row["provider_body"]),
            Cell(case.row["provider_unit"] or "—", case.row["provider_unit"] or ""),
            Cell(case.row["service_code"], case.row["service_code"]),
            Cell(case.row["source_file"], case.row["source_file"]),
            c.integer(int(case.row["source_row"])),
        )
        for type_id in ids
        for case in c.facts.cases.get(type_id, [])
    )
    liability = tuple(
        (
            Cell(type_id, type_id),
            *(
                c.integer(value)
                for value in (
                    found.sanctions,
                    found.managers,
                    found.protocols,
                    found.fines_mci,
                    found.fines_tenge,
                    found.restored,
                    found.representations,
                )
            ),
        )
        for type_id in ids
        for found in (c.facts.control.by_type.get(type_id, Liability()),)
    )
    return [
        DataSheet(
            "data_violations_by_type",
            c.t("sheet_types"),
            c.columns(
                ("col_type_id", "text"),
                ("col_type", "text"),
                ("col_stage", "text"),
                ("col_category", "text"),
                ("col_cgo", "integer"),
                ("col_mio", "integer"),
                ("col_total", "integer"),
                ("col_share_all", "percent"),
            ),
            types,
        ),
        DataSheet(
            "data_typical_cases",
            c.t("sheet_cases"),
            c.columns(
                ("col_type_id", "text"),
                ("col_case", "integer"),
                ("col_body", "text"),
                ("col_unit", "text"),
                ("col_service", "text"),
                ("col_source_file", "text"),
                ("col_source_row", "integer"),
            ),
            cases,
        ),
        DataSheet(
            "data_liability_by_type",
            c.t("sheet_liability"),
            c.columns(
                ("col_type_id", "text"),
                ("col_sanctions", "integer"),
                ("col_managers", "integer"),
                ("col_protocols", "integer"),
                ("col_fines_mci", "integer"),
                ("col_fines_tenge", "integer"),
                ("col_restored", "integer"),
                ("col_representations", "integer"),
            ),
            liability,
        ),
    ]
