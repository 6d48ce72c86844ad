"""Delivery records that do and do not violate each type of the catalogue.

Every worked case of seed 002 is here as a concrete record (``seed=True``), next to
records that come close to a type without breaking it, several of them across the 2025
Nauryz holidays (21–25 March are days off) and the May holidays. ``expected`` is the exact
set of types the detector must report for the record: anything more is a false positive.
Every case names what decides it (``SOURCES``): the line of seed 002, the article of law,
and any assumption of docs/methodology.md it rests on.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.model import RecordKind
from ashyq.records.store import RecordStore
from ashyq.services.model import DELIVERIES, KINDS
from ashyq.services.model import FINDINGS as FINDINGS_KIND
from ashyq.services.model import LEAVES as LEAVES_KIND
from ashyq.services.model import QUEUE_ENTRIES as QUEUE_KIND
from ashyq.services.model import SERVICES as SERVICES_KIND
from ashyq.services.model import SIGNING_AUTHORITY as SIGNING_KIND
from ashyq.services.model import STAFF as STAFF_KIND

PERIOD: Final = Period.parse("2025")

SERVICES: Final[list[dict[str, str]]] = [
    # code, deadline, documents, flags
    {"service_code": "ADV5", "deadline_days": "5", "documents": "application|sketch"},
    {"service_code": "LAND3", "deadline_days": "3", "permit_category": "second"},
    {"service_code": "BOLASHAK", "deadline_days": "10", "provider_body": "mnvo"},
    {"service_code": "APOSTILLE", "deadline_days": "1", "form": "both", "provider_body": "mf"},
    {"service_code": "LANDID", "deadline_days": "5", "documents": "application|title_deed"},
    {"service_code": "HOUSING", "deadline_days": "10", "queue_based": "true"},
    {
        "service_code": "ECOLICENCE",
        "deadline_days": "15",
        "documents": "application|qualification|employment_contracts",
        "permit_category": "first",
        "provider_body": "mepr",
    },
    {
        "service_code": "REPLAN",
        "deadline_days": "10",
        "documents": "application|project|neighbours_consent",
    },
    {
        "service_code": "PESTICIDE",
        "deadline_days": "2",
        "permit_category": "second",
        "provider_body": "msh",
    },
    {"service_code": "INITIAL", "deadline_days": "8", "documents": "application|survey"},
    {"service_code": "SAFETY", "deadline_days": "10", "provider_body": "mchs"},
    {"service_code": "APZ", "deadline_days": "8"},
    {"service_code": "SKETCH", "deadline_days": "10", "hearing_required": "true"},
    {"service_code": "ADR", "deadline_days": "2", "provider_body": "mt"},
    {"service_code": "LANDGRANT", "deadline_days": "10", "permit_category": "second"},
    {"service_code": "HOURLY", "deadline_hours": "4", "form": "electronic"},
    # A branch that stops accepting at 17:00 (its rules' hours, not the usual 18:30).
    {"service_code": "UNTIL17", "deadline_days": "1", "accepts_until": "17.00"},
]

STAFF: Final[list[dict[str, str]]] = [
    {"employee_id": "E-HEAD", "can_sign": "да", "is_manager": "да", "is_first_head": "да"},
    {"employee_id": "E-CLERK", "can_sign": "нет"},
    {"employee_id": "E-AKIM", "can_sign": "да", "is_manager": "да", "is_first_head": "да"},
    {"employee_id": "E-HOUSING-HEAD", "can_sign": "да", "is_manager": "да"},
    {"employee_id": "E-FORMER", "can_sign": "да", "can_sign_until": "31.05.2025"},
    # Signs only when an order makes them acting akim: twice in 2025.
    {"employee_id": "E-DEPUTY", "can_sign": "нет", "position": "заместитель акима"},
]

SIGNING_AUTHORITY: Final[list[dict[str, str]]] = [
    {
        "order_id": "45-к",
        "employee_id": "E-DEPUTY",
        "on_behalf_of": "E-AKIM",
        "valid_from": "01.07.2025",
        "valid_until": "24.07.2025",
    },
    {
        "order_id": "71-к",
        "employee_id": "E-DEPUTY",
        "on_behalf_of": "E-AKIM",
        "valid_from": "01.10.2025",
        "valid_until": "10.10.2025",
    },
]

LEAVES: Final[list[dict[str, str]]] = [
    {
        "leave_id": "L-1",
        "employee_id": "E-AKIM",
        "starts_on": "01.07.2025",
        "ends_on": "24.07.2025",
    },
]


# Where the service's rules allow the term to be extended (a request to another body).
EXTENSION_BASIS: Final = "п. 12 Правил оказания государственной услуги (запрос в иной орган)"


@dataclass(frozen=True)
class SeedLine:
    """A line of seed 002 (the compendium, in Kazakh) that decides a case, and words that
    stand on that line, so that the citation can be checked against the text."""

    line: int
    words: str


# The acts a case may cite by article, as their official titles read.
ACTS: Final[dict[str, str]] = {
    "public_services": "Закон РК от 15 апреля 2013 года № 88-V «О государственных услугах»",
    "holidays": "Закон РК от 13 декабря 2001 года № 267-II «О праздниках в Республике Казахстан»",
    "labour_code": "Трудовой кодекс РК",
    # The decreed transfer of 2025 (adilet.zan.kz, G24G0000436): the day off of Sunday
    # 5 January moved to Friday 3 January.
    "transfer_2025": (
        "Постановление Правительства РК № 436 (2024) о переносе выходного дня в 2025 году"
    ),
    "appk": "Административный процедурно-процессуальный кодекс РК",
    "architecture": (
        "Закон РК «Об архитектурной, градостроительной и строительной деятельности"
        " в Республике Казахстан»"
    ),
}


@dataclass(frozen=True)
class Article:
    """An article of law that decides a case: ``act`` is a key of ``ACTS``, ``unit`` the
    article and, where the case turns on it, its point and subpoint (ст. 5 п. 2 пп. 11));
    of a decree, its point (п. 1)."""

    act: str
    unit: str


@dataclass(frozen=True)
class Assumption:
    """Where neither seed 002 nor a law settles a detail, the assumption Ashyq states for
    it, by words of docs/methodology.md. Never a case's only source."""

    words: str


Source = SeedLine | Article | Assumption


@dataclass(frozen=True)
class Case:
    """One delivery record, what it must be flagged for, and why."""

    delivery: dict[str, str]
    expected: frozenset[str]
    note: str
    seed: bool = False
    # The types this record is a near miss of (it must not be flagged for them).
    near_miss: frozenset[str] = field(default_factory=frozenset)
    # What decides the case: the seed 002 line or the article of law, and any assumption.
    sources: tuple[Source, ...] = ()


def _delivery(delivery_id: str, service: str, submitted: str, **fields: str) -> dict[str, str]:
    record = {
        "delivery_id": delivery_id,
        "service_code": service,
        "provider_body": "akmola",
        "provider_unit": "Отдел",
        "channel": "egov",
        "form": "electronic",
        "submitted_at": submitted,
        "registered_at": submitted,
        "decision": "issued",
        "decision_at": submitted,
        "signed_by": "E-HEAD",
        "employee_id": "E-CLERK",
        "applicant_id": f"A-{delivery_id}",
    }
    record.update(fields)
    if "signed_at" not in fields and record.get("decision_at") and record.get("signed_by"):
        record["signed_at"] = record["decision_at"]
    return {k: v for k, v in record.items() if v != ""}


def _case(
    expected: set[str], note: str, *, seed: bool = False, near: set[str] | None = None
) -> tuple[frozenset[str], str, bool, frozenset[str]]:
    return frozenset(expected), note, seed, frozenset(near or set())


CONCRETE = {"refusal_reasons": "нет заключения экспертизы", "refusal_legal_basis": "пп. 2) п. 9"}

_RAW: Final = [
    # --- Registration stage ---------------------------------------------------------------
    (
        _delivery(
            "S01",
            "ADV5",
            "2025-05-12 10:00",
            registered_at="2025-05-15 09:00",
            decision_at="2025-05-16 12:00",
            signed_at="2025-05-19 10:00",
        ),
        _case(
            {"late_registration"},
            "advertising: registered after 3 working days, result on the 5th of 5",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S02",
            "LAND3",
            "2025-05-12 10:00",
            registered_at="2025-05-16 09:00",
            decision_at="2025-05-16 15:00",
            signed_at="2025-05-19 10:00",
            provider_unit="Аппарат акима сельского округа",
        ),
        _case(
            {"registration_deadline_breach"},
            "land-plot resolution registered on the 4th working day of a 3-day term",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S03",
            "BOLASHAK",
            "2025-03-03 11:00",
            routed_ok="нет",
            registered_at="",
            decision="",
            decision_at="",
            signed_by="",
            provider_body="mnvo",
        ),
        _case({"routing_failure"}, "Bolashak application never reached the provider", seed=True),
    ),
    (
        _delivery(
            "S04",
            "APOSTILLE",
            "2025-04-08 10:00",
            channel="provider",
            form="paper",
            registered_in_monitoring="нет",
            provider_body="mf",
            signed_by="",
            employee_id="E-MF",
        ),
        _case(
            {"paper_not_in_monitoring"},
            "paper apostille application not entered in the monitoring system",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S05",
            "LANDID",
            "2025-04-08 10:00",
            channel="state_corp",
            documents_requested="application|title_deed|id_card_copy",
            documents_submitted="application|title_deed|id_card_copy",
        ),
        _case(
            {"excess_documents_at_registration"},
            "State Corporation demanding an ID copy for the land identification document",
            seed=True,
        ),
    ),
    (
        # Seed 002: the branch asked for ID copies; only the inspection of the branch shows
        # it, the record lists no documents requested.
        _delivery("S35", "LANDID", "2025-04-09 10:00", channel="state_corp"),
        _case(
            {"excess_documents_at_registration"},
            "ID copies demanded at a State Corporation branch, found by its inspection",
        ),
    ),
    # --- Review stage ---------------------------------------------------------------------
    (
        _delivery(
            "S06",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Кокшетау-жилье",
            queue_position="308",
            decision_at="2025-06-10 10:00",
            applicant_id="E-HOUSING-HEAD",
            signed_by="E-HOUSING-HEAD",
        ),
        _case(
            {"out_of_queue_order"},
            "housing granted to the 308th on the list, who heads the housing department",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S07",
            "ECOLICENCE",
            "2025-04-01 10:00",
            provider_body="mepr",
            signed_by="",
            employee_id="E-ECO",
            documents_submitted="application|qualification|employment_contracts",
            review_documents_requested="pension_fund_extract",
            decision="refused",
            decision_at="2025-04-10 10:00",
            **CONCRETE,
        ),
        _case(
            {"excess_documents_at_review"},
            "pension-fund extracts demanded during licence review",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S08",
            "REPLAN",
            "2025-04-01 10:00",
            documents_submitted="application|project",
            decision_at="2025-04-07 10:00",
        ),
        _case(
            {"incomplete_package_granted"},
            "redevelopment materials issued without the neighbours' consent",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S09",
            "PESTICIDE",
            "2025-05-12 09:30",
            provider_body="msh",
            signed_by="",
            employee_id="E-MCX",
            decision_at="2025-05-19 11:00",
        ),
        _case(
            {"review_deadline_breach"},
            "pesticide-import conclusion: 5 working days against 2",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S10",
            "INITIAL",
            "2025-05-12 10:00",
            decision="",
            decision_at="",
            signed_by="",
            rejected_incomplete_at="2025-05-19 10:00",
        ),
        _case(
            {"late_incomplete_refusal"},
            "incomplete package refused on the 5th working day against 2",
            seed=True,
        ),
    ),
    # --- Decision stage -------------------------------------------------------------------
    (
        _delivery(
            "S11",
            "SAFETY",
            "2025-03-03 10:00",
            provider_body="mchs",
            signed_by="",
            employee_id="E-MCHS",
            decision="refused",
            decision_at="2025-03-10 10:00",
            # Seed 002: all were reconsidered after the agency intervened.
            reconsidered_at="2025-10-09 15:00",
            reconsidered_by="отменено услугодателем",
            **CONCRETE,
        ),
        _case(
            {"unjustified_refusal"},
            "industrial-safety attestation refused; the agency's inspection found it unjustified",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S12",
            "APZ",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            refusal_reasons="нарушение требований статьи 17 Закона",
            refusal_legal_basis=(
                "ст. 17 Закона РК «Об архитектурной, градостроительной и строительной деятельности»"
            ),
        ),
        _case(
            {"refusal_without_reasons"},
            "architectural planning assignment refused citing article 17 as a whole",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S13",
            "SKETCH",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            **CONCRETE,
        ),
        _case(
            {"refusal_without_hearing"},
            "sketch design refused for an incomplete package without a hearing",
            seed=True,
        ),
    ),
    (
        _delivery(
            "S14",
            "ADR",
            "2025-05-12 10:00",
            provider_body="mt",
            signed_by="E-MT-HEAD",
            employee_id="E-MT",
            decision_at="2025-05-14 16:00",
            signed_at="2025-05-16 10:00",
        ),
        _case(
            {"signing_deadline_breach"},
            "dangerous-goods certificate prepared on day 2, signed on day 4 of 2",
            seed=True,
        ),
    ),
    *[
        (
            _delivery(
                f"S15-{n:02d}",
                "LANDGRANT",
                "2025-07-01 10:00",
                decision_at="2025-07-10 10:00",
                signed_by="E-AKIM",
                provider_unit="Аппарат акима сельского округа",
            ),
            _case(
                {"third_party_signature"},
                "land plot granted under the akim's signature while on leave",
                seed=True,
            ),
        )
        for n in range(1, 13)
    ],
    # --- Near misses and holiday-crossing deadlines ---------------------------------------
    (
        _delivery(
            "N01", "ADV5", "2025-05-12 10:00", decision_at="2025-05-19 10:00", routed_ok="да"
        ),
        _case(
            set(),
            "routed, registered on the day of receipt; result on day 5 of 5",
            near={"routing_failure", "late_registration", "review_deadline_breach"},
        ),
    ),
    (
        _delivery("N02", "LAND3", "2025-03-20 10:00", decision_at="2025-03-28 10:00"),
        _case(
            set(),
            "3 working days across Nauryz (21–25 March off): 28 March is day 3",
            near={"review_deadline_breach", "signing_deadline_breach"},
        ),
    ),
    (
        _delivery("N03", "LAND3", "2025-03-20 10:00", decision_at="2025-03-31 10:00"),
        _case({"review_deadline_breach"}, "across Nauryz, 31 March is day 4 of a 3-day term"),
    ),
    (
        _delivery(
            "N04",
            "ADV5",
            "2025-03-19 19:05",
            registered_at="2025-03-20 09:10",
            decision_at="2025-03-20 12:00",
        ),
        _case(
            set(),
            "received after working hours: registered the next working day is on time",
            near={"late_registration"},
        ),
    ),
    (
        _delivery(
            "N05",
            "ADV5",
            "2025-03-21 11:00",
            registered_at="2025-03-26 09:00",
            decision_at="2025-03-26 12:00",
        ),
        _case(
            set(),
            "received on a Nauryz holiday: registered on the first working day after it",
            near={"late_registration"},
        ),
    ),
    (
        _delivery(
            "N06",
            "ADV5",
            "2025-03-20 11:00",
            registered_at="2025-03-26 09:00",
            decision_at="2025-03-26 12:00",
        ),
        _case(
            {"late_registration"},
            "received the day before Nauryz, registered after it: 1 working day late",
        ),
    ),
    (
        _delivery(
            "N07",
            "LAND3",
            "2025-05-06 10:00",
            registered_at="2025-05-08 09:00",
            decision_at="2025-05-08 15:00",
            signed_at="2025-05-13 10:00",
        ),
        _case(
            {"late_registration"},
            "registered on day 1 (7 May off); signed 13 May, day 3 of 3 across the 9 May "
            "holiday: late, but no deadline breach",
            near={"registration_deadline_breach"},
        ),
    ),
    # The decreed transfer of 2025: Friday 3 January a day off, Sunday 5 January worked.
    (
        _delivery(
            "S63",
            "LAND3",
            "2025-01-05 10:00",
            registered_at="2025-01-06 09:00",
            decision_at="2025-01-06 15:00",
            signed_at="2025-01-08 10:00",
        ),
        _case(
            {"late_registration"},
            "received on Sunday 5 January, a working day by the decree, registered on Monday",
        ),
    ),
    (
        _delivery(
            "N40",
            "LAND3",
            "2025-01-03 10:00",
            registered_at="2025-01-05 09:00",
            decision_at="2025-01-08 15:00",
            signed_at="2025-01-09 10:00",
        ),
        _case(
            set(),
            "received on the decreed day off of 3 January, registered on the Sunday worked "
            "instead; signed 9 January, day 3 of 3 across the 7 January holiday",
            near={"late_registration", "review_deadline_breach", "signing_deadline_breach"},
        ),
    ),
    (
        _delivery(
            "N08",
            "APOSTILLE",
            "2025-04-08 10:00",
            channel="provider",
            form="paper",
            provider_body="mf",
            signed_by="",
            employee_id="E-MF",
        ),
        _case(
            set(),
            "paper application entered in the monitoring system",
            near={"paper_not_in_monitoring"},
        ),
    ),
    (
        _delivery(
            "N09",
            "LANDID",
            "2025-04-08 10:00",
            channel="state_corp",
            documents_requested="application|title_deed",
            documents_submitted="application|title_deed",
        ),
        _case(
            set(),
            "only documents of the checklist demanded, package complete",
            near={"excess_documents_at_registration", "incomplete_package_granted"},
        ),
    ),
    (
        _delivery(
            "N10",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Кокшетау-жилье",
            queue_position="1",
            decision="",
            decision_at="",
            signed_by="",
        ),
        _case(set(), "first on the list, still waiting", near={"out_of_queue_order"}),
    ),
    (
        _delivery(
            "N11",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Кокшетау-жилье",
            queue_position="5",
            decision="",
            decision_at="",
            signed_by="",
        ),
        _case(set(), "fifth on the list, still waiting", near={"out_of_queue_order"}),
    ),
    (
        _delivery(
            "N12",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Степногорск",
            queue_position="1",
            decision_at="2025-06-05 10:00",
        ),
        _case(set(), "served first in its list", near={"out_of_queue_order"}),
    ),
    (
        _delivery(
            "N13",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Степногорск",
            queue_position="2",
            decision_at="2025-06-06 10:00",
        ),
        _case(set(), "served second, after the first", near={"out_of_queue_order"}),
    ),
    (
        _delivery(
            "N14",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Степногорск",
            queue_position="4",
            decision_at="2025-06-04 10:00",
        ),
        _case({"out_of_queue_order"}, "served fourth before the first and second were served"),
    ),
    (
        # Seed 002 condemns breaking the order of the list; an employee of the body who
        # waited their turn, and neither reviews nor signs the decision, is served lawfully.
        _delivery(
            "N30",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Щучинск",
            queue_position="1",
            decision_at="2025-06-05 10:00",
            applicant_id="E-FORMER",
        ),
        _case(
            set(),
            "an employee of the body served first on the list, in turn",
            near={"out_of_queue_order"},
        ),
    ),
    (
        # In turn, but the applicant reviewed their own application: a conflict of interest.
        _delivery(
            "S33",
            "HOUSING",
            "2025-06-02 10:00",
            queue_list="Щучинск-2",
            queue_position="1",
            decision_at="2025-06-05 10:00",
            applicant_id="E-CLERK",
        ),
        _case({"out_of_queue_order"}, "served in turn, the applicant reviewing their own case"),
    ),
    (
        _delivery(
            "N15",
            "ECOLICENCE",
            "2025-04-01 10:00",
            provider_body="mepr",
            signed_by="",
            employee_id="E-ECO",
            documents_submitted="application|qualification|employment_contracts",
            review_documents_requested="employment_contracts",
            decision_at="2025-04-10 10:00",
        ),
        _case(
            set(),
            "a missing document of the checklist asked for during review, then submitted",
            near={"excess_documents_at_review"},
        ),
    ),
    (
        _delivery(
            "N16",
            "INITIAL",
            "2025-05-12 10:00",
            decision="",
            decision_at="",
            signed_by="",
            rejected_incomplete_at="2025-05-14 10:00",
        ),
        _case(set(), "incomplete package refused on day 2 of 2", near={"late_incomplete_refusal"}),
    ),
    (
        _delivery(
            "N17",
            "INITIAL",
            "2025-03-20 10:00",
            decision="",
            decision_at="",
            signed_by="",
            rejected_incomplete_at="2025-03-27 10:00",
        ),
        _case(
            set(),
            "incomplete package refused on 27 March: day 2 across Nauryz",
            near={"late_incomplete_refusal"},
        ),
    ),
    (
        _delivery(
            "N18",
            "SAFETY",
            "2025-03-03 10:00",
            provider_body="mchs",
            signed_by="",
            employee_id="E-MCHS",
            decision="refused",
            decision_at="2025-03-10 10:00",
            **CONCRETE,
        ),
        _case(
            set(),
            "refused with concrete reasons, no finding against it",
            near={"unjustified_refusal", "refusal_without_reasons"},
        ),
    ),
    (
        # A finding of one type is not a finding of another: no unjustified refusal here.
        _delivery(
            "S37",
            "SAFETY",
            "2025-03-04 10:00",
            provider_body="mchs",
            signed_by="",
            employee_id="E-MCHS",
            decision="refused",
            decision_at="2025-03-11 10:00",
            **CONCRETE,
        ),
        _case(
            {"refusal_without_hearing"},
            "refused without hearing the applicant, as remote monitoring established",
            near={"unjustified_refusal"},
        ),
    ),
    (
        _delivery(
            "N19",
            "SKETCH",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            hearing_notice_at="2025-04-15 10:00",
            hearing_held_at="2025-04-17 10:00",
            **CONCRETE,
        ),
        _case(set(), "refused after a hearing", near={"refusal_without_hearing"}),
    ),
    (
        _delivery(
            "N20",
            "SKETCH",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-16 10:00",
            hearing_notice_at="2025-04-15 10:00",
            hearing_held_at="2025-04-17 10:00",
            **CONCRETE,
        ),
        _case({"refusal_without_hearing"}, "refused before the hearing it had called"),
    ),
    (
        # APPK, art. 73: a position stated in writing is a hearing held.
        _delivery(
            "N31",
            "SKETCH",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            hearing_notice_at="2025-04-15 10:00",
            hearing_held_at="2025-04-16 15:30",
            hearing_form="письменное возражение",
            **CONCRETE,
        ),
        _case(set(), "refused after a written objection", near={"refusal_without_hearing"}),
    ),
    (
        # Notified, and did not come: the hearing was given (docs/methodology.md).
        _delivery(
            "N32",
            "SKETCH",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            hearing_notice_at="2025-04-15 10:00",
            hearing_held_at="2025-04-17 10:00",
            hearing_form="not_attended",
            **CONCRETE,
        ),
        _case(
            set(),
            "refused after a hearing the notified applicant missed",
            near={"refusal_without_hearing"},
        ),
    ),
    (
        # Not attended, but never notified: no hearing was held.
        _delivery(
            "S34",
            "SKETCH",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            hearing_held_at="2025-04-17 10:00",
            hearing_form="неявка",
            **CONCRETE,
        ),
        _case({"refusal_without_hearing"}, "a hearing not attended, with no notice of it"),
    ),
    (
        _delivery(
            "N27",
            "APZ",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            refusal_reasons="не представлен топографический план",
            refusal_legal_basis="п. 9 Правил оказания государственной услуги",
        ),
        _case(set(), "refusal citing a paragraph («п. 9»)", near={"refusal_without_reasons"}),
    ),
    (
        # Seed 002's own citation, in Kazakh: the point in the dative after the article.
        _delivery(
            "N28",
            "APZ",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            refusal_reasons="топографиялық түсірілім ұсынылмаған",
            refusal_legal_basis="Заңның 19-1-бабының 1-тармағына сәйкес",
        ),
        _case(set(), "refusal citing «1-тармағына» (seed 002)", near={"refusal_without_reasons"}),
    ),
    (
        _delivery(
            "N29",
            "APZ",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            refusal_reasons="топографиялық түсірілім ұсынылмаған",
            refusal_legal_basis="Қағидалардың 9-тармағының 2) тармақшасы",
        ),
        _case(set(), "refusal citing a subpoint in Kazakh", near={"refusal_without_reasons"}),
    ),
    (
        # «в части» is also "as regards": no number, no point. Flagged, and said so.
        _delivery(
            "S32",
            "APZ",
            "2025-04-14 10:00",
            decision="refused",
            decision_at="2025-04-18 10:00",
            refusal_reasons="неполный пакет",
            refusal_legal_basis="ст. 19-1 Закона в части неполноты документов",
        ),
        _case({"refusal_without_reasons"}, "refusal citing an article «в части …», no point"),
    ),
    (
        _delivery(
            "N21",
            "ADR",
            "2025-05-12 10:00",
            provider_body="mt",
            signed_by="E-MT-HEAD",
            employee_id="E-MT",
            decision_at="2025-05-14 16:00",
            signed_at="2025-05-14 17:00",
        ),
        _case(set(), "prepared and signed on day 2 of 2", near={"signing_deadline_breach"}),
    ),
    (
        # No weekend in between: three calendar days are three working days, one too many.
        _delivery(
            "S31",
            "ADR",
            "2025-05-12 10:00",
            provider_body="mt",
            signed_by="E-MT-HEAD",
            employee_id="E-MT",
            decision_at="2025-05-15 10:00",
            signed_at="2025-05-15 11:00",
        ),
        _case({"review_deadline_breach"}, "prepared and signed on day 3 of 2, a Thursday"),
    ),
    (
        # Late by the record and by an appeal: one violation, established by the appeal.
        _delivery(
            "S36",
            "ADR",
            "2025-05-12 10:00",
            provider_body="mt",
            signed_by="E-MT-HEAD",
            employee_id="E-MT",
            decision_at="2025-05-16 10:00",
            signed_at="2025-05-16 11:00",
        ),
        _case({"review_deadline_breach"}, "signed on day 4 of 2, and upheld on appeal"),
    ),
    (
        _delivery(
            "N22",
            "LANDGRANT",
            "2025-06-02 10:00",
            decision_at="2025-06-10 10:00",
            signed_by="E-AKIM",
        ),
        _case(set(), "signed by the akim before his leave", near={"third_party_signature"}),
    ),
    (
        _delivery(
            "N23",
            "LANDGRANT",
            "2025-06-02 10:00",
            decision_at="2025-06-10 10:00",
            signed_by="E-CLERK",
        ),
        _case({"third_party_signature"}, "signed by an employee without signing authority"),
    ),
    (
        _delivery(
            "N24",
            "LANDGRANT",
            "2025-06-02 10:00",
            decision_at="2025-06-10 10:00",
            signed_by="E-FORMER",
        ),
        _case({"third_party_signature"}, "signed after the signer's authority ended"),
    ),
    (
        # After the service's 17:00: day zero is Wednesday, Thursday is day 1 of 1.
        _delivery("N33", "UNTIL17", "2025-05-13 17:30", decision_at="2025-05-15 10:00"),
        _case(
            set(),
            "received after the service's acceptance ends at 17:00, delivered in 1 day",
            near={"review_deadline_breach", "late_registration"},
        ),
    ),
    (
        # Before 17:00: day zero is Tuesday, Thursday is day 2 of 1.
        _delivery("S38", "UNTIL17", "2025-05-13 16:30", decision_at="2025-05-15 10:00"),
        _case({"review_deadline_breach"}, "received before 17:00, delivered on day 2 of 1"),
    ),
    (
        # Extended on day 2 of 5, with its basis: the term's last day is 20 June.
        _delivery(
            "N34",
            "ADV5",
            "2025-06-02 10:00",
            decision_at="2025-06-16 10:00",
            extended_at="2025-06-04 11:00",
            extended_until="2025-06-20",
            extension_basis=EXTENSION_BASIS,
        ),
        _case(
            set(),
            "delivered on working day 9 of a term of 5 lawfully extended to 20 June",
            near={"review_deadline_breach", "signing_deadline_breach"},
        ),
    ),
    (
        # An extension made on day 7 of 5 comes after the term ran out: it excuses nothing.
        _delivery(
            "S39",
            "ADV5",
            "2025-06-02 10:00",
            decision_at="2025-06-16 10:00",
            extended_at="2025-06-12 11:00",
            extended_until="2025-06-20",
            extension_basis=EXTENSION_BASIS,
        ),
        _case({"review_deadline_breach"}, "a term extended only after it had run out"),
    ),
    (
        # Lawfully extended to 10 June, and delivered two working days after it.
        _delivery(
            "S40",
            "ADV5",
            "2025-06-02 10:00",
            decision_at="2025-06-12 10:00",
            extended_at="2025-06-04 11:00",
            extended_until="2025-06-10",
            extension_basis=EXTENSION_BASIS,
        ),
        _case({"review_deadline_breach"}, "delivered after the last day of an extended term"),
    ),
    (
        # Five working days span a weekend: seven calendar days are never more than five.
        _delivery("N35", "ADV5", "2025-06-09 10:00", decision_at="2025-06-16 10:00"),
        _case(set(), "delivered on day 5 of 5, a week later", near={"review_deadline_breach"}),
    ),
    (
        # Eight calendar days from a Monday are six working days: the fewest that breach.
        _delivery("S41", "ADV5", "2025-06-09 10:00", decision_at="2025-06-17 10:00"),
        _case({"review_deadline_breach"}, "delivered on day 6 of 5, eight days later"),
    ),
    (
        # The deputy acting for the akim on leave, by order 45-к (1–24 July).
        _delivery(
            "N36",
            "LANDGRANT",
            "2025-07-07 10:00",
            decision_at="2025-07-10 10:00",
            signed_by="E-DEPUTY",
        ),
        _case(
            set(),
            "signed by the acting akim within the order's window",
            near={"third_party_signature"},
        ),
    ),
    (
        # A second acting period of the same person, by order 71-к (1–10 October).
        _delivery(
            "N37",
            "LANDGRANT",
            "2025-10-01 10:00",
            decision_at="2025-10-06 10:00",
            signed_by="E-DEPUTY",
        ),
        _case(set(), "signed in the deputy's second acting period", near={"third_party_signature"}),
    ),
    (
        # Between the two orders the deputy signs for no one.
        _delivery(
            "S42",
            "LANDGRANT",
            "2025-08-04 10:00",
            decision_at="2025-08-06 10:00",
            signed_by="E-DEPUTY",
        ),
        _case({"third_party_signature"}, "signed by the deputy between two acting periods"),
    ),
    (
        # The 2nd on the standing list, registered in 2019, still waits (queue_entries).
        _delivery(
            "S43",
            "HOUSING",
            "2025-03-03 10:00",
            queue_list="Косшы-жилье",
            queue_position="7",
            decision_at="2025-03-12 10:00",
        ),
        _case({"out_of_queue_order"}, "served 7th while the 2nd, waiting since 2019, still waits"),
    ),
    (
        # Every earlier position of the standing list left it before this one was served.
        _delivery(
            "N38",
            "HOUSING",
            "2025-03-03 10:00",
            queue_list="Акколь-жилье",
            queue_position="3",
            decision_at="2025-03-12 10:00",
        ),
        _case(
            set(), "served 3rd after the two before it left the list", near={"out_of_queue_order"}
        ),
    ),
    # --- More cases of each type, each decided by the rule its comment names ------------
    (
        # Same-day registration rule (seed 002, advertising case) and a 3-day term: the
        # delay is registration's when the rest kept to the term.
        _delivery(
            "S45",
            "LAND3",
            "2025-11-10 10:00",
            registered_at="2025-11-13 09:00",
            decision_at="2025-11-14 10:00",
        ),
        _case({"registration_deadline_breach"}, "registered on day 3, delivered on day 4 of 3"),
    ),
    (
        _delivery(
            "S46",
            "ADV5",
            "2025-09-08 10:00",
            registered_at="2025-09-15 10:00",
            decision_at="2025-09-16 10:00",
        ),
        _case({"registration_deadline_breach"}, "registered on day 5, delivered on day 6 of 5"),
    ),
    (
        # Seed 002 (Bolashak): lost in routing, no fault of the provider.
        _delivery(
            "S47",
            "BOLASHAK",
            "2025-09-15 11:00",
            provider_body="mnvo",
            routed_ok="нет",
            registered_at="",
            decision="",
            decision_at="",
            signed_by="",
        ),
        _case({"routing_failure"}, "a second Bolashak application lost in routing"),
    ),
    (
        _delivery(
            "S48",
            "LANDID",
            "2025-11-11 12:00",
            channel="state_corp",
            routed_ok="false",
            registered_at="",
            decision="",
            decision_at="",
            signed_by="",
        ),
        _case({"routing_failure"}, "sent by the State Corporation, never received"),
    ),
    (
        # Law on Public Services, art. 5 para. 2 subpara. 11: paper applications are entered
        # in the monitoring system.
        _delivery(
            "S49",
            "APOSTILLE",
            "2025-11-11 10:00",
            provider_body="mf",
            channel="provider",
            form="paper",
            registered_in_monitoring="нет",
            signed_by="",
            employee_id="E-MF",
        ),
        _case({"paper_not_in_monitoring"}, "a second paper apostille kept off the system"),
    ),
    (
        _delivery(
            "S50",
            "REPLAN",
            "2025-11-10 10:00",
            channel="provider",
            form="paper",
            registered_in_monitoring="false",
            decision_at="2025-11-13 10:00",
        ),
        _case({"paper_not_in_monitoring"}, "a paper redevelopment application off the system"),
    ),
    (
        # The registry's checklist is the full list (seed 002, excess documents).
        _delivery(
            "S51",
            "ADV5",
            "2025-11-10 10:00",
            documents_requested="application|sketch|bank_statement",
            documents_submitted="application|sketch|bank_statement",
        ),
        _case({"excess_documents_at_registration"}, "a bank statement demanded at acceptance"),
    ),
    (
        # Seed 002 (ecological licence): nothing beyond the checklist may be asked in review.
        _delivery(
            "S52",
            "LANDID",
            "2025-11-10 10:00",
            documents_submitted="application|title_deed",
            review_documents_requested="marriage_certificate",
            decision_at="2025-11-12 10:00",
        ),
        _case({"excess_documents_at_review"}, "a marriage certificate demanded in review"),
    ),
    (
        _delivery(
            "S53",
            "REPLAN",
            "2025-11-10 10:00",
            documents_submitted="application|project|neighbours_consent",
            review_documents_requested="technical_passport",
            decision_at="2025-11-14 10:00",
        ),
        _case({"excess_documents_at_review"}, "a technical passport demanded in review"),
    ),
    (
        # Asking again, in review, for a document of the checklist is not an excess.
        _delivery(
            "N39",
            "LANDID",
            "2025-11-10 10:00",
            documents_submitted="application|title_deed",
            review_documents_requested="title_deed",
            decision_at="2025-11-12 10:00",
        ),
        _case(set(), "the title deed asked again in review", near={"excess_documents_at_review"}),
    ),
    (
        # Seed 002 (redevelopment): a result issued on a package missing a checklist item.
        _delivery(
            "S54",
            "LANDID",
            "2025-11-10 10:00",
            documents_submitted="application",
            decision_at="2025-11-12 10:00",
        ),
        _case({"incomplete_package_granted"}, "land identification issued without the deed"),
    ),
    (
        _delivery(
            "S55",
            "INITIAL",
            "2025-11-10 10:00",
            documents_submitted="survey",
            decision_at="2025-11-13 10:00",
        ),
        _case({"incomplete_package_granted"}, "issued without the application itself"),
    ),
    (
        # Seed 002: an incomplete package is refused within 2 working days.
        _delivery(
            "S56",
            "LANDID",
            "2025-11-10 10:00",
            decision="",
            decision_at="",
            signed_by="",
            rejected_incomplete_at="2025-11-13 10:00",
        ),
        _case({"late_incomplete_refusal"}, "incomplete package refused on day 3 of 2"),
    ),
    (
        _delivery(
            "S57",
            "ADV5",
            "2025-11-14 10:00",
            decision="",
            decision_at="",
            signed_by="",
            rejected_incomplete_at="2025-11-19 10:00",
        ),
        _case({"late_incomplete_refusal"}, "refused on day 3 of 2, across a weekend"),
    ),
    (
        # Established by a finding only (seed 002): here an appeal upheld.
        _delivery(
            "S58",
            "APZ",
            "2025-11-10 10:00",
            decision="refused",
            decision_at="2025-11-14 10:00",
            **CONCRETE,
        ),
        _case({"unjustified_refusal"}, "a planning refusal found unjustified on appeal"),
    ),
    (
        _delivery(
            "S59",
            "LAND3",
            "2025-11-10 10:00",
            decision="refused",
            decision_at="2025-11-12 10:00",
            **CONCRETE,
        ),
        _case({"unjustified_refusal"}, "a land-plot refusal overturned by a court"),
    ),
    (
        # Reasons, but no legal basis at all: nothing to check them against.
        _delivery(
            "S60",
            "APZ",
            "2025-11-10 10:00",
            decision="refused",
            decision_at="2025-11-14 10:00",
            refusal_reasons="документы не соответствуют требованиям",
        ),
        _case({"refusal_without_reasons"}, "a refusal citing no legal basis"),
    ),
    (
        # Seed 002 (dangerous goods): ready in time, signed after the term.
        _delivery(
            "S61",
            "ADR",
            "2025-11-10 10:00",
            provider_body="mt",
            signed_by="E-MT-HEAD",
            employee_id="E-MT",
            decision_at="2025-11-11 10:00",
            signed_at="2025-11-13 10:00",
        ),
        _case({"signing_deadline_breach"}, "prepared on day 1, signed on day 3 of 2"),
    ),
    (
        _delivery(
            "S62",
            "LAND3",
            "2025-09-08 10:00",
            decision_at="2025-09-10 10:00",
            signed_at="2025-09-15 10:00",
        ),
        _case({"signing_deadline_breach"}, "prepared on day 2, signed on day 5 of 3"),
    ),
    (
        _delivery("N25", "HOURLY", "2025-05-12 10:00", decision_at="2025-05-12 13:30"),
        _case(set(), "a 4-hour service delivered in 3.5 hours", near={"review_deadline_breach"}),
    ),
    (
        _delivery("N26", "HOURLY", "2025-05-12 10:00", decision_at="2025-05-12 16:30"),
        _case({"review_deadline_breach"}, "a 4-hour service delivered in 6.5 hours"),
    ),
]

# Lines of seed 002 that several cases turn on.
_SAME_DAY = SeedLine(141, "өтініш түскен күні тіркелуі тиіс")
_TERM_OF_FIVE = SeedLine(141, "Қызмет көрсету мерзімі 5 жұмыс күні")
_TERM_OF_THREE = SeedLine(152, "Ал қызмет көрсетудің жалпы мерзімі 3 жұмыс күнін құрайды")
_TERMS_BY_RULES = SeedLine(
    86, "Қызмет көрсетудің нақты мерзімдері нормативтік құқықтық актілерде белгіленген"
)
_LATE_REGISTRATION = SeedLine(
    150,
    "өтініштерді кешіктіріп тіркеу қызмет көрсетудің жалпы мерзімдерінің бұзылуына алып келетін",
)
_ROUTING = SeedLine(164, "өтініш қызмет берушінің ақпараттық жүйесіне мүлдем түспегені анықталды")
_MONITORING = SeedLine(174, "5-бабы 2-тармағының 11) тармақшасына сәйкес")
_MONITORING_LAW = Article("public_services", "ст. 5 п. 2 пп. 11)")
_CHECKLIST = SeedLine(186, "қажетті құжаттардың толық тізбесінің болуына қарамастан")
_QUEUE = SeedLine(225, "кезектіліктің қатаң сақталуымен берілуі тиіс")
_REVIEW_EXCESS = SeedLine(
    236,
    "Қағидаларда көзделмеген құжаттарды талап ету өтініштерді қарау кезеңінде де орын алуы мүмкін",
)
_INCOMPLETE = SeedLine(254, "Құжаттар топтамасы толық болмаған кезде мемлекеттік қызмет көрсету")
_REVIEW_TERM = SeedLine(274, "2 жұмыс күнінен аспауы тиіс")
_REFUSAL_TERM = SeedLine(286, "өтініштерді қараудан бас тарту үшін 2 жұмыс күні белгіленген")
_UNJUSTIFIED = SeedLine(351, "бас тарту негізсіз")
_REASONS = SeedLine(359, "19-1-бабының 1-тармағына сәйкес")
_REASONS_LAW = Article("public_services", "ст. 19-1 п. 1")
_HEARING = SeedLine(378, "тыңдау рәсімін өткізбестен")
_HEARING_LAW = Article("appk", "ст. 73")
_SIGNING_TERM = SeedLine(392, "2 жұмыс күнін құрайды")
_SIGNED_LATE = SeedLine(390, "қол қоюшы лауазымды тұлға тарапынан")
_ON_LEAVE = SeedLine(402, "еңбек демалысында болған кезде ауылдық округ әкімінің атынан")
_AUTHORISED = SeedLine(
    416, "уәкілетті тұлғалар ғана мемлекеттік қызмет көрсету нәтижелеріне қол қоюға құқылы"
)
# Nauryz (21–23 March, with the days off moved to 24–25 March), 1, 7 and 9 May.
_HOLIDAYS = Article("holidays", "ст. 5")
_ACCEPTANCE = Assumption("Where the registry gives no hours of acceptance for a service")
_EXTENSION = Assumption("It is honoured when it was made within the term")
_CLOCK_HOURS = Assumption("Hour-based terms are clock hours, not working hours")
_ACTING = Assumption("acting period, one row per order")

SOURCES: Final[dict[str, tuple[Source, ...]]] = {
    # Registration stage.
    "S01": (
        _SAME_DAY,
        SeedLine(143, "тіркеу мерзімін кешіктіру мемлекеттік қызмет көрсетудің тәртібін бұзу"),
    ),
    "S02": (
        SeedLine(152, "тек 4-ші жұмыс күні тіркелген"),
        SeedLine(154, "жалпы мерзімнің бұзылуына алып келген"),
    ),
    "S45": (_LATE_REGISTRATION, _TERM_OF_THREE),
    "S46": (_LATE_REGISTRATION, _TERM_OF_FIVE),
    "N01": (_SAME_DAY, _TERM_OF_FIVE),
    "N02": (_TERM_OF_THREE, _HOLIDAYS),
    "N03": (_TERM_OF_THREE, _HOLIDAYS),
    "N04": (_SAME_DAY, _ACCEPTANCE),
    "N05": (_SAME_DAY, _HOLIDAYS),
    "N06": (_SAME_DAY, _HOLIDAYS),
    "N07": (_SAME_DAY, _TERM_OF_THREE, _HOLIDAYS),
    "S63": (_SAME_DAY, Article("transfer_2025", "п. 1")),
    "N40": (_SAME_DAY, _TERM_OF_THREE, Article("transfer_2025", "п. 1"), _HOLIDAYS),
    "N33": (_SAME_DAY, _ACCEPTANCE),
    "S38": (_SAME_DAY, _TERMS_BY_RULES),
    "S03": (_ROUTING,),
    "S47": (_ROUTING,),
    "S48": (_ROUTING,),
    "S04": (
        _MONITORING,
        _MONITORING_LAW,
        SeedLine(178, "тіркемеген және тиісті деректерді енгізбеген"),
    ),
    "S49": (_MONITORING, _MONITORING_LAW),
    "S50": (_MONITORING, _MONITORING_LAW),
    "N08": (_MONITORING, _MONITORING_LAW),
    "S05": (
        SeedLine(188, "цифрлық құжаттар сервисі арқылы алуға тиіс"),
        SeedLine(190, "жеке куәліктерінің көшірмелерін талап ететіндігі анықталды"),
    ),
    "S35": (SeedLine(190, "Мемкорпорацияның филиалын тексеру кезінде"),),
    "S51": (_CHECKLIST,),
    "N09": (_CHECKLIST, _INCOMPLETE),
    # Review stage.
    "S06": (_QUEUE, SeedLine(227, "кезектілікте 308-ші болып тұрғанына қарамастан")),
    "S33": (
        SeedLine(227, "өтініш беруші тұрғын үй бөлімінің басшысы"),
        SeedLine(297, "Мүдделер қақтығысын"),
    ),
    "S43": (_QUEUE,),
    "N10": (_QUEUE,),
    "N11": (_QUEUE,),
    "N12": (_QUEUE,),
    "N13": (_QUEUE,),
    "N14": (_QUEUE,),
    "N30": (_QUEUE,),
    "N38": (_QUEUE,),
    "S07": (SeedLine(240, "Еңбек кодексінің 35-бабына сәйкес"), Article("labour_code", "ст. 35")),
    "S52": (_REVIEW_EXCESS,),
    "S53": (_REVIEW_EXCESS,),
    "N15": (_REVIEW_EXCESS,),
    "N39": (_REVIEW_EXCESS,),
    "S08": (
        SeedLine(256, "нотариуспен куәландырылған электрондық нысандағы жазбаша келісімі қажет"),
        SeedLine(258, "көршілердің жазбаша келісімі болмаған жағдайда"),
    ),
    "S54": (_INCOMPLETE,),
    "S55": (_INCOMPLETE,),
    "S09": (
        _REVIEW_TERM,
        SeedLine(274, "оны қарауға және нәтижесін беруге 5 жұмыс күні жұмсалған"),
    ),
    "S31": (_REVIEW_TERM,),
    "S36": (_REVIEW_TERM,),
    "N34": (_TERMS_BY_RULES, _EXTENSION),
    "S39": (_TERMS_BY_RULES, _EXTENSION),
    "S40": (_TERMS_BY_RULES, _EXTENSION),
    "N35": (_TERM_OF_FIVE,),
    "S41": (_TERM_OF_FIVE,),
    "N25": (_TERMS_BY_RULES, _CLOCK_HOURS),
    "N26": (_TERMS_BY_RULES, _CLOCK_HOURS),
    "S10": (_REFUSAL_TERM, SeedLine(288, "тек 5-ші жұмыс күнінде")),
    "S56": (_REFUSAL_TERM,),
    "S57": (_REFUSAL_TERM,),
    "N16": (_REFUSAL_TERM,),
    "N17": (_REFUSAL_TERM, _HOLIDAYS),
    # Decision stage.
    "S11": (_UNJUSTIFIED,),
    "S58": (_UNJUSTIFIED,),
    "S59": (_UNJUSTIFIED,),
    "N18": (_REASONS, _REASONS_LAW, _UNJUSTIFIED),
    "S13": (_HEARING, _HEARING_LAW),
    "S37": (_HEARING, _HEARING_LAW),
    "S34": (_HEARING, _HEARING_LAW),
    "N19": (_HEARING_LAW,),
    "N20": (_HEARING_LAW,),
    "N31": (_HEARING_LAW,),
    "N32": (_HEARING_LAW, Assumption("an applicant duly notified who does not")),
    "S12": (
        _REASONS,
        _REASONS_LAW,
        SeedLine(365, "Заңның 17-бабының талаптарын бұзғанын көрсеткен"),
        Article("architecture", "ст. 17"),
    ),
    "S32": (
        SeedLine(
            363, "талаптардың кең ауқымын қамтитын заңнама нормаларына сілтеме жасаумен шектеледі"
        ),
        _REASONS_LAW,
    ),
    "S60": (SeedLine(363, "бас тартудың қандай да бір себептерін көрсетпейді"), _REASONS_LAW),
    "N27": (_REASONS, _REASONS_LAW),
    "N28": (_REASONS, _REASONS_LAW),
    "N29": (_REASONS, _REASONS_LAW),
    "S14": (_SIGNING_TERM, SeedLine(394, "екінші жұмыс күні дайындаған")),
    "S61": (_SIGNED_LATE,),
    "S62": (_SIGNED_LATE,),
    "N21": (_SIGNING_TERM,),
    **{f"S15-{n:02}": (_ON_LEAVE, _AUTHORISED) for n in range(1, 13)},
    "N22": (_ON_LEAVE,),
    "N23": (_AUTHORISED,),
    "N24": (_AUTHORISED,),
    "N36": (_AUTHORISED, _ACTING),
    "N37": (_AUTHORISED, _ACTING),
    "S42": (_AUTHORISED, _ACTING),
}

CASES: Final[dict[str, Case]] = {
    row["delivery_id"]: Case(row, *spec, sources=SOURCES.get(row["delivery_id"], ()))
    for row, spec in _RAW
}

# Waiting lists as they stood on 1 January 2025: positions registered years before.
QUEUE_ENTRIES: Final[list[dict[str, str]]] = [
    {
        "entry_id": "К-2019-1",
        "queue_list": "Косшы-жилье",
        "queue_position": "1",
        "registered_on": "02.04.2019",
        "left_at": "10.02.2025 10:00",
    },
    {
        "entry_id": "К-2019-2",
        "queue_list": "Косшы-жилье",
        "queue_position": "2",
        "registered_on": "11.05.2019",
        "applicant_id": "A-WAITING",
    },
    {
        "entry_id": "К-2020-3",
        "queue_list": "Косшы-жилье",
        "queue_position": "3",
        "registered_on": "15.01.2020",
        "left_at": "20.01.2025 10:00",
    },
    {
        "entry_id": "А-2018-1",
        "queue_list": "Акколь-жилье",
        "queue_position": "1",
        "registered_on": "03.09.2018",
        "left_at": "01.02.2025 10:00",
    },
    {
        "entry_id": "А-2018-2",
        "queue_list": "Акколь-жилье",
        "queue_position": "2",
        "registered_on": "17.10.2018",
        "left_at": "15.02.2025 10:00",
    },
]

# Findings of control measures: what no record shows by itself.
FINDINGS: Final[list[dict[str, str]]] = [
    {
        "finding_id": "АДГС-2025-0042/1",
        "provider_body": "mchs",
        "delivery_id": "S11",
        "violation_type": "unjustified_refusal",
        "established_by": "внеплановая проверка по жалобе",
        "established_at": "02.10.2025",
        "control_measure_id": "АДГС-2025-0042",
    },
    {
        "finding_id": "АДГС-2025-0050/1",
        "provider_body": "mchs",
        "delivery_id": "S37",
        "violation_type": "refusal_without_hearing",
        "established_by": "remote_monitoring",
        "established_at": "05.10.2025",
    },
    {
        "finding_id": "АДГС-2025-0061/4",
        "provider_body": "akmola",
        "delivery_id": "S35",
        "violation_type": "excess_documents_at_registration",
        "established_by": "плановая проверка",
        "established_at": "14.11.2025",
        "control_measure_id": "АДГС-2025-0061",
    },
    {
        "finding_id": "Ж-2025-0230",
        "provider_body": "akmola",
        "delivery_id": "S58",
        "violation_type": "unjustified_refusal",
        "established_by": "жалоба услугополучателя",
        "established_at": "05.12.2025",
    },
    {
        "finding_id": "С-2025-0019",
        "provider_body": "akmola",
        "delivery_id": "S59",
        "violation_type": "unjustified_refusal",
        "established_by": "решение суда",
        "established_at": "28.11.2025",
    },
    {
        "finding_id": "Ж-2025-0117",
        "provider_body": "mt",
        "delivery_id": "S36",
        "violation_type": "review_deadline_breach",
        "established_by": "appeal",
        "established_at": "20.06.2025",
    },
]


def write_csv(path: Path, kind: RecordKind, rows: list[dict[str, str]]) -> Path:
    """``rows`` as a CSV import file of ``kind`` (semicolon-separated, as Excel writes)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=kind.names(), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def service_row(row: dict[str, str]) -> dict[str, str]:
    return {
        "name_ru": f"Услуга {row['service_code']}",
        "name_kk": f"{row['service_code']} қызметі",
        "provider_body": "akmola",
        "form": "both",
        "fee": "free",
        "channels": "state_corp|egov|provider",
        **row,
    }


def ingest_cases(root: Path) -> RecordStore:
    """Write every case and its reference data as CSV import files under ``root`` and
    ingest them into a new store at ``root / "home"``; every record must land."""
    store = RecordStore(root / "home")
    files = {
        SERVICES_KIND: [service_row(row) for row in SERVICES],
        STAFF_KIND: [{"body": "akmola", **row} for row in STAFF],
        LEAVES_KIND: [{"body": "akmola", **row} for row in LEAVES],
        SIGNING_KIND: [{"body": "akmola", **row} for row in SIGNING_AUTHORITY],
        QUEUE_KIND: [{"provider_body": "akmola", **row} for row in QUEUE_ENTRIES],
        FINDINGS_KIND: FINDINGS,
        DELIVERIES: [case.delivery for case in CASES.values()],
    }
    for kind, rows in files.items():
        path = write_csv(root / f"{kind.name}.csv", kind, rows)
        report = ingest(path, PERIOD, KINDS, store=store)
        assert report.kind == kind.name
        assert report.problems == (), [p.render("en") for p in report.problems]
        assert report.stored == len(rows)
    return store
