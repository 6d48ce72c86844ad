"""Public-service control: ingest of the six kinds of ``ashyq.services.control``.

Control measures, restored rights, disciplinary sanctions, administrative protocols,
orders to remedy and their instructions: each lands whole when valid, is recognised from
its header, reads the Russian and Kazakh names of its codes, and quarantines a record
that breaks one of its cross-field rules with the rule's code, field and expectation.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import ibis
import pytest
from typer.testing import CliRunner, Result

from ashyq.cli import app
from ashyq.periods import Period
from ashyq.records.ingest import QUARANTINE_COLUMNS, IngestReport, detect_kind, ingest
from ashyq.records.model import RecordKind
from ashyq.records.store import RecordStore
from ashyq.services.catalogue import load_catalogue
from ashyq.services.control import (
    CONTROL_KINDS,
    CONTROL_MEASURES,
    DISCIPLINARY,
    INSTRUCTIONS,
    PROTOCOLS,
    REPRESENTATIONS,
    RIGHTS_RESTORED,
)
from ashyq.services.model import KINDS, RECORD_KINDS
from tests.services_cases import write_csv

PERIOD: Final = Period.parse("2025")

# Valid records of each kind, in the spellings a real export uses: codes by their Russian
# or Kazakh names, bodies by name, Russian dates, whole numbers with a space.
VALID: Final[dict[str, list[dict[str, str]]]] = {
    "control_measures": [
        {
            "control_measure_id": "АДГС-2025-AKMOLA-0007",
            "body": "Акмолинская область",
            "kind": "внеплановая проверка",
            "complaint_id": "ЖТ-2025-01234",
            "started_on": "07.04.2025",
            "ended_on": "18.04.2025",
            "violations_found": "14",
        },
        {
            # A one-day planned inspection: no complaint, ends the day it starts.
            "control_measure_id": "АДГС-2025-MVD-0003",
            "body": "mvd",
            "kind": "Плановая проверка",
            "started_on": "2025-03-03",
            "ended_on": "2025-03-03",
            "violations_found": "0",
        },
        {
            # Remote monitoring still running: no complaint, no end.
            "control_measure_id": "ДМ-2025-ASTANA-0101",
            "body": "astana",
            "kind": "қашықтан мониторинг",
            "started_on": "2025-09-01",
        },
    ],
    "rights_restored": [
        {
            "restoration_id": "ВП-2025-00017",
            "provider_body": "akmola",
            "delivery_id": "ГУ-2025-0000001",
            "violation_type": "unjustified_refusal",
            "via": "без проверки",
            "restored_on": "02.05.2025",
        },
        {
            "restoration_id": "ВП-2025-00018",
            "provider_body": "akmola",
            "delivery_id": "ГУ-2025-0000415",
            "violation_type": "review_deadline_breach",
            "via": "в ходе проверки",
            "restored_on": "2025-04-16",
            "control_measure_id": "АДГС-2025-AKMOLA-0007",
        },
        {
            "restoration_id": "ВП-2025-00031",
            "provider_body": "МЧС",
            "delivery_id": "ГУ-2025-0102030",
            "via": "remote_monitoring",
            "restored_on": "2025-08-20",
        },
    ],
    "disciplinary": [
        {
            "sanction_id": "ДВ-2025-0031",
            "body": "akmola",
            "employee_id": "E-000123",
            "position": "руководитель отдела архитектуры",
            "is_manager": "да",
            "penalty": "строгий выговор",
            "imposed_on": "11.06.2025",
            "violation_ids": (
                "akmola/ГУ-2025-0000001/late_registration | "
                "akmola/ГУ-2025-0000002/registration_deadline_breach"
            ),
            "control_measure_id": "АДГС-2025-AKMOLA-0007",
            "rule_id": "permit_deadline_first_head",
        },
        {
            "sanction_id": "ДВ-2025-0032",
            "body": "akmola",
            "employee_id": "E-000456",
            "position": "главный специалист",
            "is_manager": "нет",
            "penalty": "замечание",
            "imposed_on": "2025-06-11",
            "violation_ids": "akmola/ГУ-2025-0000001/late_registration",
        },
        {
            # Imposed in January 2026 for a 2025 violation: stored under 2025 all the same.
            "sanction_id": "ДВ-2026-0002",
            "body": "МВД",
            "employee_id": "E-010077",
            "position": "начальник управления",
            "is_manager": "иә",
            "penalty": "қатаң сөгіс",
            "imposed_on": "20.01.2026",
        },
    ],
    "protocols": [
        {
            "protocol_id": "АП-2025-0912",
            "body": "akmola",
            "employee_id": "E-000123",
            "position": "руководитель отдела",
            "is_manager": "да",
            "article_part": "1",
            "drawn_on": "03.06.2025",
            "procedure": "упрощённое производство",
            "outcome": "наложен штраф",
            "decided_on": "10.06.2025",
            "fine_mci": "10",
            "paid_on": "14.06.2025",
            "paid_tenge": "19 660",
            "violation_ids": "akmola/ГУ-2025-0000001/late_registration",
            "control_measure_id": "АДГС-2025-AKMOLA-0007",
        },
        {
            # A warning: no fine, no payment; the procedure takes its default.
            "protocol_id": "АП-2025-0913",
            "body": "akmola",
            "employee_id": "E-000456",
            "is_manager": "нет",
            "article": "465",
            "article_part": "2",
            "drawn_on": "2025-06-05",
            "outcome": "предупреждение",
            "decided_on": "2025-06-12",
        },
        {
            # Still pending: no decision yet.
            "protocol_id": "АП-2025-1044",
            "body": "mvd",
            "employee_id": "E-010077",
            "is_manager": "false",
            "drawn_on": "2025-11-20",
            "outcome": "на рассмотрении",
        },
    ],
    "representations": [
        {
            "representation_id": "П-2025-0144",
            "body": "akmola",
            "issued_on": "01.07.2025",
            "due_on": "01.08.2025",
            "control_measure_id": "АДГС-2025-AKMOLA-0007",
        },
        {
            # Due the day it is issued.
            "representation_id": "П-2025-0150",
            "body": "mvd",
            "issued_on": "2025-07-15",
            "due_on": "2025-07-15",
        },
        {"representation_id": "П-2025-0201", "body": "astana", "issued_on": "2025-10-01"},
    ],
    "instructions": [
        {
            "instruction_id": "П-2025-0144/1",
            "representation_id": "П-2025-0144",
            "body": "akmola",
            "text": "Привести регламент регистрации заявлений в соответствие с Правилами",
            "due_on": "01.08.2025",
            "status": "исполнено",
            "executed_on": "25.07.2025",
        },
        {
            # In progress: no execution date yet.
            "instruction_id": "П-2025-0144/2",
            "representation_id": "П-2025-0144",
            "body": "akmola",
            "text": "Рассмотреть вопрос о дисциплинарной ответственности виновных лиц",
            "due_on": "2025-08-01",
            "status": "на исполнении",
        },
        {
            "instruction_id": "П-2025-0150/1",
            "representation_id": "П-2025-0150",
            "body": "mvd",
            "text": "Обеспечить регистрацию бумажных заявлений в ИС мониторинга",
            "status": "орындалмады",
        },
    ],
}

# What the store holds for each record of VALID (a subset of its fields), by key.
STORED: Final[dict[str, dict[str, dict[str, object]]]] = {
    "control_measures": {
        "АДГС-2025-AKMOLA-0007": {
            "body": "akmola",
            "kind": "unplanned_inspection",
            "complaint_id": "ЖТ-2025-01234",
            "started_on": date(2025, 4, 7),
            "ended_on": date(2025, 4, 18),
            "violations_found": 14,
        },
        "АДГС-2025-MVD-0003": {
            "body": "mvd",
            "kind": "planned_inspection",
            "complaint_id": None,
            "started_on": date(2025, 3, 3),
            "ended_on": date(2025, 3, 3),
            "violations_found": 0,
        },
        "ДМ-2025-ASTANA-0101": {
            "body": "astana",
            "kind": "remote_monitoring",
            "complaint_id": None,
            "started_on": date(2025, 9, 1),
            "ended_on": None,
            "violations_found": None,
        },
    },
    "rights_restored": {
        "ВП-2025-00017": {
            "provider_body": "akmola",
            "via": "remote_monitoring",
            "restored_on": date(2025, 5, 2),
            "control_measure_id": None,
        },
        "ВП-2025-00018": {
            "provider_body": "akmola",
            "via": "inspection",
            "restored_on": date(2025, 4, 16),
            "control_measure_id": "АДГС-2025-AKMOLA-0007",
        },
        "ВП-2025-00031": {
            "provider_body": "mchs",
            "via": "remote_monitoring",
            "restored_on": date(2025, 8, 20),
            "violation_type": None,
        },
    },
    "disciplinary": {
        "ДВ-2025-0031": {
            "body": "akmola",
            "is_manager": True,
            "penalty": "severe_reprimand",
            "imposed_on": date(2025, 6, 11),
            "violation_ids": (
                "akmola/ГУ-2025-0000001/late_registration|"
                "akmola/ГУ-2025-0000002/registration_deadline_breach"
            ),
            "rule_id": "permit_deadline_first_head",
        },
        "ДВ-2025-0032": {
            "body": "akmola",
            "is_manager": False,
            "penalty": "remark",
            "imposed_on": date(2025, 6, 11),
            "violation_ids": "akmola/ГУ-2025-0000001/late_registration",
        },
        "ДВ-2026-0002": {
            "body": "mvd",
            "is_manager": True,
            "penalty": "severe_reprimand",
            "imposed_on": date(2026, 1, 20),
            "violation_ids": None,
            "period": "2025",
        },
    },
    "protocols": {
        "АП-2025-0912": {
            "article": "465",
            "article_part": "1",
            "procedure": "shortened",
            "outcome": "fined",
            "drawn_on": date(2025, 6, 3),
            "decided_on": date(2025, 6, 10),
            "fine_mci": 10,
            "paid_on": date(2025, 6, 14),
            "paid_tenge": 19660,
            "is_manager": True,
        },
        "АП-2025-0913": {
            "article": "465",
            "procedure": "regular",
            "outcome": "warning",
            "fine_mci": None,
            "paid_on": None,
            "is_manager": False,
        },
        "АП-2025-1044": {
            "body": "mvd",
            "procedure": "regular",
            "outcome": "pending",
            "decided_on": None,
            "is_manager": False,
        },
    },
    "representations": {
        "П-2025-0144": {
            "body": "akmola",
            "issued_on": date(2025, 7, 1),
            "due_on": date(2025, 8, 1),
        },
        "П-2025-0150": {"body": "mvd", "due_on": date(2025, 7, 15)},
        "П-2025-0201": {"body": "astana", "due_on": None},
    },
    "instructions": {
        "П-2025-0144/1": {
            "representation_id": "П-2025-0144",
            "status": "executed",
            "executed_on": date(2025, 7, 25),
        },
        "П-2025-0144/2": {"status": "in_progress", "executed_on": None},
        "П-2025-0150/1": {"body": "mvd", "status": "not_executed", "due_on": None},
    },
}


def _ingest(path: Path, home: Path) -> IngestReport:
    return ingest(path, PERIOD, KINDS, store=RecordStore(home), lang="en")


def _counts(report: IngestReport) -> tuple[int, int, int, int, int]:
    return (report.read, report.stored, report.new, report.replaced, report.quarantined)


def test_the_six_control_kinds_are_registered_in_header_order() -> None:
    assert [kind.name for kind in CONTROL_KINDS] == [
        "rights_restored",
        "disciplinary",
        "protocols",
        "instructions",
        "representations",
        "control_measures",
    ]
    assert [kind.name for kind in KINDS] == [
        "findings",
        *(kind.name for kind in CONTROL_KINDS),
        "leaves",
        "signing_authority",
        "queue_entries",
        "deliveries",
        "staff",
        "services",
    ]
    assert {name: RECORD_KINDS[name] for name in VALID} == {
        "control_measures": CONTROL_MEASURES,
        "rights_restored": RIGHTS_RESTORED,
        "disciplinary": DISCIPLINARY,
        "protocols": PROTOCOLS,
        "representations": REPRESENTATIONS,
        "instructions": INSTRUCTIONS,
    }


@pytest.mark.parametrize("name", list(VALID))
def test_valid_records_land_whole_and_the_kind_is_read_from_the_header(
    name: str, tmp_path: Path
) -> None:
    kind = RECORD_KINDS[name]
    rows = VALID[name]
    path = write_csv(tmp_path / f"{name}.csv", kind, rows)
    report = _ingest(path, tmp_path / "home")
    assert report.kind == name
    assert report.period == "2025"
    assert _counts(report) == (3, 3, 3, 0, 0)
    assert report.reconciles
    assert report.problems == ()
    assert report.quarantine_file is None
    con = ibis.duckdb.connect()
    table = RecordStore(tmp_path / "home").read(con, kind, PERIOD)
    assert table is not None
    stored = {row[kind.key]: row for row in con.to_pyarrow(table).to_pylist()}
    assert list(stored[next(iter(stored))]) == kind.arrow_schema().names
    assert set(stored) == set(STORED[name])
    for key, expected in STORED[name].items():
        row = stored[key]
        assert {field: row[field] for field in expected} == expected, key
        assert (row["period"], row["source_file"]) == ("2025", str(path)), key
    # The CSV header is row 1: the n-th record is row n + 1.
    assert sorted(row["source_row"] for row in stored.values()) == [2, 3, 4]


@pytest.mark.parametrize("name", list(VALID))
def test_reingesting_replaces_the_stored_records(name: str, tmp_path: Path) -> None:
    kind = RECORD_KINDS[name]
    path = write_csv(tmp_path / f"{name}.csv", kind, VALID[name])
    _ingest(path, tmp_path / "home")
    again = _ingest(path, tmp_path / "home")
    assert _counts(again) == (3, 3, 0, 3, 0)


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("control_measures", ("control_measure_id", "body", "kind", "started_on")),
        (
            "rights_restored",
            ("restoration_id", "provider_body", "delivery_id", "via", "restored_on"),
        ),
        ("disciplinary", ("sanction_id", "body", "employee_id", "is_manager", "penalty")),
        ("protocols", ("protocol_id", "body", "employee_id", "is_manager", "drawn_on")),
        ("representations", ("representation_id", "body", "issued_on", "control_measure_id")),
        ("instructions", ("instruction_id", "representation_id", "body", "text", "status")),
    ],
)
def test_a_header_of_required_columns_is_recognised(name: str, header: tuple[str, ...]) -> None:
    detected = detect_kind(header, KINDS)
    assert detected is not None
    assert detected.name == name
    # Every column of the kind, in any order, is recognised the same way.
    kind = RECORD_KINDS[name]
    full = detect_kind(tuple(reversed(kind.names())), KINDS)
    assert full is not None
    assert full.name == name


@dataclass(frozen=True)
class Bad:
    """A record that breaks one rule, and the problem it must be quarantined with."""

    kind: str
    changes: dict[str, str]
    field: str
    code: str
    found: str
    expected: str


def _bad(base: int, bad: Bad) -> dict[str, str]:
    record = {**VALID[bad.kind][base], **bad.changes}
    return {k: v for k, v in record.items() if v != ""}


BAD: Final = {
    "raw_iin_sanctioned": Bad(
        "disciplinary",
        {"employee_id": "850312300123"},
        "employee_id",
        "raw_iin",
        "850312300123",
        "a pseudonymised identifier, not a raw IIN or BIN (12 digits)",
    ),
    "raw_iin_fined": Bad(
        "protocols",
        {"employee_id": "850312 300123"},
        "employee_id",
        "raw_iin",
        "850312 300123",
        "a pseudonymised identifier, not a raw IIN or BIN (12 digits)",
    ),
    "complaint_missing": Bad(
        "control_measures",
        {"kind": "внеплановая проверка по жалобе", "complaint_id": ""},
        "complaint_id",
        "complaint_missing",
        "внеплановая проверка по жалобе",
        "complaint_id given for an unplanned inspection",
    ),
    "before_started_on": Bad(
        "control_measures",
        {"started_on": "07.04.2025", "ended_on": "04.04.2025"},
        "ended_on",
        "before_started_on",
        "04.04.2025",
        "a date not before started_on",
    ),
    "fine_missing_mci": Bad(
        "protocols",
        {"fine_mci": "", "paid_on": "", "paid_tenge": ""},
        "fine_mci",
        "fine_missing",
        "наложен штраф",
        "fine_mci and decided_on given for a fine",
    ),
    "fine_missing_decision": Bad(
        "protocols",
        {"outcome": "штраф", "decided_on": "", "paid_on": "", "paid_tenge": ""},
        "fine_mci",
        "fine_missing",
        "штраф",
        "fine_mci and decided_on given for a fine",
    ),
    "paid_without_fine": Bad(
        "protocols",
        {"outcome": "производство прекращено", "fine_mci": "", "paid_tenge": ""},
        "paid_on",
        "paid_without_fine",
        "производство прекращено",
        "paid_on only for a fine",
    ),
    "before_drawn_on": Bad(
        "protocols",
        {"drawn_on": "2025-06-03", "decided_on": "2025-06-02", "paid_on": "2025-06-04"},
        "decided_on",
        "before_drawn_on",
        "2025-06-02",
        "a date not before drawn_on",
    ),
    "before_decided_on": Bad(
        "protocols",
        {"decided_on": "10.06.2025", "paid_on": "09.06.2025"},
        "paid_on",
        "before_decided_on",
        "09.06.2025",
        "a date not before decided_on",
    ),
    "before_issued_on": Bad(
        "representations",
        {"issued_on": "01.07.2025", "due_on": "30.06.2025"},
        "due_on",
        "before_issued_on",
        "30.06.2025",
        "a date not before issued_on",
    ),
    "execution_date_missing": Bad(
        "instructions",
        {"status": "Исполнено", "executed_on": ""},
        "executed_on",
        "execution_date_missing",
        "Исполнено",
        "executed_on given for an executed instruction",
    ),
    "fine_not_imposed": Bad(
        "protocols",
        {"outcome": "предупреждение", "paid_on": "", "paid_tenge": ""},
        "fine_mci",
        "fine_not_imposed",
        "предупреждение",
        "no fine_mci unless the outcome is a fine",
    ),
    "paid_amount_without_payment": Bad(
        "protocols",
        {"paid_on": "", "paid_tenge": "19 660"},
        "paid_tenge",
        "paid_amount_without_payment",
        "19 660",
        "paid_tenge only with paid_on",
    ),
    "executed_on_not_executed": Bad(
        "instructions",
        {"status": "на исполнении", "executed_on": "25.07.2025"},
        "executed_on",
        "executed_on_not_executed",
        "на исполнении",
        "executed_on only for an executed instruction",
    ),
    "invalid_violation_type": Bad(
        "rights_restored",
        {"violation_type": "late_regstration"},
        "violation_type",
        "invalid_choice",
        "late_regstration",
        "one of: " + ", ".join(load_catalogue().ids()),
    ),
    "invalid_kind": Bad(
        "control_measures",
        {"kind": "audit"},
        "kind",
        "invalid_choice",
        "audit",
        "one of: planned_inspection, unplanned_inspection, remote_monitoring",
    ),
    "invalid_penalty": Bad(
        "disciplinary",
        {"penalty": "лишение премии"},
        "penalty",
        "invalid_choice",
        "лишение премии",
        "one of: remark, reprimand, severe_reprimand, incomplete_fitness_warning, dismissal",
    ),
    "invalid_status": Bad(
        "instructions",
        {"status": "частично"},
        "status",
        "invalid_choice",
        "частично",
        "one of: executed, in_progress, not_executed",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_record_breaking_a_rule_is_quarantined_with_its_reason(case: str, tmp_path: Path) -> None:
    bad = BAD[case]
    kind = RECORD_KINDS[bad.kind]
    good = VALID[bad.kind][1]
    record = _bad(0, bad)
    record[kind.key] = f"{record[kind.key]}-BAD"
    path = write_csv(tmp_path / f"{case}.csv", kind, [good, record])
    report = _ingest(path, tmp_path / "home")
    assert report.kind == bad.kind
    assert _counts(report) == (2, 1, 1, 0, 1)
    assert report.reconciles
    assert [(p.code, p.file, p.row, p.column, p.found) for p in report.problems] == [
        (bad.code, str(path), 3, bad.field, bad.found)
    ]
    problem = report.problems[0]
    assert problem.expected.render("en") == bad.expected
    assert problem.render("en") == (
        f"{path}, row 3, column «{bad.field}»: expected {bad.expected}; found {bad.found}"
    )
    # The quarantine file holds the problem and the whole record, as read.
    assert report.quarantine_file is not None
    assert report.quarantine_file.parent == tmp_path / "home" / "quarantine" / "2025"
    assert report.quarantine_file.name.startswith(f"{bad.kind}-{case}-")
    with report.quarantine_file.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 1
    line = lines[0]
    assert list(line) == list(QUARANTINE_COLUMNS)
    assert (line["file"], line["row"], line["field"], line["code"]) == (
        str(path),
        "3",
        bad.field,
        bad.code,
    )
    assert (line["expected"], line["found"]) == (bad.expected, bad.found)
    assert f'"{kind.key}": "{record[kind.key]}"' in line["record"]
    # Only the good record was stored.
    con = ibis.duckdb.connect()
    table = RecordStore(tmp_path / "home").read(con, kind, PERIOD)
    assert table is not None
    keys = con.to_pyarrow(table.select(kind.key))[kind.key].to_pylist()
    assert keys == [good[kind.key]]


def test_every_cross_field_check_of_the_control_kinds_has_a_case() -> None:
    checks = {
        (kind.name, check.code, check.field) for kind in CONTROL_KINDS for check in kind.checks
    }
    cases = {
        (bad.kind, bad.code, bad.field) for bad in BAD.values() if bad.code != "invalid_choice"
    }
    assert cases == checks
    assert len(checks) == 13


def test_counts_reconcile_over_a_mixed_file(tmp_path: Path) -> None:
    valid = VALID["protocols"]
    rows = [
        valid[0],
        {**valid[1], "protocol_id": "АП-2025-0920", "paid_on": "2025-06-20"},
        valid[1],
        # Two problems in one record: quarantined once.
        {
            **valid[0],
            "protocol_id": "АП-2025-0921",
            "decided_on": "2025-06-01",
            "paid_on": "2025-05-30",
        },
        {**valid[2], "protocol_id": "АП-2025-0922", "is_manager": "возможно"},
        valid[2],
        # The same number twice: the first lands, the second is quarantined.
        {**valid[2], "outcome": "warning"},
    ]
    path = write_csv(tmp_path / "protocols.csv", PROTOCOLS, rows)
    report = _ingest(path, tmp_path / "home")
    assert report.kind == "protocols"
    assert _counts(report) == (7, 3, 3, 0, 4)
    assert report.read == report.stored + report.quarantined
    assert report.reconciles
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (3, "paid_on", "paid_without_fine"),
        (5, "decided_on", "before_drawn_on"),
        (5, "paid_on", "before_decided_on"),
        (6, "is_manager", "invalid_boolean"),
        (8, "protocol_id", "duplicate_key"),
    ]
    assert {(r.body, r.new, r.replaced) for r in report.by_body} == {
        ("akmola", 2, 0),
        ("mvd", 1, 0),
    }


def test_required_fields_of_a_sanction_are_required(tmp_path: Path) -> None:
    record = {**VALID["disciplinary"][0], "is_manager": "", "employee_id": ""}
    path = write_csv(tmp_path / "disciplinary.csv", DISCIPLINARY, [record])
    report = _ingest(path, tmp_path / "home")
    assert _counts(report) == (1, 0, 0, 0, 1)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (2, "employee_id", "missing_value"),
        (2, "is_manager", "missing_value"),
    ]


def test_a_fine_out_of_range_and_an_unknown_body_are_quarantined(tmp_path: Path) -> None:
    rows = [
        {**VALID["protocols"][0], "fine_mci": "0"},
        {**VALID["protocols"][1], "body": "Министерство благоустройства"},
    ]
    path = write_csv(tmp_path / "protocols.csv", PROTOCOLS, rows)
    report = _ingest(path, tmp_path / "home")
    assert _counts(report) == (2, 0, 0, 0, 2)
    assert [(p.row, p.column, p.code, p.found) for p in report.problems] == [
        (2, "fine_mci", "out_of_range", "0"),
        (3, "body", "unknown_body", "Министерство благоустройства"),
    ]
    assert report.problems[0].expected.render("en") == "a whole number from 1 to 10000"


@pytest.mark.parametrize(
    ("kind", "field", "spelling", "code"),
    [
        (CONTROL_MEASURES, "kind", "внеплановая проверка", "unplanned_inspection"),
        (CONTROL_MEASURES, "kind", "Внеплановая  проверка по жалобе", "unplanned_inspection"),
        (CONTROL_MEASURES, "kind", "шағым бойынша жоспардан тыс тексеру", "unplanned_inspection"),
        (CONTROL_MEASURES, "kind", "remote monitoring", "remote_monitoring"),
        (RIGHTS_RESTORED, "via", "дистанционно", "remote_monitoring"),
        (RIGHTS_RESTORED, "via", "тексеру барысында", "inspection"),
        (DISCIPLINARY, "penalty", "строгий выговор", "severe_reprimand"),
        (DISCIPLINARY, "penalty", "Выговор", "reprimand"),
        (
            DISCIPLINARY,
            "penalty",
            "предупреждение о неполном служебном соответствии",
            "incomplete_fitness_warning",
        ),
        (DISCIPLINARY, "penalty", "қызметтен босату", "dismissal"),
        (PROTOCOLS, "procedure", "упрощённое производство", "shortened"),
        (PROTOCOLS, "procedure", "сокращённое производство", "shortened"),
        # Exports often drop the dots of «ё».
        (PROTOCOLS, "procedure", "упрощенное производство", "shortened"),
        (PROTOCOLS, "procedure", "общий порядок", "regular"),
        (PROTOCOLS, "outcome", "производство прекращено", "terminated"),
        (INSTRUCTIONS, "status", "исполнено", "executed"),
        (INSTRUCTIONS, "status", "не исполнено", "not_executed"),
        (INSTRUCTIONS, "status", "орындалуда", "in_progress"),
    ],
)
def test_russian_and_kazakh_names_of_codes_are_stored_as_codes(
    kind: RecordKind, field: str, spelling: str, code: str, tmp_path: Path
) -> None:
    record = {**VALID[kind.name][0], field: spelling}
    if field == "status" and code != "executed":
        record.pop("executed_on")
    if field == "outcome" and code != "fined":
        for name in ("fine_mci", "paid_on", "paid_tenge"):
            record.pop(name)
    path = write_csv(tmp_path / f"{kind.name}.csv", kind, [record])
    report = _ingest(path, tmp_path / "home")
    assert report.problems == ()
    assert _counts(report) == (1, 1, 1, 0, 0)
    con = ibis.duckdb.connect()
    table = RecordStore(tmp_path / "home").read(con, kind, PERIOD)
    assert table is not None
    assert con.to_pyarrow(table.select(field))[field].to_pylist() == [code]


@pytest.mark.parametrize(
    "name",
    [
        "control_measures",
        "rights_restored",
        "disciplinary",
        "protocols",
        "representations",
        "instructions",
    ],
)
def test_the_documented_example_record_is_valid(name: str, tmp_path: Path) -> None:
    kind = RECORD_KINDS[name]
    example = {spec.name: spec.example for spec in kind.fields}
    path = write_csv(tmp_path / f"{name}.csv", kind, [example])
    report = _ingest(path, tmp_path / "home")
    assert [(p.column, p.code, p.found) for p in report.problems] == []
    assert _counts(report) == (1, 1, 1, 0, 0)


def _cli(home: Path, args: list[str]) -> Result:
    runner = CliRunner(env={"ASHYQ_HOME": str(home), "ASHYQ_LANG": None})
    return runner.invoke(app, args, catch_exceptions=False)


def test_cli_ingests_a_control_file_by_its_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "disciplinary.csv", DISCIPLINARY, VALID["disciplinary"])
    home = tmp_path / "home"
    result = _cli(home, ["services", "ingest", str(path), "--period", "2025", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"{path}: read 3 = stored 3 (new 3, replaced 0) + quarantined 0" in result.output
    stored = sorted(p.name for p in (home / "store" / "disciplinary" / "2025").glob("*.parquet"))
    assert stored == ["akmola.parquet", "mvd.parquet"]


def test_cli_accepts_kind_protocols_and_reports_quarantine(tmp_path: Path) -> None:
    rows = [
        *VALID["protocols"],
        {**VALID["protocols"][0], "protocol_id": "АП-2025-0999", "fine_mci": ""},
    ]
    path = write_csv(tmp_path / "protocols.csv", PROTOCOLS, rows)
    home = tmp_path / "home"
    args = ["services", "ingest", str(path), "--period", "2025", "--kind", "protocols"]
    result = _cli(home, [*args, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"{path}: read 4 = stored 3 (new 3, replaced 0) + quarantined 1" in result.output
    assert (
        f"{path}, row 5, column «fine_mci»: expected fine_mci and decided_on given for a fine; "
        "found наложен штраф"
    ) in result.output
    assert len(list((home / "quarantine" / "2025").glob("protocols-protocols-*.csv"))) == 1
    again = _cli(home, [*args, "--lang", "en"])
    assert f"{path}: read 4 = stored 3 (new 0, replaced 3) + quarantined 1" in again.output


def test_cli_kind_must_match_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "protocols.csv", PROTOCOLS, VALID["protocols"])
    home = tmp_path / "home"
    wrong = _cli(
        home,
        ["services", "ingest", str(path), "--period", "2025", "--kind", "instructions"],
    )
    assert wrong.exit_code == 2
    assert not (home / "store").exists()
    unknown = _cli(home, ["services", "ingest", str(path), "--period", "2025", "--kind", "audit"])
    assert unknown.exit_code == 2
    assert "--kind audit: use one of" in unknown.output
    assert "protocols" in unknown.output
