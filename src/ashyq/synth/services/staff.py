"""The providers' staff, their signing authority, and their days of leave."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ashyq.bodies import Body, Level
from ashyq.services.model import (
    LEAVES,
    SIGNING_AUTHORITY,
    STAFF,
)
from ashyq.synth.arrays import (
    Ints,
    dates,
    numbered,
)
from ashyq.synth.services.targets import _CENTRAL_UNITS, _LOCAL_UNITS, _Calendar

__all__: list[str] = []


# --- Staff and leave -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Staff:
    """A body's staff: signers first (index 0 the first head), then clerks; and who may
    sign on each calendar day."""

    ids: pa.Array  # the staff's ids, then ids nobody on the staff holds
    units: pa.Array  # the unit of each staff member
    clerks: Ints
    unknown: Ints
    available: Ints  # days × signers: the signers entitled to sign that day come first
    available_count: Ints
    on_leave: Ints  # a signer on leave that day, or -1
    former: int  # authority ended on former_until
    former_until: int
    newcomer: int  # authority from newcomer_from
    newcomer_from: int
    table: pa.Table
    leaves: pa.Table
    authorities: pa.Table


def _head_position(body: Body) -> str:
    """The position of a body's first head."""
    if body.level is Level.MIO:
        return "аким"
    heads = {"gp": "Генеральный прокурор", "nb": "Председатель Национального Банка"}
    return heads.get(body.code, "министр" if body.code.startswith("m") else "председатель")


def _build_staff(body: Body, index: int, calendar: _Calendar, seed: int, year: int) -> _Staff:
    """A body's staff list and leave: 3–6 signers with the first head, one whose authority
    ends in the year and one whose authority starts then, and 8–24 clerks who cannot sign.
    Employee ids are ``<BODY>-E00001`` …; ``<BODY>-X00001`` … belong to nobody."""
    rng = np.random.default_rng([seed, 3, index])
    regular = int(rng.integers(3, 7))
    signers = regular + 2
    former, newcomer = regular, regular + 1
    n_clerks = int(rng.integers(8, 25))
    n_staff = signers + n_clerks
    prefix = body.code.upper()
    staff_ids = numbered(f"{prefix}-E", np.arange(1, n_staff + 1, dtype=np.int64), 5)
    unknown_ids = numbered(f"{prefix}-X", np.arange(1, 4, dtype=np.int64), 5)
    local = body.level is Level.MIO
    unit_names = np.array(_LOCAL_UNITS if local else _CENTRAL_UNITS, dtype=object)
    unit = rng.integers(0, len(unit_names), size=n_staff)
    unit[0] = 0
    deputy = "заместитель акима" if local else "вице-министр"
    head_of_unit = "руководитель управления" if local else "директор департамента"
    position = np.empty(n_staff, dtype=object)
    position[0] = _head_position(body)
    position[1:signers] = np.where(rng.random(signers - 1) < 0.4, deputy, head_of_unit)
    position[signers:] = np.array(
        ["главный специалист", "ведущий специалист", "специалист"], dtype=object
    )[rng.integers(0, 3, size=n_clerks)]
    # One signer's authority ends during the year, another's starts the day after.
    former_until = calendar.year_start + int(rng.integers(120, 240))
    newcomer_from = former_until + 1
    sign_from = np.full(n_staff, -1, np.int64)
    sign_until = np.full(n_staff, -1, np.int64)
    sign_until[former] = former_until
    sign_from[newcomer] = newcomer_from
    is_signer = np.arange(n_staff) < signers
    table = pa.table(
        {
            "employee_id": staff_ids,
            "body": pa.repeat(body.code, n_staff),
            "unit": pa.array(unit_names[unit], pa.string()),
            "position": pa.array(position, pa.string()),
            "is_manager": pa.array(is_signer),
            "is_first_head": pa.array(np.arange(n_staff) == 0),
            "can_sign": pa.array(is_signer),
            "can_sign_from": dates(calendar.epoch_day + sign_from, sign_from >= 0),
            "can_sign_until": dates(calendar.epoch_day + sign_until, sign_until >= 0),
        },
        schema=STAFF.record_schema(),
    )

    # Leave: each regular signer once, in windows that never overlap (someone can always
    # sign); about half the clerks once, anywhere in the year.
    year_days = calendar.year_end - calendar.year_start + 1
    window = year_days // regular
    length = rng.integers(14, 25, size=regular)
    starts = (
        calendar.year_start
        + np.arange(regular) * window
        + (rng.random(regular) * (window - length + 1)).astype(np.int64)
    )
    clerk_on_leave = np.flatnonzero(rng.random(n_clerks) < 0.5) + signers
    clerk_length = rng.integers(14, 25, size=len(clerk_on_leave))
    clerk_starts = calendar.year_start + (
        rng.random(len(clerk_on_leave)) * (year_days - clerk_length)
    ).astype(np.int64)
    who = np.concatenate([np.arange(regular, dtype=np.int64), clerk_on_leave])
    first = np.concatenate([starts, clerk_starts])
    last = first + np.concatenate([length, clerk_length]) - 1
    leaves = pa.table(
        {
            "leave_id": numbered(f"О-{year}-", np.arange(1, len(who) + 1, dtype=np.int64), 4),
            "body": pa.repeat(body.code, len(who)),
            "employee_id": staff_ids.take(pa.array(who)),
            "starts_on": dates(calendar.epoch_day + first),
            "ends_on": dates(calendar.epoch_day + last),
        },
        schema=LEAVES.record_schema(),
    )

    # While the first head is on leave, the second signer acts for them by order (an
    # authority they hold anyway: no signature changes its verdict).
    authorities = pa.table(
        {
            "order_id": pa.array([f"{year}-{prefix}-АК-1"], pa.string()),
            "body": pa.array([body.code], pa.string()),
            "employee_id": staff_ids.take(pa.array([1])),
            "on_behalf_of": staff_ids.take(pa.array([0])),
            "valid_from": dates(calendar.epoch_day + first[:1]),
            "valid_until": dates(calendar.epoch_day + last[:1]),
        },
        schema=SIGNING_AUTHORITY.record_schema(),
    )

    days = np.arange(calendar.days)[:, None]
    away = (days >= starts[None, :]) & (days <= (starts + length - 1)[None, :])
    entitled = np.ones((calendar.days, signers), bool)
    entitled[:, :regular] = ~away
    entitled[:, former] = days[:, 0] <= former_until
    entitled[:, newcomer] = days[:, 0] >= newcomer_from
    on_leave = np.where(away.any(axis=1), np.argmax(away, axis=1), -1).astype(np.int64)
    return _Staff(
        ids=pa.concat_arrays([staff_ids, unknown_ids]),
        units=pa.array(unit_names[unit], pa.string()),
        clerks=np.arange(signers, n_staff, dtype=np.int64),
        unknown=np.arange(n_staff, n_staff + len(unknown_ids), dtype=np.int64),
        available=np.argsort(~entitled, axis=1, kind="stable").astype(np.int64),
        available_count=entitled.sum(axis=1).astype(np.int64),
        on_leave=on_leave,
        former=former,
        former_until=former_until,
        newcomer=newcomer,
        newcomer_from=newcomer_from,
        table=table,
        leaves=leaves,
        authorities=authorities,
    )
