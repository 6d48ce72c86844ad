"""The compendium of typical violations in public services (seed 002), built from the data.

The chapters follow seed 002: an introduction, the general figures of the year (as seed 000
reports them: deliveries, violations by stage, type and level, control measures, restored
rights, sanctions, protocols and fines, orders to remedy), a chapter per stage of delivery
with a section per violation type of the catalogue, and conclusions. Every figure comes
from :func:`ashyq.services.stats.service_stats`, the violation registry
(:func:`ashyq.services.detect.detect`) and the stored control records; every sentence is a
frame of ``compendium.yaml`` with its counts spelled by :func:`ashyq.i18n.grammar.quantity`.

:func:`collect_compendium` reads all of it once, in no language; :func:`build_compendium`
words it in one language, so ru, kk and en cost one pass over the records.

Typical cases are picked by a fixed rule (the bodies with the most violations of the type
first, then the lowest delivery number) and anonymised: identifiers of recipients and
employees, and document numbers, never reach the text (see :func:`_public_evidence`).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Final, Literal

import ibis
import ibis.expr.types as ir
import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from ashyq.appeals.stats import Share
from ashyq.bodies import BodyRegistry, Level, load_bodies
from ashyq.i18n import Lang, Text
from ashyq.i18n.grammar import join_names, number, quantity
from ashyq.numbers import percent
from ashyq.periods import Period
from ashyq.records.model import CODES_SEPARATOR, RecordKind
from ashyq.reports.charts import grouped_bars, horizontal_bars
from ashyq.reports.model import (
    Block,
    BulletList,
    Cell,
    Column,
    DataSheet,
    Heading,
    PageBreak,
    Paragraph,
    Report,
    Table,
    TableOfContents,
)
from ashyq.services.catalogue import Category, Stage, ViolationType, load_catalogue
from ashyq.services.control import (
    CONTROL_MEASURES,
    DISCIPLINARY,
    PROTOCOLS,
    REPRESENTATIONS,
    RIGHTS_RESTORED,
)
from ashyq.services.detect import ServicesPeriod, detect
from ashyq.services.liability import LiabilityRule, load_rules, mci_tenge
from ashyq.services.model import DELIVERIES, FINDINGS
from ashyq.services.stats import ServiceStats, TypeCount, service_stats

__all__ = [
    "CASES_PER_TYPE",
    "CompendiumData",
    "CompendiumTexts",
    "StageTexts",
    "build_compendium",
    "collect_compendium",
    "load_compendium_texts",
    "type_count_sentence",
]

CASES_PER_TYPE: Final = 3
_TEXTS_FILE: Final = "compendium.yaml"
# Evidence fields that hold document codes ('|'-separated), shown by their names.
_DOCUMENT_FIELDS: Final = frozenset(
    {
        "documents_requested",
        "documents_submitted",
        "review_documents_requested",
        "excess_documents",
        "missing_documents",
    }
)
# Evidence fields that are codes of a record field, shown by the code's name.
_CODED_FIELDS: Final[dict[str, RecordKind]] = {
    "channel": DELIVERIES,
    "form": DELIVERIES,
    "decision": DELIVERIES,
    "established_by": FINDINGS,
}
# Identifiers no text may show: of the applicant, the employees and the documents.
_PERSONAL_FIELDS: Final = ("applicant_id", "employee_id", "signed_by", "delivery_id")
# A run of six digits or more in free text may be an IIN/BIN or a document number.
_LONG_NUMBER: Final = re.compile(r"\d{6,}")
_CHART_LABEL: Final = 60
_Kind = Literal["text", "integer", "percent", "label"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageTexts(_Strict):
    """A stage's chapter: its title, its name in running text, its introduction."""

    title: Text
    name: Text
    intro: tuple[Text, ...]


class CompendiumTexts(_Strict):
    """The fixed texts of the compendium (``compendium.yaml``), checked against the catalogue."""

    frames: dict[str, Text]
    stages: dict[Stage, StageTexts]
    categories: dict[Category, Text]
    levels: dict[Level, Text]
    recommendations: dict[str, tuple[Text, ...]]
    documents: dict[str, Text]
    channels: dict[str, Text]
    signer_status: dict[str, Text]

    @model_validator(mode="after")
    def _complete(self) -> CompendiumTexts:
        for name, keys, expected in (
            ("stages", set(self.stages), set(Stage)),
            ("categories", set(self.categories), set(Category)),
            ("levels", set(self.levels), set(Level)),
            (
                "channels",
                set(self.channels),
                {ch.code for ch in DELIVERIES.field("channel").choices},
            ),
            ("recommendations", set(self.recommendations), set(load_catalogue().ids())),
        ):
            if keys != expected:
                raise ValueError(f"{name}: expected {sorted(expected)}, found {sorted(keys)}")
        if not all(self.recommendations.values()):
            raise ValueError("recommendations: every violation type needs at least one")
        return self


@cache
def load_compendium_texts() -> CompendiumTexts:
    """The texts shipped with Ashyq; raises pydantic.ValidationError if they are incomplete."""
    text = resources.files("ashyq.reports").joinpath(_TEXTS_FILE).read_text(encoding="utf-8")
    return CompendiumTexts.model_validate(yaml.safe_load(text))


def _frame(key: str, lang: Lang, **values: object) -> str:
    return load_compendium_texts().frames[key][lang].format(**values)


def _pct(value: Decimal, lang: Lang) -> str:
    return f"{number(value, lang, 1)}%"


def _counts(lang: Lang, **counts: tuple[int, str]) -> dict[str, str]:
    """For each ``name=(count, noun)``: ``name`` the count with its noun, ``name_of`` the
    same after "из" (ablative in Kazakh), ``name_n`` the bare number."""
    values: dict[str, str] = {}
    for name, (count, noun) in counts.items():
        values[name] = quantity(count, noun, lang)
        values[f"{name}_of"] = quantity(count, noun, lang, "partitive")
        values[f"{name}_n"] = number(count, lang)
    return values


def type_count_sentence(count: TypeCount, total: int, lang: Lang) -> str:
    """The sentence giving a type's violations, their share of all ``total`` violations and
    the split between central and local bodies: «Выявлено 21 нарушение — 4,2% всех …»."""
    return _frame(
        "type_found",
        lang,
        violations=quantity(count.total, "violation", lang),
        share_pct=_pct(percent(count.total, total), lang),
        central_n=number(count.central, lang),
        central_pct=_pct(percent(count.central, count.total), lang),
        local_n=number(count.local, lang),
        local_pct=_pct(percent(count.local, count.total), lang),
    )


_PERIOD_FRAMES: Final = {
    None: ("period_year", "period_year_in"),
    1: ("period_h1", "period_h1_in"),
    2: ("period_h2", "period_h2_in"),
}


def _period(period: Period, lang: Lang, *, inside: bool = False) -> str:
    """«2025 год», or «за 2025 год» when ``inside``; the same for a half-year."""
    alone, within = _PERIOD_FRAMES[period.half]
    return _frame(within if inside else alone, lang, year=period.year)


def _choice(kind: RecordKind, name: str, code: str, lang: Lang) -> str:
    """The name of ``code`` of a coded field in ``lang`` (the code itself if unknown)."""
    for choice in kind.field(name).choices:
        if choice.code == code:
            label: str = getattr(choice, lang)
            return label
    return code


def _share_of(shares: tuple[Share, ...], key: str) -> Share:
    return next((s for s in shares if s.key == key), Share(key, 0, Decimal(0)))


def _split(text: str | None) -> list[str]:
    """The items of a '|'-separated list field."""
    return [item.strip() for item in (text or "").split(CODES_SEPARATOR) if item.strip()]


def _capitalised(text: str) -> str:
    """``text`` with a capital first letter, unless a Latin name starts a text in another
    script ("egov порталы")."""
    if text[:1].isascii() and not text.isascii():
        return text
    return text[:1].upper() + text[1:]


# --- What the control records say about each type and each violation ----------------------


@dataclass
class _Liability:
    """The action recorded on violations of one type (a record naming several types counts
    for each of them)."""

    sanctions: int = 0
    managers: int = 0
    protocols: int = 0
    fines_mci: int = 0
    fines_tenge: int = 0
    restored: int = 0
    representations: int = 0
    measures: set[str] = field(default_factory=set)  # control measures that found the type

    @property
    def recorded(self) -> bool:
        """Whether any action is recorded."""
        counts = (self.sanctions, self.protocols, self.restored, self.representations)
        return any(counts)


@dataclass(frozen=True)
class _Action:
    """One decision on one violation: a sanction, a protocol or a restored right."""

    kind: str  # sanction, protocol or restored
    code: str  # its penalty, outcome or way of restoring
    fine_mci: int = 0
    procedure: str = "regular"


@dataclass(frozen=True)
class _Control:
    by_type: dict[str, _Liability]
    by_violation: dict[str, list[_Action]]


def _records(data: ServicesPeriod, kind: RecordKind, *columns: str) -> list[dict[str, Any]]:
    """The stored records of ``kind`` (only ``columns``); none when nothing is stored."""
    table = data.store.read(data.con, kind, data.period)
    if table is None:
        return []
    rows: list[dict[str, Any]] = data.con.to_pyarrow(table.select(*columns)).to_pylist()
    return rows


def _control(data: ServicesPeriod) -> _Control:
    """Sanctions, protocols, restored rights and orders to remedy, by violation type and by
    violation id. Control records are few (thousands a year): they are read whole."""
    known = set(load_catalogue().ids())
    by_type = {type_id: _Liability() for type_id in known}
    by_violation: dict[str, list[_Action]] = defaultdict(list)

    def types_of(ids: list[str]) -> set[str]:
        return {violation_id.rsplit("/", 1)[-1] for violation_id in ids} & known

    for row in _records(
        data, DISCIPLINARY, "violation_ids", "is_manager", "penalty", "control_measure_id"
    ):
        ids = _split(row["violation_ids"])
        for type_id in types_of(ids):
            liability = by_type[type_id]
            liability.sanctions += 1
            liability.managers += int(bool(row["is_manager"]))
            if row["control_measure_id"]:
                liability.measures.add(row["control_measure_id"])
        for violation_id in ids:
            by_violation[violation_id].append(_Action("sanction", row["penalty"]))
    for row in _records(
        data,
        PROTOCOLS,
        "violation_ids",
        "outcome",
        "fine_mci",
        "decided_on",
        "procedure",
        "control_measure_id",
    ):
        ids = _split(row["violation_ids"])
        fined = row["outcome"] == "fined" and row["fine_mci"] and row["decided_on"]
        mci = int(row["fine_mci"]) if fined else 0
        tenge = mci * mci_tenge(row["decided_on"].year) if fined else 0
        for type_id in types_of(ids):
            liability = by_type[type_id]
            liability.protocols += 1
            liability.fines_mci += mci
            liability.fines_tenge += tenge
            if row["control_measure_id"]:
                liability.measures.add(row["control_measure_id"])
        action = _Action("protocol", row["outcome"], mci, row["procedure"] or "regular")
        for violation_id in ids:
            by_violation[violation_id].append(action)
    for row in _records(
        data,
        RIGHTS_RESTORED,
        "provider_body",
        "delivery_id",
        "violation_type",
        "via",
        "control_measure_id",
    ):
        type_id = row["violation_type"]
        if type_id not in known:
            continue
        by_type[type_id].restored += 1
        if row["control_measure_id"]:
            by_type[type_id].measures.add(row["control_measure_id"])
        violation_id = f"{row['provider_body']}/{row['delivery_id']}/{type_id}"
        by_violation[violation_id].append(_Action("restored", row["via"]))
    for row in _records(data, FINDINGS, "violation_type", "control_measure_id"):
        if row["violation_type"] in known and row["control_measure_id"]:
            by_type[row["violation_type"]].measures.add(row["control_measure_id"])
    # Orders to remedy name no violation: they follow the control measure that found them.
    for row in _records(data, REPRESENTATIONS, "control_measure_id"):
        for liability in by_type.values():
            if row["control_measure_id"] and row["control_measure_id"] in liability.measures:
                liability.representations += 1
    return _Control(by_type, dict(by_violation))


# --- Typical cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    """A violation shown as a typical case, with what it needs to be told anonymously."""

    row: dict[str, Any]  # a row of the violation registry
    number: int
    secrets: frozenset[str]  # identifiers of the record that no text may show
    service_ru: str
    service_kk: str


def _typical(found: ir.Table, con: ibis.BaseBackend) -> list[dict[str, Any]]:
    """Up to ``CASES_PER_TYPE`` violations per type, by a fixed rule: one from each of the
    bodies with the most violations of the type (ties by body code), the lowest delivery
    number of each body first; then a second one from each, and so on."""
    per_body = found.group_by(["violation_type", "provider_body"]).aggregate(
        _body_count=found.count()
    )
    per_body = per_body.mutate(
        _body_rank=ibis.row_number().over(
            ibis.window(
                group_by=per_body.violation_type,
                order_by=[ibis.desc(per_body._body_count), per_body.provider_body],
            )
        )
    )
    rows = found.join(per_body, ["violation_type", "provider_body"])
    rows = rows.mutate(
        _in_body=ibis.row_number().over(
            ibis.window(
                group_by=[rows.violation_type, rows.provider_body],
                order_by=[rows.delivery_id, rows.source_row],
            )
        )
    )
    rows = rows.mutate(
        _pick=ibis.row_number().over(
            ibis.window(group_by=rows.violation_type, order_by=[rows._in_body, rows._body_rank])
        )
    )
    chosen = rows.filter(rows._pick < CASES_PER_TYPE)
    chosen = chosen.order_by([chosen.violation_type, chosen._pick])
    picked: list[dict[str, Any]] = con.to_pyarrow(chosen.drop("_body_count")).to_pylist()
    return picked


def _cases(data: ServicesPeriod, chosen: list[dict[str, Any]]) -> dict[str, list[_Case]]:
    """The chosen violations with their records' identifiers and service names, by type."""
    keys = {(row["provider_body"], row["delivery_id"]) for row in chosen}
    secrets: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[str, tuple[str, str]] = {}
    if chosen and data.deliveries is not None:
        d = data.deliveries
        near = d.filter(
            d.delivery_id.isin(sorted({k[1] for k in keys}))
            & d.provider_body.isin(sorted({k[0] for k in keys}))
        ).select("provider_body", *_PERSONAL_FIELDS)
        for record in data.con.to_pyarrow(near).to_pylist():
            key = (record["provider_body"], record["delivery_id"])
            if key in keys:
                secrets[key] |= {str(record[f]) for f in _PERSONAL_FIELDS if record[f]}
    if chosen and data.services is not None:
        s = data.services
        codes = sorted({row["service_code"] for row in chosen})
        listed = s.filter(s.service_code.isin(codes)).select("service_code", "name_ru", "name_kk")
        for service in data.con.to_pyarrow(listed).to_pylist():
            names.setdefault(service["service_code"], (service["name_ru"], service["name_kk"]))
    by_type: dict[str, list[_Case]] = defaultdict(list)
    for row in chosen:
        key = (row["provider_body"], row["delivery_id"])
        evidence = json.loads(row["evidence"])
        known = secrets[key] | {row["delivery_id"]}
        known |= {str(v) for v in (row["responsible_employee"], evidence.get("finding_id")) if v}
        name_ru, name_kk = names.get(row["service_code"], (row["service_code"],) * 2)
        number_in_type = len(by_type[row["violation_type"]]) + 1
        by_type[row["violation_type"]].append(
            _Case(row, number_in_type, frozenset(known), name_ru, name_kk)
        )
    return dict(by_type)


def _date(text: str, lang: Lang) -> str:
    """A date (or the date of a time) as readers of ``lang`` write it."""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return day.isoformat() if lang == "en" else day.strftime("%d.%m.%Y")


def _public_evidence(
    violation_type: ViolationType, evidence: dict[str, str], lang: Lang
) -> dict[str, str]:
    """The evidence of a violation as the description shows it: dates without times, codes
    by their names, and no identifier of a person (the signer becomes "an official")."""
    texts = load_compendium_texts()
    frames = texts.frames
    values: dict[str, str] = {}
    for name in violation_type.evidence:
        raw = evidence.get(name)
        if name == "signed_by":
            values[name] = frames["value_official"][lang]
        elif name == "finding_id":
            values[name] = frames["value_withheld"][lang]
        elif not raw:
            values[name] = frames["value_missing"][lang] if name.endswith("_at") else "—"
        elif name.endswith("_at"):
            values[name] = _date(raw, lang)
        elif name in _DOCUMENT_FIELDS:
            values[name] = ", ".join(
                texts.documents[code][lang] if code in texts.documents else code
                for code in _split(raw)
            )
        elif name == "channel" and raw in texts.channels:
            values[name] = texts.channels[raw][lang]
        elif name in _CODED_FIELDS:
            values[name] = _choice(_CODED_FIELDS[name], name, raw, lang)
        elif name == "signer_status":
            status = texts.signer_status.get(raw)
            values[name] = status[lang] if status is not None else raw
        elif name == "applicant_is_official":
            values[name] = frames["value_yes" if raw == "true" else "value_no"][lang]
        else:
            values[name] = raw
    return values


def _scrub(text: str, secrets: frozenset[str], lang: Lang) -> str:
    """``text`` with every identifier of the record, and every long number (an IIN, BIN or
    document number in free text), replaced by a mark."""
    mark = _frame("value_withheld", lang)
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, mark)
    return _LONG_NUMBER.sub(mark, text)


def _action_text(action: _Action, lang: Lang) -> str:
    if action.kind == "sanction":
        return _frame(
            "measure_sanction", lang, penalty=_choice(DISCIPLINARY, "penalty", action.code, lang)
        )
    if action.kind == "restored":
        return _frame(
            "measure_restored", lang, via=_choice(RIGHTS_RESTORED, "via", action.code, lang)
        )
    if action.fine_mci:
        procedure = _choice(PROTOCOLS, "procedure", action.procedure, lang)
        return _frame(
            "measure_fine", lang, mci_n=number(action.fine_mci, lang), procedure=procedure
        )
    return _frame(
        "measure_protocol", lang, outcome=_choice(PROTOCOLS, "outcome", action.code, lang)
    )


# --- The builder -----------------------------------------------------------------------


@dataclass(frozen=True)
class CompendiumData:
    """What the compendium reports, read once from a stored period and in no language yet:
    the statistics, the action recorded per violation type and per violation, and the
    typical cases. Build every language from one reading."""

    period: Period
    stats: ServiceStats
    bodies: BodyRegistry
    control: _Control = field(default_factory=lambda: _Control({}, {}))
    cases: dict[str, list[_Case]] = field(default_factory=dict)


def collect_compendium(
    data: ServicesPeriod, *, registry: BodyRegistry | None = None
) -> CompendiumData:
    """Read what the compendium of ``data``'s period reports.

    Raises LookupError when no deliveries or registry of services are stored for the
    period, or for a fine decided in a year without an MCI value (as ``service_stats``).
    """
    bodies = registry or load_bodies()
    # The language only names the norms in the registry, which the compendium takes
    # from the catalogue: the figures are the same in every language.
    stats = service_stats(data, "en", bodies)
    chosen = _typical(detect(data, "en"), data.con)
    return CompendiumData(data.period, stats, bodies, _control(data), _cases(data, chosen))


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
    c = _Context(facts, lang)
    period = _period(facts.period, lang)
    report = Report(
        kind="compendium",
        lang=lang,
        title=c.t("title"),
        subtitle=c.t("subtitle", period=period),
        footer=c.t("footer", period=period),
    )
    report.add(TableOfContents(c.t("contents")), *_introduction(c))
    report.add(PageBreak(), *_statistics(c))
    for stage in Stage:
        report.add(PageBreak(), *_stage_chapter(c, stage))
    report.add(PageBreak(), *_conclusions(c))
    report.data_sheets.extend(_data_sheets(c))
    return report


@dataclass(frozen=True)
class _Context:
    facts: CompendiumData
    lang: Lang

    @property
    def stats(self) -> ServiceStats:
        return self.facts.stats

    def t(self, key: str, **values: object) -> str:
        return _frame(key, self.lang, **values)

    def n(self, value: int) -> str:
        return number(value, self.lang)

    def pct(self, value: Decimal) -> str:
        return _pct(value, self.lang)

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
        return _period(self.facts.period, self.lang, inside=True)

    def integer(self, value: int) -> Cell:
        return Cell(self.n(value), value)

    def percent(self, value: Decimal) -> Cell:
        return Cell(number(value, self.lang, 1), value)

    def columns(self, *specs: tuple[str, _Kind]) -> tuple[Column, ...]:
        """Columns from (title frame, kind) pairs; percentages have one decimal."""
        return tuple(
            Column(self.t(key), kind, 1 if kind == "percent" else None) for key, kind in specs
        )


def _introduction(c: _Context) -> list[Block]:
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
    c: _Context,
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


def _bars(c: _Context, key: str, caption: str, labels: list[str], values: list[int]) -> Block:
    items = "; ".join(
        f"{label} — {c.n(value)}" for label, value in zip(labels, values, strict=True)
    )
    alt = c.t("chart_alt", caption=caption, items=items)
    short = [textwrap.shorten(label, _CHART_LABEL, placeholder="…") for label in labels]
    values_ = [Decimal(value) for value in values]
    return horizontal_bars(key, caption, alt, short, values_, [None] * len(values), lang=c.lang)


def _statistics(c: _Context) -> list[Block]:
    s, lang, texts = c.stats, c.lang, load_compendium_texts()
    electronic, paper = _share_of(s.by_form, "electronic"), _share_of(s.by_form, "paper")
    central, local = _share_of(s.by_level, Level.CGO), _share_of(s.by_level, Level.MIO)
    deadline = _share_of(s.by_category, Category.DEADLINE)
    order = _share_of(s.by_category, Category.ORDER)
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


def _type_table(c: _Context) -> Table:
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


def _violation_charts(c: _Context, stages: dict[str, str], levels: dict[str, str]) -> list[Block]:
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


def _control_blocks(c: _Context) -> list[Block]:
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


def _liability_blocks(c: _Context) -> list[Block]:
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


def _stage_chapter(c: _Context, stage: Stage) -> list[Block]:
    lang, texts = c.lang, load_compendium_texts().stages[stage]
    counts = [row for row in c.stats.by_type if row.stage == stage.value]
    share = _share_of(c.stats.by_stage, stage.value)
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


def _type_section(c: _Context, violation_type: ViolationType, count: TypeCount) -> list[Block]:
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


def _case_text(c: _Context, violation_type: ViolationType, case: _Case) -> str:
    lang, row = c.lang, case.row
    body = c.facts.bodies.get(row["provider_body"]).short(lang)
    where = ", ".join(part for part in (body, row["provider_unit"]) if part)
    service = case.service_kk if lang == "kk" else case.service_ru
    lead = c.t("case_lead", number=case.number, where=where, service=service)
    evidence = _public_evidence(violation_type, json.loads(row["evidence"]), lang)
    actions = c.facts.control.by_violation.get(row["violation_id"], [])
    if actions:
        outcome = c.t("case_measures", measures="; ".join(_action_text(a, lang) for a in actions))
    else:
        outcome = c.t("case_no_measures")
    return _scrub(f"{lead} {violation_type.describe(evidence, lang)} {outcome}", case.secrets, lang)


def _type_liability(c: _Context, violation_type: ViolationType) -> list[Block]:
    found = c.facts.control.by_type.get(violation_type.id, _Liability())
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


def _rule_text(c: _Context, rule: LiabilityRule) -> str:
    basis = rule.basis[c.lang]
    if rule.fine_mci is None:
        return c.t("liability_rule", basis=basis)
    return c.t("liability_rule_fine", basis=basis, mci_n=c.n(rule.fine_mci), article=rule.article)


def _conclusions(c: _Context) -> list[Block]:
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
        deadline = _share_of(s.by_category, Category.DEADLINE)
        order_share = _share_of(s.by_category, Category.ORDER)
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


def _liability_summary(c: _Context, counts: dict[str, str]) -> list[Block]:
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


def _data_sheets(c: _Context) -> list[DataSheet]:
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
        for found in (c.facts.control.by_type.get(type_id, _Liability()),)
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
