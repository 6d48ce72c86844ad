"""Options and error handling shared by the commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from ashyq.errors import InputError
from ashyq.i18n import DEFAULT_LANG, LANGUAGES, Lang
from ashyq.index.methodology import Methodology, MethodologyNotFoundError, load_methodology

__all__ = [
    "LangOption",
    "OutOption",
    "fail",
    "fail_input",
    "json_text",
    "methodology_or_exit",
    "resolve_lang",
    "write_json",
    "write_output",
]

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of messages and names: ru, kk or en (default: $ASHYQ_LANG or ru).",
    ),
]


OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write to this file instead of the screen.")
]


def resolve_lang(value: str | None) -> Lang:
    """The language chosen by ``--lang``, else ``$ASHYQ_LANG``, else Russian."""
    chosen = value or os.environ.get("ASHYQ_LANG") or DEFAULT_LANG
    for lang in LANGUAGES:
        if lang == chosen:
            return lang
    raise typer.BadParameter(f"{chosen!r}: use one of {', '.join(LANGUAGES)}", param_hint="--lang")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` to standard error and exit with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def fail_input(error: InputError, lang: Lang, *, as_json: bool = False) -> NoReturn:
    """Print every problem of a rejected input and exit with status 2.

    As text, one problem per line; with ``as_json``, ``{"errors": [...]}`` in the one
    error shape of Ashyq (code, file, row, column, expected, found, message).
    """
    if as_json:
        payload = {"errors": [problem.as_dict(lang) for problem in error.problems]}
        fail(json_text(payload), code=2)
    fail(error.render(lang), code=2)


def methodology_or_exit(name: str) -> Methodology:
    """Load a methodology by name or path, or exit with a clear message."""
    try:
        return load_methodology(name)
    except MethodologyNotFoundError as error:
        fail(str(error), code=2)
    except ValidationError as error:
        fail(f"methodology {name}: {error}", code=2)


def json_text(payload: object) -> str:
    """``payload`` as indented JSON, Cyrillic kept readable."""
    return json.dumps(payload, ensure_ascii=False, indent=2)


def write_json(payload: object) -> None:
    """Write ``payload`` as JSON to standard output."""
    write_output((json_text(payload) + "\n").encode("utf-8"), None)


def write_output(data: bytes, out: Path | None) -> None:
    """Write ``data`` to ``out``, or to standard output when ``out`` is None."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
