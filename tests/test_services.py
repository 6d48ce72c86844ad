"""Public-service quality control: ingest of the delivery records and their reference data,
and violation detection."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from ashyq.cli import app
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore
from ashyq.services.catalogue import Stage, load_catalogue
from ashyq.services.detect import REGISTRY_COLUMNS, detect, open_period
from ashyq.services.model import DELIVERIES, KINDS, SERVICES
from tests.services_cases import (
    ACTS,
    CASES,
    SOURCES,
    Article,
    Assumption,
    SeedLine,
    ingest_cases,
    service_row,
    write_csv,
)
from tests.services_cases import SERVICES as SERVICE_ROWS

PERIOD = Period.parse("2025")
ROOT: Final = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Detected:
    store: RecordStore
    registry: list[dict[str, object]]

    def types_of(self, delivery_id: str) -> set[str]:
        return {str(r["violation_type"]) for r in self.registry if r["delivery_id"] == delivery_id}


@pytest.fixture(scope="module")
def detected(tmp_path_factory: pytest.TempPathFactory) -> Detected:
    store = ingest_cases(tmp_path_factory.mktemp("services"))
    data = open_period(PERIOD, store=store)
    table: pa.Table = data.con.to_pyarrow(detect(data, "en"))
    return Detected(store, table.to_pylist())


def _cases() -> Iterator[str]:
    yield from CASES


@pytest.mark.parametrize("delivery_id", list(_cases()))
def test_each_record_is_flagged_for_exactly_its_violations(
    detected: Detected, delivery_id: str
) -> None:
    case = CASES[delivery_id]
    found = detected.types_of(delivery_id)
    assert found == set(case.expected), case.note
    assert not found & case.near_miss, case.note


def test_every_seed_002_type_has_a_worked_case_and_a_near_miss() -> None:
    catalogue = load_catalogue()
    seeded = {t for case in CASES.values() if case.seed for t in case.expected}
    near = {t for case in CASES.values() for t in case.near_miss}
    assert seeded == set(catalogue.ids())
    assert near == set(catalogue.ids())
    # At least three records of each type, beside its near misses.
    found = Counter(t for case in CASES.values() for t in case.expected)
    assert {t: found[t] for t in catalogue.ids() if found[t] < 3} == {}


# Seed 002 as the agency published it, line for line, so that a case's citation of a line
# can be read against the text.
COMPENDIUM: Final = Path(__file__).parent / "fixtures" / "services" / "compendium-2025.kk.txt"
# "ст. 19-1 п. 1", "ст. 5 п. 2 пп. 11)": an article, then its point and subpoint if cited;
# "п. 1" of a decree, which has points only.
ARTICLE_UNIT: Final = re.compile(r"(ст\. \d+(-\d+)?( п\. \d+)?|п\. \d+)( пп\. \d+\))?")


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("delivery_id", list(_cases()))
def test_every_case_cites_the_seed_line_or_the_article_that_decides_it(delivery_id: str) -> None:
    case = CASES[delivery_id]
    lines = COMPENDIUM.read_text(encoding="utf-8").split("\n")
    methodology = _words((ROOT / "docs" / "methodology.md").read_text(encoding="utf-8"))
    deciding = [s for s in case.sources if isinstance(s, SeedLine | Article)]
    assert deciding, f"{delivery_id}: no seed 002 line or article of law decides it"
    if case.seed:
        assert any(isinstance(s, SeedLine) for s in case.sources), delivery_id
    for source in case.sources:
        match source:
            case SeedLine(line=line, words=words):
                assert words in lines[line - 1], f"{delivery_id}: «{words}» is not on line {line}"
            case Article(act=act, unit=unit):
                assert act in ACTS, f"{delivery_id}: unknown act {act}"
                assert ARTICLE_UNIT.fullmatch(unit), f"{delivery_id}: {unit!r}"
            case Assumption(words=words):
                assert _words(words) in methodology, f"{delivery_id}: «{words}» not in methodology"


def test_no_source_names_a_case_that_does_not_exist() -> None:
    assert set(SOURCES) <= set(CASES)


def test_catalogue_has_five_types_per_stage_in_three_languages() -> None:
    catalogue = load_catalogue()
    assert [len(catalogue.of_stage(stage)) for stage in Stage] == [5, 5, 5]
    for violation_type in catalogue.types:
        evidence = dict.fromkeys(violation_type.evidence, "x")
        for lang in ("ru", "kk", "en"):
            assert violation_type.describe(evidence, lang)


def test_registry_rows_trace_back_to_their_delivery_record(detected: Detected) -> None:
    assert detected.registry
    catalogue = load_catalogue()
    for row in detected.registry:
        assert list(row) == list(REGISTRY_COLUMNS)
        violation_type = catalogue.get(str(row["violation_type"]))
        assert row["stage"] == violation_type.stage.value
        assert (
            row["violation_id"]
            == f"{row['provider_body']}/{row['delivery_id']}/{violation_type.id}"
        )
        assert str(row["source_file"]).endswith("deliveries.csv")
        # The CSV header is row 1: row n + 1 is the n-th record.
        position = list(CASES).index(str(row["delivery_id"]))
        assert row["source_row"] == position + 2
        evidence = json.loads(str(row["evidence"]))
        assert set(evidence) <= set(violation_type.evidence)


def test_evidence_carries_the_working_days_of_the_seed_cases(detected: Detected) -> None:
    by_id = {(r["delivery_id"], r["violation_type"]): r for r in detected.registry}

    def evidence(delivery_id: str, type_id: str) -> dict[str, str]:
        loaded: dict[str, str] = json.loads(str(by_id[(delivery_id, type_id)]["evidence"]))
        return loaded

    assert evidence("S02", "registration_deadline_breach")["registration_days"] == "4"
    assert evidence("S02", "registration_deadline_breach")["deadline_days"] == "3"
    assert evidence("S09", "review_deadline_breach")["days_late"] == "3"
    # How the basis of a refusal was read: the article alone, or a unit with no number.
    assert evidence("S12", "refusal_without_reasons")["basis_reading"] == "article_only"
    assert evidence("S32", "refusal_without_reasons")["basis_reading"] == "ambiguous"
    assert evidence("S34", "refusal_without_hearing")["hearing_form"] == "not_attended"
    assert evidence("S14", "signing_deadline_breach")["decision_days"] == "2"
    assert evidence("S14", "signing_deadline_breach")["result_days"] == "4"
    assert evidence("S10", "late_incomplete_refusal")["refusal_days"] == "5"
    assert evidence("S05", "excess_documents_at_registration")["excess_documents"] == "id_card_copy"
    assert (
        evidence("S08", "incomplete_package_granted")["missing_documents"] == "neighbours_consent"
    )
    assert evidence("S06", "out_of_queue_order")["first_waiting"] == "1"
    assert evidence("S06", "out_of_queue_order")["applicant_is_official"] == "true"
    assert evidence("S06", "out_of_queue_order")["applicant_on_staff"] == "true"
    assert evidence("N14", "out_of_queue_order")["applicant_is_official"] == "false"
    assert evidence("S33", "out_of_queue_order")["applicant_is_official"] == "true"
    assert evidence("S43", "out_of_queue_order")["first_waiting"] == "2"
    assert evidence("S11", "unjustified_refusal")["reconsidered_by"] == "body"
    assert evidence("S11", "unjustified_refusal")["reconsidered_at"] == "2025-10-09 15:00:00"
    assert "reconsidered_by" not in evidence("S12", "refusal_without_reasons")
    assert evidence("S15-01", "third_party_signature")["signer_status"] == "on_leave"
    assert evidence("N23", "third_party_signature")["signer_status"] == "not_authorised"
    assert evidence("S11", "unjustified_refusal")["established_by"] == "unplanned_inspection"
    # An extension: honoured when made within the term, and days late counted from its end.
    assert evidence("S39", "review_deadline_breach")["extension_honoured"] == "false"
    assert evidence("S40", "review_deadline_breach")["extension_honoured"] == "true"
    assert evidence("S40", "review_deadline_breach")["days_late"] == "2"
    assert evidence("S40", "review_deadline_breach")["extended_until"] == "2025-06-10"
    assert "extended_until" not in evidence("S09", "review_deadline_breach")


def test_seed_002_land_plots_signed_on_leave_are_twelve_violations(detected: Detected) -> None:
    signed_on_leave = [
        r
        for r in detected.registry
        if r["violation_type"] == "third_party_signature"
        and str(r["delivery_id"]).startswith("S15")
    ]
    assert len(signed_on_leave) == 12
    assert {r["responsible_employee"] for r in signed_on_leave} == {"E-AKIM"}


def test_the_responsible_employee_follows_the_catalogue(detected: Detected) -> None:
    catalogue = load_catalogue()
    for row in detected.registry:
        delivery = CASES[str(row["delivery_id"])].delivery
        field = catalogue.get(str(row["violation_type"])).responsible
        assert row["responsible_employee"] == (delivery.get(field) if field != "none" else None)


def test_third_party_signatures_are_not_guessed_without_a_staff_list(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    services = write_csv(tmp_path / "services.csv", SERVICES, [service_row(SERVICE_ROWS[-2])])
    deliveries = write_csv(
        tmp_path / "deliveries.csv", DELIVERIES, [CASES["S15-01"].delivery, CASES["N23"].delivery]
    )
    for path in (services, deliveries):
        ingest(path, PERIOD, KINDS, store=store)
    data = open_period(PERIOD, store=store)
    rows = data.con.to_pyarrow(detect(data)).to_pylist()
    assert rows == []


def _cli(home: Path, args: list[str]) -> Result:
    runner = CliRunner(env={"ASHYQ_HOME": str(home), "ASHYQ_LANG": None})
    return runner.invoke(app, args, catch_exceptions=False)


def test_cli_violations_lists_the_registry_in_csv_json_and_parquet(
    detected: Detected, tmp_path: Path
) -> None:
    home = detected.store.home
    as_csv = _cli(home, ["services", "violations", "--period", "2025", "--lang", "en"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(detected.registry)
    assert list(rows[0]) == list(REGISTRY_COLUMNS)
    one_type = _cli(
        home,
        [
            *("services", "violations", "--period", "2025", "--format", "json"),
            *("--type", "third_party_signature", "--body", "akmola"),
        ],
    )
    listed = json.loads(one_type.stdout)
    # The 12 land plots of seed 002, an unauthorised, a former and a no-longer-acting signer.
    assert len(listed) == 15
    assert listed[0]["evidence"]["signed_by"]
    out = tmp_path / "violations.parquet"
    as_parquet = _cli(
        home,
        ["services", "violations", "--period", "2025", "--format", "parquet", "--out", str(out)],
    )
    assert as_parquet.exit_code == 0
    assert pq.read_table(out).num_rows == len(detected.registry)


def test_cli_show_traces_a_violation_to_its_delivery_record(detected: Detected) -> None:
    result = _cli(
        detected.store.home,
        [
            *("services", "show", "akmola/S02/registration_deadline_breach"),
            *("--period", "2025", "--lang", "en"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Deadline breach caused by late registration" in result.stdout
    assert (
        "Registered on working day 4, result on working day 5 against a term of 3." in result.stdout
    )
    assert "deliveries.csv, row 3" in result.stdout
    assert "2025-05-16 09:00:00" in result.stdout


def test_cli_refuses_unknown_types_and_empty_periods(detected: Detected, tmp_path: Path) -> None:
    unknown = _cli(
        detected.store.home, ["services", "violations", "--period", "2025", "--type", "x"]
    )
    assert unknown.exit_code == 2
    empty = _cli(tmp_path, ["services", "violations", "--period", "2024", "--lang", "en"])
    assert empty.exit_code == 2
    assert "run «ashyq services ingest» first" in empty.output
    missing = _cli(
        detected.store.home, ["services", "show", "akmola/N01/routing_failure", "--period", "2025"]
    )
    assert missing.exit_code == 2


def test_cli_synth_services_then_ingest_then_violations(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    made = _cli(tmp_path / "home", ["synth", "services", "--scale", "0.00001", "--out", str(out)])
    assert made.exit_code == 0, made.output
    files = sorted(str(path) for path in out.glob("*.parquet"))
    # Every kind but the standing waiting lists: the synthetic lists start in the year.
    written = [kind for kind in KINDS if kind.name != "queue_entries"]
    assert sorted(Path(f).name.split("-")[0] for f in files) == sorted(k.name for k in written)
    ingested = _cli(
        tmp_path / "home", ["services", "ingest", *files, "--period", "2025", "--lang", "en"]
    )
    assert ingested.exit_code == 0, ingested.output
    # A line per file, and the total.
    assert ingested.output.count("quarantined 0") == len(written) + 1
    assert f"In all, {len(written)} files:" in ingested.output
    listed = _cli(tmp_path / "home", ["services", "violations", "--period", "2025"])
    assert listed.exit_code == 0
    planned = pq.read_table(next((out / "plan").glob("*.parquet")))
    assert len(listed.stdout.splitlines()) - 1 == planned.num_rows > 0


def test_bad_deliveries_are_quarantined_with_their_reasons(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    path = Path(__file__).parent / "fixtures" / "services" / "bad_deliveries.csv"
    report = ingest(path, PERIOD, KINDS, store=store)
    assert report.kind == "deliveries"
    assert (report.read, report.stored, report.quarantined) == (6, 1, 5)
    assert report.reconciles
    found = {(problem.row, problem.column, problem.code) for problem in report.problems}
    assert found == {
        (3, "registered_at", "before_submission"),
        (4, "signed_by", "signer_missing"),
        (5, "decision", "invalid_choice"),
        (6, "decision_at", "decision_time_missing"),
        (6, "queue_position", "queue_incomplete"),
        (7, "provider_body", "unknown_body"),
        (7, "submitted_at", "outside_period"),
        (7, "queue_position", "below_minimum"),
    }
    message = next(p for p in report.problems if p.code == "signer_missing").render("en")
    assert "bad_deliveries.csv, row 4, column «signed_by»" in message
    assert "expected signed_by given with signed_at" in message


def test_an_extension_needs_its_end_and_its_legal_basis(tmp_path: Path) -> None:
    base = CASES["N34"].delivery
    rows = [
        {**base, "delivery_id": "X1", "extension_basis": ""},
        {**base, "delivery_id": "X2", "extended_until": ""},
        {**base, "delivery_id": "X3", "extended_at": ""},
        {**base, "delivery_id": "X4", "extended_until": "2025-06-03"},
        base,
    ]
    path = write_csv(tmp_path / "extended.csv", DELIVERIES, [_blank(r) for r in rows])
    report = ingest(path, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    assert (report.read, report.stored, report.quarantined) == (5, 1, 4)
    assert {(p.row, p.column, p.code) for p in report.problems} == {
        (2, "extension_basis", "extension_basis_missing"),
        (3, "extended_until", "extension_incomplete"),
        (4, "extended_at", "extension_incomplete"),
        (5, "extended_until", "before_extension"),
    }
    message = next(p for p in report.problems if p.row == 2).render("en")
    assert "extended.csv, row 2, column «extension_basis»" in message


def test_people_are_named_by_pseudonyms_never_by_a_raw_iin(tmp_path: Path) -> None:
    """A raw IIN (twelve digits, spaced or not) in a field naming a person is refused; the
    pseudonyms the conflict-of-interest check matches pass."""
    from ashyq.services.model import STAFF

    base = CASES["N34"].delivery
    rows = [
        {**base, "delivery_id": "I1", "applicant_id": "850312300123"},
        {**base, "delivery_id": "I2", "signed_by": "850312 300123"},
        {**base, "delivery_id": "I3", "employee_id": "8503123001234"},
        {**base, "delivery_id": "I4", "applicant_id": "P-3f9a0c7be21d4e58"},
    ]
    path = write_csv(tmp_path / "people.csv", DELIVERIES, [_blank(r) for r in rows])
    report = ingest(path, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    assert {(p.row, p.column, p.code) for p in report.problems} == {
        (2, "applicant_id", "raw_iin"),
        (3, "signed_by", "raw_iin"),
    }
    message = next(p for p in report.problems if p.row == 2).render("en")
    assert "people.csv, row 2, column «applicant_id»" in message and "raw IIN" in message
    staff = write_csv(
        tmp_path / "staff.csv",
        STAFF,
        [{"body": "akmola", "employee_id": "850312300123", "can_sign": "да"}],
    )
    staffed = ingest(staff, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    assert [(p.column, p.code) for p in staffed.problems] == [("employee_id", "raw_iin")]


def test_a_blank_signing_authority_is_refused_not_read_as_no(tmp_path: Path) -> None:
    """A staff row without can_sign would flag every signature of that person: refused."""
    from ashyq.services.model import STAFF

    rows = [
        {"body": "akmola", "employee_id": "E-1", "can_sign": ""},
        {"body": "akmola", "employee_id": "E-2", "can_sign": "нет"},
    ]
    path = write_csv(tmp_path / "staff.csv", STAFF, rows)
    report = ingest(path, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    assert (report.stored, report.quarantined) == (1, 1)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (2, "can_sign", "missing_value")
    ]


def test_signing_authority_orders_are_recognised_and_checked(tmp_path: Path) -> None:
    from ashyq.services.model import SIGNING_AUTHORITY
    from tests.services_cases import SIGNING_AUTHORITY as ORDERS

    rows = [{"body": "akmola", **row} for row in ORDERS]
    rows.append({**rows[0], "order_id": "46-к", "valid_until": "30.06.2025"})
    path = write_csv(tmp_path / "orders.csv", SIGNING_AUTHORITY, rows)
    report = ingest(path, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    assert report.kind == "signing_authority"
    assert (report.stored, report.quarantined) == (2, 1)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (4, "valid_until", "ends_before_start")
    ]


def test_a_reconsideration_needs_who_and_comes_after_the_decision(tmp_path: Path) -> None:
    base = CASES["S11"].delivery
    rows = [
        {**base, "delivery_id": "R1", "reconsidered_by": ""},
        {**base, "delivery_id": "R2", "reconsidered_at": "2025-03-09 10:00"},
        {**base, "delivery_id": "R3", "reconsidered_by": "по жалобе"},
    ]
    path = write_csv(tmp_path / "reconsidered.csv", DELIVERIES, [_blank(r) for r in rows])
    report = ingest(path, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    assert (report.stored, report.quarantined) == (1, 2)
    assert {(p.row, p.column, p.code) for p in report.problems} == {
        (2, "reconsidered_by", "reconsideration_incomplete"),
        (3, "reconsidered_at", "before_decision"),
    }


def _blank(row: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in row.items() if value != ""}


def test_hours_of_acceptance_are_read_as_a_time_of_day(tmp_path: Path) -> None:
    """«9.00», «17:00» and «18:30:00» are times of day; «25:00» and «18:30:15» are refused
    with the file, row and field; a blank cell has the usual 18:30."""
    given = ["9.00", "17:00", "18:30:00", "", "25:00", "18:30:15", "полшестого"]
    rows = [
        service_row({**SERVICE_ROWS[0], "service_code": f"T{n}", "accepts_until": text})
        for n, text in enumerate(given)
    ]
    path = write_csv(tmp_path / "hours.csv", SERVICES, rows)
    store = RecordStore(tmp_path / "home")
    report = ingest(path, PERIOD, KINDS, store=store)
    assert (report.read, report.stored, report.quarantined) == (7, 4, 3)
    problems = {(p.row, p.column, p.code) for p in report.problems}
    assert problems == {(n, "accepts_until", "invalid_time") for n in (6, 7, 8)}
    message = next(p for p in report.problems if p.row == 6).render("ru")
    assert "hours.csv" in message and "строка 6" in message and "25:00" in message
    stored = pq.read_table(store.files(SERVICES, PERIOD)[0]).to_pydict()
    assert dict(zip(stored["service_code"], stored["accepts_until"], strict=True)) == {
        "T0": "09:00",
        "T1": "17:00",
        "T2": "18:30",
        "T3": "18:30",
    }


def test_detection_over_one_body_finds_that_bodys_violations_exactly(detected: Detected) -> None:
    data = open_period(PERIOD, store=detected.store)
    for body in ("akmola", "mchs"):
        rows = data.con.to_pyarrow(detect(data.of_body(body), "en")).to_pylist()
        expected = [row for row in detected.registry if row["provider_body"] == body]
        assert rows, body

        def key(row: dict[str, object]) -> str:
            return str(row["violation_id"])

        assert sorted(rows, key=key) == sorted(expected, key=key)


def _flagged(table: pa.Table) -> dict[str, list[str]]:
    flags = [c for c in table.column_names if c.startswith("_is_")]
    rows = table.select(["delivery_id", *flags]).to_pylist()
    found = {row["delivery_id"]: sorted(f for f in flags if row[f]) for row in rows}
    return {key: value for key, value in found.items() if value}


def test_records_left_before_the_calendar_hold_no_violation(detected: Detected) -> None:
    """Detection looks up working days only for records that may be late by calendar days;
    on every seed case and near miss, that drops no flag."""
    from ashyq.services.detect import flag_deliveries

    data = open_period(PERIOD, store=detected.store)
    every = data.con.to_pyarrow(flag_deliveries(data, every=True))
    candidates = data.con.to_pyarrow(flag_deliveries(data))
    assert candidates.num_rows < every.num_rows
    assert _flagged(candidates) == _flagged(every)
    assert len(_flagged(every)) >= len(CASES) // 2


def test_a_period_whose_files_differ_in_their_fields_is_read_whole(tmp_path: Path) -> None:
    """One body's file written before a field existed, another's after: the field of the
    later file is read, not dropped because the earlier file sorts first."""
    import ibis

    store = ingest_cases(tmp_path)
    [first] = [p for p in store.files(DELIVERIES, PERIOD) if p.stem == "akmola"]
    older = pq.read_table(first).drop_columns(["review_documents_requested"])
    first.unlink()  # a hard link into the store's versions: replace, not overwrite
    pq.write_table(older, first)
    con = ibis.duckdb.connect()
    found = con.to_pyarrow(detect(open_period(PERIOD, con, store))).to_pylist()
    # S07 is mepr's, whose file still holds the documents demanded in review.
    assert {"delivery_id": "S07", "violation_type": "excess_documents_at_review"} in [
        {key: row[key] for key in ("delivery_id", "violation_type")} for row in found
    ]


def test_records_arriving_after_a_field_was_added_merge_with_older_ones(tmp_path: Path) -> None:
    """A body's stored file lacks a field added since; a file that replaces one of its
    records is merged: the other records are kept, with the field blank, and the arrival
    keeps its value."""
    store = ingest_cases(tmp_path)
    [first] = [p for p in store.files(DELIVERIES, PERIOD) if p.stem == "akmola"]
    stored = pq.read_table(first)
    older = stored.drop_columns(["hearing_form"])
    first.unlink()  # a hard link into the store's versions: replace, not overwrite
    pq.write_table(older, first)
    again = write_csv(tmp_path / "again.csv", DELIVERIES, [CASES["S34"].delivery])
    report = ingest(again, PERIOD, KINDS, store=store)
    assert (report.stored, report.quarantined) == (1, 0)
    merged = pa.concat_tables(
        pq.read_table(path) for path in store.files(DELIVERIES, PERIOD) if path.stem == "akmola"
    )
    assert merged.num_rows == stored.num_rows
    forms = dict(
        zip(merged["delivery_id"].to_pylist(), merged["hearing_form"].to_pylist(), strict=True)
    )
    assert forms["S34"] == "not_attended"
    assert forms["N31"] is None  # stored before the field: read as blank


@pytest.mark.parametrize("period", ["2025", "2025H1", "2026"])
def test_the_calendar_day_bound_of_each_term_is_safe_and_tight(period: str) -> None:
    """No stage of ``on_time_days(term)`` calendar days takes more than the term in working
    days, received on any day of the period; one day more can."""
    from ashyq.calendar import WorkingCalendar
    from ashyq.services.detect import on_time_days

    when = Period.parse(period)
    # A term longer than the calendar reaches keeps the plain bound, with no error.
    assert on_time_days(when, [365]) == {365: 365}
    bounds = on_time_days(when, range(31))
    table = WorkingCalendar.build(when.first, when.last.replace(year=when.last.year + 1)).table()
    wd = dict(zip(table["date"].to_pylist(), table["wd"].to_pylist(), strict=True))
    received = [day for day in wd if when.first <= day <= when.last]
    for term, bound in bounds.items():
        assert bound >= term
        spans = [wd[day + timedelta(days=bound)] - wd[day] for day in received]
        assert max(spans) <= term, term
        longer = [wd[day + timedelta(days=bound + 1)] - wd[day] for day in received]
        assert max(longer) > term, term


def test_a_period_stored_before_a_field_was_added_is_still_read(tmp_path: Path) -> None:
    """Deliveries stored before ``hearing_form`` existed: detection reads it as blank."""
    import ibis

    store = ingest_cases(tmp_path)
    for path in store.files(DELIVERIES, PERIOD):
        older = pq.read_table(path).drop_columns(["hearing_form"])
        path.unlink()  # a hard link into the store's versions: replace, not overwrite
        pq.write_table(older, path)
    con = ibis.duckdb.connect()
    data = open_period(PERIOD, con, store)
    assert data.deliveries is not None and "hearing_form" in data.deliveries.columns
    found = con.to_pyarrow(detect(data).select("delivery_id", "violation_type")).to_pylist()
    assert {"delivery_id": "S13", "violation_type": "refusal_without_hearing"} in found


def test_findings_of_every_type_enter_the_registry_once(detected: Detected) -> None:
    """A finding names a violation the records may not show (excess documents demanded at a
    branch); where the records show it too, the two are one entry of the registry."""
    rows = {(r["delivery_id"], r["violation_type"]): r for r in detected.registry}
    ids = [r["violation_id"] for r in detected.registry]
    assert len(ids) == len(set(ids))
    branch = rows[("S35", "excess_documents_at_registration")]
    assert (branch["established_by"], branch["finding_id"]) == (
        "planned_inspection",
        "АДГС-2025-0061/4",
    )
    assert branch["provider_unit"] == "Отдел" and branch["service_code"] == "LANDID"
    assert branch["responsible_employee"] == "E-CLERK"
    both = [r for r in detected.registry if r["delivery_id"] == "S36"]
    assert [(r["violation_type"], r["established_by"], r["finding_id"]) for r in both] == [
        ("review_deadline_breach", "appeal", "Ж-2025-0117")
    ]
    assert json.loads(str(both[0]["evidence"]))["days_late"] == "2"
    monitored = rows[("S37", "refusal_without_hearing")]
    assert monitored["established_by"] == "remote_monitoring"
    # Found in the record alone.
    assert (rows[("S05", "excess_documents_at_registration")]["established_by"], None) == (
        "records",
        rows[("S05", "excess_documents_at_registration")]["finding_id"],
    )


def test_a_finding_about_no_stored_delivery_still_enters_the_registry(tmp_path: Path) -> None:
    """An inspection's finding about a delivery missing from the records is kept, traced to
    the findings file, not dropped without a word."""
    from ashyq.services.model import FINDINGS
    from tests.services_cases import FINDINGS as FINDING_ROWS

    store = ingest_cases(tmp_path)
    orphan = {**FINDING_ROWS[1], "finding_id": "АДГС-2025-0099/1", "delivery_id": "ГУ-404"}
    path = write_csv(tmp_path / "more-findings.csv", FINDINGS, [*FINDING_ROWS, orphan])
    assert ingest(path, PERIOD, KINDS, store=store).stored == len(FINDING_ROWS) + 1
    data = open_period(PERIOD, store=store)
    found = data.con.to_pyarrow(detect(data, "en")).to_pylist()
    [row] = [r for r in found if r["delivery_id"] == "ГУ-404"]
    assert row["violation_id"] == "mchs/ГУ-404/refusal_without_hearing"
    assert (row["established_by"], row["finding_id"]) == ("remote_monitoring", "АДГС-2025-0099/1")
    assert row["provider_unit"] is None and row["service_code"] is None
    assert str(row["source_file"]).endswith("more-findings.csv")
    assert row["source_row"] == len(FINDING_ROWS) + 2
    show = ["services", "show", row["violation_id"], "--period", "2025", "--lang", "en"]
    shown = _cli(tmp_path / "home", show)
    assert shown.exit_code == 0, shown.output
    assert "АДГС-2025-0099/1" in shown.output
    assert "ГУ-404" in shown.output and "not stored" in shown.output


def test_statistics_count_the_refusals_and_those_reconsidered(detected: Detected) -> None:
    from ashyq.services.stats import service_stats

    stats = service_stats(open_period(PERIOD, store=detected.store))
    refused = [c for c in CASES.values() if c.delivery.get("decision") == "refused"]
    assert stats.refusals == len(refused)
    assert [(s.key, s.count) for s in stats.refusals_reconsidered] == [("body", 1)]
    figures = stats.as_dict()["deliveries"]
    assert (figures["refused"], figures["reconsidered"]) == (len(refused), 1)
    shown = _cli(detected.store.home, ["services", "stats", "--period", "2025", "--lang", "ru"])
    assert f"Отказы: {len(refused)}; пересмотрено: 1" in shown.output
    assert "отменено услугодателем" in shown.output
