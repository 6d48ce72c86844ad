"""The record model of public-service quality control, declared once as data.

Five kinds of record here: the registry of public services (``services``, one row per service
type), the delivery records (``deliveries``, one per application), the providers' staff
with signing authority (``staff``) and their leave (``leaves``), and the findings of
control measures (``findings``: a violation established by an inspection, remote
monitoring, an appeal or a court, such as an unjustified refusal, which no record shows
by itself). The control measures themselves and what follows them (restored rights,
sanctions, protocols, orders to remedy) are declared in ``ashyq.services.control`` and
listed in ``KINDS`` too. Reference data (registry, staff, leave) and findings are stored
under the period of the deliveries they serve, whatever their own dates. The validator,
the store, the Table Schema files in ``ashyq/records/schemas`` and
``docs/data-formats.md`` all follow this declaration.
"""

from __future__ import annotations

from typing import Final

from ashyq.channels import CHANNELS
from ashyq.i18n import N_
from ashyq.records.model import Check, Choice, FieldSpec, FieldType, RecordKind
from ashyq.services.catalogue import violation_choices
from ashyq.services.control import CONTROL_KINDS, MEASURE_KINDS, pseudonym_checks

__all__ = [
    "ACCEPTANCE_ENDS",
    "DELIVERIES",
    "FINDINGS",
    "KINDS",
    "LEAVES",
    "QUEUE_ENTRIES",
    "RECORD_KINDS",
    "SERVICES",
    "SIGNING_AUTHORITY",
    "STAFF",
]

_SERVICE_FORMS: Final = (
    Choice("electronic", "электронная", "электрондық", "electronic"),
    Choice("paper", "бумажная", "қағаз", "paper"),
    Choice("both", "электронная и бумажная", "электрондық және қағаз", "both", ("обе",)),
)

_DELIVERY_FORMS: Final = _SERVICE_FORMS[:2]

_FEES: Final = (
    Choice("free", "бесплатно", "тегін", "free", ("бесплатная",)),
    Choice("paid", "платно", "ақылы", "paid", ("платная",)),
    Choice("both", "бесплатно и платно", "тегін және ақылы", "both"),
)

_PERMIT_CATEGORIES: Final = (
    Choice("none", "не разрешение", "рұқсат емес", "not a permit", ("нет", "-")),
    Choice("first", "разрешение первой категории", "бірінші санаттағы рұқсат", "first", ("1",)),
    Choice("second", "разрешение второй категории", "екінші санаттағы рұқсат", "second", ("2",)),
)

# How a hearing before a refusal took place; each counts as held (APPK, art. 73: the
# right to be heard, orally or in writing; an applicant notified who did not come was
# given the hearing, an assumption in docs/methodology.md).
_HEARING_FORMS: Final = (
    Choice("in_person", "очное", "бетпе-бет", "in person", ("устное", "ауызша")),
    Choice(
        "written",
        "письменное возражение",
        "жазбаша қарсылық",
        "written objection",
        ("письменное", "жазбаша"),
    ),
    Choice(
        "not_attended",
        "неявка после уведомления",
        "хабарланғаннан кейін келмеу",
        "not attended after notice",
        ("неявка", "келмеу"),
    ),
)

_DECISIONS: Final = (
    Choice("issued", "результат выдан", "нәтиже берілді", "issued", ("выдано", "оказано")),
    Choice("refused", "мотивированный отказ", "дәлелді бас тарту", "refused", ("отказ",)),
)

# The usual end of the working day of state bodies (Labour Code schedule 9:00–18:30): an
# application received later counts from the next working day, unless the service's rules
# set other hours of acceptance (``accepts_until``).
ACCEPTANCE_ENDS: Final = "18:30"

_RECONSIDERED_BY: Final = (
    Choice(
        "body", "отменено услугодателем", "қызмет берушінің өзі жойды", "revoked by the provider"
    ),
    Choice(
        "complaint",
        "отменено по жалобе",
        "шағым бойынша жойылды",
        "overturned on complaint",
        ("по жалобе",),
    ),
    Choice("court", "отменено судом", "сот жойды", "overturned in court", ("судом",)),
)

# A violation is established by a control measure, or else on an appeal or by a court.
_ESTABLISHED_BY: Final = (
    *MEASURE_KINDS,
    Choice("appeal", "жалоба услугополучателя", "қызмет алушының шағымы", "recipient's complaint"),
    Choice("court", "решение суда", "сот шешімі", "court decision"),
)


SERVICES: Final = RecordKind(
    name="services",
    title="Registry of public services",
    key="service_code",
    dated_by=None,
    body_field="provider_body",
    fields=(
        FieldSpec("service_code", FieldType.TEXT, "Code of the service type.", "00101001", True),
        FieldSpec("name_ru", FieldType.TEXT, "Name in Russian.", "Выдача справки о ...", True),
        FieldSpec("name_kk", FieldType.TEXT, "Name in Kazakh.", "... анықтама беру", True),
        FieldSpec(
            "provider_body",
            FieldType.BODY,
            "Evaluated body that provides the service or sets its rules: code or name.",
            "mvd",
            required=True,
        ),
        FieldSpec(
            "form", FieldType.CHOICE, "Form of delivery.", "electronic", True, _SERVICE_FORMS
        ),
        FieldSpec("fee", FieldType.CHOICE, "Free, paid or both.", "free", True, _FEES),
        FieldSpec(
            "channels",
            FieldType.CODES,
            "Where it can be applied for, codes separated by '|'.",
            "state_corp|egov",
            required=True,
            choices=CHANNELS,
        ),
        FieldSpec(
            "deadline_days",
            FieldType.INTEGER,
            "Term of delivery in working days (the day of receipt is day zero).",
            "5",
            minimum=0,
            maximum=365,
        ),
        FieldSpec(
            "deadline_hours",
            FieldType.INTEGER,
            "Term of delivery in hours, for services set in hours (instead of days).",
            "1",
            minimum=1,
            maximum=720,
        ),
        FieldSpec(
            "refusal_days",
            FieldType.INTEGER,
            "Working days to refuse an incomplete package (2 unless the rules set otherwise).",
            "2",
            minimum=0,
            maximum=30,
            default="2",
        ),
        FieldSpec(
            "documents",
            FieldType.LIST,
            "Checklist of required documents: document codes separated by '|'.",
            "application|id_card|title_deed",
        ),
        FieldSpec(
            "permit_category",
            FieldType.CHOICE,
            "Permit category of the result: none, first or second.",
            "second",
            choices=_PERMIT_CATEGORIES,
            default="none",
        ),
        FieldSpec(
            "queue_based",
            FieldType.BOOLEAN,
            "Delivered in the order of a waiting list (housing lists).",
            "false",
        ),
        FieldSpec(
            "hearing_required",
            FieldType.BOOLEAN,
            "A hearing of the applicant is required before a refusal.",
            "true",
        ),
        FieldSpec(
            "accepts_until",
            FieldType.TIME,
            "End of the day's acceptance, Astana time: an application received later counts "
            "from the next working day (18:30 unless the service's rules set another).",
            "17:00",
            default=ACCEPTANCE_ENDS,
        ),
    ),
    checks=(
        Check(
            "deadline_missing",
            "deadline_days",
            "service_code",
            N_("a term: deadline_days or deadline_hours"),
            lambda t: t.deadline_days.isnull() & t.deadline_hours.isnull(),
        ),
        Check(
            "deadline_twice",
            "deadline_hours",
            "deadline_hours",
            N_("deadline_days or deadline_hours, not both"),
            lambda t: t.deadline_days.notnull() & t.deadline_hours.notnull(),
        ),
    ),
)

DELIVERIES: Final = RecordKind(
    name="deliveries",
    title="Delivery of a public service",
    key="delivery_id",
    dated_by="submitted_at",
    body_field="provider_body",
    fields=(
        FieldSpec(
            "delivery_id",
            FieldType.TEXT,
            "Number of the application, unique within the provider body.",
            "ГУ-2025-0000001",
            required=True,
        ),
        FieldSpec(
            "service_code",
            FieldType.TEXT,
            "Code of the service type in the registry.",
            "00101001",
            required=True,
        ),
        FieldSpec(
            "provider_body",
            FieldType.BODY,
            "Evaluated body that delivered it: code or name.",
            "akmola",
            required=True,
        ),
        FieldSpec(
            "provider_unit",
            FieldType.TEXT,
            "Unit that delivered it (department, district akimat, branch).",
            "ГУ «Отдел архитектуры г. Кокшетау»",
        ),
        FieldSpec("channel", FieldType.CHOICE, "Where it was applied for.", "egov", True, CHANNELS),
        FieldSpec(
            "form",
            FieldType.CHOICE,
            "Form of the application.",
            "electronic",
            required=True,
            choices=_DELIVERY_FORMS,
        ),
        FieldSpec(
            "submitted_at",
            FieldType.DATETIME,
            "When the application was received (Astana time).",
            "2025-03-14T10:05",
            required=True,
        ),
        FieldSpec(
            "registered_at",
            FieldType.DATETIME,
            "When the provider registered it.",
            "2025-03-14T11:00",
        ),
        FieldSpec(
            "routed_ok",
            FieldType.BOOLEAN,
            "The application reached the provider's information system (no routing failure).",
            "true",
            default="true",
        ),
        FieldSpec(
            "registered_in_monitoring",
            FieldType.BOOLEAN,
            "Entered in the public-services monitoring system (paper applications).",
            "true",
            default="true",
        ),
        FieldSpec(
            "documents_requested",
            FieldType.LIST,
            "Documents demanded at acceptance: codes separated by '|'.",
            "application|id_card",
        ),
        FieldSpec(
            "documents_submitted",
            FieldType.LIST,
            "Documents the applicant submitted: codes separated by '|'.",
            "application|title_deed",
        ),
        FieldSpec(
            "review_documents_requested",
            FieldType.LIST,
            "Further documents demanded during review: codes separated by '|'.",
            "pension_fund_extract",
        ),
        FieldSpec(
            "completeness_checked_at",
            FieldType.DATETIME,
            "When the completeness of the package was checked.",
            "2025-03-14T15:00",
        ),
        FieldSpec(
            "rejected_incomplete_at",
            FieldType.DATETIME,
            "When review was refused because the package was incomplete.",
            "2025-03-17T10:00",
        ),
        FieldSpec(
            "queue_list", FieldType.TEXT, "Waiting list the applicant is on.", "housing-kokshetau"
        ),
        FieldSpec(
            "queue_position",
            FieldType.INTEGER,
            "Position on the waiting list; required with queue_list.",
            "12",
            minimum=1,
        ),
        FieldSpec(
            "hearing_notice_at",
            FieldType.DATETIME,
            "When the applicant was notified of a hearing before refusal.",
            "2025-03-18T09:00",
        ),
        FieldSpec(
            "hearing_held_at",
            FieldType.DATETIME,
            "When the hearing was held: the applicant heard, their written objection received,"
            " or the appointed time they did not come to.",
            "2025-03-20T11:00",
        ),
        FieldSpec(
            "hearing_form",
            FieldType.CHOICE,
            "How the hearing took place: in person (when blank), a written objection, or not"
            " attended after notice (counts as held only with hearing_notice_at).",
            "written",
            choices=_HEARING_FORMS,
        ),
        FieldSpec(
            "decision",
            FieldType.CHOICE,
            "Outcome: issued or refused.",
            "issued",
            choices=_DECISIONS,
        ),
        FieldSpec(
            "decision_at",
            FieldType.DATETIME,
            "When the result (or refusal) was prepared; required with decision.",
            "2025-03-19T16:00",
        ),
        FieldSpec(
            "extended_at",
            FieldType.DATETIME,
            "When the term was extended or suspended; honoured when done within the term.",
            "2025-03-18T11:00",
        ),
        FieldSpec(
            "extended_until",
            FieldType.DATE,
            "Last day of the term after the extension or suspension; required with extended_at.",
            "2025-03-28",
        ),
        FieldSpec(
            "extension_basis",
            FieldType.TEXT,
            "Legal basis of the extension or suspension; required with extended_at.",
            "п. 12 Правил оказания государственной услуги (запрос в уполномоченный орган)",
        ),
        FieldSpec(
            "refusal_reasons",
            FieldType.TEXT,
            "Reasons given for a refusal, as the applicant received them.",
            "не представлено нотариально заверенное согласие собственников",
        ),
        FieldSpec(
            "refusal_legal_basis",
            FieldType.TEXT,
            "Legal basis cited for a refusal.",
            "пп. 3) п. 9 Правил оказания государственной услуги",
        ),
        FieldSpec(
            "reconsidered_at",
            FieldType.DATETIME,
            "When the decision was revoked by the provider or overturned on complaint or in court.",
            "2025-04-22T15:00",
        ),
        FieldSpec(
            "reconsidered_by",
            FieldType.CHOICE,
            "Who reconsidered it; required with reconsidered_at.",
            "complaint",
            choices=_RECONSIDERED_BY,
        ),
        FieldSpec(
            "signed_at", FieldType.DATETIME, "When the result was signed.", "2025-03-20T10:00"
        ),
        FieldSpec(
            "signed_by",
            FieldType.TEXT,
            "Employee whose signature the result bears (staff employee_id).",
            "P-7c1e4b09a2d35f86",
        ),
        FieldSpec(
            "applicant_id",
            FieldType.TEXT,
            "Applicant's pseudonymised IIN (BIN for a company), the scheme of staff employee_id.",
            "P-3f9a0c7be21d4e58",
        ),
        FieldSpec(
            "employee_id",
            FieldType.TEXT,
            "Employee who registered and reviewed it (staff employee_id).",
            "P-b50d2e8f61a97c34",
        ),
    ),
    checks=(
        *pseudonym_checks("applicant_id", "employee_id", "signed_by"),
        Check(
            "decision_time_missing",
            "decision_at",
            "decision",
            N_("decision_at given with decision"),
            lambda t: t.decision.notnull() & t.decision_at.isnull(),
        ),
        Check(
            "queue_incomplete",
            "queue_position",
            "queue_list",
            N_("queue_list and queue_position given together"),
            lambda t: t.queue_list.notnull() != t.queue_position.notnull(),
        ),
        Check(
            "signer_missing",
            "signed_by",
            "signed_at",
            N_("signed_by given with signed_at"),
            lambda t: t.signed_at.notnull() & t.signed_by.isnull(),
        ),
        Check(
            "before_submission",
            "registered_at",
            "registered_at",
            N_("a date and time not before submitted_at"),
            lambda t: t.registered_at < t.submitted_at,
        ),
        Check(
            "before_submission",
            "decision_at",
            "decision_at",
            N_("a date and time not before submitted_at"),
            lambda t: t.decision_at < t.submitted_at,
        ),
        Check(
            "before_decision",
            "signed_at",
            "signed_at",
            N_("a date and time not before decision_at"),
            lambda t: t.signed_at < t.decision_at,
        ),
        Check(
            "reconsideration_incomplete",
            "reconsidered_by",
            "reconsidered_at",
            N_("reconsidered_at and reconsidered_by given together"),
            lambda t: t.reconsidered_at.notnull() != t.reconsidered_by.notnull(),
        ),
        Check(
            "before_decision",
            "reconsidered_at",
            "reconsidered_at",
            N_("a date and time not before decision_at"),
            lambda t: t.reconsidered_at < t.decision_at,
        ),
        Check(
            "reconsidered_without_decision",
            "reconsidered_at",
            "reconsidered_at",
            N_("a decision to reconsider (decision and decision_at)"),
            lambda t: t.reconsidered_at.notnull() & t.decision.isnull(),
        ),
        Check(
            "extension_incomplete",
            "extended_until",
            "extended_at",
            N_("extended_until given with extended_at"),
            lambda t: t.extended_at.notnull() & t.extended_until.isnull(),
        ),
        Check(
            "extension_incomplete",
            "extended_at",
            "extended_until",
            N_("extended_at given with extended_until"),
            lambda t: t.extended_until.notnull() & t.extended_at.isnull(),
        ),
        Check(
            "extension_basis_missing",
            "extension_basis",
            "extended_at",
            N_("extension_basis (the legal basis) given with extended_at"),
            lambda t: t.extended_at.notnull() & t.extension_basis.isnull(),
        ),
        Check(
            "before_submission",
            "extended_at",
            "extended_at",
            N_("a date and time not before submitted_at"),
            lambda t: t.extended_at < t.submitted_at,
        ),
        Check(
            "before_extension",
            "extended_until",
            "extended_until",
            N_("a date not before extended_at"),
            lambda t: t.extended_until < t.extended_at.date(),
        ),
    ),
)

STAFF: Final = RecordKind(
    name="staff",
    title="Provider staff and signing authority",
    key="employee_id",
    dated_by=None,
    fields=(
        FieldSpec(
            "employee_id",
            FieldType.TEXT,
            "Employee's pseudonymised IIN, the scheme of applicant_id.",
            "P-7c1e4b09a2d35f86",
            True,
        ),
        FieldSpec("body", FieldType.BODY, "Evaluated body: code or name.", "akmola", True),
        FieldSpec("unit", FieldType.TEXT, "Unit the employee works in.", "Аппарат акима с.о. Н"),
        FieldSpec("position", FieldType.TEXT, "Position.", "аким сельского округа"),
        FieldSpec("is_manager", FieldType.BOOLEAN, "Holds a managerial position.", "true"),
        FieldSpec(
            "is_first_head",
            FieldType.BOOLEAN,
            "First head of the body or of the provider unit (minister, akim).",
            "true",
        ),
        FieldSpec(
            "can_sign",
            FieldType.BOOLEAN,
            "Signs results of public services in their own right: yes or no, never blank "
            "(acting periods: signing_authority).",
            "true",
            required=True,
        ),
        FieldSpec(
            "can_sign_from",
            FieldType.DATE,
            "Signing authority starts (blank: always).",
            "2024-01-10",
        ),
        FieldSpec(
            "can_sign_until", FieldType.DATE, "Signing authority ends (blank: open).", "2026-12-31"
        ),
    ),
    checks=pseudonym_checks("employee_id"),
)

SIGNING_AUTHORITY: Final = RecordKind(
    name="signing_authority",
    title="Signing authority granted by order (acting periods)",
    key="order_id",
    dated_by=None,
    fields=(
        FieldSpec(
            "order_id",
            FieldType.TEXT,
            "Number of the order granting it; one row per person and period (suffix the "
            "number, «45-к/2», when one order grants several).",
            "45-к",
            True,
        ),
        FieldSpec("body", FieldType.BODY, "Evaluated body: code or name.", "akmola", True),
        FieldSpec(
            "employee_id",
            FieldType.TEXT,
            "Who may sign (staff employee_id).",
            "P-b50d2e8f61a97c34",
            True,
        ),
        FieldSpec(
            "on_behalf_of",
            FieldType.TEXT,
            "Whose signature they stand in for (staff employee_id); blank: their own.",
            "P-7c1e4b09a2d35f86",
        ),
        FieldSpec("valid_from", FieldType.DATE, "First day of the authority.", "2025-07-01", True),
        FieldSpec(
            "valid_until", FieldType.DATE, "Last day of the authority (blank: open).", "2025-07-24"
        ),
    ),
    checks=(
        *pseudonym_checks("employee_id", "on_behalf_of"),
        Check(
            "ends_before_start",
            "valid_until",
            "valid_until",
            N_("a date not before valid_from"),
            lambda t: t.valid_until < t.valid_from,
        ),
    ),
)

LEAVES: Final = RecordKind(
    name="leaves",
    title="Leave of provider staff",
    key="leave_id",
    dated_by=None,
    fields=(
        FieldSpec("leave_id", FieldType.TEXT, "Leave order number.", "О-2025-117", True),
        FieldSpec("body", FieldType.BODY, "Evaluated body: code or name.", "akmola", True),
        FieldSpec("employee_id", FieldType.TEXT, "Employee on leave.", "P-7c1e4b09a2d35f86", True),
        FieldSpec("starts_on", FieldType.DATE, "First day of leave.", "2025-07-01", True),
        FieldSpec("ends_on", FieldType.DATE, "Last day of leave.", "2025-07-24", True),
    ),
    checks=(
        *pseudonym_checks("employee_id"),
        Check(
            "ends_before_start",
            "ends_on",
            "ends_on",
            N_("a date not before starts_on"),
            lambda t: t.ends_on < t.starts_on,
        ),
    ),
)

QUEUE_ENTRIES: Final = RecordKind(
    name="queue_entries",
    title="Waiting list as it stood at the period's start",
    key="entry_id",
    dated_by=None,
    body_field="provider_body",
    fields=(
        FieldSpec(
            "entry_id",
            FieldType.TEXT,
            "Number of the entry in the list's register.",
            "Ж-2019-0412",
            True,
        ),
        FieldSpec(
            "provider_body", FieldType.BODY, "Body keeping the list: code or name.", "akmola", True
        ),
        FieldSpec("queue_list", FieldType.TEXT, "Waiting list.", "housing-kokshetau", True),
        FieldSpec(
            "queue_position", FieldType.INTEGER, "Position on the list.", "12", True, minimum=1
        ),
        FieldSpec(
            "applicant_id",
            FieldType.TEXT,
            "Who waits (pseudonymised IIN, the scheme of deliveries).",
            "P-3f9a0c7be21d4e58",
        ),
        FieldSpec(
            "registered_on", FieldType.DATE, "When the position was registered.", "2019-04-02", True
        ),
        FieldSpec(
            "left_at",
            FieldType.DATETIME,
            "When it left the list (served, refused or struck off); blank: still waiting.",
            "2025-03-14T10:00",
        ),
    ),
    checks=(
        *pseudonym_checks("applicant_id"),
        Check(
            "before_registration",
            "left_at",
            "left_at",
            N_("a date and time not before registered_on"),
            lambda t: t.left_at.date() < t.registered_on,
        ),
    ),
)

FINDINGS: Final = RecordKind(
    name="findings",
    title="Finding of a control measure",
    key="finding_id",
    dated_by=None,
    body_field="provider_body",
    fields=(
        FieldSpec("finding_id", FieldType.TEXT, "Number of the finding.", "АДГС-2025-0042/3", True),
        FieldSpec(
            "provider_body",
            FieldType.BODY,
            "Body whose delivery it is: code or name.",
            "mchs",
            True,
        ),
        FieldSpec(
            "delivery_id",
            FieldType.TEXT,
            "The delivery record the finding is about.",
            "ГУ-2025-0000001",
            required=True,
        ),
        FieldSpec(
            "violation_type",
            FieldType.CHOICE,
            "Violation type established (see docs/violations.md).",
            "unjustified_refusal",
            required=True,
            choices=violation_choices(),
        ),
        FieldSpec(
            "established_by",
            FieldType.CHOICE,
            "How it was established.",
            "unplanned_inspection",
            required=True,
            choices=_ESTABLISHED_BY,
        ),
        FieldSpec("established_at", FieldType.DATE, "When it was established.", "2025-10-02", True),
        FieldSpec(
            "control_measure_id",
            FieldType.TEXT,
            "The inspection or monitoring it came from.",
            "АДГС-2025-0042",
        ),
    ),
)

# In this order a header is recognised: a findings file also holds delivery_id and
# control_measure_id, the control kinds (ashyq.services.control) delivery_id,
# control_measure_id or employee_id, a leaves file and a signing-authority file
# employee_id, a standing waiting list queue_list, and a deliveries file service_code,
# queue_list and employee_id.
KINDS: Final = (
    FINDINGS,
    *CONTROL_KINDS,
    LEAVES,
    SIGNING_AUTHORITY,
    QUEUE_ENTRIES,
    DELIVERIES,
    STAFF,
    SERVICES,
)
RECORD_KINDS: Final[dict[str, RecordKind]] = {kind.name: kind for kind in KINDS}
