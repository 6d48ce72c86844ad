"""Numbers as people in Kazakhstan write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ashyq.numbers import format_decimal, parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3,78", "3.78"),
        ("391 954", "391954"),
        ("391\u00a0954", "391954"),  # no-break space, as Word and Excel write it
        ("1\u202f234\u202f567,5", "1234567.5"),  # narrow no-break space
        ("20.065", "20.065"),
        ("0", "0"),
        ("-1", "-1"),
        (" 4 ", "4"),
    ],
)
def test_parses_russian_and_plain_numbers(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "1,234.5", "3,78,1", "12 34", "1 2345", "4 балла", "--1"]
)
def test_rejects_what_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal(text)


def test_percent_sign_only_where_allowed() -> None:
    assert parse_decimal("93,2%", allow_percent=True) == Decimal("93.2")
    with pytest.raises(ValueError):
        parse_decimal("93,2%")


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ("4.00", "ru", "4"),
        ("3.78", "ru", "3,78"),
        ("3.78", "en", "3.78"),
        ("20.0650", "kk", "20,065"),
    ],
)
def test_formats_without_trailing_zeros(value: str, lang: str, expected: str) -> None:
    assert format_decimal(Decimal(value), lang) == expected
