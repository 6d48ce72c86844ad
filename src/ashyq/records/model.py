"""How a kind of record is declared: its fields, its key, and its cross-field checks.

A record kind (an appeal card, a service delivery, a staff member...) is a list of fields
with a type, whether it is required, the codes it accepts (with the Russian and Kazakh
words a real export uses for them), and a description, plus the checks that relate one
field to another. The validator, the Parquet store, the Table Schema files and
``docs/data-formats.md`` are all derived from a kind's declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal

import pyarrow as pa

from ashyq.names import fold
from ashyq.numbers import plain_decimal

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from ashyq.bodies import BodyRegistry

__all__ = [
    "CODES_SEPARATOR",
    "STORE_COLUMNS",
    "BodySource",
    "Check",
    "Choice",
    "FieldSpec",
    "FieldType",
    "KeyScope",
    "RecordKind",
    "bound_text",
    "fold_choice",
]


class FieldType(StrEnum):
    """How a field's text is read."""

    TEXT = "text"
    DATETIME = "datetime"
    DATE = "date"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DECIMAL = "decimal"
    CHOICE = "choice"
    BODY = "body"
    CODES = "codes"
    LIST = "list"
    TIME = "time"


def fold_choice(text: str) -> str:
    """How a choice's text is compared: the one rule of ``ashyq.names.fold``."""
    return fold(text)


@dataclass(frozen=True)
class Choice:
    """One accepted code, with the words an export may use for it instead."""

    code: str
    ru: str
    kk: str
    en: str
    aliases: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """Every accepted spelling, folded (lower case, «ё» as «е»): the code, the three
        names and the aliases."""
        names = (self.code, self.ru, self.kk, self.en, *self.aliases)
        return tuple(dict.fromkeys(fold_choice(name) for name in names))


Bound = int | Decimal


@dataclass(frozen=True)
class FieldSpec:
    """One column of an import file.

    ``minimum`` and ``maximum`` bound an integer or decimal field (both included, unless
    ``exclusive_minimum`` leaves the minimum out: a survey weight is greater than 0).
    """

    name: str
    type: FieldType
    description: str
    example: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: Bound | None = None
    maximum: Bound | None = None
    default: str | None = None
    exclusive_minimum: bool = False

    def __post_init__(self) -> None:
        bounded = self.minimum is not None or self.maximum is not None
        if bounded and self.type not in (FieldType.INTEGER, FieldType.DECIMAL):
            raise ValueError(f"{self.name}: only integer and decimal fields have bounds")
        if self.exclusive_minimum and (self.minimum is None or self.type is not FieldType.DECIMAL):
            raise ValueError(f"{self.name}: an exclusive minimum needs a decimal field's minimum")

    def codes(self) -> tuple[str, ...]:
        """The accepted codes of a choice or codes field, in declaration order."""
        return tuple(choice.code for choice in self.choices)


def bound_text(value: Bound) -> str:
    """A bound as the docs and messages print it: ``0``, ``0.5``, ``100``."""
    return plain_decimal(value) if isinstance(value, Decimal) else str(value)


def _bound_json(value: Bound) -> int | float:
    """A bound as a JSON number (Table Schema constraints)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# Separates the codes of a CODES or LIST field ("wrong_type|wrong_topic"): never a CSV
# delimiter.
CODES_SEPARATOR: Final = "|"

_ARROW_TYPES: Final[dict[FieldType, pa.DataType]] = {
    FieldType.TEXT: pa.string(),
    FieldType.DATETIME: pa.timestamp("us"),
    FieldType.DATE: pa.date32(),
    FieldType.BOOLEAN: pa.bool_(),
    FieldType.INTEGER: pa.int64(),
    # A decimal read from text ("0,85") is stored as a double: 15 significant digits, which
    # weights and rates need, and a type DuckDB and Spark aggregate natively.
    FieldType.DECIMAL: pa.float64(),
    FieldType.CHOICE: pa.string(),
    FieldType.BODY: pa.string(),
    FieldType.CODES: pa.string(),
    FieldType.LIST: pa.string(),
    # A time of day, stored as its text "HH:MM": Spark has no type for it.
    FieldType.TIME: pa.string(),
}

_TABLE_SCHEMA_TYPES: Final[dict[FieldType, str]] = {
    FieldType.TEXT: "string",
    FieldType.DATETIME: "datetime",
    FieldType.DATE: "date",
    FieldType.BOOLEAN: "boolean",
    FieldType.INTEGER: "integer",
    FieldType.DECIMAL: "number",
    FieldType.CHOICE: "string",
    FieldType.BODY: "string",
    FieldType.CODES: "string",
    FieldType.LIST: "string",
    FieldType.TIME: "time",
}

# Columns the store adds to every record: where it came from and which period it is in.
STORE_COLUMNS: Final[tuple[tuple[str, pa.DataType], ...]] = (
    ("period", pa.string()),
    ("source_file", pa.string()),
    ("source_row", pa.int64()),
    ("ingested_at", pa.timestamp("us")),
)


@dataclass(frozen=True)
class Check:
    """A rule relating fields of one record, checked after every field has parsed.

    ``violated`` takes the parsed table (a column per field, typed, and ``<field>__text``
    with its text) and returns the rows that break the rule; the problem is reported on
    ``field``, showing the text of ``found``, and ``expected`` (a translatable template)
    says what a good record holds.
    """

    code: str
    field: str
    found: str
    expected: str
    violated: Callable[[ir.Table], ir.BooleanValue]


@dataclass(frozen=True)
class BodySource:
    """The registry a kind's body field resolves against, when it is not the 49 evaluated
    bodies, and what a problem with an unknown body says was expected."""

    load: Callable[[], BodyRegistry]
    expected: str


KeyScope = Literal["body", "period"]
"""Where a kind's key is unique: within each body, or within the whole period."""


@dataclass(frozen=True)
class RecordKind:
    """A kind of record: its fields, the field that identifies a record, and its datetime.

    A record is identified by its body (``body_field``, the store's partition) and its
    ``key``; ``dated_by`` places it in a period (None for reference data such as the
    registry of services or the staff list, which is stored under the period it is
    ingested for). Its body field resolves against the registry of the 49 evaluated
    bodies unless ``bodies`` names another (the bodies a survey covers). ``key_scope``
    says where the key is unique: within the body (each body numbers its own records), or
    within the period (one numbering for every body): then a record that arrives again
    under another body is a corrected body, and the store moves it there.
    """

    name: str
    title: str
    key: str
    dated_by: str | None
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)
    checks: tuple[Check, ...] = ()
    body_field: str = "body"
    bodies: BodySource | None = None
    key_scope: KeyScope = "body"

    def __post_init__(self) -> None:
        bodies = [spec.name for spec in self.fields if spec.type is FieldType.BODY]
        if bodies != [self.body_field]:
            raise ValueError(f"{self.name}: one body field, {self.body_field!r}; found {bodies}")

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``; raises KeyError for an unknown one."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def names(self) -> tuple[str, ...]:
        """The field names, in declaration order."""
        return tuple(spec.name for spec in self.fields)

    def record_schema(self) -> pa.Schema:
        """The typed fields of a record, as an import file in Parquet may hold them."""
        return pa.schema([pa.field(spec.name, _ARROW_TYPES[spec.type]) for spec in self.fields])

    def arrow_schema(self) -> pa.Schema:
        """The schema of the stored Parquet files: typed fields, then the store columns."""
        store = [pa.field(name, kind) for name, kind in STORE_COLUMNS]
        return pa.schema(list(self.record_schema()) + store)

    def table_schema(self) -> dict[str, Any]:
        """The import format as a Frictionless Table Schema (https://specs.frictionlessdata.io)."""
        fields: list[dict[str, Any]] = []
        for spec in self.fields:
            entry: dict[str, Any] = {
                "name": spec.name,
                "type": _TABLE_SCHEMA_TYPES[spec.type],
                "description": spec.description,
                "example": spec.example,
            }
            constraints: dict[str, Any] = {}
            if spec.required:
                constraints["required"] = True
            if spec.type is FieldType.CHOICE:
                constraints["enum"] = list(spec.codes())
            if spec.type is FieldType.CODES:
                codes = "|".join(spec.codes())
                constraints["pattern"] = f"^(({codes})(\\|({codes}))*)?$"
            if spec.minimum is not None:
                # Table Schema v2 names an exclusive bound exclusiveMinimum.
                bound = "exclusiveMinimum" if spec.exclusive_minimum else "minimum"
                constraints[bound] = _bound_json(spec.minimum)
            if spec.maximum is not None:
                constraints["maximum"] = _bound_json(spec.maximum)
            if spec.type in (FieldType.DATETIME, FieldType.TIME):
                entry["format"] = "any"
            if spec.default is not None:
                entry["x-ashyq-default"] = spec.default
            if constraints:
                entry["constraints"] = constraints
            if spec.choices:
                entry["x-ashyq-choices"] = {
                    choice.code: {"ru": choice.ru, "kk": choice.kk, "en": choice.en}
                    for choice in spec.choices
                }
            fields.append(entry)
        return {
            "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
            "name": self.name,
            "title": self.title,
            "fields": fields,
            "primaryKey": [self.body_field, self.key],
            "missingValues": [""],
        }
