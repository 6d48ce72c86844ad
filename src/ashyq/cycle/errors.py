"""What an action refuses, and why, in the reader's language.

Each error carries a translatable message; the web layer maps the class to an HTTP status
and renders every one in the API's single error shape.
"""

from __future__ import annotations

from typing import Any

from ashyq.errors import InputProblem, Message
from ashyq.i18n import N_, Lang

__all__ = [
    "ActionError",
    "ConflictError",
    "InvalidError",
    "NotAllowedError",
    "NotFoundError",
    "SignInRequiredError",
    "StorageFullError",
]


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
