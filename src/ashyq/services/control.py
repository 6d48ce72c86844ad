"""The records of control measures and what follows them, declared once as data.

Seed 000 reports what the agency's control of public services produced in a year: control
measures (inspections, planned or unplanned on a complaint, and remote monitoring), the
rights of recipients restored (with or without an inspection), disciplinary sanctions
(noting the managers among those sanctioned), administrative protocols under article 465
of the Code of Administrative Offences with their fines in MCI, and orders to remedy
(«представления») with their instructions and whether each was executed. Six kinds of
record carry these; the violations they act on are the findings (``findings``) and the
violation registry (``violation_id``: ``body/delivery/type``).

Like findings, they are stored under the period of the deliveries they concern, whatever
their own dates: a sanction imposed in January 2026 for a 2025 violation belongs to 2025.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from ashyq.i18n import N_
from ashyq.records.model import Check, Choice, FieldSpec, FieldType, RecordKind
from ashyq.services.catalogue import violation_choices

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "CONTROL_KINDS",
    "CONTROL_MEASURES",
    "DISCIPLINARY",
    "INSTRUCTIONS",
    "MEASURE_KINDS",
    "PROTOCOLS",
    "REPRESENTATIONS",
    "RIGHTS_RESTORED",
    "pseudonym_checks",
]

MEASURE_KINDS: Final = (
    Choice("planned_inspection", "плановая проверка", "жоспарлы тексеру", "planned inspection"),
    Choice(
        "unplanned_inspection",
        "внеплановая проверка по жалобе",
        "шағым бойынша жоспардан тыс тексеру",
        "unplanned inspection on complaint",
        ("внеплановая проверка",),
    ),
    Choice(
        "remote_monitoring", "дистанционный мониторинг", "қашықтан мониторинг", "remote monitoring"
    ),
)

_RESTORED_VIA: Final = (
    Choice("inspection", "в ходе проверки", "тексеру барысында", "during an inspection"),
    Choice(
        "remote_monitoring",
        "без проверки, дистанционным мониторингом",
        "тексерусіз, қашықтан мониторингпен",
        "without an inspection, by remote monitoring",
        ("дистанционно", "без проверки"),
    ),
)

# Disciplinary sanctions of the Civil Service Law, from the mildest.
_PENALTIES: Final = (
    Choice("remark", "замечание", "ескерту", "remark"),
    Choice("reprimand", "выговор", "сөгіс", "reprimand"),
    Choice("severe_reprimand", "строгий выговор", "қатаң сөгіс", "severe reprimand"),
    Choice(
        "incomplete_fitness_warning",
        "предупреждение о неполном служебном соответствии",
        "қызметке толық сәйкес еместігі туралы ескерту",
        "warning of incomplete fitness for the post",
    ),
    Choice("dismissal", "увольнение", "қызметтен босату", "dismissal"),
)

_PROCEDURES: Final = (
    Choice("regular", "общий порядок", "жалпы тәртіп", "regular proceedings"),
    Choice(
        "shortened",
        "упрощённое производство",
        "қысқартылған іс жүргізу",
        "shortened proceedings",
        ("сокращённое производство", "қысқартылған өндіріс"),
    ),
)

_PROTOCOL_OUTCOMES: Final = (
    Choice("fined", "наложен штраф", "айыппұл салынды", "fined", ("штраф",)),
    Choice("warning", "предупреждение", "ескерту", "warning"),
    Choice("terminated", "производство прекращено", "іс тоқтатылды", "terminated"),
    Choice("pending", "на рассмотрении", "қаралуда", "pending"),
)

_EXECUTION: Final = (
    Choice("executed", "исполнено", "орындалды", "executed"),
    Choice("in_progress", "на исполнении", "орындалуда", "in progress"),
    Choice("not_executed", "не исполнено", "орындалмады", "not executed"),
)

_MEASURE_ID: Final = FieldSpec(
    "control_measure_id",
    FieldType.TEXT,
    "The inspection or remote monitoring (see control measures).",
    "АДГС-2025-AKMOLA-0007",
)
_VIOLATION_IDS: Final = FieldSpec(
    "violation_ids",
    FieldType.LIST,
    "Violations it concerns: ids of the violation registry separated by '|'.",
    "akmola/ГУ-2025-0000001/late_registration",
)
# A raw IIN or BIN: twelve digits, perhaps spaced. People are named by one pseudonym of
# their IIN in every file (docs/data-formats.md, *Identifiers of people*), never by the
# number itself.
_RAW_IIN: Final = r"^\s*[0-9](\s*[0-9]){11}\s*$"


def pseudonym_checks(*fields: str) -> tuple[Check, ...]:
    """That each of ``fields``, an identifier of a person, is a pseudonym and not a raw IIN
    or BIN: the conflict-of-interest check matches applicants with officials by it."""

    def raw(name: str) -> Callable[[ir.Table], ir.BooleanValue]:
        return lambda t: t[name].re_search(_RAW_IIN)

    expected = N_("a pseudonymised identifier, not a raw IIN or BIN (12 digits)")
    return tuple(Check("raw_iin", name, name, expected, raw(name)) for name in fields)


_EMPLOYEE: Final = FieldSpec(
    "employee_id",
    FieldType.TEXT,
    "Employee held liable (staff employee_id).",
    "P-7c1e4b09a2d35f86",
    True,
)
_POSITION: Final = FieldSpec(
    "position", FieldType.TEXT, "Position held when liable.", "руководитель отдела"
)
_IS_MANAGER: Final = FieldSpec(
    "is_manager",
    FieldType.BOOLEAN,
    "The person holds a managerial position.",
    "false",
    required=True,
)
_SERVES_IN: Final = FieldSpec(
    "body", FieldType.BODY, "Body the person serves in: code or name.", "akmola", True
)
_RULE: Final = FieldSpec(
    "rule_id",
    FieldType.TEXT,
    "The liability rule the system suggested, if the decision followed one.",
    "permit_deadline_first_head",
)


def _not_before(later: str, earlier: str, expected: str) -> Check:
    """``later`` may not fall before ``earlier``; ``expected`` says so, translatably."""
    return Check(f"before_{earlier}", later, later, expected, lambda t: t[later] < t[earlier])


CONTROL_MEASURES: Final = RecordKind(
    name="control_measures",
    title="Control measure (inspection or remote monitoring)",
    key="control_measure_id",
    dated_by=None,
    fields=(
        FieldSpec(
            "control_measure_id",
            FieldType.TEXT,
            "Number of the control measure.",
            "АДГС-2025-AKMOLA-0007",
            required=True,
        ),
        FieldSpec(
            "body", FieldType.BODY, "Evaluated body controlled: code or name.", "akmola", True
        ),
        FieldSpec(
            "kind",
            FieldType.CHOICE,
            "Planned inspection, unplanned inspection on a complaint, or remote monitoring.",
            "unplanned_inspection",
            required=True,
            choices=MEASURE_KINDS,
        ),
        FieldSpec(
            "complaint_id",
            FieldType.TEXT,
            "The complaint that prompted an unplanned inspection.",
            "ЖТ-2025-01234",
        ),
        FieldSpec("started_on", FieldType.DATE, "First day.", "2025-04-07", True),
        FieldSpec("ended_on", FieldType.DATE, "Last day (blank: still running).", "2025-04-18"),
        FieldSpec(
            "violations_found",
            FieldType.INTEGER,
            "Violations it established, as stated in its act.",
            "14",
            minimum=0,
        ),
    ),
    checks=(
        Check(
            "complaint_missing",
            "complaint_id",
            "kind",
            N_("complaint_id given for an unplanned inspection"),
            lambda t: (t.kind == "unplanned_inspection") & t.complaint_id.isnull(),
        ),
        _not_before("ended_on", "started_on", N_("a date not before started_on")),
    ),
)

RIGHTS_RESTORED: Final = RecordKind(
    name="rights_restored",
    title="Rights of a recipient restored",
    key="restoration_id",
    dated_by=None,
    body_field="provider_body",
    fields=(
        FieldSpec(
            "restoration_id",
            FieldType.TEXT,
            "Number of the record.",
            "ВП-2025-00017",
            required=True,
        ),
        FieldSpec(
            "provider_body",
            FieldType.BODY,
            "Body whose delivery it is: code or name.",
            "akmola",
            True,
        ),
        FieldSpec(
            "delivery_id",
            FieldType.TEXT,
            "The delivery whose recipient had the right restored.",
            "ГУ-2025-0000001",
            required=True,
        ),
        FieldSpec(
            "violation_type",
            FieldType.CHOICE,
            "The violation remedied (see docs/violations.md).",
            "unjustified_refusal",
            choices=violation_choices(),
        ),
        FieldSpec(
            "via",
            FieldType.CHOICE,
            "Restored during an inspection, or without one by remote monitoring.",
            "remote_monitoring",
            required=True,
            choices=_RESTORED_VIA,
        ),
        FieldSpec(
            "restored_on",
            FieldType.DATE,
            "When the service was delivered or the refusal withdrawn.",
            "2025-05-02",
            required=True,
        ),
        _MEASURE_ID,
    ),
)

DISCIPLINARY: Final = RecordKind(
    name="disciplinary",
    title="Disciplinary sanction",
    key="sanction_id",
    dated_by=None,
    fields=(
        FieldSpec("sanction_id", FieldType.TEXT, "Number of the order.", "ДВ-2025-0031", True),
        _SERVES_IN,
        _EMPLOYEE,
        _POSITION,
        _IS_MANAGER,
        FieldSpec(
            "penalty",
            FieldType.CHOICE,
            "The sanction imposed.",
            "reprimand",
            required=True,
            choices=_PENALTIES,
        ),
        FieldSpec("imposed_on", FieldType.DATE, "Date of the order.", "2025-06-11", True),
        _VIOLATION_IDS,
        _MEASURE_ID,
        _RULE,
    ),
    checks=pseudonym_checks("employee_id"),
)

PROTOCOLS: Final = RecordKind(
    name="protocols",
    title="Administrative protocol (Code of Administrative Offences, article 465)",
    key="protocol_id",
    dated_by=None,
    fields=(
        FieldSpec("protocol_id", FieldType.TEXT, "Number of the protocol.", "АП-2025-0912", True),
        _SERVES_IN,
        _EMPLOYEE,
        _POSITION,
        _IS_MANAGER,
        FieldSpec(
            "article",
            FieldType.TEXT,
            "Article of the Code of Administrative Offences.",
            "465",
            required=True,
            default="465",
        ),
        FieldSpec("article_part", FieldType.TEXT, "Part of the article, if cited.", "1"),
        FieldSpec(
            "drawn_on", FieldType.DATE, "When the protocol was drawn up.", "2025-06-03", True
        ),
        FieldSpec(
            "procedure",
            FieldType.CHOICE,
            "Regular or shortened proceedings.",
            "shortened",
            choices=_PROCEDURES,
            default="regular",
        ),
        FieldSpec(
            "outcome",
            FieldType.CHOICE,
            "How the case ended.",
            "fined",
            required=True,
            choices=_PROTOCOL_OUTCOMES,
        ),
        FieldSpec("decided_on", FieldType.DATE, "Date of the decision.", "2025-06-10"),
        FieldSpec(
            "fine_mci",
            FieldType.INTEGER,
            "Fine in monthly calculation indices (MCI); converted to tenge at the MCI of "
            "the decision's year.",
            "10",
            minimum=1,
            maximum=10_000,
        ),
        FieldSpec("paid_on", FieldType.DATE, "When the fine was paid.", "2025-06-14"),
        FieldSpec(
            "paid_tenge",
            FieldType.INTEGER,
            "Amount paid, if not the whole fine (blank: the whole fine when paid_on is set).",
            "19660",
            minimum=0,
        ),
        _VIOLATION_IDS,
        _MEASURE_ID,
        _RULE,
    ),
    checks=(
        *pseudonym_checks("employee_id"),
        Check(
            "fine_missing",
            "fine_mci",
            "outcome",
            N_("fine_mci and decided_on given for a fine"),
            lambda t: (t.outcome == "fined") & (t.fine_mci.isnull() | t.decided_on.isnull()),
        ),
        Check(
            "paid_without_fine",
            "paid_on",
            "outcome",
            N_("paid_on only for a fine"),
            lambda t: t.paid_on.notnull() & (t.outcome != "fined"),
        ),
        Check(
            "fine_not_imposed",
            "fine_mci",
            "outcome",
            N_("no fine_mci unless the outcome is a fine"),
            lambda t: t.fine_mci.notnull() & (t.outcome != "fined"),
        ),
        Check(
            "paid_amount_without_payment",
            "paid_tenge",
            "paid_tenge",
            N_("paid_tenge only with paid_on"),
            lambda t: t.paid_tenge.notnull() & t.paid_on.isnull(),
        ),
        _not_before("decided_on", "drawn_on", N_("a date not before drawn_on")),
        _not_before("paid_on", "decided_on", N_("a date not before decided_on")),
    ),
)

REPRESENTATIONS: Final = RecordKind(
    name="representations",
    title="Order to remedy violations («представление»)",
    key="representation_id",
    dated_by=None,
    fields=(
        FieldSpec("representation_id", FieldType.TEXT, "Number of the order.", "П-2025-0144", True),
        FieldSpec("body", FieldType.BODY, "Body it is addressed to: code or name.", "akmola", True),
        FieldSpec("issued_on", FieldType.DATE, "Date it was issued.", "2025-07-01", True),
        FieldSpec("due_on", FieldType.DATE, "Date the body must report by.", "2025-08-01"),
        _MEASURE_ID,
    ),
    checks=(_not_before("due_on", "issued_on", N_("a date not before issued_on")),),
)

INSTRUCTIONS: Final = RecordKind(
    name="instructions",
    title="Instruction of an order to remedy",
    key="instruction_id",
    dated_by=None,
    fields=(
        FieldSpec(
            "instruction_id",
            FieldType.TEXT,
            "Number of the instruction.",
            "П-2025-0144/2",
            required=True,
        ),
        FieldSpec(
            "representation_id",
            FieldType.TEXT,
            "The order to remedy it belongs to.",
            "П-2025-0144",
            required=True,
        ),
        FieldSpec("body", FieldType.BODY, "Body it is addressed to: code or name.", "akmola", True),
        FieldSpec(
            "text",
            FieldType.TEXT,
            "What must be done.",
            "Привести регламент регистрации заявлений в соответствие с Правилами",
            required=True,
        ),
        FieldSpec("due_on", FieldType.DATE, "Deadline.", "2025-08-01"),
        FieldSpec(
            "status",
            FieldType.CHOICE,
            "Execution status.",
            "executed",
            required=True,
            choices=_EXECUTION,
        ),
        FieldSpec("executed_on", FieldType.DATE, "When it was executed.", "2025-07-25"),
    ),
    checks=(
        Check(
            "execution_date_missing",
            "executed_on",
            "status",
            N_("executed_on given for an executed instruction"),
            lambda t: (t.status == "executed") & t.executed_on.isnull(),
        ),
        Check(
            "executed_on_not_executed",
            "executed_on",
            "status",
            N_("executed_on only for an executed instruction"),
            lambda t: (t.status != "executed") & t.executed_on.notnull(),
        ),
    ),
)

# In this order a header is recognised (before the kinds of ashyq.services.model): an
# instruction also holds representation_id, an order to remedy and a restored right
# control_measure_id, a sanction and a protocol employee_id.
CONTROL_KINDS: Final = (
    RIGHTS_RESTORED,
    DISCIPLINARY,
    PROTOCOLS,
    INSTRUCTIONS,
    REPRESENTATIONS,
    CONTROL_MEASURES,
)
