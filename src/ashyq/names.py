"""One rule for matching what people type against the names Ashyq knows.

A body's name or abbreviation, a choice («Госкорпорация», «бумажная»), a code in a list:
people type them with «ё» or without it, in any case, with doubled or non-breaking
spaces. ``fold`` is the rule in Python, ``fold_expr`` the same rule as an Ibis expression
for the engines, and ``tests/test_names.py`` checks that the two agree on any text.

The rule: «ё» is «е»; every run of white space (the ASCII ones and the non-breaking
spaces exports carry) is one space; spaces at the ends go; letters are lower case.
Lower case, not Python's casefold, because the engines have only lower case.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["SPACES", "fold", "fold_expr"]

# White space as both Python's re and the engines' RE2 read it, character by character:
# tab, line feed, vertical tab, form feed, carriage return, space, and the no-break,
# figure and narrow no-break spaces.
SPACES: Final = "[\t\n\v\f\r \u00a0\u2007\u202f]+"
_SPACES: Final = re.compile(SPACES)


def fold(text: str) -> str:
    """``text`` as it is compared: «ё» as «е», white space as single spaces, trimmed, lower."""
    return _SPACES.sub(" ", text.replace("ё", "е").replace("Ё", "Е")).strip(" ").lower()


def fold_expr(text: ir.StringValue) -> ir.StringValue:
    """``fold`` as an Ibis expression: the same rule, run by the engine."""
    return text.replace("ё", "е").replace("Ё", "Е").re_replace(SPACES, " ").strip().lower()
