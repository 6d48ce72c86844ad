"""What follows a violation: the liability rule table and the MCI values that price fines.

``liability.yaml`` is an ordered rule table: the first rule whose conditions hold for a
violation (its type and category, and the permit category of the service) suggests a
fine under article 465 of the Code of Administrative Offences, a disciplinary sanction,
or an order to remedy addressed to the body. The official decides and the decision is
recorded (``ashyq.services.control``), with the rule it followed. A deployment replaces
the table with ``$ASHYQ_HOME/liability.yaml``.

``mci.yaml`` holds the monthly calculation index of each year, with the law that sets
it; a fine in MCI is converted to tenge at the value of the year of its decision.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Final, Literal

import pyarrow as pa
import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, model_validator

from ashyq.i18n import Text
from ashyq.services.catalogue import Category, load_catalogue
from ashyq.settings import settings

__all__ = [
    "LIABILITY_FILE",
    "LiabilityRule",
    "MciValue",
    "PermitCategory",
    "load_mci",
    "load_rules",
    "mci_table",
    "mci_tenge",
    "suggest",
]

LIABILITY_FILE: Final = "liability.yaml"
_MCI_FILE: Final = "mci.yaml"

PermitCategory = Literal["none", "first", "second"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conditions(_Strict):
    """When a rule applies; a condition left out holds for every violation."""

    types: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()
    permit_categories: tuple[PermitCategory, ...] = ()

    def hold(self, type_id: str, category: Category, permit: PermitCategory) -> bool:
        """Whether a violation of ``type_id`` on a service of ``permit`` category matches."""
        return (
            (not self.types or type_id in self.types)
            and (not self.categories or category in self.categories)
            and (not self.permit_categories or permit in self.permit_categories)
        )


class LiabilityRule(_Strict):
    """One row of the rule table: its conditions and the liability it suggests."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    when: Conditions = Conditions()
    liability: Literal["fine", "disciplinary", "representation"]
    liable: Literal["responsible", "first_head", "body"]
    fine_mci: int | None = None
    article: str | None = None
    procedure: Literal["regular", "shortened"] | None = None
    basis: Text
    source: Annotated[str, StringConstraints(min_length=1)]
    assumption: bool

    @model_validator(mode="after")
    def _fine_is_priced(self) -> LiabilityRule:
        priced = (self.fine_mci, self.article, self.procedure)
        if self.liability == "fine" and (self.fine_mci is None or self.article is None):
            raise ValueError(f"{self.id}: a fine needs fine_mci and article")
        if self.liability != "fine" and any(value is not None for value in priced):
            raise ValueError(f"{self.id}: fine_mci, article and procedure are for a fine only")
        if self.fine_mci is not None and self.fine_mci <= 0:
            raise ValueError(f"{self.id}: fine_mci must be positive")
        return self


class RuleTable(_Strict):
    """The rules in the order they are tried; the last must hold for every violation."""

    rules: tuple[LiabilityRule, ...]

    @model_validator(mode="after")
    def _complete(self) -> RuleTable:
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"rule ids repeat: {ids}")
        if not self.rules or self.rules[-1].when != Conditions():
            raise ValueError(
                "the last rule must have no conditions, so that every violation has one"
            )
        known = set(load_catalogue().ids())
        for rule in self.rules:
            unknown = set(rule.when.types) - known
            if unknown:
                raise ValueError(f"{rule.id}: unknown violation types {sorted(unknown)}")
        return self

    def suggest(self, type_id: str, permit: PermitCategory) -> LiabilityRule:
        """The first rule that holds for a violation of ``type_id`` on a ``permit`` service."""
        category = load_catalogue().get(type_id).category
        return next(rule for rule in self.rules if rule.when.hold(type_id, category, permit))


class MciValue(_Strict):
    """The monthly calculation index of one year."""

    year: int
    tenge: int
    source: Annotated[str, StringConstraints(min_length=1)]


def _read_rules(text: str) -> RuleTable:
    return RuleTable(
        rules=TypeAdapter(tuple[LiabilityRule, ...]).validate_python(yaml.safe_load(text))
    )


@cache
def _packaged_rules() -> RuleTable:
    return _read_rules(
        resources.files("ashyq.services").joinpath(LIABILITY_FILE).read_text(encoding="utf-8")
    )


def load_rules(path: Path | None = None) -> RuleTable:
    """The rule table at ``path``, else ``$ASHYQ_HOME/liability.yaml``, else the shipped one.

    Raises pydantic.ValidationError (or yaml.YAMLError) for a malformed table.
    """
    chosen = path if path is not None else settings().paths.liability_rules
    if path is not None or chosen.is_file():
        return _read_rules(chosen.read_text(encoding="utf-8"))
    return _packaged_rules()


def suggest(type_id: str, permit: PermitCategory, rules: RuleTable | None = None) -> LiabilityRule:
    """The liability suggested for a violation of ``type_id`` on a ``permit`` service."""
    return (rules or load_rules()).suggest(type_id, permit)


@cache
def load_mci() -> tuple[MciValue, ...]:
    """The MCI values shipped with Ashyq, by year."""
    text = resources.files("ashyq.services").joinpath(_MCI_FILE).read_text(encoding="utf-8")
    values = TypeAdapter(tuple[MciValue, ...]).validate_python(yaml.safe_load(text))
    years = [value.year for value in values]
    if years != sorted(set(years)):
        raise ValueError(f"{_MCI_FILE}: years must be unique and ascending, found {years}")
    return values


def mci_tenge(year: int) -> int:
    """The MCI of ``year`` in tenge; raises KeyError naming the years known."""
    for value in load_mci():
        if value.year == year:
            return value.tenge
    known = ", ".join(str(value.year) for value in load_mci())
    raise KeyError(f"no MCI value for {year} in {_MCI_FILE} (known: {known})")


def mci_table() -> pa.Table:
    """The MCI values as a table (year, mci_tenge), to join fines to in bulk."""
    values = load_mci()
    return pa.table(
        {
            "year": pa.array([value.year for value in values], pa.int32()),
            "mci_tenge": pa.array([value.tenge for value in values], pa.int64()),
        }
    )
