"""Every user-facing string is translated into Russian and Kazakh."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from ashyq.i18n import LANGUAGES, Lang, catalog, translate
from ashyq.i18n.grammar import signed_number

SOURCE = Path(__file__).parents[1] / "src"


def _marked_messages() -> set[str]:
    found = extract_from_dir(
        str(SOURCE),
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords={"N_": None, "_": None},
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


MESSAGES = _marked_messages()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_messages_are_found() -> None:
    assert len(MESSAGES) > 50
    assert "Points lost" in MESSAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_message_is_translated(lang: Lang) -> None:
    entries = {m.id: m.string for m in catalog(lang) if m.id}
    missing = sorted(MESSAGES - {k for k, v in entries.items() if v})
    assert not missing, f"{lang}: untranslated {missing}"
    stale = sorted(set(entries) - MESSAGES)
    assert not stale, f"{lang}: the catalogue has messages the code no longer uses: {stale}"


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_placeholders_survive_translation(lang: Lang) -> None:
    for message in catalog(lang):
        if message.id and isinstance(message.id, str):
            assert _placeholders(str(message.string)) == _placeholders(message.id), (
                lang,
                message.id,
            )


def test_kazakh_uses_the_kazakh_alphabet() -> None:
    texts = " ".join(str(m.string) for m in catalog("kk") if m.id)
    assert re.search("[әғқңөұүһі]", texts)


def test_translate_fills_placeholders_and_falls_back_to_english() -> None:
    assert translate("Wrote {path}", "en", path="x.xlsx") == "Wrote x.xlsx"
    assert "x.xlsx" in translate("Wrote {path}", "kk", path="x.xlsx")
    assert translate("a message nobody marked", "ru") == "a message nobody marked"
    with pytest.raises(ValueError, match="unsupported language"):
        catalog("de")


_MINUS = "\N{MINUS SIGN}"
_NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("value", "decimals", "spelled"),
    [
        (Decimal("1.5"), None, {"ru": "+1,5", "kk": "+1,5", "en": "+1.5"}),
        (
            Decimal("-0.03"),
            None,
            {"ru": f"{_MINUS}0,03", "kk": f"{_MINUS}0,03", "en": f"{_MINUS}0.03"},
        ),
        (Decimal("0"), None, {"ru": "0", "kk": "0", "en": "0"}),
        (Decimal("-0.004"), 2, {"ru": "0,00", "kk": "0,00", "en": "0.00"}),
        (
            Decimal("1234.567"),
            1,
            {"ru": f"+1{_NBSP}234,6", "kk": f"+1{_NBSP}234,6", "en": "+1,234.6"},
        ),
    ],
)
def test_a_change_is_signed_one_way_in_every_language(
    value: Decimal, decimals: int | None, spelled: dict[str, str]
) -> None:
    # «+» up, the minus sign (not a hyphen) down, no sign on zero: the table renderer, the
    # scorecard, the explanation and the monitoring figures all write changes this way.
    for lang in ("ru", "kk", "en"):
        assert signed_number(value, lang, decimals) == spelled[lang]
