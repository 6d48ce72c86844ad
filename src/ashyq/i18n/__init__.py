"""User-facing text in Russian, Kazakh and English, from Babel catalogues.

Source strings are English. Mark a string with ``N_()`` where it is defined and pass it
through ``translate()`` where it is shown, so the language is chosen by the reader.
The catalogues live in ``locale/<lang>/LC_MESSAGES/ashyq.po``; ``pybabel extract -F
babel.cfg`` finds every marked string, and a test fails when one is untranslated.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Final, Literal, get_args

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from pydantic import BaseModel, ConfigDict

from ashyq.i18n.dates import day
from ashyq.i18n.quotes import fill

__all__ = ["DEFAULT_LANG", "LANGUAGES", "N_", "Lang", "Text", "catalog", "translate"]

Lang = Literal["ru", "kk", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = get_args(Lang)
DEFAULT_LANG: Final[Lang] = "ru"
DOMAIN: Final = "ashyq"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel extracts
    """Mark ``message`` for translation without translating it yet; returns it unchanged."""
    return message


@cache
def catalog(lang: Lang) -> Catalog:
    """Return the parsed catalogue of ``lang``; raises ValueError for another language."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    path = resources.files("ashyq.i18n").joinpath(f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def translate(message: str, lang: Lang, /, **params: object) -> str:
    """Return ``message`` in ``lang`` with ``{name}`` placeholders filled from ``params``.

    An untranslated message falls back to the English source text. A date or time among
    ``params`` is spelled for the reader (``dates.day``), never as ISO 8601; a value put in
    quotation marks has its own marks nested (``quotes.fill``).
    """
    entry = catalog(lang).get(message)
    text = entry.string if entry is not None and entry.string else message
    assert isinstance(text, str)
    if not params:
        return text
    spelled = dict(params)
    for key, value in params.items():
        if isinstance(value, date):
            written = day(value, lang)
            # "истёк 28 мар. 2025 г." ends its sentence with the date's own full stop.
            if written.endswith(".") and f"{{{key}}}." in text:
                written = written[:-1]
            spelled[key] = written
    return fill(text, spelled)


class Text(BaseModel):
    """A text declared in data (a methodology, a catalogue) in the three languages.

    Unlike messages, these come translated with their declaration; ``text[lang]`` picks one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ru: str
    kk: str
    en: str

    def __getitem__(self, lang: str) -> str:
        value: str = getattr(self, lang)
        return value
