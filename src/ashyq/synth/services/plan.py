"""The plan: deliveries per body and chunk, violations per chunk, by largest remainder."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ashyq.bodies import Body, Level, load_bodies
from ashyq.services.catalogue import load_catalogue
from ashyq.synth.arrays import (
    Ints,
    apportion,
)
from ashyq.synth.services.registry import _Registry
from ashyq.synth.services.targets import (
    _BODY_WEIGHTS,
    _CHANNEL_TYPES,
    _DEFAULT_BODY_WEIGHT,
    _LOCAL_SHARE,
    _QUEUE_MINIMUM,
    _QUEUE_SHARE,
    CHUNK_ROWS,
    ServiceTargets,
)

__all__: list[str] = []


# --- The plan: deliveries per body and chunk, violations per chunk ------------------------


@dataclass(frozen=True)
class _BodyPlan:
    """A body, its position in the registry of bodies, and its number of deliveries."""

    body: Body
    index: int
    deliveries: int
    queue_service: int  # the registry row of its waiting list, or -1


@dataclass(frozen=True)
class _Unit:
    """A chunk of one body's deliveries: its rows by channel and its waiting-list rows."""

    body: int
    chunk: int
    start: int
    rows: int
    egov: int
    state_corp: int
    provider: int
    queue_rows: int


def _body_plans(
    registry: _Registry, targets: ServiceTargets, scale: float
) -> tuple[list[_BodyPlan], list[_Unit]]:
    """Deliveries per body (the akimats' share, then by weight within a level) and their
    chunks, each with exact numbers per channel: the electronic share of the total, and
    the State Corporation's part of the rest, apportioned by largest remainder."""
    bodies = list(load_bodies())
    total = round(targets.deliveries * scale)
    raw = np.array([_BODY_WEIGHTS.get(b.code, _DEFAULT_BODY_WEIGHT) for b in bodies])
    local = np.array([b.level is Level.MIO for b in bodies])
    weights = np.where(
        local, _LOCAL_SHARE * raw / raw[local].sum(), (1 - _LOCAL_SHARE) * raw / raw[~local].sum()
    )
    deliveries = apportion(total, weights)
    electronic = apportion(round(targets.electronic_share * total), deliveries, deliveries)
    paper = deliveries - electronic
    share = targets.state_corp_share_of_non_electronic
    state_corp = apportion(round(share * int(paper.sum())), paper, paper)
    plans: list[_BodyPlan] = []
    units: list[_Unit] = []
    for index, body in enumerate(bodies):
        queue_rows = np.flatnonzero(registry.queue & (registry.body == index))
        plans.append(
            _BodyPlan(
                body, index, int(deliveries[index]), int(queue_rows[0]) if len(queue_rows) else -1
            )
        )
        n = int(deliveries[index])
        chunks = -(-n // CHUNK_ROWS)
        sizes = apportion(n, np.ones(chunks))
        egov = apportion(int(electronic[index]), sizes, sizes)
        corp = apportion(int(state_corp[index]), sizes - egov, sizes - egov)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        for chunk in range(chunks):
            rows, e = int(sizes[chunk]), int(egov[chunk])
            reserved = max(_QUEUE_MINIMUM, round(rows * _QUEUE_SHARE)) if len(queue_rows) else 0
            units.append(
                _Unit(
                    index,
                    chunk,
                    int(starts[chunk]),
                    rows,
                    e,
                    int(corp[chunk]),
                    rows - e - int(corp[chunk]),
                    min(reserved, e),
                )
            )
    return plans, units


def _allocate(
    units: list[_Unit], plans: list[_BodyPlan], by_level: dict[Level, dict[str, int]]
) -> Ints:
    """Violations per type (catalogue order) and unit: each level's count of each type over
    the units of that level, by the records that can carry it, none carrying two."""
    ids = list(load_catalogue().ids())
    level = np.array([plans[u.body].body.level.value for u in units])
    egov = np.array([u.egov - u.queue_rows for u in units], np.int64)
    corp = np.array([u.state_corp for u in units], np.int64)
    provider = np.array([u.provider for u in units], np.int64)
    left = np.array([u.rows - u.queue_rows for u in units], np.int64)
    keeps_list = np.array([u.queue_rows > 0 for u in units])
    out = np.zeros((len(ids), len(units)), np.int64)
    channel_types = dict(_CHANNEL_TYPES)
    order = [t for t, _ in _CHANNEL_TYPES] + [t for t in ids if t not in channel_types]
    for type_id in order:
        row = ids.index(type_id)
        for lvl, counts in by_level.items():
            mine = level == lvl.value
            channel = channel_types.get(type_id)
            if channel is None:
                room = left
            else:
                room = (egov, corp, provider)[channel]
                if type_id == "out_of_queue_order":
                    room = np.where(keeps_list, room, 0)
            room = np.where(mine, np.minimum(room, left), 0)
            placed = apportion(counts[type_id], room, room)
            out[row] += placed
            left -= placed
            if channel is not None:
                (egov, corp, provider)[channel][:] -= placed
    return out
