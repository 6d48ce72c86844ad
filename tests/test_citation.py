"""The grammar of a refusal's legal basis (``ashyq.services.citation``): every case form of
the Russian and Kazakh words for a unit below the article, read alike by the engine and
by Python."""

from __future__ import annotations

import ibis
import pytest

from ashyq.services.citation import BasisReading, basis_reading, read_basis

POINT, AMBIGUOUS = BasisReading.POINT, BasisReading.AMBIGUOUS
ARTICLE_ONLY, NO_CITATION = BasisReading.ARTICLE_ONLY, BasisReading.NO_CITATION

# Kazakh: the number first, the stem «тармақ» voiced to «тармағ» before a vowel.
_KAZAKH_POINT = [
    "тармақ", "тармағы", "тармағын", "тармағына", "тармағында", "тармағынан",
    "тармағымен", "тармағының", "тармақтың", "тармаққа", "тармақта", "тармақтан",
    "тармақпен", "тармақтары", "тармақтарына",
]  # fmt: skip
_KAZAKH_SUBPOINT = [
    "тармақша", "тармақшасы", "тармақшасын", "тармақшасына", "тармақшасында",
    "тармақшасының", "тармақшасымен", "тармақшалары",
]  # fmt: skip
_KAZAKH_PART = ["бөлік", "бөлігі", "бөлігіне", "бөлігінің", "бөлігінде"]
_RUSSIAN_POINT = [
    "пункт", "пункта", "пункту", "пунктом", "пункте", "пункты", "пунктов", "пунктам",
    "пунктами", "пунктах",
]  # fmt: skip
_RUSSIAN_PART = ["часть", "части", "частью", "частей", "частям", "частями", "частях"]

CASES: list[tuple[str, BasisReading]] = [
    # Seed 002's own wording, and the Law on Public Services as the bodies cite it.
    ("Заңның 19-1-бабының 1-тармағына сәйкес", POINT),
    ("5-бабы 2-тармағының 11) тармақшасына сәйкес", POINT),
    ("«Мемлекеттік көрсетілетін қызметтер туралы» Заңның 19-1-бабы 3-бөлігі", POINT),
    ("Заңның 19-1-бабы 2-азат жолы", POINT),
    *((f"Заңның 19-1-бабының 1-{form} сәйкес", POINT) for form in _KAZAKH_POINT),
    *((f"9-тармағының 2) {form}", POINT) for form in _KAZAKH_SUBPOINT),
    *((f"19-1-бабы 2-{form}", POINT) for form in _KAZAKH_PART),
    *((f"согласно {form} 3 статьи 19-1 Закона", POINT) for form in _RUSSIAN_POINT),
    *((f"в соответствии с под{form} 2) пункта 9 Правил", POINT) for form in _RUSSIAN_POINT),
    *((f"{form} 2 статьи 19-1", POINT) for form in _RUSSIAN_PART),
    ("пп. 2) п. 9", POINT),
    ("ст.19-1 п.3", POINT),
    ("ч. 2 ст. 19-1", POINT),
    ("подп. 4 п. 1", POINT),
    ("абзацем 2 пункта 1", POINT),
    ("ПУНКТА 3 СТАТЬИ 19-1", POINT),
    ("19-1-БАБЫНЫҢ 1-ТАРМАҒЫНА", POINT),
    ("тарм. 3", POINT),
    ("Law on Public Services, art. 19-1 para. 1", POINT),
    ("paragraph 2 of article 17", POINT),
    ("article 17, clause 3", POINT),
    ("subparagraph 11) of paragraph 2", POINT),
    ("part 2 of article 19-1", POINT),
    # A unit named with no number: ambiguous, said so.
    ("ст. 19-1 Закона в части неполноты документов", AMBIGUOUS),
    ("согласно пункту Правил", AMBIGUOUS),
    ("Заңның тармағына сәйкес", AMBIGUOUS),
    ("Article 17, in part", AMBIGUOUS),
    # An article as a whole: the violation of seed 002.
    ("ст. 17 Закона РК «Об архитектурной, градостроительной деятельности»", ARTICLE_ONLY),
    ("статьёй 19-1 Закона", ARTICLE_ONLY),
    ("статья 17", ARTICLE_ONLY),
    ("Заңның 19-1-бабына сәйкес", ARTICLE_ONLY),
    ("17-бап", ARTICLE_ONLY),
    ("article 17 of the Law on architecture", ARTICLE_ONLY),
    ("Article 17 (as amended 12.05.2023)", ARTICLE_ONLY),
    ("ст. 19-1 (ред. от 12.05.2023)", ARTICLE_ONLY),
    # No citation at all.
    ("Закон о государственных услугах", NO_CITATION),
    ("нет оснований", NO_CITATION),
    ("частично не представлены документы", NO_CITATION),
    ("бөлімнің шешімі", NO_CITATION),  # бөлім is a department, not a part
    ("departmental decision", NO_CITATION),
    ("", NO_CITATION),
]  # fmt: skip


@pytest.mark.parametrize(("basis", "reading"), CASES, ids=[basis for basis, _ in CASES])
def test_python_reads_the_basis(basis: str, reading: BasisReading) -> None:
    assert read_basis(basis) is reading


def test_the_engine_reads_every_basis_as_python_does() -> None:
    table = ibis.memtable({"basis": [basis for basis, _ in CASES] + [None]})
    con = ibis.duckdb.connect()
    read = con.to_pyarrow(table.select(reading=basis_reading(table.basis)))
    expected = [str(reading) for _, reading in CASES] + [str(NO_CITATION)]
    assert read["reading"].to_pylist() == expected
