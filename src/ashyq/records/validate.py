"""Validate a table of records against the record model, as Ibis expressions.

Every field is parsed in one pass over the table (no per-row Python): dates in ISO or
Russian form (``14.03.2025 10:05``), numbers in Russian form (``1 234,5``), yes/no in three
languages, codes by any of their names, bodies by any of their spellings. A column a
Parquet file already holds typed (a timestamp for a date-and-time field, a boolean for a
flag, a number for a number) is taken as it is, not written out and read back; its text
is made only where a problem shows it. Each failure becomes a problem row ``(_row, field,
code, found)``; a record with any problem is quarantined whole, the rest are typed and
stored.

The work is split so that a whole national file is parsed once: ``checked_records`` gives
each record typed with one flag, "has a problem" (the caller stores it, on disk when it is
large); ``record_problems`` lists the problems of the few flagged records, parsing only
them again; ``repeated_keys`` finds a key used twice, over the stored records.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import ibis
import ibis.expr.types as ir

from ashyq.bodies import BodyRegistry
from ashyq.errors import Message
from ashyq.i18n import N_
from ashyq.names import fold_expr
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

__all__ = [
    "FLAG_COLUMN",
    "PROBLEM_COLUMNS",
    "as_text",
    "checked_records",
    "expected_message",
    "record_problems",
    "repeated_keys",
]

PROBLEM_COLUMNS: Final = (ROW_COLUMN, "field", "code", "found")
FLAG_COLUMN: Final = "_flagged"

_TRUE: Final = ("true", "1", "yes", "y", "да", "д", "иә", "иа", "+", "x")
_FALSE: Final = ("false", "0", "no", "n", "нет", "н", "жоқ", "жок", "-")
_RUSSIAN_DATE: Final = r"^(\d{1,2})\.(\d{1,2})\.(\d{4})"
# As ashyq.numbers reads numbers: digits grouped by a space (the no-break space is a space
# by now), a narrow no-break space or a thin space, a decimal comma or point; an exponent
# too, as a Parquet double is written out as text ("1e-05").
_GROUP_SEPARATORS: Final = " \u202f\u2009"
_DECIMAL: Final = rf"^[+-]?(\d{{1,3}}([{_GROUP_SEPARATORS}]\d{{3}})+|\d+)([.,]\d+)?([eE][+-]?\d+)?$"
_TEXT_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class _Condition:
    """One rule a record can break: on which field, with which code, showing what."""

    field: str
    code: str
    violated: ir.BooleanValue
    found: ir.Value


def as_text(value: ir.Value) -> ir.StringValue:
    """A column as text, as a person would type it: a timestamp as ``2025-03-14T10:05:00``,
    nested values as JSON, numbers and dates as they print."""
    dtype = value.type()
    if dtype.is_string():
        return value
    if dtype.is_timestamp():
        return value.strftime(_TEXT_FORMAT)
    if dtype.is_nested():
        return value.cast("json").cast("string")
    return value.cast("string")


def _blank_to_null(value: ir.StringValue) -> ir.StringValue:
    """The cell trimmed (a no-break space counts as a space), null when blank.

    Most cells need nothing done and are kept as they are, which is found from their
    first and last characters: every character ``strip`` removes is at most a space, so
    a cell whose ends are above it, and that holds no no-break space, is kept (every
    column of the national appeals year: compared so in 2.5 s; by six prefixes and six
    suffixes in 4.7 s; trimmed, a copy of each, in more).
    """
    padded = (value.ascii_str() <= 32) | (value.right(1) <= " ")
    clean = (value != "") & ~value.contains("\u00a0") & ~padded
    slow = value.replace("\u00a0", " ").strip().nullif("")
    return clean.ifelse(value, slow)


def _zero_pad_russian(value: ir.StringValue) -> ir.StringValue:
    """``14.3.2025 9:05`` → ``2025-03-14 9:05``; other text unchanged."""
    padded = value.re_replace(r"^(\d)\.", r"0\1.").re_replace(r"^(\d\d)\.(\d)\.", r"\1.0\2.")
    return padded.re_replace(_RUSSIAN_DATE, r"\3-\2-\1")


def _parse_datetime(value: ir.StringValue) -> ir.TimestampValue:
    # ISO text casts as it is; only the rest goes through the rewriting. The rewriting
    # leaves ISO text as it was, so trying it first changes no result.
    iso = _zero_pad_russian(value).re_replace(r"\s(\d):", r" 0\1:")
    return ibis.coalesce(value.try_cast("timestamp"), iso.try_cast("timestamp"))


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


def _one_of(value: ir.StringValue, texts: list[str]) -> ir.BooleanValue:
    """Whether ``value`` is one of ``texts``: a lookup in a list, as ``isin`` becomes a
    join per column in DuckDB, which carries every column of the file through it."""
    return ibis.literal(texts, type="array<string>").contains(value)


def _as_given(mapping: dict[str, str]) -> list[str]:
    """The spellings that are their own code: a cell holding one needs no folding."""
    return sorted(spelling for spelling, code in mapping.items() if spelling == code)


def _parse_choice(value: ir.StringValue, spec: FieldSpec) -> ir.StringValue:
    mapping = _choice_map(spec)
    # As Choice.spellings folds (ashyq.names).
    folded = fold_expr(value)
    slow = folded.substitute(mapping, else_=ibis.null("string"))
    return _one_of(value, _as_given(mapping)).ifelse(value, slow)


def _parse_codes(value: ir.StringValue, spec: FieldSpec) -> tuple[ir.StringValue, ir.BooleanValue]:
    mapping = _choice_map(spec)
    parts = value.split(CODES_SEPARATOR).map(
        lambda part: fold_expr(part).substitute(mapping, else_=ibis.null("string"))
    )
    valid = parts.filter(lambda code: code.isnull()).length() == 0
    return parts.join(CODES_SEPARATOR), valid


def _parse_list(value: ir.StringValue) -> ir.StringValue:
    """``a | b||c`` → ``a|b|c``: items trimmed, empty ones dropped, order kept."""
    items = value.split(CODES_SEPARATOR).map(lambda item: item.strip())
    return items.filter(lambda item: item != "").join(CODES_SEPARATOR).nullif("")


def _parse_boolean(value: ir.StringValue) -> ir.BooleanValue:
    mapping = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
    slow = value.lower().substitute(mapping, else_=ibis.null("boolean"))
    return (value == "true").ifelse(True, (value == "false").ifelse(False, slow))


# A time of day: 9:00, 09:00, 18.30 or 18:30:00 (seconds only when zero).
_TIME: Final = r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])(:00)?$"


def _parse_time(value: ir.StringValue) -> ir.StringValue:
    """``9.00`` → ``09:00``; null when the text is no time of day."""
    hour = value.re_extract(_TIME, 1).lpad(2, "0")
    minute = value.re_extract(_TIME, 2)
    return value.re_search(_TIME).ifelse(hour + ":" + minute, ibis.null("string"))


def _parse(spec: FieldSpec, text: ir.StringValue) -> tuple[ir.Value, ir.BooleanValue]:
    """The typed value of a field and whether a non-blank text failed to parse.

    Bodies are not parsed here: they resolve by a join in ``_wide``.
    """
    present = text.notnull()
    if spec.type is FieldType.TEXT:
        return text, ibis.literal(False)
    if spec.type is FieldType.LIST:
        return _if_present(text, _parse_list(text)), ibis.literal(False)
    if spec.type is FieldType.DATETIME:
        parsed: ir.Value = _parse_datetime(text)
    elif spec.type is FieldType.DATE:
        parsed = _parse_datetime(text).date()
    elif spec.type is FieldType.BOOLEAN:
        parsed = _parse_boolean(text)
    elif spec.type is FieldType.INTEGER:
        parsed = _parse_integer(text)
    elif spec.type is FieldType.DECIMAL:
        parsed = _parse_decimal(text)
    elif spec.type is FieldType.CHOICE:
        parsed = _parse_choice(text, spec)
    elif spec.type is FieldType.TIME:
        parsed = _parse_time(text)
    else:
        codes, valid = _parse_codes(text, spec)
        return _if_present(text, codes), present & ~_if_present(text, valid)
    parsed = _if_present(text, parsed)
    return parsed, present & parsed.isnull()


def _if_present(text: ir.StringValue, value: ir.Value) -> ir.Value:
    """``value`` where ``text`` is not blank, null elsewhere, computed only where it is
    not: the engine evaluates a branch of a CASE for its own rows alone, and most
    optional cells are blank (the national appeals year: its column of distortions, 0.4 %
    filled, parsed in 1.1 s before, all of it on blank cells)."""
    return text.isnull().ifelse(ibis.null(value.type()), value)


def _typed(spec: FieldSpec, column: ir.Value) -> tuple[ir.Value, ir.BooleanValue] | None:
    """A column the file holds already typed as the field is (Parquet), and whether a value
    is unusable; None when the column must be read as text."""
    dtype = column.type()
    if spec.default is not None:
        return None
    never: ir.BooleanValue = ibis.literal(False)
    zoned = dtype.is_timestamp() and dtype.timezone is not None
    plain_time = (dtype.is_date() or dtype.is_timestamp()) and not zoned
    if spec.type is FieldType.DATETIME and plain_time:
        return column.cast("timestamp"), never
    if spec.type is FieldType.DATE and plain_time:
        return column.cast("date"), never
    if spec.type is FieldType.BOOLEAN and dtype.is_boolean():
        return column, never
    if spec.type is FieldType.INTEGER and dtype.is_integer():
        return column.cast("int64"), never
    if spec.type is FieldType.DECIMAL and (dtype.is_integer() or dtype.is_floating()):
        number: ir.FloatingValue = column.cast("float64")
        # Text reads no NaN or infinity; a typed column must not bring one either.
        return number, column.notnull() & (number.isnan() | number.isinf())
    return None


_INVALID_CODES: Final[dict[FieldType, str]] = {
    FieldType.DATETIME: "invalid_datetime",
    FieldType.DATE: "invalid_date",
    FieldType.BOOLEAN: "invalid_boolean",
    FieldType.INTEGER: "invalid_integer",
    FieldType.DECIMAL: "invalid_decimal",
    FieldType.CHOICE: "invalid_choice",
    FieldType.BODY: "unknown_body",
    FieldType.CODES: "invalid_codes",
    FieldType.TIME: "invalid_time",
}


def _literal_bound(spec: FieldSpec, bound: Bound) -> ir.NumericValue:
    """A bound as a literal of the field's type (a decimal field is stored as a double)."""
    if spec.type is FieldType.DECIMAL:
        return ibis.literal(float(bound), "float64")
    return ibis.literal(int(bound), "int64")


View = Callable[[str, ir.Table], ir.Table]
"""Names a table expression as a view of its backend and returns the view (or returns the
expression as it is)."""


def _as_is(name: str, table: ir.Table) -> ir.Table:
    return table


def _wide(raw: ir.Table, kind: RecordKind, registry: BodyRegistry, view: View) -> ir.Table:
    """Each field of ``raw`` parsed: its value, its text (``__text``), whether its text is
    blank (``__null``) and whether it failed to parse (``__bad``). Missing optional columns
    must already be present (null).

    The cells are cleaned in one view and parsed in a second: each parse then refers to a
    cleaned cell by name, where one expression would repeat the cleaning in every place
    the cell is used (an SQL text of 88 kB for an appeal, compiled in a second).
    """
    typed = {spec.name: _typed(spec, raw[spec.name]) for spec in kind.fields}
    cells: dict[str, ir.Value] = {}
    for spec in kind.fields:
        column = raw[spec.name]
        if typed[spec.name] is not None:
            cells[spec.name] = column
        else:
            cell = _blank_to_null(as_text(column))
            cells[spec.name] = cell if spec.default is None else cell.fill_null(spec.default)
    clean = view("cleaned", raw.select(raw[ROW_COLUMN], **cells))
    columns: dict[str, ir.Value] = {}
    for spec in kind.fields:
        column = clean[spec.name]
        native = _typed(spec, column) if typed[spec.name] is not None else None
        if native is not None:
            value, invalid = native
            text: ir.StringValue = as_text(column)
        else:
            text = column
            if spec.type is FieldType.BODY:
                value, invalid = ibis.null("string"), ibis.literal(False)
            else:
                value, invalid = _parse(spec, text)
        if spec.type is FieldType.BOOLEAN:
            value = value.fill_null(False)  # an absent flag is "not flagged"
        columns[spec.name] = value
        columns[f"{spec.name}__text"] = text
        columns[f"{spec.name}__null"] = column.isnull()
        columns[f"{spec.name}__bad"] = invalid
    wide = clean.select(clean[ROW_COLUMN], **columns)
    # Bodies resolve by a join on their folded spellings: one hash join, not a long CASE.
    spellings_to_codes = registry.spelling_map()
    spellings = ibis.memtable(
        {"_spelling": list(spellings_to_codes), "_code": list(spellings_to_codes.values())}
    )
    body = kind.body_field
    given = sorted(s for s, code in spellings_to_codes.items() if s == code)
    body_text = wide[f"{body}__text"]
    wide = wide.mutate(_spelling=_one_of(body_text, given).ifelse(body_text, fold_expr(body_text)))
    wide = wide.left_join(spellings, "_spelling")
    wide = wide.mutate(
        **{body: wide._code, f"{body}__bad": wide[f"{body}__text"].notnull() & wide._code.isnull()}
    )
    return view("parsed", wide.drop("_spelling", "_code", "_spelling_right"))


def _conditions(wide: ir.Table, kind: RecordKind, period: Period) -> list[_Condition]:
    """Every rule a record of ``wide`` can break, but a key used twice."""
    conditions: list[_Condition] = []
    for spec in kind.fields:
        text = wide[f"{spec.name}__text"]
        code = _INVALID_CODES.get(spec.type)
        if code is not None:
            conditions.append(_Condition(spec.name, code, wide[f"{spec.name}__bad"], text))
        if spec.required:
            blank = wide[f"{spec.name}__null"]
            conditions.append(_Condition(spec.name, "missing_value", blank, ibis.literal("")))
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
            conditions.append(_Condition(spec.name, code, low | high, text))
    if kind.dated_by is not None:
        dated = wide[kind.dated_by]
        is_date = kind.field(kind.dated_by).type is FieldType.DATE
        day: ir.DateValue = dated if is_date else dated.date()
        outside = (day < period.first) | (day > period.last)
        found = wide[f"{kind.dated_by}__text"]
        conditions.append(_Condition(kind.dated_by, "outside_period", outside, found))
    for check in kind.checks:
        found = wide[f"{check.found}__text"]
        conditions.append(_Condition(check.field, check.code, check.violated(wide), found))
    return conditions


def checked_records(
    raw: ir.Table,
    kind: RecordKind,
    period: Period,
    registry: BodyRegistry,
    view: View = _as_is,
) -> ir.Table:
    """Every record of ``raw`` (columns named after ``kind``'s fields, and ``_row``) typed,
    with ``_flagged`` true when it breaks any rule but the one of a key used twice.

    Raises nothing for bad data: a value that does not parse is null and flagged. ``view``
    may name the steps as views of the backend, which keeps the query short to compile;
    it is given the names "cleaned" and "parsed".
    """
    wide = _wide(raw, kind, registry, view)
    rules = [rule.violated.fill_null(False) for rule in _conditions(wide, kind, period)]
    flagged = functools.reduce(operator.or_, rules, ibis.literal(False))
    return wide.select(ROW_COLUMN, *kind.names(), **{FLAG_COLUMN: flagged})


def record_problems(
    raw: ir.Table,
    kind: RecordKind,
    period: Period,
    registry: BodyRegistry,
    view: View = _as_is,
    keep: View = _as_is,
) -> ir.Table:
    """One row ``(_row, field, code, found)`` per rule a record of ``raw`` breaks, but the
    one of a key used twice (``repeated_keys``).

    The whole file is read, as a rule may compare a record with others (a respondent's
    second answer); one pass finds the records that break any rule, which ``keep`` may
    store (a table named "hits"), and the problems are listed from them.
    """
    wide = _wide(raw, kind, registry, view)
    rules = _conditions(wide, kind, period)
    marked = wide.select(
        wide[ROW_COLUMN],
        **{f"_broken{i}": rule.violated.fill_null(False) for i, rule in enumerate(rules)},
        **{f"_found{i}": rule.found.cast("string").fill_null("") for i, rule in enumerate(rules)},
    )
    broken = [marked[f"_broken{i}"] for i in range(len(rules))]
    hits = keep("hits", marked.filter(functools.reduce(operator.or_, broken)))
    return ibis.union(
        *(
            hits.filter(hits[f"_broken{i}"]).select(
                hits[ROW_COLUMN],
                field=ibis.literal(rule.field),
                code=ibis.literal(rule.code),
                found=hits[f"_found{i}"],
            )
            for i, rule in enumerate(rules)
        )
    )


def repeated_keys(
    records: ir.Table, kind: RecordKind, keep: View = _as_is, *, by_hash: bool = True
) -> ir.Table:
    """The problems of a key used earlier in the file (within a body, or within the period
    for a period-wide key): the first record keeps it, each later one is a problem.
    ``records`` are ``checked_records``, every one of them (flagged or not).

    A national file has hundreds of millions of keys, and neither a window nor a grouping
    over the keys themselves fits in a bounded memory (292.5 M deliveries: out of memory
    at 3 GiB). So the keys are grouped by a 64-bit hash first, which the engine spills to
    disk (27 s and 1.2 GB for those deliveries), and only the records whose hash is used
    more than once, a few as a rule, are compared by their keys. ``keep`` may store those
    hashes (a table named "shared_hashes"), so that the file is read once to find them and
    once to pick their records. Without ``by_hash`` the keys are grouped as they are, in
    one read, for a file whose keys fit in memory. A missing key or body groups with the
    other missing ones, as a repeated key.
    """
    columns = ([] if kind.key_scope == "period" else [kind.body_field]) + [kind.key]
    if not by_hash:
        return _repeated(records, columns, kind.key)
    joined_text = ibis.literal("\x1f").join(
        [records[name].cast("string").fill_null("") for name in columns]
    )
    hashed = records.select(ROW_COLUMN, *columns, _hash=joined_text.hash())
    counted = hashed.group_by("_hash").agg(_count=hashed.count())
    shared = keep("shared_hashes", counted.filter(counted._count > 1).select("_hash"))
    return _repeated(hashed.semi_join(shared, "_hash"), columns, kind.key)


def _repeated(records: ir.Table, columns: list[str], key: str) -> ir.Table:
    """The records of ``records`` whose ``columns`` an earlier record has, as problems."""
    groups = records.group_by(columns).agg(
        _first=records[ROW_COLUMN].min(), _count=records[ROW_COLUMN].count()
    )
    groups = groups.filter(groups._count > 1)
    joined = records.join(groups, [records[name].identical_to(groups[name]) for name in columns])
    repeated = joined.filter(joined[ROW_COLUMN] > joined._first)
    return repeated.select(
        repeated[ROW_COLUMN],
        field=ibis.literal(key),
        code=ibis.literal("duplicate_key"),
        found=repeated[key].cast("string"),
    )


_EXPECTED: Final[dict[str, str]] = {
    "missing_value": N_("a value"),
    "invalid_datetime": N_("a date and time such as 2025-03-14 10:05 or 14.03.2025 10:05"),
    "invalid_date": N_("a date such as 2025-03-14 or 14.03.2025"),
    "invalid_boolean": N_("yes or no: да/нет, иә/жоқ, true/false, 1/0"),
    "invalid_integer": N_("a whole number"),
    "invalid_decimal": N_("a number such as 0,85 or 1 234,5"),
    "invalid_time": N_("a time of day such as 18:30 or 9.00"),
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
