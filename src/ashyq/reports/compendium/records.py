"""What the compendium reads from a stored period, in no language: the action recorded on
each violation type and each violation (sanctions, protocols, restored rights, orders to
remedy), and the typical cases, picked by a fixed rule and told anonymously."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import ibis
import ibis.expr.types as ir

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.i18n import Lang
from ashyq.i18n.dates import day
from ashyq.i18n.grammar import number
from ashyq.periods import Period
from ashyq.records.model import CODES_SEPARATOR, RecordKind
from ashyq.reports.compendium.texts import frame, load_compendium_texts
from ashyq.services.catalogue import ViolationType, load_catalogue
from ashyq.services.control import DISCIPLINARY, PROTOCOLS, REPRESENTATIONS, RIGHTS_RESTORED
from ashyq.services.detect import ServicesPeriod, detect
from ashyq.services.liability import mci_tenge
from ashyq.services.model import DELIVERIES, FINDINGS
from ashyq.services.stats import ServiceStats, service_stats

__all__ = [
    "CASES_PER_TYPE",
    "Case",
    "CompendiumData",
    "Liability",
    "action_text",
    "collect_compendium",
    "public_evidence",
    "scrub",
]

CASES_PER_TYPE: Final = 3
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


def _choice(kind: RecordKind, name: str, code: str, lang: Lang) -> str:
    """The name of ``code`` of a coded field in ``lang`` (the code itself if unknown)."""
    for choice in kind.field(name).choices:
        if choice.code == code:
            label: str = getattr(choice, lang)
            return label
    return code


def _split(text: str | None) -> list[str]:
    """The items of a '|'-separated list field."""
    return [item.strip() for item in (text or "").split(CODES_SEPARATOR) if item.strip()]


# --- What the control records say about each type and each violation ----------------------


@dataclass
class Liability:
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
    by_type: dict[str, Liability]
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
    by_type = {type_id: Liability() for type_id in known}
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
class Case:
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


def _cases(data: ServicesPeriod, chosen: list[dict[str, Any]]) -> dict[str, list[Case]]:
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
    by_type: dict[str, list[Case]] = defaultdict(list)
    for row in chosen:
        key = (row["provider_body"], row["delivery_id"])
        evidence = json.loads(row["evidence"])
        known = secrets[key] | {row["delivery_id"]}
        named = (row["responsible_employee"], row["finding_id"], evidence.get("finding_id"))
        known |= {str(v) for v in named if v}
        name_ru, name_kk = names.get(row["service_code"], (row["service_code"],) * 2)
        number_in_type = len(by_type[row["violation_type"]]) + 1
        by_type[row["violation_type"]].append(
            Case(row, number_in_type, frozenset(known), name_ru, name_kk)
        )
    return dict(by_type)


def _date(text: str, lang: Lang) -> str:
    """A date (or the date of a time) as readers of ``lang`` write it."""
    try:
        parsed = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return day(parsed, lang, "numeric")


def public_evidence(
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


def scrub(text: str, secrets: frozenset[str], lang: Lang) -> str:
    """``text`` with every identifier of the record, and every long number (an IIN, BIN or
    document number in free text), replaced by a mark."""
    mark = frame("value_withheld", lang)
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, mark)
    return _LONG_NUMBER.sub(mark, text)


def action_text(action: _Action, lang: Lang) -> str:
    """What was decided on a violation, as a clause: the sanction, the protocol (and its
    fine) or how the right was restored."""
    if action.kind == "sanction":
        return frame(
            "measure_sanction", lang, penalty=_choice(DISCIPLINARY, "penalty", action.code, lang)
        )
    if action.kind == "restored":
        return frame(
            "measure_restored", lang, via=_choice(RIGHTS_RESTORED, "via", action.code, lang)
        )
    if action.fine_mci:
        procedure = _choice(PROTOCOLS, "procedure", action.procedure, lang)
        return frame("measure_fine", lang, mci_n=number(action.fine_mci, lang), procedure=procedure)
    return frame("measure_protocol", lang, outcome=_choice(PROTOCOLS, "outcome", action.code, lang))


# --- What the compendium reads ---------------------------------------------------------


@dataclass(frozen=True)
class CompendiumData:
    """What the compendium reports, read once from a stored period and in no language yet:
    the statistics, the action recorded per violation type and per violation, and the
    typical cases. Build every language from one reading."""

    period: Period
    stats: ServiceStats
    bodies: BodyRegistry
    control: _Control = field(default_factory=lambda: _Control({}, {}))
    cases: dict[str, list[Case]] = field(default_factory=dict)


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
