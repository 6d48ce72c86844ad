"""The options the commands share, each declared once.

An option whose value can be wrong is checked while the command line is read, before the
command runs or asks for its other options, and refused in the reader's language: ``--lang``
is read first (it is eager), so the check knows the language whichever comes first on the
line. A refusal is one line on standard error and exit status 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ashyq.cli.common import fail, period_or_exit, resolve_lang
from ashyq.i18n import LANGUAGES, N_, Lang, translate

__all__ = [
    "HostOption",
    "LangOption",
    "OutOption",
    "PeriodOption",
    "PortOption",
    "ReportLangOption",
    "choice_option",
    "format_option",
    "message_lang",
    "period_option",
    "year_option",
]

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of messages and names: ru, kk or en (default: $ASHYQ_LANG or ru).",
        is_eager=True,
    ),
]
ReportLangOption = Annotated[
    str | None,
    typer.Option("--lang", help="ru, kk, en or all (default: $ASHYQ_LANG or ru).", is_eager=True),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write to this file instead of the screen.")
]
HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]

_UNKNOWN_FORMAT = N_("Unknown format {found}; use one of: {names}")
_BAD_YEAR = N_("{option} {found}: expected a year, such as 2025")
_NOT_A_CHOICE = N_("{option} {found}: expected one of {names}")


def message_lang(ctx: typer.Context) -> Lang:
    """The language of a refusal while the line is read: the command's ``--lang`` when it
    names one (not ``all``), else the setting."""
    given = ctx.params.get("lang")
    for lang in LANGUAGES:
        if lang == given:
            return lang
    return resolve_lang(None)


def _checked(check: Callable[[str, Lang], object]) -> Callable[[typer.Context, Any], Any]:
    """A callback running ``check`` on the option's value, in the reader's language."""

    def callback(ctx: typer.Context, value: Any) -> Any:
        if value is None or ctx.resilient_parsing:  # absent, or the shell completing
            return value
        return check(str(value), message_lang(ctx))

    return callback


def _one_of(name: str, names: tuple[str, ...], refusal: str) -> Callable[[str, Lang], str]:
    """The check of an option that takes one of ``names``, in any case: the value in lower
    case, or exit with ``refusal`` (which may name ``option``, ``found`` and ``names``)."""

    def check(given: str, lang: Lang) -> str:
        chosen = given.lower()
        if chosen not in names:
            listed = ", ".join(names)
            fail(translate(refusal, lang, option=name, found=given, names=listed), 2)
        return chosen

    return check


def format_option(*names: str) -> Any:
    """``--format``, one of ``names`` in any case; the command gets it in lower case.

    The first of ``names`` is not the default: the command declares its own."""
    check = _one_of("--format", names, _UNKNOWN_FORMAT)
    return typer.Option("--format", help=f"One of: {', '.join(names)}.", callback=_checked(check))


def choice_option(name: str, names: tuple[str, ...], help: str) -> Any:
    """An option ``name`` whose value is one of ``names`` (in any case); the command gets it
    in lower case."""
    return typer.Option(name, help=help, callback=_checked(_one_of(name, names, _NOT_A_CHOICE)))


def period_option(help: str = "A year (2025) or a half-year (2025H1).") -> Any:
    """``--period``: a year or a half-year; the command gets its canonical name (``2025``,
    ``2025H1``)."""

    def check(given: str, lang: Lang) -> str:
        return period_or_exit(given, lang).name

    return typer.Option("--period", help=help, callback=_checked(check))


def year_option(help: str, name: str = "--year") -> Any:
    """A year, as ``--year`` (or ``name``): a survey year, a plan's reported year, an
    evaluated year. The command gets it as an ``int``."""

    def check(given: str, lang: Lang) -> int:
        text = given.strip()
        if not (text.isascii() and text.isdigit() and len(text) == 4):
            fail(translate(_BAD_YEAR, lang, option=name, found=given), 2)
        return int(text)

    # Read as text (``parser``), so that the check, not the parser, refuses a bad value.
    return typer.Option(name, help=help, parser=str, callback=_checked(check))


PeriodOption = Annotated[str, period_option()]
