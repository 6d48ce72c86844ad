"""Numbers as people in Kazakhstan write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ashyq.i18n import Lang
from ashyq.i18n.grammar import number
from ashyq.numbers import parse_decimal


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
        ("2925000", "ru", "2\u00a0925\u00a0000"),
        ("2925000", "en", "2,925,000"),
    ],
)
def test_formats_without_trailing_zeros(value: str, lang: Lang, expected: str) -> None:
    # The one spelling of a number for people (ashyq.i18n.grammar.number), everywhere.
    assert number(Decimal(value), lang) == expected
