"""Ashyq's settings, read from the environment (``ASHYQ_…``) with their defaults.

Only what the record engines need lives here so far; see docs/scaling.md. A command-line
option that overrides a setting for one run goes through ``override()``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, ByteSize, Field, TypeAdapter, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_

__all__ = ["Engine", "Settings", "override", "settings"]

_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


_BYTES: TypeAdapter[ByteSize] = TypeAdapter(ByteSize)
_EXPECTED = {
    "memory_limit": N_("a size such as 1GiB or 512MB"),
    "threads": N_("a whole number of at least 1"),
    "engine": N_("duckdb or spark"),
    "spark_master": N_("a Spark master URL such as spark://host:7077 or local[*]"),
}
_overrides: dict[str, Any] = {}


def _size(text: str) -> str:
    if not _SIZE.match(text):
        raise ValueError(f"a size such as 1GiB or 512MB, not {text!r}")
    return text.strip()


Size = Annotated[str, AfterValidator(_size)]


class Engine(StrEnum):
    """The engines of the record analytics (``Settings.engine``)."""

    DUCKDB = "duckdb"
    SPARK = "spark"


class Settings(BaseSettings):
    """The effective settings: each field is ``ASHYQ_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ASHYQ_", frozen=True, extra="ignore")

    memory_limit: Size = Field(
        default="1GiB",
        description=(
            "The memory the embedded engine may use for one command (DuckDB's "
            "memory_limit); beyond it, work spills to disk under the data home. The "
            "process's own peak is about this plus half a gigabyte."
        ),
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Threads of the embedded engine; by default, one per core.",
    )

    engine: Engine = Field(
        default=Engine.DUCKDB,
        description=(
            "The engine of the record analytics: the embedded DuckDB, or Spark at "
            "spark_master. Ingest always validates on the embedded engine, on the machine "
            "that has the files, and writes to the store the cluster reads."
        ),
    )
    spark_master: str = Field(
        default="local[*]",
        min_length=1,
        description=(
            "Where Spark runs when engine is spark: local[*] (a session inside this "
            "process), spark://host:7077 (a standalone cluster), yarn or k8s://…"
        ),
    )

    @property
    def memory_bytes(self) -> int:
        """``memory_limit`` in bytes."""
        return int(_BYTES.validate_python(self.memory_limit.replace(" ", "")))


@cache
def settings() -> Settings:
    """The settings of this process, read once.

    Raises InputError naming each variable that holds a value its setting cannot take.
    """
    try:
        return Settings(**_overrides)
    except ValidationError as error:
        problems = [
            InputProblem(
                "invalid_setting",
                "environment",
                None,
                f"ASHYQ_{str(item['loc'][0]).upper()}",
                Message(_EXPECTED.get(str(item["loc"][0]), N_("a valid value"))),
                str(item.get("input", "")),
            )
            for item in error.errors()
        ]
        raise InputError(problems) from None


def override(**values: Any) -> None:
    """Use ``values`` instead of the environment's for the rest of this process (a
    command-line option such as ``--engine``); a value of None goes back to the
    environment's. Validated when the settings are next read."""
    for name, value in values.items():
        if value is None:
            _overrides.pop(name, None)
        else:
            _overrides[name] = value
    settings.cache_clear()
