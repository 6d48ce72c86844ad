"""The record of the public monitoring, declared once as data: one answer of a survey, a
respondent's score of one public service (``survey_answers``).

A respondent rates each service they received in the year: the score from 1 to 5, the
barriers that kept it from the highest score (the codes of seed 001 ¶9-¶10), the channel
they applied through and their region, and the survey weight that makes the sample
represent the recipients. The provider is resolved against the registry of monitored
bodies (``monitoring/bodies.py``: the 49 evaluated bodies and the other central bodies
seed 001 rates); regions are the territories of the 20 akimats. The validator, the store,
the Table Schema file and ``docs/data-formats.md`` follow this declaration.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import ibis
import ibis.expr.types as ir

from ashyq.channels import CHANNELS
from ashyq.i18n import N_
from ashyq.monitoring.bodies import load_monitored_bodies, region_choices
from ashyq.monitoring.published import load_published_monitoring
from ashyq.records.model import BodySource, Check, Choice, FieldSpec, FieldType, RecordKind
from ashyq.records.sources import ROW_COLUMN

__all__ = ["BARRIERS", "KINDS", "SURVEY_ANSWERS"]

BARRIERS: Final = tuple(
    Choice(barrier.code, barrier.name.ru, barrier.name.kk, barrier.name.en)
    for barrier in load_published_monitoring().barriers
)


def _repeated_answer(table: ir.Table) -> ir.BooleanValue:
    """A respondent's second (third…) answer on the same service in one file."""
    window = ibis.window(
        group_by=[table.respondent_id, table.service_code], order_by=table[ROW_COLUMN]
    )
    first: ir.IntegerValue = table[ROW_COLUMN].min().over(window)
    return table[ROW_COLUMN] > first


SURVEY_ANSWERS: Final = RecordKind(
    name="survey_answers",
    title="Answer of the public monitoring: a respondent's score of one public service",
    key="answer_id",
    dated_by="surveyed_on",
    body_field="body",
    bodies=BodySource(
        load_monitored_bodies,
        N_("a monitored body's code or name (see «ashyq monitoring bodies»)"),
    ),
    fields=(
        FieldSpec(
            "answer_id",
            FieldType.TEXT,
            "Number of the answer, unique within the year (questionnaire and service).",
            "2025-0001234-1",
            required=True,
        ),
        FieldSpec(
            "respondent_id",
            FieldType.TEXT,
            "Number of the respondent (questionnaire); one respondent may rate several "
            "services, each once.",
            "2025-0001234",
            required=True,
        ),
        FieldSpec(
            "surveyed_on",
            FieldType.DATE,
            "Date of the interview or of the online questionnaire; within the survey year.",
            "2025-10-14",
            required=True,
        ),
        FieldSpec(
            "service_code",
            FieldType.TEXT,
            "Code of the service rated.",
            "vehicle_registration",
            required=True,
        ),
        FieldSpec(
            "body",
            FieldType.BODY,
            "Body that provides the service: a monitored body's code or name (the 49 "
            "evaluated bodies and the other central bodies the survey rates).",
            "mvd",
            required=True,
        ),
        FieldSpec(
            "region",
            FieldType.CHOICE,
            "Region where the service was received: the code of its akimat or the region's name.",
            "almaty",
            required=True,
            choices=region_choices(),
        ),
        FieldSpec(
            "channel",
            FieldType.CHOICE,
            "Where the service was applied for.",
            "state_corp",
            required=True,
            choices=CHANNELS,
        ),
        FieldSpec(
            "score",
            FieldType.INTEGER,
            "Score of the service, 1 (very poor) to 5 (excellent).",
            "5",
            required=True,
            minimum=1,
            maximum=5,
        ),
        FieldSpec(
            "barriers",
            FieldType.CODES,
            "Barriers to the highest score the respondent named, codes separated by '|'.",
            "long_queues|unclear_procedure",
            choices=BARRIERS,
        ),
        FieldSpec(
            "weight",
            FieldType.DECIMAL,
            "Survey weight of the respondent: the recipients the answer stands for (only "
            "their ratios matter).",
            "0,85",
            minimum=Decimal(0),
            exclusive_minimum=True,
            default="1",
        ),
    ),
    checks=(
        Check(
            "repeated_answer",
            "service_code",
            "service_code",
            N_("one answer of a respondent per service in a file"),
            _repeated_answer,
        ),
    ),
)

KINDS: Final = (SURVEY_ANSWERS,)
