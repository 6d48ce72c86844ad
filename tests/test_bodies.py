"""The registry of the 49 evaluated bodies and the names reports use for them."""

from __future__ import annotations

import pytest

from ashyq.bodies import BodyRegistry, Level, UnknownBodyError
from ashyq.index.published import PublishedReport


def test_registry_has_29_central_and_20_local_bodies(registry: BodyRegistry) -> None:
    assert len(registry) == 49
    assert len(registry.of_level(Level.CGO)) == 29
    assert len(registry.of_level(Level.MIO)) == 20


def test_every_body_has_names_in_three_languages(registry: BodyRegistry) -> None:
    kazakh_letters = set("әғқңөұүһі")
    for body in registry:
        assert body.name_ru and body.name_kk and body.name_en
        assert body.name_ru != body.name_kk != body.name_en
    # Kazakh names are written with the Kazakh alphabet, not transliterated Russian.
    assert sum(bool(kazakh_letters & set(b.name_kk.casefold())) for b in registry) >= 40


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("МФ", "mf"),
        ("АДГС", "adgs"),
        ("Жетісу", "zhetisu"),
        ("Жетысу", "zhetisu"),
        ("Ұлытау", "ulytau"),
        ("Улытау", "ulytau"),
        ("Улытауская", "ulytau"),
        ("Ақмолинская", "akmola"),
        ("Акмолинская", "akmola"),
        ("Қостанайская", "kostanay"),
        ("Костанайская", "kostanay"),
        ("г. Астана", "astana"),
        ("Астана", "astana"),
        ("г. Алматы", "almaty"),
        ("Алматы", "almaty"),
        ("Алматинская", "almaty_region"),
        ("  г.  Алматы ", "almaty"),
        ("мф", "mf"),
    ],
)
def test_resolves_every_spelling_of_the_report(
    registry: BodyRegistry, spelling: str, code: str
) -> None:
    assert registry.resolve(spelling).code == code


def test_almaty_city_is_not_the_almaty_region(registry: BodyRegistry) -> None:
    city, region = registry.get("almaty"), registry.get("almaty_region")
    assert city.level is region.level is Level.MIO
    assert not {a.casefold() for a in city.spellings} & {a.casefold() for a in region.spellings}


def test_unknown_name_is_an_error(registry: BodyRegistry) -> None:
    with pytest.raises(UnknownBodyError):
        registry.resolve("Министерство магии")


def test_every_name_printed_in_the_report_resolves_to_its_body(
    registry: BodyRegistry, report: PublishedReport
) -> None:
    for row in report.rows:
        body = registry.resolve(row.name_as_printed)
        assert body.code == row.body, (row.table, row.name_as_printed, row.seed_line)
        assert body.level is row.level, (row.table, row.name_as_printed)
