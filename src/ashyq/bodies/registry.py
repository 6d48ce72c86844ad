"""Load the bodies registry (``bodies.yaml``) and resolve the names reports use."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ashyq.names import fold


class Level(StrEnum):
    """The two groups the index ranks separately."""

    CGO = "CGO"  # central government bodies (ЦГО)
    MIO = "MIO"  # local executive bodies, the akimats (МИО)


class Body(BaseModel):
    """One evaluated body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: Level
    abbr_ru: str | None
    name_ru: str
    name_kk: str
    name_en: str
    short_ru: str
    short_kk: str
    short_en: str
    aliases: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        """The official full name in ``lang`` (ru, kk or en)."""
        value: str = getattr(self, f"name_{lang}")
        return value

    def short(self, lang: str) -> str:
        """The short display name in ``lang`` (ru, kk or en)."""
        value: str = getattr(self, f"short_{lang}")
        return value

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every spelling that resolves to this body: code, abbreviation, names, aliases."""
        names = [self.code, self.name_ru, self.name_kk, self.name_en]
        names += [self.short_ru, self.short_kk, self.short_en, *self.aliases]
        if self.abbr_ru:
            names.append(self.abbr_ru)
        return tuple(names)


class UnknownBodyError(LookupError):
    """A name matches no body of the registry."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def normalise_name(name: str) -> str:
    """Fold a body name for matching: the one rule of ``ashyq.names.fold``."""
    return fold(name)


class BodyRegistry:
    """The evaluated bodies, in registry order, with name resolution."""

    def __init__(self, bodies: list[Body]) -> None:
        self._bodies = tuple(bodies)
        self._by_code = {b.code: b for b in bodies}
        if len(self._by_code) != len(bodies):
            raise ValueError("bodies.yaml declares a code twice")
        self._by_name: dict[str, Body] = {}
        for body in bodies:
            for spelling in body.spellings:
                key = normalise_name(spelling)
                other = self._by_name.setdefault(key, body)
                if other is not body:
                    raise ValueError(f"{spelling!r} names both {other.code} and {body.code}")

    def __iter__(self) -> Iterator[Body]:
        return iter(self._bodies)

    def __len__(self) -> int:
        return len(self._bodies)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Body:
        """Return the body with this code; raises UnknownBodyError."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownBodyError(code) from None

    def resolve(self, name: str) -> Body:
        """Return the body a code, abbreviation, official name or alias refers to.

        Raises UnknownBodyError when nothing matches.
        """
        try:
            return self._by_name[normalise_name(name)]
        except KeyError:
            raise UnknownBodyError(name) from None

    def spelling_map(self) -> dict[str, str]:
        """Every normalised spelling (see ``normalise_name``) and the code it resolves to."""
        return {name: body.code for name, body in self._by_name.items()}

    def of_level(self, level: Level) -> list[Body]:
        """The bodies of one level, in registry order."""
        return [b for b in self._bodies if b.level is level]


@cache
def load_bodies() -> BodyRegistry:
    """Return the packaged registry of the 49 evaluated bodies."""
    text = resources.files("ashyq.bodies").joinpath("bodies.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return BodyRegistry([Body.model_validate(item) for item in data["bodies"]])
