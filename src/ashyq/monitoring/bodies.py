"""The bodies the public monitoring covers: the 49 evaluated bodies and the other central
bodies seed 001 rates (``bodies.yaml`` of this package), in one registry with the same
rules of spelling; and the regions, which are the territories of the 20 akimats."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from ashyq.bodies import Body, BodyRegistry, Level, load_bodies
from ashyq.records.model import Choice

__all__ = ["load_monitored_bodies", "region_choices"]


@cache
def load_monitored_bodies() -> BodyRegistry:
    """The 49 evaluated bodies, then the other monitored bodies, in declaration order.

    Raises ValueError when a code or a spelling of an added body is already taken.
    """
    text = resources.files("ashyq.monitoring").joinpath("bodies.yaml").read_text("utf-8")
    added = [Body.model_validate(item) for item in yaml.safe_load(text)["bodies"]]
    return BodyRegistry([*load_bodies(), *added])


def region_choices() -> tuple[Choice, ...]:
    """The regions of a respondent: one per akimat (17 regions and the cities of republican
    significance Astana, Almaty and Shymkent), coded as the akimat's body code and read by
    any spelling of the akimat or its territory."""
    choices = []
    for body in load_bodies().of_level(Level.MIO):
        names = (body.short_ru, body.short_kk, body.short_en)
        aliases = tuple(name for name in body.spellings if name not in (body.code, *names))
        choices.append(Choice(body.code, *names, aliases=aliases))
    return tuple(choices)
