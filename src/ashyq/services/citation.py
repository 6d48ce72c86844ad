"""How a refusal's legal basis cites the law: a unit below the article, the article only,
a unit that cannot be told apart, or nothing.

Article 19-1 of the Law on Public Services asks a refusal to name its concrete grounds;
seed 002 condemns a refusal that cites an article as a whole (article 17 of the Law on
architecture, with 15 kinds of breach). A citation is concrete when it names a unit below
the article, with its number: a point or subpoint (пункт, подпункт; тармақ, тармақша), a
part (часть; бөлік), a paragraph (абзац; азат жол), or a numbered subpoint such as «11)».

The words are read in every case form, as the laws and the bodies write them:

- Russian declines the noun: «пункт», «пункта», «пункту», «пунктом», «пункте», «пунктов»…,
  «подпункт», «часть», «частью», «абзац» alike; «п.», «пп.», «подп.», «ч.» abbreviate them.
- Kazakh adds suffixes to the stem, and a final «қ» or «к» voices to «ғ» or «г» before a
  vowel: «тармақ», «тармақтың», «тармаққа», but «тармағы», «тармағына», «тармағының»
  (seed 002: «19-1-бабының 1-тармағына»); «тармақша», «тармақшасы»; «бөлік», «бөлігі».
  The number comes first, joined by a hyphen: «5-бабы 2-тармағының 11) тармақшасына».
- English: paragraph, para., subparagraph, clause, item, part, point.

A unit counts only with its number beside it, before or after: «в части» is also the
Russian for "as regards", and «тармағына сәйкес» with no number names no point. Such a
text is read as ambiguous and said to be so in the evidence, rather than guessed.

The patterns are matched on the text in lower case, with no flags and no ``\\b`` (which
DuckDB's engine knows for ASCII letters only), so that DuckDB, Spark and Python read a
basis alike.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

import ibis
import ibis.expr.types as ir

__all__ = ["ARTICLE", "POINT", "UNIT_WITHOUT_NUMBER", "BasisReading", "basis_reading", "read_basis"]


class BasisReading(StrEnum):
    """What a refusal's legal basis cites, from the most concrete."""

    POINT = "point"
    """A point, subpoint, part or paragraph with its number: a concrete ground."""
    AMBIGUOUS = "ambiguous"
    """A word for a unit below the article with no number beside it."""
    ARTICLE_ONLY = "article_only"
    """An article and nothing below it."""
    NO_CITATION = "no_citation"
    """No article and no unit of a law: free text, a law's name alone, or nothing."""


# A letter of Russian, Kazakh or English in lower case: what may not touch a word.
_LETTER: Final = "a-zа-яёәғқңөұүһі"
_BEFORE: Final = f"(?:^|[^{_LETTER}])"
_AFTER: Final = f"(?:$|[^{_LETTER}])"
_ENDING: Final = f"[{_LETTER}]*"

# The units below an article, each with every ending it takes. Kazakh puts the number
# first, Russian and English after.
_KAZAKH_UNITS: Final = (
    f"тарма[қғ]{_ENDING}",  # тармақ, тармағы…, тармақша, тармақшасы…
    f"бөлі[кг]{_ENDING}",  # бөлік, бөлігі… (not бөлім, a section)
    f"азат жол{_ENDING}",
)
_UNITS: Final = (
    *_KAZAKH_UNITS,
    r"тарм\.",
    f"(?:под)?пункт{_ENDING}",
    "част(?:ь|и|ью|ей|ям|ями|ях)",
    f"абзац{_ENDING}",
    r"(?:пп?|подп|ч)\.",
    "(?:sub-?)?paragraphs?",
    r"para\.?",
    "clauses?",
    "items?",
    "parts?",
    "points?",
)
_UNIT: Final = "(?:" + "|".join(_UNITS) + ")"

POINT: Final = (
    f"{_BEFORE}{_UNIT}[\\s.,:№]*\\d"  # пункта 3, п. 3, part 2, тармағы 1
    f"|\\d[)\\s\\-–]*(?:{'|'.join(_KAZAKH_UNITS)})"  # 1-тармағына, 11) тармақшасы
    r"|(?:^|[\s,;(])\d{1,3}\)"  # 11): a numbered subpoint
)
"""A unit below the article with its number, or a numbered subpoint."""

UNIT_WITHOUT_NUMBER: Final = f"{_BEFORE}{_UNIT}{_AFTER}"
"""A unit below the article (read where ``POINT`` did not match: without a number)."""

ARTICLE: Final = f"{_BEFORE}(?:стать{_ENDING}|ст\\.|ба[пб]{_ENDING}|articles?|art\\.)"
"""An article: статья, ст.; бап, бабы, 19-1-бабының…; article, art."""

_READINGS: Final = (
    (POINT, BasisReading.POINT),
    (UNIT_WITHOUT_NUMBER, BasisReading.AMBIGUOUS),
    (ARTICLE, BasisReading.ARTICLE_ONLY),
)


def basis_reading(basis: ir.StringValue) -> ir.StringValue:
    """What ``basis`` cites (a ``BasisReading`` value), in the engine."""
    text = basis.lower()
    cases = [
        (text.re_search(pattern), ibis.literal(str(reading))) for pattern, reading in _READINGS
    ]
    value: ir.StringValue = ibis.cases(*cases, else_=ibis.literal(str(BasisReading.NO_CITATION)))
    return value


def read_basis(basis: str | None) -> BasisReading:
    """What ``basis`` cites, read in Python as ``basis_reading`` reads it in the engine."""
    text = (basis or "").lower()
    for pattern, reading in _READINGS:
        if re.search(pattern, text):
            return reading
    return BasisReading.NO_CITATION
