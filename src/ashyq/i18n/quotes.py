"""Quotation marks, nested as each language nests them.

Russian and Kazakh quote with «ёлочки» and, inside them, with „лапки“; English with “double”
and, inside them, ‘single’ marks. A name that already carries quotes of its own («e-Өтініш»
білім базасы) keeps them as the inner pair when it is quoted again: «„e-Өтініш“ білім
базасы», never «««e-Өтініш» білім базасы». ``quoted`` quotes a name; ``fill`` fills a frame
whose placeholders stand in quotes (``«{name}»``), nesting each value's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ashyq.i18n import Lang

__all__ = ["fill", "nested", "quoted"]

_OUTER: Final = {"ru": ("«", "»"), "kk": ("«", "»"), "en": ("\u201c", "\u201d")}
# What the outer marks become inside another pair: the same table for every outer mark of
# a style («» and “” in Russian and Kazakh texts alike; both in English).
_INNER: Final = {
    "ru": str.maketrans({"«": "„", "»": "“", "\u201c": "„", "\u201d": "“"}),
    "kk": str.maketrans({"«": "„", "»": "“", "\u201c": "„", "\u201d": "“"}),
    "en": str.maketrans({"\u201c": "\u2018", "\u201d": "\u2019", "«": "\u2018", "»": "\u2019"}),
}
# A placeholder right after an opening mark, and the style that mark belongs to.
_QUOTED_PLACEHOLDER: Final = re.compile(r"([«\u201c])\{(\w+)[}:!]")
_STYLE: Final[dict[str, Lang]] = {"«": "ru", "\u201c": "en"}


def nested(text: str, lang: Lang) -> str:
    """``text`` with its own quotation marks turned into the inner pair of ``lang``."""
    return text.translate(_INNER[lang])


def quoted(text: str, lang: Lang) -> str:
    """``text`` in the quotation marks of ``lang``, its own marks nested inside them."""
    opening, closing = _OUTER[lang]
    return f"{opening}{nested(text, lang)}{closing}"


def fill(frame: str, values: Mapping[str, object]) -> str:
    """``frame.format(**values)``, where a text value whose placeholder stands right after
    an opening quotation mark (``«{name}»``) has its own marks nested first."""
    if not values:
        return frame
    fixed = dict(values)
    for mark, key in _QUOTED_PLACEHOLDER.findall(frame):
        value = fixed.get(key)
        if isinstance(value, str):
            fixed[key] = nested(value, _STYLE[mark])
    return frame.format(**fixed)
