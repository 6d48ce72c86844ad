"""The catalogue of violation types, read from ``violations.yaml``.

Each type of seed 002 is declared once there: a stable id, its stage, its category, its
names in Russian, Kazakh and English, the legal norm, a description template and the
evidence fields it carries. Detection, statistics, documentation and reports read it
from here.
"""

from __future__ import annotations

import string
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from ashyq.i18n import LANGUAGES, Lang, Text
from ashyq.i18n.quotes import fill
from ashyq.records.model import Choice

__all__ = [
    "Category",
    "Stage",
    "ViolationCatalogue",
    "ViolationType",
    "load_catalogue",
    "violation_choices",
]

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Stage(StrEnum):
    """The stage of delivery a violation belongs to (seed 002's three chapters)."""

    REGISTRATION = "registration"
    REVIEW = "review"
    DECISION = "decision"


class Category(StrEnum):
    """What a violation breaks: the deadline, the order of delivery, the right to the service
    (a refusal on the merits), or the information system (no fault of the provider)."""

    DEADLINE = "deadline"
    ORDER = "order"
    REFUSAL = "refusal"
    TECHNICAL = "technical"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ViolationType(_Strict):
    """One type of violation, as seed 002 describes it."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$")]
    stage: Stage
    category: Category
    responsible: Literal["employee_id", "signed_by", "none"]
    names: Text
    norm: Text
    norm_from_seed: bool
    description: Text
    evidence: tuple[_Text, ...]
    seed: _Text

    @model_validator(mode="after")
    def _description_uses_evidence(self) -> ViolationType:
        for lang in LANGUAGES:
            used = {
                name for _, name, _, _ in string.Formatter().parse(self.description[lang]) if name
            }
            unknown = used - set(self.evidence)
            if unknown:
                raise ValueError(f"{self.id}: description ({lang}) names {sorted(unknown)}")
        return self

    def describe(self, evidence: dict[str, str], lang: Lang) -> str:
        """The description of one violation in ``lang``, filled from its evidence."""
        values = {name: evidence.get(name) or "—" for name in self.evidence}
        return fill(self.description[lang], values)


class ViolationCatalogue(_Strict):
    """Every violation type, in the order of seed 002 (stage by stage)."""

    types: tuple[ViolationType, ...]

    @model_validator(mode="after")
    def _ids_unique(self) -> ViolationCatalogue:
        ids = [t.id for t in self.types]
        if len(ids) != len(set(ids)):
            raise ValueError(f"violation ids repeat: {ids}")
        return self

    def get(self, type_id: str) -> ViolationType:
        """The type with ``type_id``; raises KeyError for an unknown one."""
        for violation_type in self.types:
            if violation_type.id == type_id:
                return violation_type
        raise KeyError(type_id)

    def ids(self) -> tuple[str, ...]:
        """The type ids, in catalogue order."""
        return tuple(t.id for t in self.types)

    def of_stage(self, stage: Stage) -> tuple[ViolationType, ...]:
        """The types of one stage."""
        return tuple(t for t in self.types if t.stage == stage)


CATALOGUE_FILE: Final = "violations.yaml"


@cache
def load_catalogue() -> ViolationCatalogue:
    """The catalogue shipped with Ashyq; raises pydantic.ValidationError if it is malformed."""
    text = resources.files("ashyq.services").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return ViolationCatalogue.model_validate(yaml.safe_load(text))


def violation_choices() -> tuple[Choice, ...]:
    """The violation types as the codes of a record field, with their names."""
    return tuple(Choice(t.id, t.names.ru, t.names.kk, t.names.en) for t in load_catalogue().types)
