"""Numbers in sentences: a count with its noun in the right form, and lists of names.

Russian nouns after a numeral take one of three forms ("1 нарушение", "2 нарушения",
"5 нарушений"), chosen by the CLDR plural category of the number, and change again after a
preposition ("из 1 обращения", "из 5 обращений"). Kazakh nouns stay singular after a
numeral ("5 бұзушылық") and take a case suffix instead ("391 954 өтініштен"). English has
one form for 1 and another for the rest. The forms of every noun are declared once, in
``nouns.yaml``; the category comes from Babel, so no rule is hand-written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from babel import Locale
from babel.numbers import format_decimal as babel_decimal

from ashyq.i18n import Lang
from ashyq.i18n.quotes import quoted

__all__ = [
    "Case",
    "figure",
    "join_names",
    "number",
    "percent",
    "plural_category",
    "quantity",
    "quoted",
    "word",
]

# ``nominative``: the count as the subject or object ("22 нарушения", "22 бұзушылық",
# "22 violations"). ``partitive``: the count something is out of ("из 391 954 обращений",
# "391 954 өтініштен", "391,954 appeals"); Russian genitive, Kazakh ablative.
Case = Literal["nominative", "partitive"]

_RU_FORMS: dict[tuple[Case, str], str] = {
    ("nominative", "one"): "one",
    ("nominative", "few"): "few",
    ("nominative", "many"): "many",
    ("nominative", "other"): "genitive_one",  # fractions: "3,5 балла"
    ("partitive", "one"): "genitive_one",
    ("partitive", "few"): "genitive_many",
    ("partitive", "many"): "genitive_many",
    ("partitive", "other"): "genitive_one",  # "из 3,5 балла"
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "ru": ("one", "few", "many", "genitive_one", "genitive_many"),
    "kk": ("nominative", "partitive"),
    "en": ("one", "other"),
}


@cache
def _lexicon() -> dict[str, dict[str, dict[str, str]]]:
    text = resources.files("ashyq.i18n").joinpath("nouns.yaml").read_text(encoding="utf-8")
    nouns: dict[str, dict[str, dict[str, str]]] = yaml.load(text, Loader=yaml.CSafeLoader)
    for noun, by_lang in nouns.items():
        for lang, forms in _REQUIRED.items():
            missing = [f for f in forms if f not in by_lang.get(lang, {})]
            if missing:
                raise ValueError(f"nouns.yaml: {noun} lacks {lang} forms {', '.join(missing)}")
    return nouns


def plural_category(value: int | Decimal, lang: Lang) -> str:
    """The CLDR plural category of ``value`` in ``lang``: one, few, many or other.

    A whole number written with decimals (``Decimal("5.0")``) counts as whole, as
    :func:`number` spells it: "5 баллов", not the fraction's "5 балла".
    """
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    category: str = Locale.parse(lang).plural_form(value)
    return category


def number(
    value: int | Decimal, lang: Lang, decimals: int | None = None, *, at_most: int | None = None
) -> str:
    """``value`` spelled for ``lang``: grouped thousands, decimal comma in ru and kk.

    Exact by default: every decimal the value has, and no trailing zeros (an index total
    of 79.085 is 79,085). ``decimals`` rounds half up to that many decimals and shows them
    all (4,50); ``at_most`` rounds half up to at most that many and drops trailing zeros
    (4,5). Rounding is always half up, as the methodology rounds.
    """
    places = decimals if decimals is not None else at_most
    exact = Decimal(value)
    if places is not None:
        exact = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if decimals is not None:
        pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
        return babel_decimal(exact, format=pattern, locale=lang)
    return babel_decimal(exact, locale=lang, decimal_quantization=False)


def percent(
    value: int | Decimal, lang: Lang, decimals: int | None = None, *, at_most: int | None = None
) -> str:
    """A percentage (``value`` already in per cent) spelled for ``lang``: ``4,2%`` in
    Russian and Kazakh, ``4.2%`` in English; decimals as in ``number``.

    The sign follows the number with no space in every language, as the agency's own
    documents write it (seed 003: 223 of its 231 percentages), which Ashyq's reports quote;
    CLDR's Russian pattern would put a no-break space before it. Texts that put the sign
    themselves follow the same rule (``tests/test_i18n.py``)."""
    return number(value, lang, decimals, at_most=at_most) + "%"


def figure(
    value: float | Decimal | None, decimals: int, lang: Lang, *, signed: bool = False
) -> str:
    """A measured figure as printed: rounded half up to ``decimals`` (``4,88``), with its
    sign when ``signed`` and not zero (``+1,5``, never ``-0,0``), a dash when missing."""
    if value is None:
        return "—"
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if signed:
        return signed_number(exact, lang, decimals)
    return number(abs(exact) if exact == 0 else exact, lang, decimals)


def signed_number(value: int | Decimal, lang: Lang, decimals: int | None = None) -> str:
    """A change as people read it, the one way every output writes one: «+1,5» up,
    «−0,03» down (the minus sign, U+2212, not a hyphen), and «0» with no sign.

    ``decimals`` as in ``number`` (rounded half up); exact otherwise. A change that
    rounds to zero is «0,00», never «−0,00» or «+0,00».
    """
    text = number(abs(Decimal(value)), lang, decimals)
    rounded = Decimal(value)
    if decimals is not None:
        rounded = rounded.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded > 0:
        return f"+{text}"
    if rounded < 0:
        return f"\N{MINUS SIGN}{text}"
    return text


def word(value: int | Decimal, noun: str, lang: Lang, case: Case = "nominative") -> str:
    """The form of ``noun`` that goes with ``value`` (without the number)."""
    try:
        forms = _lexicon()[noun][lang]
    except KeyError:
        raise KeyError(f"no noun {noun!r} in nouns.yaml") from None
    if lang == "kk":
        return forms[case]
    category = plural_category(value, lang)
    if lang == "en":
        return forms["one" if category == "one" else "other"]
    return forms[_RU_FORMS[case, category]]


def quantity(
    value: int | Decimal,
    noun: str,
    lang: Lang,
    case: Case = "nominative",
    decimals: int | None = None,
) -> str:
    """``value`` with ``noun`` agreeing: "22 нарушения", "из" + "391 954 обращений".

    ``quantity(5, "violation", "ru") == "5 нарушений"``; the partitive case gives the form
    after "из" in Russian and the ablative in Kazakh ("391 954 өтініштен").
    """
    return f"{number(value, lang, decimals)}\N{NO-BREAK SPACE}{word(value, noun, lang, case)}"


_AND = {"ru": "и", "kk": "және", "en": "and"}


def join_names(names: Sequence[str], lang: Lang) -> str:
    """ "A, B и C" / "A, B және C" / "A, B and C"; an empty list gives ""."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {_AND[lang]} {names[-1]}"
