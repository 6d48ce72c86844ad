"""The record model of the appeals pipeline, declared once as data.

Two record kinds come from e-Otinish: the appeal card (``appeals``) and the reception
booking (``bookings``). Each is a list of fields with a type, whether it is required, the
codes it accepts (with the Russian and Kazakh words a real export uses for them), and a
description, plus the checks relating one field to another. The validator, the Parquet
store, the Table Schema files in ``schemas/`` and ``docs/data-formats.md`` are all
derived from this declaration (see ``ashyq.records``).
"""

from __future__ import annotations

from typing import Final

from ashyq.i18n import N_
from ashyq.records.model import Check, Choice, FieldSpec, FieldType, RecordKind

__all__ = ["APPEALS", "APPEAL_TYPES", "BOOKINGS", "KINDS", "RECORD_KINDS", "record_kind"]


APPEAL_TYPES: Final = (
    Choice("complaint", "жалоба", "шағым", "complaint"),
    Choice("application", "заявление", "өтініш", "application"),
    Choice("request", "запрос", "сұрау салу", "information request", ("сұрау",)),
    Choice("message", "сообщение", "хабарлама", "message"),
    Choice("proposal", "предложение", "ұсыныс", "proposal"),
    Choice("response", "отклик", "пікір", "response", ("ден қою",)),
)

_FORMS: Final = (
    Choice("electronic", "электронное", "электрондық", "electronic", ("электронная", "e")),
    Choice(
        "paper_in_person",
        "бумажное, нарочно",
        "қағаз, қолма-қол",
        "paper, by hand",
        ("нарочно", "лично", "на личном приёме", "қолма-қол"),
    ),
    Choice(
        "paper_by_post",
        "бумажное, почтой",
        "қағаз, пошта арқылы",
        "paper, by post",
        ("почтой", "по почте", "пошта арқылы"),
    ),
)

_APPLICANT_KINDS: Final = (
    Choice("individual", "физическое лицо", "жеке тұлға", "individual", ("фл",)),
    Choice("legal_entity", "юридическое лицо", "заңды тұлға", "legal entity", ("юл",)),
    Choice(
        "sole_proprietor",
        "индивидуальный предприниматель",
        "жеке кәсіпкер",
        "sole proprietor",
        ("ип", "жк"),
    ),
)

_COURT_OUTCOMES: Final = (
    Choice(
        "upheld",
        "удовлетворено судом",
        "сот қанағаттандырды",
        "upheld",
        ("удовлетворено", "удовлетворён", "қанағаттандырылды"),
    ),
    Choice(
        "dismissed",
        "отказано",
        "бас тартылды",
        "dismissed",
        ("отказ", "в иске отказано"),
    ),
    Choice("pending", "на рассмотрении", "қаралуда", "pending"),
)

_DISTORTIONS: Final = (
    Choice("wrong_type", "неверный вид обращения", "өтініш түрі қате", "wrong appeal type"),
    Choice("wrong_topic", "неверная тематика", "тақырыбы қате", "wrong topic"),
    Choice(
        "wrong_applicant", "неверные сведения о заявителе", "өтініш беруші қате", "wrong applicant"
    ),
    Choice("wrong_form", "неверная форма обращения", "нысаны қате", "wrong form"),
    Choice("wrong_dates", "недостоверные даты", "күндері дұрыс емес", "wrong dates"),
    Choice("other", "иное", "басқа", "other"),
)

_RECEIVERS: Final = (
    Choice("first_head", "первый руководитель", "бірінші басшы", "first head", ("аким", "министр")),
    Choice("deputy", "заместитель", "орынбасар", "deputy"),
    Choice("chief_of_staff", "руководитель аппарата", "аппарат басшысы", "chief of staff"),
)

_APPEAL_CHECKS: Final = (
    Check(
        "redirect_incomplete",
        "redirected_at",
        "redirected_to",
        N_("redirected_to and redirected_at given together"),
        lambda t: t.redirected_to.notnull() & t.redirected_at.isnull(),
    ),
    Check(
        "redirect_incomplete",
        "redirected_to",
        "redirected_at",
        N_("redirected_to and redirected_at given together"),
        lambda t: t.redirected_at.notnull() & t.redirected_to.isnull(),
    ),
    Check(
        "extension_incomplete",
        "extended_until",
        "extended_at",
        N_("extended_until given with extended_at"),
        lambda t: t.extended_at.notnull() & t.extended_until.isnull(),
    ),
    Check(
        "before_registration",
        "answered_at",
        "answered_at",
        N_("a date and time not before registered_at"),
        lambda t: t.answered_at < t.registered_at,
    ),
    Check(
        "before_registration",
        "redirected_at",
        "redirected_at",
        N_("a date and time not before registered_at"),
        lambda t: t.redirected_at < t.registered_at,
    ),
    Check(
        "court_contradiction",
        "court_challenged",
        "court_outcome",
        N_("court_challenged not «no» when court_outcome is given"),
        lambda t: t.court_outcome.notnull() & (t.court_challenged == False),  # noqa: E712
    ),
)

_BOOKING_CHECKS: Final = (
    Check(
        "received_by_missing",
        "received_by",
        "received_at",
        N_("who received (received_by) when received_at is given"),
        lambda t: t.received_at.notnull() & t.received_by.isnull(),
    ),
    Check(
        "schedule_missing",
        "scheduled_for",
        "answer_sent_at",
        N_("the reception date (scheduled_for) when answer_sent_at is given"),
        lambda t: t.answer_sent_at.notnull() & t.scheduled_for.isnull(),
    ),
    Check(
        "before_booking",
        "answer_sent_at",
        "answer_sent_at",
        N_("a date and time not before booked_at"),
        lambda t: t.answer_sent_at < t.booked_at,
    ),
)

APPEALS: Final = RecordKind(
    name="appeals",
    title="e-Otinish appeal card",
    key="registration_number",
    dated_by="registered_at",
    fields=(
        FieldSpec(
            "registration_number",
            FieldType.TEXT,
            "Registration number of the appeal card in e-Otinish, unique within the period: "
            "a card re-sent with another receiving body (a correction) moves to it.",
            "ЖТ-2025-00012345",
            required=True,
        ),
        FieldSpec(
            "registered_at",
            FieldType.DATETIME,
            "Date and time of registration (Astana time). The day of receipt is day zero.",
            "2025-03-14T10:05:00",
            required=True,
        ),
        FieldSpec(
            "body",
            FieldType.BODY,
            "Receiving evaluated body: its Ashyq code or any of its names.",
            "mf",
            required=True,
        ),
        FieldSpec(
            "territorial_unit",
            FieldType.TEXT,
            "Territorial unit or subordinate organisation that received it.",
            "ДГД по г. Алматы",
        ),
        FieldSpec(
            "appeal_type",
            FieldType.CHOICE,
            "Kind of appeal.",
            "complaint",
            required=True,
            choices=APPEAL_TYPES,
        ),
        FieldSpec(
            "form", FieldType.CHOICE, "How it was filed.", "electronic", True, choices=_FORMS
        ),
        FieldSpec(
            "applicant_kind",
            FieldType.CHOICE,
            "Who filed it.",
            "individual",
            required=True,
            choices=_APPLICANT_KINDS,
        ),
        FieldSpec(
            "topic",
            FieldType.TEXT,
            "Topic code (the taxonomy of seed 003, e.g. tax_customs, housing_utilities).",
            "tax_customs",
            required=True,
        ),
        FieldSpec("subtopic", FieldType.TEXT, "Subtopic code within the topic.", "tax"),
        FieldSpec("title", FieldType.TEXT, "Subject line of the appeal.", "О возврате ИПН"),
        FieldSpec(
            "control_deadline",
            FieldType.DATE,
            "Control deadline as the source system recorded it.",
            "2025-04-04",
        ),
        FieldSpec(
            "redirected_to",
            FieldType.TEXT,
            "Body the appeal was redirected to by competence (code or name).",
            "mvd",
        ),
        FieldSpec(
            "redirected_at",
            FieldType.DATETIME,
            "When it was redirected; required with redirected_to.",
            "2025-03-17T09:00:00",
        ),
        FieldSpec(
            "redirect_unjustified",
            FieldType.BOOLEAN,
            "Audit finding: the redirect was unjustified (the body was competent).",
            "false",
        ),
        FieldSpec("reviewed_at", FieldType.DATETIME, "When the review ended.", "2025-04-01T16:00"),
        FieldSpec(
            "answered_at",
            FieldType.DATETIME,
            "When the answer was sent to the applicant.",
            "2025-04-02T11:30",
        ),
        FieldSpec(
            "extended_at",
            FieldType.DATETIME,
            "When the review period was extended.",
            "2025-03-28T10:00",
        ),
        FieldSpec(
            "extended_until",
            FieldType.DATE,
            "New deadline after an extension; required with extended_at.",
            "2025-05-14",
        ),
        FieldSpec(
            "hearing_required",
            FieldType.BOOLEAN,
            "A hearing of the applicant was required (APPK, before a burdensome act).",
            "true",
        ),
        FieldSpec("hearing_held", FieldType.BOOLEAN, "The hearing was held.", "true"),
        FieldSpec(
            "burdensome_act",
            FieldType.BOOLEAN,
            "The decision was a burdensome administrative act.",
            "false",
        ),
        FieldSpec(
            "rating",
            FieldType.INTEGER,
            "Applicant's rating of the answer, 1 (very unsatisfactory) to 5 (excellent).",
            "5",
            minimum=1,
            maximum=5,
        ),
        FieldSpec(
            "court_challenged",
            FieldType.BOOLEAN,
            "The decision was challenged in court.",
            "false",
        ),
        FieldSpec(
            "court_outcome",
            FieldType.CHOICE,
            "Outcome of the court challenge.",
            "dismissed",
            choices=_COURT_OUTCOMES,
        ),
        FieldSpec(
            "distortions",
            FieldType.CODES,
            "Audit findings of distorted statistics on this card, codes separated by '|'.",
            "wrong_type|wrong_dates",
            choices=_DISTORTIONS,
        ),
    ),
    checks=_APPEAL_CHECKS,
    # e-Otinish numbers appeals nationally: a number filed under another body is a correction.
    key_scope="period",
)

BOOKINGS: Final = RecordKind(
    name="bookings",
    title="Reception booking",
    key="booking_number",
    dated_by="booked_at",
    fields=(
        FieldSpec(
            "booking_number",
            FieldType.TEXT,
            "Number of the booking, unique within the body.",
            "ЛП-2025-000123",
            required=True,
        ),
        FieldSpec(
            "body",
            FieldType.BODY,
            "Body whose head receives: its Ashyq code or any of its names.",
            "almaty",
            required=True,
        ),
        FieldSpec(
            "booked_at",
            FieldType.DATETIME,
            "When the applicant asked for a reception.",
            "2025-02-03T09:12",
            required=True,
        ),
        FieldSpec(
            "answer_sent_at",
            FieldType.DATETIME,
            "When the answer with the reception date was sent.",
            "2025-02-10T15:00",
        ),
        FieldSpec(
            "scheduled_for",
            FieldType.DATE,
            "Date of the reception set in that answer; required with answer_sent_at.",
            "2025-02-20",
        ),
        FieldSpec(
            "received_at",
            FieldType.DATETIME,
            "When the applicant was actually received.",
            "2025-02-20T10:00",
        ),
        FieldSpec(
            "received_by",
            FieldType.CHOICE,
            "Who received; required with received_at.",
            "first_head",
            choices=_RECEIVERS,
        ),
        FieldSpec(
            "cancelled_by_applicant",
            FieldType.BOOLEAN,
            "The applicant cancelled the booking.",
            "false",
        ),
        FieldSpec(
            "appeal_number",
            FieldType.TEXT,
            "Registration number of the appeal the booking was made by, if any.",
            "ЖТ-2025-00012345",
        ),
    ),
    checks=_BOOKING_CHECKS,
)

KINDS: Final = (APPEALS, BOOKINGS)
RECORD_KINDS: Final[dict[str, RecordKind]] = {kind.name: kind for kind in KINDS}


def record_kind(name: str) -> RecordKind:
    """The record kind called ``name`` (``appeals`` or ``bookings``); raises KeyError."""
    return RECORD_KINDS[name]
