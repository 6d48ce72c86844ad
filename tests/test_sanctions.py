"""What follows a violation: the liability rule table, the MCI table, and the statistics of
control measures, sanctions, protocols and orders to remedy."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner, Result

from ashyq.cli import app
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.model import RecordKind
from ashyq.records.store import RecordStore
from ashyq.services.catalogue import Category, load_catalogue
from ashyq.services.control import (
    CONTROL_MEASURES,
    DISCIPLINARY,
    INSTRUCTIONS,
    PROTOCOLS,
    REPRESENTATIONS,
    RIGHTS_RESTORED,
)
from ashyq.services.detect import detect, open_period
from ashyq.services.liability import load_rules, mci_tenge, suggest
from ashyq.services.model import KINDS
from ashyq.services.stats import ServiceStats, service_stats
from tests.services_cases import ingest_cases, write_csv

PERIOD = Period.parse("2025")
NBSP = "\u00a0"


# --- The rule table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("violation_type", "permit", "rule", "liability", "liable", "fine"),
    [
        # seed 002: outdoor advertising registered late, not a permit: disciplinary.
        ("late_registration", "none", "disciplinary", "disciplinary", "responsible", None),
        # seed 002: land-plot resolution (second category) registered on the 4th working
        # day of 3: the rural district akim fined 10 MCI.
        (
            "registration_deadline_breach",
            "second",
            "second_permit_deadline",
            "fine",
            "first_head",
            10,
        ),
        # seed 002: pesticide-samples conclusion (second category) in 5 days of 2: 10 MCI.
        ("review_deadline_breach", "second", "second_permit_deadline", "fine", "first_head", 10),
        # The same breach on a first-category permit or a plain service: disciplinary.
        ("review_deadline_breach", "first", "disciplinary", "disciplinary", "responsible", None),
        # seed 002: redevelopment materials issued without the neighbours' consent: 30 MCI.
        (
            "incomplete_package_granted",
            "none",
            "incomplete_package_granted",
            "fine",
            "responsible",
            30,
        ),
        ("unjustified_refusal", "first", "permit_unjustified_refusal", "fine", "responsible", 30),
        ("unjustified_refusal", "none", "disciplinary", "disciplinary", "responsible", None),
        # seed 002: the Bolashak application lost in routing, no one at fault.
        ("routing_failure", "second", "technical_failure", "representation", "body", None),
    ],
)
def test_rule_table_suggests_the_liability_seed_002_reports(
    violation_type: str, permit: str, rule: str, liability: str, liable: str, fine: int | None
) -> None:
    chosen = suggest(violation_type, permit)  # type: ignore[arg-type]
    assert (chosen.id, chosen.liability, chosen.liable, chosen.fine_mci) == (
        rule,
        liability,
        liable,
        fine,
    )
    if fine is not None:
        assert chosen.article == "465"


def test_a_deployment_replaces_the_rule_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "liability.yaml").write_text(
        """
- id: everything_fined
  liability: fine
  liable: responsible
  fine_mci: 5
  article: "465"
  basis: {ru: штраф, kk: айыппұл, en: fine}
  source: local order
  assumption: false
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    assert suggest("late_registration", "none").id == "everything_fined"
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path / "elsewhere"))
    assert suggest("late_registration", "none").id == "disciplinary"


_RULE = """
- id: {id}
  when: {when}
  liability: {liability}
  liable: responsible
  {fine}
  basis: {{ru: a, kk: b, en: c}}
  source: test
  assumption: true
"""


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            _RULE.format(
                id="x", when="{types: [late_registration]}", liability="disciplinary", fine=""
            ),
            "no conditions",
        ),
        (
            _RULE.format(id="x", when="{types: [no_such_type]}", liability="disciplinary", fine="")
            + _RULE.format(id="y", when="{}", liability="disciplinary", fine=""),
            "no_such_type",
        ),
        (_RULE.format(id="x", when="{}", liability="fine", fine=""), "fine_mci"),
        (
            _RULE.format(id="x", when="{}", liability="disciplinary", fine="fine_mci: 10"),
            "fine_mci",
        ),
    ],
)
def test_a_malformed_rule_table_is_refused(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        load_rules(path)


def test_mci_values_come_from_the_budget_laws() -> None:
    assert [mci_tenge(year) for year in (2023, 2024, 2025, 2026)] == [3450, 3692, 3932, 4325]
    with pytest.raises(KeyError, match=r"no MCI value for 2019.*known: 2023, 2024, 2025, 2026"):
        mci_tenge(2019)


# --- Statistics over recorded control -----------------------------------------------------

MEASURES = [
    {
        "control_measure_id": "M1",
        "body": "akmola",
        "kind": "внеплановая проверка",
        "complaint_id": "C1",
        "started_on": "2025-04-01",
        "ended_on": "2025-04-10",
    },
    {
        "control_measure_id": "M2",
        "body": "akmola",
        "kind": "remote_monitoring",
        "started_on": "2025-05-01",
        "ended_on": "2025-05-02",
    },
    {
        "control_measure_id": "M3",
        "body": "mchs",
        "kind": "planned_inspection",
        "started_on": "2025-06-01",
    },
    {
        "control_measure_id": "M4",
        "body": "mt",
        "kind": "unplanned_inspection",
        "complaint_id": "C1",
        "started_on": "2025-06-01",
    },
]
RESTORED = [
    {
        "restoration_id": "R1",
        "provider_body": "mchs",
        "delivery_id": "S11",
        "violation_type": "unjustified_refusal",
        "via": "дистанционно",
        "restored_on": "2025-10-20",
        "control_measure_id": "M2",
    },
    {
        "restoration_id": "R2",
        "provider_body": "akmola",
        "delivery_id": "S02",
        "via": "inspection",
        "restored_on": "2025-04-11",
        "control_measure_id": "M1",
    },
    {
        "restoration_id": "R3",
        "provider_body": "akmola",
        "delivery_id": "S01",
        "via": "remote_monitoring",
        "restored_on": "2025-05-03",
    },
]
DISCIPLINED = [
    {
        "sanction_id": "D1",
        "body": "akmola",
        "employee_id": "E-HOUSING-HEAD",
        "is_manager": "да",
        "penalty": "строгий выговор",
        "imposed_on": "2025-04-20",
        "violation_ids": "akmola/S01/late_registration",
        "rule_id": "disciplinary",
    },
    {
        "sanction_id": "D2",
        "body": "akmola",
        "employee_id": "E-CLERK",
        "is_manager": "нет",
        "penalty": "remark",
        "imposed_on": "2025-04-20",
    },
    {
        "sanction_id": "D3",
        "body": "akmola",
        "employee_id": "E-FORMER",
        "is_manager": "false",
        "penalty": "reprimand",
        "imposed_on": "2025-05-20",
    },
]
PROTOCOL_ROWS = [
    # 10 MCI decided in 2025 at 3,932: paid in full.
    {
        "protocol_id": "P1",
        "body": "akmola",
        "employee_id": "E-AKIM",
        "is_manager": "да",
        "drawn_on": "2025-06-03",
        "procedure": "упрощённое производство",
        "outcome": "fined",
        "decided_on": "2025-06-10",
        "fine_mci": "10",
        "paid_on": "2025-06-14",
        "violation_ids": "akmola/S02/registration_deadline_breach",
        "rule_id": "second_permit_deadline",
    },
    # 30 MCI decided in January 2026 at 4,325 (129,750): half paid.
    {
        "protocol_id": "P2",
        "body": "akmola",
        "employee_id": "E-HOUSING-HEAD",
        "is_manager": "да",
        "drawn_on": "2025-12-20",
        "outcome": "штраф",
        "decided_on": "2026-01-15",
        "fine_mci": "30",
        "paid_on": "2026-01-20",
        "paid_tenge": "64 875",
    },
    # 10 MCI decided in 2025, not paid: imposed, not collected.
    {
        "protocol_id": "P3",
        "body": "mt",
        "employee_id": "T-1",
        "is_manager": "нет",
        "drawn_on": "2025-11-01",
        "outcome": "fined",
        "decided_on": "2025-12-01",
        "fine_mci": "10",
    },
    # A warning: no fine.
    {
        "protocol_id": "P4",
        "body": "mt",
        "employee_id": "T-2",
        "is_manager": "нет",
        "drawn_on": "2025-11-01",
        "outcome": "warning",
        "decided_on": "2025-11-05",
    },
]
ORDERS = [
    {
        "representation_id": "O1",
        "body": "akmola",
        "issued_on": "2025-04-15",
        "due_on": "2025-05-15",
        "control_measure_id": "M1",
    },
    {"representation_id": "O2", "body": "mt", "issued_on": "2025-06-15"},
]
INSTRUCTION_ROWS = [
    {
        "instruction_id": "O1/1",
        "representation_id": "O1",
        "body": "akmola",
        "text": "Регистрировать заявления в день поступления",
        "status": "исполнено",
        "executed_on": "2025-05-10",
    },
    {
        "instruction_id": "O1/2",
        "representation_id": "O1",
        "body": "akmola",
        "text": "Провести обучение",
        "status": "executed",
        "executed_on": "2025-05-12",
    },
    {
        "instruction_id": "O2/1",
        "representation_id": "O2",
        "body": "mt",
        "text": "Исключить истребование излишних документов",
        "status": "на исполнении",
    },
]
CONTROL_FILES: list[tuple[RecordKind, list[dict[str, str]]]] = [
    (CONTROL_MEASURES, MEASURES),
    (RIGHTS_RESTORED, RESTORED),
    (DISCIPLINARY, DISCIPLINED),
    (PROTOCOLS, PROTOCOL_ROWS),
    (REPRESENTATIONS, ORDERS),
    (INSTRUCTIONS, INSTRUCTION_ROWS),
]


def _ingest_control(root: Path, store: RecordStore) -> None:
    for kind, rows in CONTROL_FILES:
        path = write_csv(root / f"{kind.name}.csv", kind, rows)
        report = ingest(path, PERIOD, KINDS, store=store)
        assert report.kind == kind.name
        assert report.problems == (), [p.render("en") for p in report.problems]
        assert report.stored == len(rows)


@pytest.fixture(scope="module")
def controlled(tmp_path_factory: pytest.TempPathFactory) -> RecordStore:
    root = tmp_path_factory.mktemp("control")
    store = ingest_cases(root)
    _ingest_control(root, store)
    return store


@pytest.fixture(scope="module")
def stats(controlled: RecordStore) -> ServiceStats:
    return service_stats(open_period(PERIOD, store=controlled))


def test_sanctions_and_fines_are_counted(stats: ServiceStats) -> None:
    assert (stats.control_measures, stats.complaints) == (4, 1)
    kinds = {share.key: share.count for share in stats.measures_by_kind}
    assert kinds == {"unplanned_inspection": 2, "remote_monitoring": 1, "planned_inspection": 1}
    assert (stats.rights_restored, stats.restored_remotely) == (3, 2)
    assert str(stats.restored_remotely_pct) == "66.7"
    assert (stats.disciplinary, stats.disciplinary_managers) == (3, 1)
    assert str(stats.managers_pct) == "33.3"
    penalties = {share.key: share.count for share in stats.penalties}
    assert penalties == {"severe_reprimand": 1, "remark": 1, "reprimand": 1}
    assert (stats.protocols, stats.fined, stats.fines_mci, stats.fines_paid) == (4, 3, 50, 2)
    # 10 · 3,932 + 30 · 4,325 + 10 · 3,932: each fine at the MCI of its decision's year.
    assert stats.fines_tenge == 39_320 + 129_750 + 39_320
    # P1 in full, half of P2; P3 is unpaid.
    assert stats.fines_collected_tenge == 39_320 + 64_875
    assert (stats.representations, stats.instructions, stats.instructions_executed) == (2, 3, 2)


def test_violation_figures_agree_with_the_registry(
    controlled: RecordStore, stats: ServiceStats
) -> None:
    data = open_period(PERIOD, store=controlled)
    registry: pa.Table = data.con.to_pyarrow(detect(data, "en"))
    types = registry.column("violation_type").to_pylist()
    catalogue = load_catalogue()
    deadline = sum(1 for t in types if catalogue.get(t).category is Category.DEADLINE)
    assert stats.violations == len(types) == sum(row.total for row in stats.by_type)
    assert stats.deadline_pct == round(100 * Decimal(deadline) / len(types), 1)
    local = sum(1 for body in registry.column("provider_body").to_pylist() if body == "akmola")
    assert {s.key: s.count for s in stats.by_level} == {"MIO": local, "CGO": len(types) - local}
    assert stats.confirmed == data.con.to_pyarrow(data.findings).num_rows


def test_a_fine_in_a_year_without_an_mci_is_an_error(tmp_path: Path) -> None:
    store = ingest_cases(tmp_path)
    row = {
        **PROTOCOL_ROWS[0],
        "protocol_id": "P9",
        "drawn_on": "2022-06-03",
        "decided_on": "2022-06-10",
        "paid_on": "2022-06-11",
    }
    ingest(write_csv(tmp_path / "p.csv", PROTOCOLS, [row]), PERIOD, KINDS, store=store)
    with pytest.raises(LookupError, match="no MCI value for 2022"):
        service_stats(open_period(PERIOD, store=store))


def _cli(home: Path, args: list[str]) -> Result:
    return CliRunner().invoke(app, args, env={"ASHYQ_HOME": str(home), "ASHYQ_LANG": "ru"})


def test_cli_stats_in_russian_and_json(controlled: RecordStore) -> None:
    text = _cli(controlled.home, ["services", "stats", "--period", "2025"])
    assert text.exit_code == 0, text.output
    assert (
        f"Административные протоколы (КоАП, ст. 465): 4; штрафы 50 МРП = 208{NBSP}390 тенге; "
        f"взыскано 104{NBSP}195 тенге (оплачено: 2)"
    ) in text.stdout
    assert "Дисциплинарные взыскания: 3; из них руководителям: 1 (33,3%)" in text.stdout
    assert "строгий выговор" in text.stdout
    as_json = _cli(controlled.home, ["services", "stats", "--period", "2025", "--format", "json"])
    assert as_json.exit_code == 0
    payload = json.loads(as_json.stdout)
    assert payload["protocols"]["fines_collected_tenge"] == 104_195
    assert payload["rights_restored"] == {"total": 3, "remotely": 2, "remotely_pct": 66.7}


def test_cli_show_suggests_the_liability_and_shows_the_decision(controlled: RecordStore) -> None:
    shown = _cli(
        controlled.home,
        [
            "services",
            "show",
            "akmola/S02/registration_deadline_breach",
            "--period",
            "2025",
            "--lang",
            "en",
        ],
    )
    assert shown.exit_code == 0, shown.output
    assert "Suggested liability (second_permit_deadline)" in shown.stdout
    # Two first heads on the akimat's staff list and no units: the first by id.
    assert "Liable: E-AKIM" in shown.stdout
    assert "Fine: 10 MCI = " in shown.stdout
    assert (
        "Decided: administrative protocol P1, employee E-AKIM, rule followed: "
        "second_permit_deadline" in shown.stdout
    )
    other = _cli(
        controlled.home,
        ["services", "show", "akmola/S01/late_registration", "--period", "2025", "--lang", "en"],
    )
    assert "Suggested liability (disciplinary)" in other.stdout
    assert "Decided: disciplinary sanction D1, employee E-HOUSING-HEAD" in other.stdout
