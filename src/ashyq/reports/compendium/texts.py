"""The fixed texts of the compendium (``compendium.yaml``) and the helpers that word its
figures: sentence frames filled in one language, percentages, periods."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Final

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from ashyq.bodies import Level
from ashyq.i18n import Lang, Text
from ashyq.i18n.grammar import number, quantity
from ashyq.i18n.grammar import percent as spell_percent
from ashyq.i18n.quotes import fill
from ashyq.numbers import percent
from ashyq.periods import Period
from ashyq.services.catalogue import Category, Stage, load_catalogue
from ashyq.services.model import DELIVERIES
from ashyq.services.stats import TypeCount

__all__ = [
    "CompendiumTexts",
    "StageTexts",
    "frame",
    "load_compendium_texts",
    "pct",
    "period",
    "type_count_sentence",
]

_TEXTS_FILE: Final = "compendium.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageTexts(_Strict):
    """A stage's chapter: its title, its name in running text, its introduction."""

    title: Text
    name: Text
    intro: tuple[Text, ...]


class CompendiumTexts(_Strict):
    """The fixed texts of the compendium (``compendium.yaml``), checked against the catalogue."""

    frames: dict[str, Text]
    stages: dict[Stage, StageTexts]
    categories: dict[Category, Text]
    levels: dict[Level, Text]
    recommendations: dict[str, tuple[Text, ...]]
    documents: dict[str, Text]
    channels: dict[str, Text]
    signer_status: dict[str, Text]

    @model_validator(mode="after")
    def _complete(self) -> CompendiumTexts:
        for name, keys, expected in (
            ("stages", set(self.stages), set(Stage)),
            ("categories", set(self.categories), set(Category)),
            ("levels", set(self.levels), set(Level)),
            (
                "channels",
                set(self.channels),
                {ch.code for ch in DELIVERIES.field("channel").choices},
            ),
            ("recommendations", set(self.recommendations), set(load_catalogue().ids())),
        ):
            if keys != expected:
                raise ValueError(f"{name}: expected {sorted(expected)}, found {sorted(keys)}")
        if not all(self.recommendations.values()):
            raise ValueError("recommendations: every violation type needs at least one")
        return self


@cache
def load_compendium_texts() -> CompendiumTexts:
    """The texts shipped with Ashyq; raises pydantic.ValidationError if they are incomplete."""
    text = resources.files("ashyq.reports").joinpath(_TEXTS_FILE).read_text(encoding="utf-8")
    return CompendiumTexts.model_validate(yaml.safe_load(text))


def frame(key: str, lang: Lang, **values: object) -> str:
    """The sentence frame ``key`` in ``lang``, filled with ``values``."""
    return fill(load_compendium_texts().frames[key][lang], values)


def pct(value: Decimal, lang: Lang) -> str:
    """A percentage with one decimal, as readers of ``lang`` write it."""
    return spell_percent(value, lang, 1)


def type_count_sentence(count: TypeCount, total: int, lang: Lang) -> str:
    """The sentence giving a type's violations, their share of all ``total`` violations and
    the split between central and local bodies: «Выявлено 21 нарушение — 4,2% всех …»."""
    return frame(
        "type_found",
        lang,
        violations=quantity(count.total, "violation", lang),
        share_pct=pct(percent(count.total, total), lang),
        central_n=number(count.central, lang),
        central_pct=pct(percent(count.central, count.total), lang),
        local_n=number(count.local, lang),
        local_pct=pct(percent(count.local, count.total), lang),
    )


_PERIOD_FRAMES: Final = {
    None: ("period_year", "period_year_in"),
    1: ("period_h1", "period_h1_in"),
    2: ("period_h2", "period_h2_in"),
}


def period(period: Period, lang: Lang, *, inside: bool = False) -> str:
    """«2025 год», or «за 2025 год» when ``inside``; the same for a half-year."""
    alone, within = _PERIOD_FRAMES[period.half]
    return frame(within if inside else alone, lang, year=period.year)
