"""The register of rated services: the public services citizens may rate, by their code in
the register of public services, named in Russian and Kazakh (and English, optionally).

A rating naming a code the register does not hold, or a service taken out of it, is
refused. The administrator keeps the register, one service at a time or from a file
(``import_rated_services``: CSV or XLSX with the columns ``code``, ``name_ru``,
``name_kk``, ``name_en``), which is read and checked whole before anything is written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.db.models import RatedService
from ashyq.errors import (
    ConflictError,
    InputError,
    InputProblem,
    InvalidError,
    Message,
    NotFoundError,
)
from ashyq.i18n import N_, Lang
from ashyq.ratings import auth
from ashyq.ratings.keys import POINT_CODE
from ashyq.tabular import Cell, read_table

__all__ = [
    "COLUMNS",
    "MAX_NAME_CHARS",
    "SERVICE_CODE",
    "ImportReport",
    "ServiceEntry",
    "add_rated_service",
    "add_service",
    "import_rated_services",
    "read_services",
    "service_name",
    "service_names",
    "set_rated_service_active",
    "set_service_active",
]

SERVICE_CODE: Final = POINT_CODE  # the pattern of a rating's ``service``
MAX_NAME_CHARS: Final = 500
COLUMNS: Final = ("code", "name_ru", "name_kk", "name_en")
_REQUIRED: Final = COLUMNS[:3]

_EXPECTED_CODE = N_("a code of 1 to 40 letters, digits, dots, dashes or underscores, such as 00101")
_EXPECTED_NAME = N_("a name of 1 to {limit} characters")
_EXPECTED_NAME_EN = N_("a name of at most {limit} characters, or nothing")
_CHARACTERS = N_("{count} characters")
_NOTHING = N_("nothing")
_FIELD_PROBLEM = N_("{field}: expected {expected}; found {found}")


@dataclass(frozen=True)
class ServiceEntry:
    """A service as the register holds it: its code and names, without surrounding spaces;
    ``name_en`` None when not given."""

    code: str
    name_ru: str
    name_kk: str
    name_en: str | None

    def names(self) -> dict[str, str | None]:
        """The names by field, as the audit log records them."""
        return {"name_ru": self.name_ru, "name_kk": self.name_kk, "name_en": self.name_en}


@dataclass(frozen=True)
class _FieldProblem:
    code: str
    field: str
    expected: Message
    found: str | Message


def _entry(
    code: str, name_ru: str, name_kk: str, name_en: str | None
) -> tuple[ServiceEntry, list[_FieldProblem]]:
    """The entry of these values, and what is wrong with each of its fields."""
    entry = ServiceEntry(
        code.strip(), name_ru.strip(), name_kk.strip(), (name_en or "").strip() or None
    )
    problems = []
    if not SERVICE_CODE.match(entry.code):
        problems.append(_FieldProblem("bad_code", "code", Message(_EXPECTED_CODE), entry.code))
    limit = {"limit": MAX_NAME_CHARS}
    for field, value in (("name_ru", entry.name_ru), ("name_kk", entry.name_kk)):
        if not value:
            problems.append(
                _FieldProblem("missing_name", field, Message(_EXPECTED_NAME, limit), "")
            )
        elif len(value) > MAX_NAME_CHARS:
            found = Message(_CHARACTERS, {"count": len(value)})
            problems.append(
                _FieldProblem("name_too_long", field, Message(_EXPECTED_NAME, limit), found)
            )
    if entry.name_en is not None and len(entry.name_en) > MAX_NAME_CHARS:
        found = Message(_CHARACTERS, {"count": len(entry.name_en)})
        problems.append(
            _FieldProblem("name_too_long", "name_en", Message(_EXPECTED_NAME_EN, limit), found)
        )
    return entry, problems


def _state(service: RatedService) -> dict[str, Any]:
    return {
        "name_ru": service.name_ru,
        "name_kk": service.name_kk,
        "name_en": service.name_en,
        "active": service.active,
    }


def _get(session: Session, code: str) -> RatedService:
    service = session.scalar(select(RatedService).where(RatedService.code == code))
    if service is None:
        raise NotFoundError(N_("No service {code} in the register."), code=code)
    return service


def add_service(
    session: Session, code: str, name_ru: str, name_kk: str, name_en: str | None = None
) -> RatedService:
    """Add a service to the register, active; returns it.

    Raises InvalidError for a malformed code or a missing or too long name, naming the
    field, and ConflictError when the register holds the code already.
    """
    entry, problems = _entry(code, name_ru, name_kk, name_en)
    if problems:
        first = problems[0]
        raise InvalidError(
            _FIELD_PROBLEM,
            field=first.field,
            expected=first.expected,
            found=first.found if first.found != "" else Message(_NOTHING),
        )
    if session.scalar(select(RatedService.id).where(RatedService.code == entry.code)):
        raise ConflictError(N_("The service {code} is already in the register."), code=entry.code)
    service = RatedService(code=entry.code, **entry.names())
    session.add(service)
    session.flush()
    return service


def set_service_active(session: Session, code: str, *, active: bool) -> RatedService:
    """Take the service of ``code`` out of the register (its ratings stay) or put it back;
    returns it. Raises NotFoundError when the register does not hold it."""
    service = _get(session, code)
    service.active = active
    session.flush()
    return service


def add_rated_service(
    session: Session,
    actor: Actor,
    code: str,
    name_ru: str,
    name_kk: str,
    name_en: str | None = None,
) -> RatedService:
    """The administrator adds a service to the register (``add_service``), in the audit
    log."""
    auth.add_rated_service(actor)
    service = add_service(session, code, name_ru, name_kk, name_en)
    audit.record(
        session, actor, "add_rated_service", "rated_service", service.code, after=_state(service)
    )
    return service


def set_rated_service_active(
    session: Session, actor: Actor, code: str, *, active: bool
) -> RatedService:
    """The administrator takes a service out of the register or puts it back
    (``set_service_active``), in the audit log."""
    auth.set_rated_service_active(actor)
    before = {"active": _get(session, code).active}
    service = set_service_active(session, code, active=active)
    after = {"active": service.active}
    audit.record(session, actor, "set_rated_service_active", "rated_service", code, before, after)
    return service


# --- the register's file -----------------------------------------------------------------

_EXPECTED_COLUMNS = N_("the columns code, name_ru, name_kk and name_en")
_EXPECTED_CELLS = N_(
    "{columns} cells, one per column of the header (a name holding a comma or a semicolon "
    "is quoted)"
)


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def read_services(path: Path) -> list[ServiceEntry]:
    """The services of a register file (CSV or XLSX), in file order.

    Raises InputError listing every problem, each with its file, row and column: a
    missing or unknown column, a row with more cells than columns, a malformed code or one
    given twice, a missing or too long name, a file without services.
    """
    table = read_table(path)
    file = table.file
    problems: list[InputProblem] = []
    for name in _REQUIRED:
        if name not in table.header:
            expected = Message(N_("a column «{column}»"), {"column": name})
            problems.append(
                InputProblem("missing_column", file, 1, name, expected, ", ".join(table.header))
            )
    for name in table.header:
        if name not in COLUMNS:
            found = name or Message(N_("a column without a name"))
            problems.append(
                InputProblem("unknown_column", file, 1, name, Message(_EXPECTED_COLUMNS), found)
            )
    if problems:
        raise InputError(problems)
    entries: list[ServiceEntry] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        if row.is_empty():
            continue
        extra = [value for key, value in row.cells.items() if key.startswith("#") and value]
        if extra:
            found = Message(N_("{count} cells"), {"count": len(table.header) + len(extra)})
            problems.append(
                InputProblem(
                    "extra_cells",
                    file,
                    row.number,
                    None,
                    Message(_EXPECTED_CELLS, {"columns": len(table.header)}),
                    found,
                )
            )
            continue
        code_cell = row.cells.get("code")
        if code_cell is not None and not isinstance(code_cell, str):
            # A sheet turns 00101 into the number 101: the leading zeros are lost.
            expected = Message(N_("the code as text, such as 00101, not a number"))
            problems.append(
                InputProblem("code_not_text", file, row.number, "code", expected, str(code_cell))
            )
            continue
        cells = {name: _text(row.cells.get(name)) for name in COLUMNS}
        entry, bad = _entry(cells["code"], cells["name_ru"], cells["name_kk"], cells["name_en"])
        problems.extend(
            InputProblem(p.code, file, row.number, p.field, p.expected, p.found) for p in bad
        )
        if any(p.field == "code" for p in bad):
            continue
        if entry.code in first_row:
            found = Message(
                N_("{code}, given in row {row} too"),
                {"code": entry.code, "row": first_row[entry.code]},
            )
            expected = Message(N_("each code once in the file"))
            problems.append(
                InputProblem("duplicate_code", file, row.number, "code", expected, found)
            )
            continue
        first_row[entry.code] = row.number
        entries.append(entry)
    if not entries and not problems:
        expected = Message(N_("at least one service under the header"))
        problems.append(InputProblem("no_services", file, None, None, expected, ""))
    if problems:
        raise InputError(problems)
    return entries


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the codes added, those whose names changed, those as they were."""

    file: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


def import_rated_services(session: Session, actor: Actor, path: Path) -> ImportReport:
    """The administrator imports a register file: new codes are added (active), changed
    names updated, each change in the audit log; the active flag of a service already in
    the register is left as it is, so importing the same file again changes nothing.

    Raises InputError, before anything is written, when any row of the file is wrong.
    """
    auth.import_rated_services(actor)
    entries = read_services(path)
    register = {service.code: service for service in session.scalars(select(RatedService))}
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for entry in entries:
        service = register.get(entry.code)
        if service is None:
            service = RatedService(code=entry.code, **entry.names())
            session.add(service)
            session.flush()
            after = _state(service)
            audit.record(
                session, actor, "import_rated_services", "rated_service", entry.code, None, after
            )
            added.append(entry.code)
            continue
        before = {
            "name_ru": service.name_ru,
            "name_kk": service.name_kk,
            "name_en": service.name_en,
        }
        if before == entry.names():
            unchanged.append(entry.code)
            continue
        service.name_ru, service.name_kk, service.name_en = (
            entry.name_ru,
            entry.name_kk,
            entry.name_en,
        )
        audit.record(
            session,
            actor,
            "import_rated_services",
            "rated_service",
            entry.code,
            before,
            entry.names(),
        )
        updated.append(entry.code)
    session.flush()
    return ImportReport(str(path), tuple(added), tuple(updated), tuple(unchanged))


# --- names for the reader ----------------------------------------------------------------


def service_name(service: RatedService, lang: Lang) -> str:
    """The service's name in ``lang``; in English, the Russian one when no English is given."""
    if lang == "kk":
        return service.name_kk
    if lang == "en" and service.name_en:
        return service.name_en
    return service.name_ru


def service_names(session: Session, codes: Collection[str], lang: Lang) -> dict[str, str]:
    """The names in ``lang`` of those of ``codes`` the register holds, by code."""
    if not codes:
        return {}
    found = session.scalars(select(RatedService).where(RatedService.code.in_(sorted(codes))))
    return {service.code: service_name(service, lang) for service in found}
