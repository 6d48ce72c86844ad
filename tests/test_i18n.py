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


# --- dates shown to readers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "28 мар. 2025 г."), ("kk", "2025 ж. 28 нау."), ("en", "28 Mar 2025")],
)
def test_a_date_in_a_message_is_spelled_for_its_reader(lang: Lang, expected: str) -> None:
    from datetime import date

    text = translate(
        "Disputes on {period} were open until {deadline}.",
        lang,
        period=2025,
        deadline=date(2025, 3, 28),
    )
    text = text.replace("\N{NARROW NO-BREAK SPACE}", " ")
    assert expected.removesuffix(".") in text, text
    assert "2025-03-28" not in text and ".." not in text


def test_a_time_in_a_message_is_astana_time() -> None:
    from datetime import UTC, datetime

    from ashyq.i18n.dates import day

    # 19:30 UTC is half past midnight the next day in Astana (UTC+5).
    moment = datetime(2025, 3, 28, 19, 30, tzinfo=UTC)
    assert day(moment, "ru").replace("\N{NARROW NO-BREAK SPACE}", " ") == "29 мар. 2025 г., 00:30"
    assert translate("{due}", "en", due=moment) == day(moment, "en")


def test_no_message_is_given_an_iso_date() -> None:
    # A message's placeholders get the date itself, which translate() spells for the
    # reader; an isoformat() string would reach every language as 2025-03-28.
    import ast

    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            marked = any(
                isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "N_"
                for arg in node.args
            )
            named = isinstance(node.func, ast.Name) and node.func.id in {"translate", "Message"}
            if not (marked or named):
                continue
            for keyword in node.keywords:
                for inner in ast.walk(keyword.value):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Attribute)
                        and inner.func.attr == "isoformat"
                    ):
                        offenders.append(f"{path.relative_to(SOURCE)}:{inner.lineno}")
    assert not offenders, offenders


# --- the percent sign ----------------------------------------------------------------------

# The percent sign follows its number with no space in every language, as the agency's
# documents write it ("на 32,1% больше", seed 003) and as grammar.percent spells it.
_PERCENT_SIGN = {"ru": "%", "kk": "%", "en": "%"}
_BEFORE_SIGN = re.compile(r"(?:\}|\d)([ \N{NO-BREAK SPACE}\N{NARROW NO-BREAK SPACE}]?%)")


def _texts_of(node: object, lang: str | None = None) -> list[tuple[str, str]]:
    """Every (language, text) pair of a report declaration: its leaves under ru/kk/en."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _texts_of(value, key if key in LANGUAGES else lang)
    elif isinstance(node, list):
        for value in node:
            found += _texts_of(value, lang)
    elif isinstance(node, str) and lang is not None:
        found.append((lang, node))
    return found


def test_percent_signs_follow_each_language() -> None:
    import yaml

    texts: list[tuple[str, str, str]] = []
    for lang in LANGUAGES:
        for entry in catalog(lang):
            if entry.id and isinstance(entry.id, str):
                shown = entry.string if lang != "en" and entry.string else entry.id
                texts.append((f"{lang}.po", lang, str(shown)))
    for path in sorted((SOURCE / "ashyq/reports").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [(path.name, lang, text) for lang, text in _texts_of(data)]
    wrong = [
        f"{where} [{lang}]: {text!r}"
        for where, lang, text in texts
        for sign in _BEFORE_SIGN.findall(text)
        if sign != _PERCENT_SIGN[lang]
    ]
    assert not wrong, "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"


def _template_lines(pattern: str) -> list[str]:
    """Where a line of a page's template matches ``pattern`` (file:line)."""
    return [
        f"{path.name}:{number}"
        for path in sorted((SOURCE / "ashyq/web/templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(pattern, line)
    ]


def test_pages_spell_percentages_with_the_speller() -> None:
    # A template writes {{ percent(x, 1) }}, the one speller of percentages;
    # "{{ number(x) }} %" would put the sign its own way.
    assert not _template_lines(r"\}\}\s?%")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", ("4,2%", "70,1%")),
        ("kk", ("4,2%", "70,1%")),
        ("en", ("4.2%", "70.1%")),
    ],
)
def test_one_speller_for_percentages(lang: Lang, expected: tuple[str, str]) -> None:
    from ashyq.i18n.grammar import percent

    assert percent(Decimal("4.2"), lang, 1) == expected[0]
    assert percent(Decimal("70.05"), lang, 1) == expected[1]  # half up


# --- quotation marks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "name", "expected"),
    [
        ("kk", "«e-Өтініш» білім базасы", "«„e-Өтініш“ білім базасы»"),
        ("ru", "База знаний «e-Otinish»", "«База знаний „e-Otinish“»"),
        ("ru", "Открытые данные", "«Открытые данные»"),
        ("en", "The “e-Otinish” knowledge base", "“The ‘e-Otinish’ knowledge base”"),
    ],
)
def test_a_quoted_name_nests_its_own_quotes(lang: Lang, name: str, expected: str) -> None:
    from ashyq.i18n.grammar import quoted

    assert quoted(name, lang) == expected


def test_a_message_quoting_a_placeholder_nests_the_quotes_of_its_value() -> None:
    text = translate("Table «{table}»:", "kk", table="«e-Өтініш» білім базасы")
    assert "«„e-Өтініш“ білім базасы»" in text and "««" not in text


def test_pages_quote_with_the_speller() -> None:
    # «{{ value }}» in a template would double the marks of a value that has its own.
    assert not _template_lines(r"[«\u201c]\{\{")
