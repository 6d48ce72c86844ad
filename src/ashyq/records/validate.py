"""Validate a text table of records against the record model, as Ibis expressions.

Every field is parsed from its text in one pass over the table (no per-row Python): dates
in ISO or Russian form (``14.03.2025 10:05``), numbers in Russian form (``1 234,5``), yes/no
in three languages, codes by any of their names, bodies by any of their spellings. Each
failure becomes a problem row ``(_row, field, code, found)``; a record with any problem is
quarantined whole, the rest are typed and stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import ibis
import ibis.expr.types as ir

from ashyq.bodies import BodyRegistry
from ashyq.errors import Message
from ashyq.i18n import N_
from ashyq.periods import Period
from ashyq.records.model import (
    CODES_SEPARATOR,
    Bound,
    FieldSpec,
    FieldType,
    RecordKind,
    bound_text,
)
from ashyq.records.sources import ROW_COLUMN

__all__ = ["PROBLEM_COLUMNS", "Validated", "expected_message", "validate"]

PROBLEM_COLUMNS: Final = (ROW_COLUMN, "field", "code", "found")

_TRUE: Final = ("true", "1", "yes", "y", "да", "д", "иә", "иа", "+", "x")
_FALSE: Final = ("false", "0", "no", "n", "нет", "н", "жоқ", "жок", "-")
_RUSSIAN_DATE: Final = r"^(\d{1,2})\.(\d{1,2})\.(\d{4})"
# As ashyq.numbers reads numbers: digits grouped by a space (the no-break space is a space
# by now), a narrow no-break space or a thin space, a decimal comma or point; an exponent
# too, as a Parquet double is written out as text ("1e-05").
_GROUP_SEPARATORS: Final = " \u202f\u2009"
_DECIMAL: Final = rf"^[+-]?(\d{{1,3}}([{_GROUP_SEPARATORS}]\d{{3}})+|\d+)([.,]\d+)?([eE][+-]?\d+)?$"


@dataclass(frozen=True)
class Validated:
    """The typed records that passed (``valid``) and one row per problem (``problems``)."""

    valid: ir.Table
    problems: ir.Table


def _blank_to_null(value: ir.StringValue) -> ir.StringValue:
    stripped = value.replace("\u00a0", " ").strip()
    return stripped.nullif("")


def _zero_pad_russian(value: ir.StringValue) -> ir.StringValue:
    """``14.3.2025 9:05`` → ``2025-03-14 9:05``; other text unchanged."""
    padded = value.re_replace(r"^(\d)\.", r"0\1.").re_replace(r"^(\d\d)\.(\d)\.", r"\1.0\2.")
    return padded.re_replace(_RUSSIAN_DATE, r"\3-\2-\1")


def _parse_datetime(value: ir.StringValue) -> ir.TimestampValue:
    iso = _zero_pad_russian(value).re_replace(r"\s(\d):", r" 0\1:")
    return iso.try_cast("timestamp")


def _parse_integer(value: ir.StringValue) -> ir.IntegerValue:
    number = value.replace(" ", "").replace(",", ".").try_cast("float64")
    whole: ir.IntegerValue = number.cast("int64")
    return (number == whole).ifelse(whole, ibis.null("int64"))


def _parse_decimal(value: ir.StringValue) -> ir.FloatingValue:
    """``1 234,5`` → 1234.5; null for text that is not a number in that form."""
    digits = value.re_replace(f"[{_GROUP_SEPARATORS}]", "").replace(",", ".")
    number: ir.FloatingValue = digits.try_cast("float64")
    return value.re_search(_DECIMAL).ifelse(number, ibis.null("float64"))


def _choice_map(spec: FieldSpec) -> dict[str, str]:
    return {spelling: choice.code for choice in spec.choices for spelling in choice.spellings()}


def _parse_choice(value: ir.StringValue, spec: FieldSpec) -> ir.StringValue:
    # As Choice.spellings folds: lower case (which also lowers «Ё»), «ё» as «е».
    folded = value.lower().re_replace(r"\s+", " ").replace("ё", "е")
    return folded.substitute(_choice_map(spec), else_=ibis.null("string"))


def _parse_codes(value: ir.StringValue, spec: FieldSpec) -> tuple[ir.StringValue, ir.BooleanValue]:
    mapping = _choice_map(spec)
    parts = value.split(CODES_SEPARATOR).map(
        lambda part: (
            part.strip().lower().replace("ё", "е").substitute(mapping, else_=ibis.null("string"))
        )
    )
    valid = parts.filter(lambda code: code.isnull()).length() == 0
    return parts.join(CODES_SEPARATOR), valid


def _parse_list(value: ir.StringValue) -> ir.StringValue:
    """``a | b||c`` → ``a|b|c``: items trimmed, empty ones dropped, order kept."""
    items = value.split(CODES_SEPARATOR).map(lambda item: item.strip())
    return items.filter(lambda item: item != "").join(CODES_SEPARATOR).nullif("")


def _parse(spec: FieldSpec, text: ir.StringValue) -> tuple[ir.Value, ir.BooleanValue]:
    """The typed value of a field and whether a non-blank text failed to parse.

    Bodies are not parsed here: they resolve by a join in ``validate``.
    """
    present = text.notnull()
    if spec.type is FieldType.TEXT:
        return text, ibis.literal(False)
    if spec.type is FieldType.LIST:
        return _parse_list(text), ibis.literal(False)
    if spec.type is FieldType.DATETIME:
        parsed: ir.Value = _parse_datetime(text)
    elif spec.type is FieldType.DATE:
        parsed = _parse_datetime(text).date()
    elif spec.type is FieldType.BOOLEAN:
        mapping = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
        parsed = text.lower().substitute(mapping, else_=ibis.null("boolean"))
    elif spec.type is FieldType.INTEGER:
        parsed = _parse_integer(text)
    elif spec.type is FieldType.DECIMAL:
        parsed = _parse_decimal(text)
    elif spec.type is FieldType.CHOICE:
        parsed = _parse_choice(text, spec)
    else:
        codes, valid = _parse_codes(text, spec)
        return codes, present & ~valid
    return parsed, present & parsed.isnull()


_INVALID_CODES: Final[dict[FieldType, str]] = {
    FieldType.DATETIME: "invalid_datetime",
    FieldType.DATE: "invalid_date",
    FieldType.BOOLEAN: "invalid_boolean",
    FieldType.INTEGER: "invalid_integer",
    FieldType.DECIMAL: "invalid_decimal",
    FieldType.CHOICE: "invalid_choice",
    FieldType.BODY: "unknown_body",
    FieldType.CODES: "invalid_codes",
}


def _problem(
    table: ir.Table, condition: ir.BooleanValue, field: str, code: str, found: ir.Value
) -> ir.Table:
    return table.filter(condition).select(
        table[ROW_COLUMN],
        field=ibis.literal(field),
        code=ibis.literal(code),
        found=found.cast("string").fill_null(""),
    )


def _literal_bound(spec: FieldSpec, bound: Bound) -> ir.NumericValue:
    """A bound as a literal of the field's type (a decimal field is stored as a double)."""
    if spec.type is FieldType.DECIMAL:
        return ibis.literal(float(bound), "float64")
    return ibis.literal(int(bound), "int64")


Materialise = Callable[[ir.Table], ir.Table]


def validate(
    raw: ir.Table,
    kind: RecordKind,
    period: Period,
    registry: BodyRegistry,
    materialise: Materialise | None = None,
) -> Validated:
    """Parse and check every record of ``raw`` (text columns named after ``kind``'s fields).

    Missing optional columns must already be present as null text. Every field is parsed
    once into a wide table (text, value and a failure flag per field), which
    ``materialise`` may store (a temporary table) so the checks below read it, not
    re-parse. Returns the typed records without problems, and the problems; raises
    nothing for bad data.
    """
    texts = {spec.name: _blank_to_null(raw[spec.name].cast("string")) for spec in kind.fields}
    for spec in kind.fields:
        if spec.default is not None:
            texts[spec.name] = texts[spec.name].fill_null(spec.default)
    columns: dict[str, ir.Value] = {}
    for spec in kind.fields:
        if spec.type is FieldType.BODY:
            value, invalid = ibis.null("string"), ibis.literal(False)
        else:
            value, invalid = _parse(spec, texts[spec.name])
        if spec.type is FieldType.BOOLEAN:
            value = value.fill_null(False)  # an absent flag is "not flagged"
        columns[spec.name] = value
        columns[f"{spec.name}__text"] = texts[spec.name]
        columns[f"{spec.name}__bad"] = invalid
    wide = raw.select(raw[ROW_COLUMN], **columns)
    # Bodies resolve by a join on their folded spellings: one hash join, not a long CASE.
    spellings_to_codes = registry.spelling_map()
    spellings = ibis.memtable(
        {
            "_spelling": list(spellings_to_codes),
            "_code": list(spellings_to_codes.values()),
        }
    )
    body = kind.body_field
    folded = (
        wide[f"{body}__text"]
        .replace("ё", "е")
        .replace("Ё", "Е")
        .re_replace(r"\s+", " ")
        .strip()
        .lower()
    )
    wide = wide.mutate(_spelling=folded).left_join(spellings, "_spelling")
    wide = wide.mutate(
        **{body: wide._code, f"{body}__bad": wide[f"{body}__text"].notnull() & wide._code.isnull()}
    )
    wide = wide.drop("_spelling", "_code", "_spelling_right")
    if materialise is not None:
        wide = materialise(wide)
    problems: list[ir.Table] = []
    for spec in kind.fields:
        text = wide[f"{spec.name}__text"]
        code = _INVALID_CODES.get(spec.type)
        if code is not None:
            problems.append(_problem(wide, wide[f"{spec.name}__bad"], spec.name, code, text))
        if spec.required:
            problems.append(
                _problem(wide, text.isnull(), spec.name, "missing_value", ibis.literal(""))
            )
        if spec.minimum is not None or spec.maximum is not None:
            number: ir.NumericValue = wide[spec.name]
            low: ir.BooleanValue = ibis.literal(False)
            high: ir.BooleanValue = ibis.literal(False)
            if spec.minimum is not None:
                minimum = _literal_bound(spec, spec.minimum)
                low = number <= minimum if spec.exclusive_minimum else number < minimum
            if spec.maximum is not None:
                high = number > _literal_bound(spec, spec.maximum)
            if spec.minimum is not None and spec.maximum is not None:
                code = "out_of_range"
            else:
                code = "below_minimum" if spec.minimum is not None else "above_maximum"
            problems.append(_problem(wide, low | high, spec.name, code, text))
    if kind.dated_by is not None:
        dated = wide[kind.dated_by]
        is_date = kind.field(kind.dated_by).type is FieldType.DATE
        day: ir.DateValue = dated if is_date else dated.date()
        outside = (day < period.first) | (day > period.last)
        found = wide[f"{kind.dated_by}__text"]
        problems.append(_problem(wide, outside, kind.dated_by, "outside_period", found))
    for check in kind.checks:
        found = wide[f"{check.found}__text"]
        problems.append(_problem(wide, check.violated(wide), check.field, check.code, found))
    # A key used twice in one file (within a body, or within the period for a period-wide
    # key): the first record lands, the later ones are quarantined.
    scope = [] if kind.key_scope == "period" else [wide[kind.body_field]]
    window = ibis.window(group_by=[*scope, wide[kind.key]], order_by=wide[ROW_COLUMN])
    numbered = wide.mutate(_first=wide[ROW_COLUMN].min().over(window))
    repeated = numbered.filter(numbered._first < numbered[ROW_COLUMN])
    problems.append(
        repeated.select(
            repeated[ROW_COLUMN],
            field=ibis.literal(kind.key),
            code=ibis.literal("duplicate_key"),
            found=repeated[kind.key],
        )
    )
    all_problems = ibis.union(*problems)
    valid = wide.anti_join(all_problems, ROW_COLUMN).select(ROW_COLUMN, *kind.names())
    return Validated(valid, all_problems)


_EXPECTED: Final[dict[str, str]] = {
    "missing_value": N_("a value"),
    "invalid_datetime": N_("a date and time such as 2025-03-14 10:05 or 14.03.2025 10:05"),
    "invalid_date": N_("a date such as 2025-03-14 or 14.03.2025"),
    "invalid_boolean": N_("yes or no: да/нет, иә/жоқ, true/false, 1/0"),
    "invalid_integer": N_("a whole number"),
    "invalid_decimal": N_("a number such as 0,85 or 1 234,5"),
    "out_of_range": N_("a whole number from {minimum} to {maximum}"),
    "below_minimum": N_("a whole number of at least {minimum}"),
    "above_maximum": N_("a whole number of at most {maximum}"),
    "invalid_choice": N_("one of: {codes}"),
    "invalid_codes": N_("codes from {codes}, separated by «|»"),
    "unknown_body": N_("an evaluated body's code or name (see «ashyq bodies list»)"),
    "outside_period": N_("a date from {first} to {last} (period {period})"),
    "duplicate_key": N_("a {key} not used earlier in the file"),
}


# The bounds of a decimal field, inclusive or (a weight above 0) exclusive.
_DECIMAL_BOUNDS: Final[dict[tuple[str, bool], str]] = {
    ("out_of_range", False): N_("a number from {minimum} to {maximum}"),
    ("below_minimum", False): N_("a number of at least {minimum}"),
    ("above_maximum", False): N_("a number of at most {maximum}"),
    ("out_of_range", True): N_("a number greater than {minimum} and at most {maximum}"),
    ("below_minimum", True): N_("a number greater than {minimum}"),
}


def expected_message(kind: RecordKind, period: Period, field: str, code: str) -> Message:
    """What a problem of ``code`` in ``field`` expected, as a translatable message."""
    spec = kind.field(field)
    params: dict[str, object] = {
        "codes": ", ".join(spec.codes()),
        "minimum": None if spec.minimum is None else bound_text(spec.minimum),
        "maximum": None if spec.maximum is None else bound_text(spec.maximum),
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "period": period.name,
        "key": kind.key,
    }
    for check in kind.checks:
        if check.code == code and check.field == field:
            return Message(check.expected, params)
    if code == "unknown_body" and kind.bodies is not None:
        return Message(kind.bodies.expected, params)
    if spec.type is FieldType.DECIMAL and (code, spec.exclusive_minimum) in _DECIMAL_BOUNDS:
        return Message(_DECIMAL_BOUNDS[code, spec.exclusive_minimum], params)
    return Message(_EXPECTED[code], params)
