"""The words of the body scorecard and its roadmap draft: the declaration of
``scorecard.yaml`` (sentence frames, how each raw field is said, the measures and their
owners, when measures fall due) and numbers said with their counted nouns from
``ashyq/i18n/nouns.yaml``, so numbers agree with their nouns in Russian and Kazakh.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ashyq.bodies import Level
from ashyq.i18n import LANGUAGES, Lang, Text
from ashyq.i18n.grammar import Case, number, quantity, signed_number
from ashyq.i18n.quotes import fill
from ashyq.index.methodology import Methodology

__all__ = [
    "count",
    "declaration",
    "field_phrase",
    "num",
    "points",
    "raw_target",
    "say",
    "signed",
]


# --- the declaration (scorecard.yaml) -----------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _FieldPhrase(_Strict):
    noun: str | None = None
    template: Text | None = None

    @model_validator(mode="after")
    def _said(self) -> _FieldPhrase:
        if self.noun is None and self.template is None:
            raise ValueError("a field needs a `noun`, a `template` or both")
        template = self.template
        if self.noun is None and template and any("{count}" in template[k] for k in LANGUAGES):
            raise ValueError("{count} needs a `noun` to count with")
        return self


class _Group(_Strict):
    noun: str
    name: Text


class _Measure(_Strict):
    owner: str
    text: Text


class _Due(_Strict):
    years_after_period: int = Field(ge=0)
    month_day: str = Field(pattern=r"^\d\d-\d\d$")


class _Declaration(_Strict):
    due: _Due
    groups: dict[Level, _Group]
    authorities: dict[str, Text]
    fields: dict[str, _FieldPhrase]
    owners: dict[str, Text]
    measures: dict[str, _Measure]
    texts: dict[str, Text]

    @model_validator(mode="after")
    def _owners_declared(self) -> _Declaration:
        unknown = sorted({m.owner for m in self.measures.values()} - set(self.owners))
        if unknown:
            raise ValueError(f"measures name undeclared owners: {', '.join(unknown)}")
        return self


@cache
def declaration() -> _Declaration:
    text = resources.files("ashyq.reports").joinpath("scorecard.yaml").read_text("utf-8")
    return _Declaration.model_validate(yaml.safe_load(text))


def say(key: str, lang: Lang, **params: object) -> str:
    """The sentence frame ``key`` in ``lang``, filled; KeyError names a missing placeholder."""
    return fill(declaration().texts[key][lang], params)


# --- numbers in words ---------------------------------------------------------------------


def _exact(value: Decimal) -> Decimal | int:
    # A whole number agrees as one ("25 нарушений"), not as the fraction 25.0 would.
    return int(value) if value == value.to_integral_value() else value.normalize()


def num(value: Decimal | int, lang: Lang) -> str:
    return number(_exact(Decimal(value)), lang)


def count(value: Decimal | int, noun: str, lang: Lang, case: Case = "nominative") -> str:
    return quantity(_exact(Decimal(value)), noun, lang, case)


def points(value: Decimal, lang: Lang, case: Case = "nominative") -> str:
    return count(value, "point", lang, case)


def signed(delta: Decimal, lang: Lang) -> str:
    return signed_number(_exact(Decimal(delta)), lang)


def field_phrase(
    methodology: Methodology, field: str, value: Decimal, lang: Lang, case: Case = "nominative"
) -> str:
    """How a raw fact is said: "25 нарушений сроков", "доля положительных оценок: 91 %"."""
    phrase = declaration().fields.get(field)
    if phrase is None:
        # A field scorecard.yaml does not know yet is named by the methodology's label.
        return f"{methodology.field_label(field)[lang]}: {num(value, lang)}"
    said = count(value, phrase.noun, lang, case) if phrase.noun else num(value, lang)
    if phrase.template is None:
        return said
    return phrase.template[lang].format(count=said, value=num(value, lang))


def _counted(field: str, value: Decimal, lang: Lang, case: Case = "nominative") -> str:
    """A count of ``field`` with its noun, without the template's wording."""
    phrase = declaration().fields.get(field)
    noun = phrase.noun if phrase is not None else None
    return count(value, noun, lang, case) if noun else num(value, lang)


def raw_target(field: str, current: Decimal, target: Decimal, lang: Lang) -> str:
    """The count to reach: "не более 13 нарушений сроков вместо 25", "не менее 3 … вместо 1"."""
    key = "raw_at_least" if target > current else "raw_at_most" if target else "raw_none"
    return say(
        key,
        lang,
        target=_counted(field, target, lang),
        target_of=_counted(field, target, lang, "partitive"),
        current=num(current, lang),
    )
