"""The compendium of typical violations (seed 002), built from a small stored period.

The period holds the worked cases of seed 002 and their near misses
(``tests/services_cases.py``), one refusal whose reasons carry an IIN, and control
records acting on some of the violations: sanctions, protocols with fines, restored
rights, a control measure and its order to remedy. Every figure of the report is checked
against ``service_stats`` and the control records, in Russian, Kazakh and English.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pytest

from ashyq.bodies import load_bodies
from ashyq.i18n import LANGUAGES, Lang
from ashyq.i18n.grammar import quantity
from ashyq.numbers import Share, percent
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore
from ashyq.reports.compendium import (
    CASES_PER_TYPE,
    CompendiumData,
    build_compendium,
    collect_compendium,
    load_compendium_texts,
    type_count_sentence,
)
from ashyq.reports.compendium.texts import pct
from ashyq.reports.model import (
    BulletList,
    Cell,
    Chart,
    DataSheet,
    Heading,
    Paragraph,
    Report,
    Table,
)
from ashyq.services.catalogue import Category, Stage, load_catalogue
from ashyq.services.control import (
    CONTROL_MEASURES,
    DISCIPLINARY,
    INSTRUCTIONS,
    PROTOCOLS,
    REPRESENTATIONS,
    RIGHTS_RESTORED,
)
from ashyq.services.detect import ServicesPeriod, open_period
from ashyq.services.liability import mci_tenge
from ashyq.services.model import DELIVERIES, KINDS
from ashyq.services.stats import ServiceStats, TypeCount
from tests.report_support import check_all_formats, plain, report_texts
from tests.services_cases import CASES, PERIOD, ingest_cases, write_csv

IIN: Final = "880101300123"
# A refusal citing a whole article, whose reasons name the applicant by IIN; numbered to
# come first among akmola's refusals without reasons, so that it is a typical case.
EXTRA_DELIVERY: Final = {
    "delivery_id": "C01",
    "service_code": "APZ",
    "provider_body": "akmola",
    "provider_unit": "Отдел",
    "channel": "egov",
    "form": "electronic",
    "submitted_at": "2025-04-15 10:00",
    "registered_at": "2025-04-15 10:00",
    "decision": "refused",
    "decision_at": "2025-04-18 10:00",
    "signed_at": "2025-04-18 10:00",
    "signed_by": "E-HEAD",
    "employee_id": "E-CLERK",
    "applicant_id": "A-X01",
    "refusal_reasons": f"заявитель ИИН {IIN} не представил документы",
    "refusal_legal_basis": "ст. 17 Закона",
}

CONTROL: Final[dict[str, list[dict[str, str]]]] = {
    CONTROL_MEASURES.name: [
        {
            "control_measure_id": "АДГС-2025-0042",
            "body": "mchs",
            "kind": "unplanned_inspection",
            "complaint_id": "ЖТ-2025-0001",
            "started_on": "2025-09-20",
            "ended_on": "2025-10-02",
            "violations_found": "1",
        },
        {
            "control_measure_id": "ДМ-2025-0050",
            "body": "akmola",
            "kind": "remote_monitoring",
            "started_on": "2025-05-01",
        },
    ],
    RIGHTS_RESTORED.name: [
        {
            "restoration_id": "ВП-2025-0001",
            "provider_body": "mchs",
            "delivery_id": "S11",
            "violation_type": "unjustified_refusal",
            "via": "inspection",
            "restored_on": "2025-10-10",
            "control_measure_id": "АДГС-2025-0042",
        },
        {
            "restoration_id": "ВП-2025-0002",
            "provider_body": "akmola",
            "delivery_id": "S05",
            "violation_type": "excess_documents_at_registration",
            "via": "remote_monitoring",
            "restored_on": "2025-05-02",
        },
    ],
    DISCIPLINARY.name: [
        {
            "sanction_id": "ДВ-2025-0001",
            "body": "akmola",
            "employee_id": "E-CLERK",
            "is_manager": "нет",
            "penalty": "reprimand",
            "imposed_on": "2025-06-11",
            "violation_ids": "akmola/S01/late_registration|akmola/N06/late_registration",
        },
        {
            "sanction_id": "ДВ-2025-0002",
            "body": "mchs",
            "employee_id": "E-MCHS",
            "is_manager": "да",
            "penalty": "severe_reprimand",
            "imposed_on": "2025-10-15",
            "violation_ids": "mchs/S11/unjustified_refusal",
            "control_measure_id": "АДГС-2025-0042",
        },
    ],
    PROTOCOLS.name: [
        {
            "protocol_id": "АП-2025-0001",
            "body": "akmola",
            "employee_id": "E-AKIM",
            "is_manager": "да",
            "drawn_on": "2025-06-03",
            "procedure": "shortened",
            "outcome": "fined",
            "decided_on": "2025-06-10",
            "fine_mci": "10",
            "paid_on": "2025-06-14",
            "violation_ids": "akmola/S02/registration_deadline_breach",
        },
        {
            "protocol_id": "АП-2025-0002",
            "body": "akmola",
            "employee_id": "E-HEAD",
            "is_manager": "да",
            "drawn_on": "2025-05-03",
            "outcome": "fined",
            "decided_on": "2025-05-10",
            "fine_mci": "30",
            "violation_ids": "akmola/S08/incomplete_package_granted",
        },
    ],
    REPRESENTATIONS.name: [
        {
            "representation_id": "П-2025-0144",
            "body": "mchs",
            "issued_on": "2025-10-20",
            "control_measure_id": "АДГС-2025-0042",
        }
    ],
    INSTRUCTIONS.name: [
        {
            "instruction_id": "П-2025-0144/1",
            "representation_id": "П-2025-0144",
            "body": "mchs",
            "text": "Пересмотреть отказы",
            "status": "executed",
            "executed_on": "2025-11-01",
        },
        {
            "instruction_id": "П-2025-0144/2",
            "representation_id": "П-2025-0144",
            "body": "mchs",
            "text": "Провести обучение",
            "status": "in_progress",
        },
    ],
}
_KINDS_BY_NAME: Final = {kind.name: kind for kind in KINDS}
EXPECTED_COUNTS: Final = Counter(
    [type_id for case in CASES.values() for type_id in case.expected] + ["refusal_without_reasons"]
)
_PLACEHOLDER: Final = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\{|\}")
_KAZAKH: Final = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


@dataclass(frozen=True)
class Built:
    data: ServicesPeriod
    stats: ServiceStats  # service_stats of the period, as collect_compendium read it
    collected: CompendiumData
    reports: dict[Lang, Report]


def _ingest(store: RecordStore, path: Path) -> None:
    report = ingest(path, PERIOD, KINDS, store=store)
    assert report.problems == (), [p.render("en") for p in report.problems]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("compendium")
    store = ingest_cases(root)
    _ingest(store, write_csv(root / "extra.csv", DELIVERIES, [EXTRA_DELIVERY]))
    for name, rows in CONTROL.items():
        _ingest(store, write_csv(root / f"{name}.csv", _KINDS_BY_NAME[name], rows))
    data = open_period(PERIOD, store=store)
    collected = collect_compendium(data)
    reports: dict[Lang, Report] = {lang: build_compendium(collected, lang) for lang in LANGUAGES}
    return Built(data, collected.stats, collected, reports)


def _texts(report: Report) -> Iterator[str]:
    return report_texts(report)


def _table(report: Report, key: str) -> Table:
    return next(table for table in report.tables() if table.key == key)


def _sheet(report: Report, key: str) -> DataSheet:
    return next(sheet for sheet in report.data_sheets if sheet.key == key)


def _rows_by_key(rows: tuple[tuple[Cell, ...], ...]) -> dict[object, tuple[Cell, ...]]:
    return {row[0].value: row for row in rows}


def _section(report: Report, anchor: str) -> list[str]:
    """The text of the section under the heading ``anchor``, up to the next heading of
    the same or a higher level."""
    blocks = report.blocks
    heading = next(b for b in blocks if isinstance(b, Heading) and b.anchor == anchor)
    texts: list[str] = []
    for block in blocks[blocks.index(heading) + 1 :]:
        if isinstance(block, Heading) and block.level <= heading.level:
            break
        if isinstance(block, Heading | Paragraph):
            texts.append(block.text)
        elif isinstance(block, BulletList):
            texts.extend(block.items)
    return texts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_type_found_has_its_section_with_its_count(built: Built, lang: Lang) -> None:
    report = built.reports[lang]
    found = [row for row in built.stats.by_type if row.total]
    # Every type has a worked case; the counts are those the cases declare.
    assert {row.type: row.total for row in found} == EXPECTED_COUNTS
    types = _rows_by_key(_table(report, "violations_by_type").rows)
    for row in found:
        heading = next(h for h in report.headings() if h.anchor == f"type-{row.type}")
        assert heading.text == load_catalogue().get(row.type).names[lang]
        assert types[row.type][4].value == row.total
        section = " ".join(_section(report, f"type-{row.type}"))
        assert quantity(row.total, "violation", lang) in section


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tables_hold_the_figures_of_service_stats(built: Built, lang: Lang) -> None:
    report, stats = built.reports[lang], built.stats
    for key, shares in (
        ("deliveries_by_channel", stats.by_channel),
        ("violations_by_stage", stats.by_stage),
        ("violations_by_level", stats.by_level),
        ("violations_by_category", stats.by_category),
        ("measures_by_kind", stats.measures_by_kind),
        ("confirmed_by", stats.confirmed_by),
        ("penalties", stats.penalties),
    ):
        rows = _rows_by_key(_table(report, key).rows)
        assert set(rows) == {share.key for share in shares} | {"total"}, key
        for share in shares:
            assert rows[share.key][1].value == share.count, (key, share.key)
            assert rows[share.key][2].value == share.share_pct, (key, share.key)
        assert rows["total"][1].value == sum(share.count for share in shares)
    types = _rows_by_key(_table(report, "violations_by_type").rows)
    sheet = _rows_by_key(_sheet(report, "data_violations_by_type").rows)
    for row in stats.by_type:
        of_all = percent(row.total, stats.violations)
        assert [cell.value for cell in types[row.type][2:]] == [
            row.central,
            row.local,
            row.total,
            of_all,
        ]
        assert [cell.value for cell in sheet[row.type][4:]] == [
            row.central,
            row.local,
            row.total,
            of_all,
        ]
    outcomes = {row[0].value: row[1].value for row in _table(report, "control_outcomes").rows}
    assert outcomes == {
        "out_restored": stats.rights_restored,
        "out_remote": stats.restored_remotely,
        "out_disciplinary": stats.disciplinary,
        "out_managers": stats.disciplinary_managers,
        "out_protocols": stats.protocols,
        "out_fined": stats.fined,
        "out_fines_mci": stats.fines_mci,
        "out_fines_tenge": stats.fines_tenge,
        "out_paid": stats.fines_paid,
        "out_collected": stats.fines_collected_tenge,
        "out_representations": stats.representations,
        "out_instructions": stats.instructions,
        "out_executed": stats.instructions_executed,
    }
    # Numbers are numbers, for spreadsheets.
    for table in report.tables():
        for column, cells in zip(table.columns, zip(*table.rows, strict=True), strict=True):
            if column.kind in ("integer", "percent"):
                assert all(isinstance(cell.value, int | Decimal) for cell in cells), table.key


def test_the_figures_are_the_control_records(built: Built) -> None:
    stats = built.stats
    assert (stats.disciplinary, stats.disciplinary_managers, stats.protocols) == (2, 1, 2)
    assert stats.fines_mci == 40
    assert stats.fines_tenge == 40 * mci_tenge(2025)
    liability = {
        row[0].value: [c.value for c in row[1:]]
        for row in _sheet(built.reports["en"], "data_liability_by_type").rows
    }
    # sanctions, of them managers, protocols, MCI, tenge, rights restored, orders to remedy
    assert liability["late_registration"] == [1, 0, 0, 0, 0, 0, 0]
    assert liability["registration_deadline_breach"] == [0, 0, 1, 10, 10 * mci_tenge(2025), 0, 0]
    assert liability["incomplete_package_granted"] == [0, 0, 1, 30, 30 * mci_tenge(2025), 0, 0]
    assert liability["unjustified_refusal"] == [1, 1, 0, 0, 0, 1, 1]
    assert liability["excess_documents_at_registration"] == [0, 0, 0, 0, 0, 1, 0]
    assert liability["third_party_signature"] == [0] * 7


def test_sections_tell_the_liability_applied(built: Built) -> None:
    ru = built.reports["ru"]
    refusal = " ".join(_section(ru, "type-unjustified_refusal"))
    assert "Дисциплинарные взыскания наложены на 1\N{NO-BREAK SPACE}сотрудника" in refusal
    assert "Восстановлены права 1\N{NO-BREAK SPACE}услугополучателя" in refusal
    assert "внесено 1\N{NO-BREAK SPACE}представление" in refusal
    # The typical case itself says what was done about it.
    assert "дисциплинарное взыскание (строгий выговор)" in refusal
    package = " ".join(_section(ru, "type-incomplete_package_granted"))
    assert "Агентство составило 1\N{NO-BREAK SPACE}протокол" in package
    assert "административный штраф 30 МРП (общий порядок)" in package
    signature = " ".join(_section(ru, "type-third_party_signature"))
    assert "Меры ответственности по нарушениям этого вида в данных не отражены." in signature
    assert "статья 465 КоАП" not in signature  # no fine rule applies to a signature


@pytest.mark.parametrize("lang", LANGUAGES)
def test_refusals_later_reconsidered_are_told_and_tabled(built: Built, lang: Lang) -> None:
    stats, report = built.stats, built.reports[lang]
    assert stats.refusals > stats.reconsidered > 0  # S11 was reconsidered after the finding
    table = _table(report, "refusals_reconsidered")
    counts = {
        row[0].value: row[1].value
        for row in table.rows
        if row[0].value in {"body", "complaint", "court"}
    }
    assert counts == {share.key: share.count for share in stats.refusals_reconsidered}
    said = " ".join(_section(report, "liability"))
    sentence = {
        "ru": f"Из {quantity(stats.refusals, 'refusal', 'ru', 'partitive')} в оказании услуг",
        "kk": f"Қызмет көрсетуден {quantity(stats.refusals, 'refusal', 'kk', 'partitive')}",
        "en": f"Of {quantity(stats.refusals, 'refusal', 'en')} to deliver a service",
    }[lang]
    assert sentence in said
    assert pct(stats.reconsidered_pct, lang) in said


def _chosen_records(built: Built, report: Report) -> list[dict[str, Any]]:
    """The delivery records of the typical cases, found by the provenance data sheet."""
    sheet = _sheet(report, "data_typical_cases")
    wanted = {(row[2].value, row[5].value, row[6].value) for row in sheet.rows}
    deliveries = built.data.deliveries
    assert deliveries is not None
    records: list[dict[str, Any]] = built.data.con.to_pyarrow(deliveries).to_pylist()
    chosen = [
        r for r in records if (r["provider_body"], r["source_file"], r["source_row"]) in wanted
    ]
    assert len(chosen) == len(wanted)
    return chosen


@pytest.mark.parametrize("lang", LANGUAGES)
def test_typical_cases_carry_no_personal_data(built: Built, lang: Lang) -> None:
    report = built.reports[lang]
    chosen = _chosen_records(built, report)
    types = {row[0].value for row in _sheet(report, "data_typical_cases").rows}
    assert {"third_party_signature", "refusal_without_reasons", "out_of_queue_order"} <= types
    assert any(record["delivery_id"] == "C01" for record in chosen)
    personal = {
        str(record[name])
        for record in chosen
        for name in ("applicant_id", "employee_id", "signed_by", "delivery_id")
        if record[name]
    }
    assert {"E-AKIM", "E-HOUSING-HEAD", "A-X01"} <= personal
    text = "\n".join(_texts(report))
    leaked = sorted(value for value in personal | {IIN} if value in text)
    assert leaked == []
    # What is withheld says so, and what is kept stays: the body, the unit, the norm.
    mark = load_compendium_texts().frames["value_withheld"][lang]
    refusals = " ".join(_section(report, "type-refusal_without_reasons"))
    assert mark in refusals
    assert "Отдел" in refusals


def test_typical_cases_follow_a_fixed_rule(built: Built) -> None:
    cases = built.collected.cases
    assert all(1 <= len(found) <= CASES_PER_TYPE for found in cases.values())
    # Only akmola signs on behalf of others: its lowest delivery numbers come first.
    chosen = [case.row["delivery_id"] for case in cases["third_party_signature"]]
    assert chosen == ["N23", "N24", "S15-01"]
    # Late reviews: two at akmola, two at mt, one at msh. One from each body first, the
    # body with more of them first, then by code; three in all, so the seconds wait.
    chosen = [case.row["delivery_id"] for case in cases["review_deadline_breach"]]
    assert chosen == ["N03", "S31", "S09"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_placeholder_none_or_nan_anywhere(built: Built, lang: Lang) -> None:
    report = built.reports[lang]
    for text in _texts(report):
        assert text.strip(), "an empty text"
        assert not _PLACEHOLDER.search(text), text
    assert report.kind == "compendium"
    anchors = [h.anchor for h in report.headings() if h.anchor]
    assert len(anchors) == len(set(anchors))
    assert {"introduction", "statistics", "conclusions"} <= set(anchors)


def test_kazakh_text_is_kazakh(built: Built) -> None:
    report = built.reports["kk"]
    for block in report.blocks:
        texts = block.items if isinstance(block, BulletList) else ()
        if isinstance(block, Heading | Paragraph):
            texts = (block.text,)
        for text in texts:
            assert _KAZAKH.search(text), text
    assert not _KAZAKH.search(" ".join(_texts(built.reports["en"])))


@pytest.mark.parametrize(
    ("count", "ru", "en"),
    [
        (1, "1 нарушение", "1 violation,"),
        (2, "2 нарушения", "2 violations,"),
        (5, "5 нарушений", "5 violations,"),
        (11, "11 нарушений", "11 violations,"),
        (21, "21 нарушение", "21 violations,"),
        (22, "22 нарушения", "22 violations,"),
    ],
)
def test_the_count_sentence_agrees_with_its_number(count: int, ru: str, en: str) -> None:
    row = TypeCount("late_registration", "registration", "order", 1, count - 1)
    nbsp = "\N{NO-BREAK SPACE}"
    assert type_count_sentence(row, 100, "ru").startswith(f"Выявлено {ru.replace(' ', nbsp)} — ")
    assert f"{en.replace(' ', nbsp)} " in type_count_sentence(row, 100, "en")
    assert type_count_sentence(row, 100, "kk").startswith(f"{count}{nbsp}бұзушылық анықталды")


def test_every_declared_frame_is_used() -> None:
    package = Path(__file__).parents[1] / "src" / "ashyq" / "reports" / "compendium"
    code = "".join(path.read_text(encoding="utf-8") for path in sorted(package.glob("*.py")))
    unused = [key for key in load_compendium_texts().frames if f'"{key}"' not in code]
    assert unused == []


def _empty_stats(period: str) -> ServiceStats:
    """The statistics of a half-year with deliveries but no violation and no control."""
    zero = Decimal(0)
    return ServiceStats(
        period=period,
        deliveries=12,
        by_channel=(Share("egov", 12, Decimal(100)),),
        by_form=(Share("electronic", 12, Decimal(100)),),
        refusals=0,
        refusals_reconsidered=(),
        violations=0,
        by_level=(Share("CGO", 0, zero), Share("MIO", 0, zero)),
        by_stage=tuple(Share(stage.value, 0, zero) for stage in Stage),
        by_category=tuple(Share(category.value, 0, zero) for category in Category),
        by_type=tuple(
            TypeCount(t.id, t.stage.value, t.category.value, 0, 0) for t in load_catalogue().types
        ),
        control_measures=0,
        measures_by_kind=(),
        complaints=0,
        confirmed=0,
        confirmed_by=(),
        rights_restored=0,
        restored_remotely=0,
        disciplinary=0,
        disciplinary_managers=0,
        penalties=(),
        protocols=0,
        fined=0,
        fines_mci=0,
        fines_tenge=0,
        fines_paid=0,
        fines_collected_tenge=0,
        representations=0,
        instructions=0,
        instructions_by_status=(),
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_period_without_violations_or_control_reads_whole(lang: Lang) -> None:
    period = Period.parse("2025H1")
    empty = CompendiumData(period, _empty_stats(period.name), load_bodies())
    report = build_compendium(empty, lang)
    frames = load_compendium_texts().frames
    texts = list(_texts(report))
    for text in texts:
        assert text.strip()
        assert not _PLACEHOLDER.search(text), text
    assert texts.count(frames["type_none"][lang]) == len(load_catalogue().types)
    assert frames["control_none"][lang] in texts
    assert frames["liability_none"][lang] in texts
    assert not any(isinstance(block, Chart) for block in report.blocks)
    assert frames["period_h1"][lang].format(year=2025) in report.subtitle
    assert (
        frames["concl_none"][lang].format(period_in=frames["period_h1_in"][lang].format(year=2025))
        in texts
    )
    assert _sheet(report, "data_typical_cases").rows == ()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_format_reads_back(built: Built, lang: Lang) -> None:
    report = built.reports[lang]
    _, texts = check_all_formats(report, f"compendium-{lang}")
    for row in built.stats.by_type:
        if row.total:
            assert plain(load_catalogue().get(row.type).names[lang]) in texts["pdf"]
