"""What Ashyq refuses, and why, in the reader's language.

One shape for every rejected input (file, row and field, what was expected, what was
found: ``InputProblem``, ``InputError``), for a machine that is not set up to run
(``SetupError``), and for an action a person asked for and may not or cannot have
(``ActionError`` and its kinds; the web layer maps each to an HTTP status and renders
every one in the API's single error shape).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ashyq.i18n import N_, Lang, translate

__all__ = [
    "ActionError",
    "ConflictError",
    "EngineError",
    "InputError",
    "InputProblem",
    "InvalidError",
    "LimitError",
    "Message",
    "NotAllowedError",
    "NotFoundError",
    "SetupError",
    "SignInRequiredError",
    "StorageFullError",
]


@dataclass(frozen=True)
class Message:
    """A translatable text and the values of its ``{placeholders}``."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: Lang) -> str:
        """The text in ``lang``; placeholder values that are Messages are rendered too."""
        params = {
            key: value.render(lang) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return translate(self.text, lang, **params)


_WHERE_ROW_COLUMN = N_("{file}, row {row}, column «{column}»")
_WHERE_ROW = N_("{file}, row {row}")
_WHERE_COLUMN = N_("{file}, column «{column}»")
_WHERE_FILE = N_("{file}")
_PROBLEM = N_("{where}: expected {expected}; found {found}")
_NOTHING = N_("nothing")


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input file."""

    code: str
    file: str
    row: int | None
    column: str | None
    expected: Message
    found: str | Message

    def where(self, lang: Lang) -> str:
        """``file, row N, column «x»`` in ``lang``, leaving out what is not known."""
        if self.row is not None and self.column is not None:
            text = _WHERE_ROW_COLUMN
        elif self.row is not None:
            text = _WHERE_ROW
        elif self.column is not None:
            text = _WHERE_COLUMN
        else:
            text = _WHERE_FILE
        return translate(text, lang, file=self.file, row=self.row, column=self.column)

    def render(self, lang: Lang) -> str:
        """The whole sentence in ``lang``."""
        found = self.found.render(lang) if isinstance(self.found, Message) else self.found
        return translate(
            _PROBLEM,
            lang,
            where=self.where(lang),
            expected=self.expected.render(lang),
            found=found if found != "" else translate(_NOTHING, lang),
        )

    def as_dict(self, lang: Lang) -> dict[str, Any]:
        """The machine-readable shape, shared by the CLI's JSON output and the API."""
        found = self.found.render(lang) if isinstance(self.found, Message) else self.found
        return {
            "code": self.code,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "expected": self.expected.render(lang),
            "found": found,
            "message": self.render(lang),
        }


class InputError(ValueError):
    """An input file was rejected; ``problems`` lists every reason, in file order."""

    def __init__(self, problems: list[InputProblem]) -> None:
        if not problems:
            raise ValueError("an InputError needs at least one problem")
        super().__init__(problems[0].render("en"))
        self.problems = problems

    def render(self, lang: Lang) -> str:
        """Every problem, one per line, in ``lang``."""
        return "\n".join(problem.render(lang) for problem in self.problems)


class SetupError(RuntimeError):
    """A command cannot go on until its reader changes a setting or starts a service;
    ``message`` says what to change, in the reader's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message

    def render(self, lang: Lang) -> str:
        """The message in ``lang``."""
        return self.message.render(lang)


class LimitError(SetupError):
    """A command needed more of a resource than a setting allows; the message says which
    setting to raise. Nothing the command wrote was kept."""


class EngineError(SetupError):
    """The record engine the settings choose cannot be reached or started."""


class ActionError(Exception):
    """An action could not be done; ``code`` is stable, ``message`` is for people."""

    status = 400
    code = "bad_request"

    def __init__(
        self, text: str, problems: list[InputProblem] | None = None, **params: Any
    ) -> None:
        self.message = Message(text, params)
        self.problems = problems or []
        super().__init__(text.format(**params) if params else text)

    def render(self, lang: Lang) -> str:
        """The message in ``lang``."""
        return self.message.render(lang)

    def response_headers(self) -> dict[str, str]:
        """Headers the answer carries (``Retry-After``, ``WWW-Authenticate``...)."""
        return {}


class NotAllowedError(ActionError):
    """The actor's role, body, authority or the period's state does not allow this."""

    status = 403
    code = "forbidden"


class SignInRequiredError(NotAllowedError):
    """Nobody is signed in, and this needs an account."""

    status = 401
    code = "sign_in_required"


class NotFoundError(ActionError):
    """No such object — or none the actor may see, which it must not be able to tell apart."""

    status = 404
    code = "not_found"


class ConflictError(ActionError):
    """The object is not in a state where this can be done (published, already resolved...)."""

    status = 409
    code = "conflict"


class InvalidError(ActionError):
    """The input itself is wrong; ``problems`` name each file, row and field."""

    status = 422
    code = "invalid"


_STORAGE_FULL = N_(
    "The server's disk is full, so nothing was saved. Try again later; if it stays full, "
    "tell the portal's administrator."
)


class StorageFullError(ActionError):
    """The server's disk (or the account's quota) is full: nothing of the request was kept.

    Raised by ``ashyq.storage.atomic`` when a write fails with ENOSPC or EDQUOT; the
    partial file has been removed, so the same request can simply be sent again later.
    """

    status = 507
    code = "storage_full"

    def __init__(self) -> None:
        super().__init__(_STORAGE_FULL)
