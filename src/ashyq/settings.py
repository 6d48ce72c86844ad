"""Ashyq's settings: one object, read from the environment (``ASHYQ_…``) with defaults.

Every setting of every part lives here: the data home and every path in it (``paths``, a
``Home``), the portal's database, the language of messages, the record engines, the
portal's cookies, proxies, rating limits, incident window and cache sizes. docs/settings.md
lists them (``tests/test_docs.py`` fails when one is missing there); ``ashyq settings``
prints the effective values and where each came from. A command-line option that
overrides a setting for one run goes through ``override()``.

``settings()`` reads the environment again whenever an ``ASHYQ_…`` variable (or
``XDG_DATA_HOME``) changes, so a process that changes its environment, as tests do, never
sees stale values, and otherwise costs a dictionary lookup.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ByteSize, Field, TypeAdapter, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ashyq.errors import InputError, InputProblem, Message
from ashyq.home import Home, default_home
from ashyq.i18n import DEFAULT_LANG, N_, Lang

__all__ = ["PREFIX", "Engine", "Setting", "Settings", "describe", "override", "settings"]

PREFIX = "ASHYQ_"

_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


_BYTES: TypeAdapter[ByteSize] = TypeAdapter(ByteSize)
_EXPECTED = {
    "home": N_("a folder"),
    "lang": N_("ru, kk or en"),
    "secure_cookies": N_("true or false"),
    "rating_rate": N_("a number above 0"),
    "rating_burst": N_("a whole number of at least 1"),
    "incident_window": N_("a number of seconds of at least 1"),
    "escalation_interval": N_("a number of seconds above 0"),
    "escalation_worker": N_("true or false"),
    "page_cache_bytes": N_("a number of bytes of at least 0"),
    "page_cache_entry_bytes": N_("a number of bytes of at least 0"),
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

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore")

    # --- Data ---------------------------------------------------------------------------
    home: Path = Field(
        default_factory=default_home,
        description=(
            "The data home: the record store, quarantine, the portal's files and its SQLite "
            "database, local methodologies, calendar overrides and liability rules. By "
            "default ashyq in the user's data directory ($XDG_DATA_HOME or ~/.local/share)."
        ),
    )
    database_url: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "The portal's database as a SQLAlchemy URL, such as "
            "postgresql+psycopg://user@host/ashyq; by default the SQLite file "
            "portal.sqlite3 in the data home."
        ),
    )
    lang: Lang = Field(
        default=DEFAULT_LANG,
        description="The language of the command line's messages and names: ru, kk or en.",
    )

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

    # --- The portal -----------------------------------------------------------------------
    secure_cookies: bool = Field(
        default=False,
        description="Mark the portal's cookies Secure: for a portal served over HTTPS.",
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Reverse proxies (IP addresses or networks, separated by commas) whose "
            "X-Forwarded-For names the client, for the sign-in limit; none by default."
        ),
    )
    rating_rate: float = Field(
        default=5.0, gt=0, description="Ratings a second each API key may send, on average."
    )
    rating_burst: int = Field(default=50, ge=1, description="Ratings an API key may send at once.")
    incident_window: float = Field(
        default=300.0,
        ge=1,
        description=(
            "Seconds a provider has to resolve a low rating before it escalates to the "
            "agency (seed 001: five minutes)."
        ),
    )
    escalation_interval: float = Field(
        default=1.0, gt=0, description="Seconds between the escalation worker's passes."
    )
    escalation_worker: bool = Field(
        default=True,
        description=(
            "Run the escalation worker in the portal process; false when escalation runs "
            "elsewhere (ashyq ratings escalate from a scheduler, or another process)."
        ),
    )
    page_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Bytes of public answers one portal process keeps in memory.",
    )
    page_cache_entry_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=0,
        description="The largest single answer the public cache keeps (larger ones are served).",
    )

    @field_validator("home")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def paths(self) -> Home:
        """Every path of the data home."""
        return Home(self.home)

    @property
    def database(self) -> str:
        """The portal database's URL: ``database_url``, else the SQLite file in the home."""
        return self.database_url or f"sqlite:///{self.paths.database}"

    @property
    def memory_bytes(self) -> int:
        """``memory_limit`` in bytes."""
        return int(_BYTES.validate_python(self.memory_limit.replace(" ", "")))


_lock = threading.Lock()
_current: tuple[tuple[tuple[str, str], ...], Settings] | None = None


def _environment() -> tuple[tuple[str, str], ...]:
    """What the settings are read from: every ``ASHYQ_…`` variable, ``XDG_DATA_HOME`` (the
    default home) and the overrides."""
    read = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.upper().startswith(PREFIX) or name == "XDG_DATA_HOME"
    )
    return (*read, *sorted((f"override:{k}", repr(v)) for k, v in _overrides.items()))


def settings() -> Settings:
    """The settings of this process, read again only when what they are read from changes.

    Raises InputError naming each variable that holds a value its setting cannot take.
    """
    global _current
    key = _environment()
    current = _current
    if current is not None and current[0] == key:
        return current[1]
    with _lock:
        try:
            made = Settings(**_overrides)
        except ValidationError as error:
            problems = [
                InputProblem(
                    "invalid_setting",
                    "environment",
                    None,
                    f"{PREFIX}{str(item['loc'][0]).upper()}",
                    Message(_EXPECTED.get(str(item["loc"][0]), N_("a valid value"))),
                    str(item.get("input", "")),
                )
                for item in error.errors()
            ]
            raise InputError(problems) from None
        _current = (key, made)
    return made


@dataclass(frozen=True)
class Setting:
    """One setting as ``ashyq settings`` shows it."""

    name: str
    variable: str
    value: Any
    source: Literal["option", "environment", "default"]
    description: str


def describe() -> list[Setting]:
    """Every setting: its variable, effective value, where the value came from and what it
    is for, in declaration order."""
    effective = settings()
    present = {name.upper() for name in os.environ}
    described = []
    for name, field in Settings.model_fields.items():
        variable = f"{PREFIX}{name.upper()}"
        source: Literal["option", "environment", "default"] = (
            "option" if name in _overrides else "environment" if variable in present else "default"
        )
        described.append(
            Setting(name, variable, getattr(effective, name), source, field.description or "")
        )
    return described


def override(**values: Any) -> None:
    """Use ``values`` instead of the environment's for the rest of this process (a
    command-line option such as ``--engine``); a value of None goes back to the
    environment's. Validated when the settings are next read."""
    for name, value in values.items():
        if value is None:
            _overrides.pop(name, None)
        else:
            _overrides[name] = value
