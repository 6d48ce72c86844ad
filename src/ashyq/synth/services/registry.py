"""The registry of service types: codes, names, channels, terms and fees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ashyq.bodies import Level, load_bodies
from ashyq.services.model import (
    ACCEPTANCE_ENDS,
    SERVICES,
)
from ashyq.synth.arrays import (
    Bools,
    Floats,
    Ints,
    apportion,
    exact_labels,
    numbered,
)
from ashyq.synth.services.targets import (
    _ALSO_AT_PROVIDER,
    _BODY_WEIGHTS,
    _DEFAULT_BODY_WEIGHT,
    _DOCUMENTS,
    _EXCESS_DOCUMENTS,
    _FIRST_PERMIT_NAMES,
    _FIRST_PERMITS,
    _GENERAL_NAMES,
    _HOURLY_TYPES,
    _HOUSING_NAME,
    _PROVIDER_ONLY_TYPES,
    _QUEUE_MINISTRIES,
    _SECOND_PERMIT_NAMES,
    _SECOND_PERMITS,
    TARGETS_2025,
    ServiceTargets,
)

__all__ = [
    "synthesize_registry",
]


# --- Registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Registry:
    """The registry as a table and as arrays per service (row order = code order)."""

    table: pa.Table
    codes: pa.Array
    body: Ints
    deadline_days: Ints  # -1 for a service set in hours
    deadline_hours: Ints
    refusal_days: Ints
    hearing: Bools
    queue: Bools
    channel: npt.NDArray[np.bool_]  # services × 3: egov, state_corp, provider
    checklist_size: Ints
    popularity: Floats
    # Document strings: checklist [0, n), checklist less its last item [n, 2n), checklist
    # plus excess document x at 2n + s·X + x, excess document x alone at 2n + n·X + x.
    documents: pa.Array


def _build_registry(seed: int, targets: ServiceTargets = TARGETS_2025) -> _Registry:
    """The registry with the published figures exact (see ``synthesize_registry``)."""
    rng = np.random.default_rng([seed, 0])
    bodies = list(load_bodies())
    n_bodies = len(bodies)
    queue_bodies = [
        i for i, b in enumerate(bodies) if b.level is Level.MIO or b.code in _QUEUE_MINISTRIES
    ]
    total = targets.registry_types
    rest = total - n_bodies - len(queue_bodies)
    # Rows: one core service per body (every channel, a second-category permit that
    # needs a hearing), the housing lists, then the rest spread by the bodies' volumes.
    weights = np.sqrt([_BODY_WEIGHTS.get(b.code, _DEFAULT_BODY_WEIGHT) for b in bodies])
    per_body = apportion(rest, weights)
    body = np.concatenate(
        [
            np.arange(n_bodies, dtype=np.int64),
            np.array(queue_bodies, np.int64),
            rng.permutation(np.repeat(np.arange(n_bodies, dtype=np.int64), per_body)),
        ]
    )
    core = np.zeros(total, bool)
    core[:n_bodies] = True
    queue = np.zeros(total, bool)
    queue[n_bodies : n_bodies + len(queue_bodies)] = True
    others = slice(n_bodies + len(queue_bodies), total)

    # Form and channels: the State Corporation serves round(0.95 · total) types.
    electronic = np.ones(total, bool)
    paper_rest = targets.registry_paper
    electronic[others] = exact_labels(rng, [rest - paper_rest, paper_rest]) == 0
    without_state_corp = total - targets.registry_state_corp
    provider_only = min(paper_rest, _PROVIDER_ONLY_TYPES)
    egov_only = without_state_corp - provider_only
    channel = np.zeros((total, 3), bool)
    channel[core] = True
    channel[queue, :2] = True
    rest_index = np.arange(total)[others]
    paper_index = rest_index[~electronic[others]]
    electronic_index = rest_index[electronic[others]]
    paper_kind = exact_labels(rng, [provider_only, paper_rest - provider_only])
    channel[paper_index, 2] = True
    channel[paper_index, 1] = paper_kind == 1
    with_provider = round(_ALSO_AT_PROVIDER * (len(electronic_index) - egov_only))
    electronic_kind = exact_labels(
        rng, [egov_only, with_provider, len(electronic_index) - egov_only - with_provider]
    )
    channel[electronic_index, 0] = True
    channel[electronic_index, 1] = electronic_kind > 0
    channel[electronic_index, 2] = electronic_kind == 1

    # Terms: most in working days, some electronic ones in hours.
    deadline_days = rng.choice(
        np.array([0, 1, 2, 3, 5, 7, 10, 15, 20, 30]),
        size=total,
        p=[0.04, 0.08, 0.08, 0.12, 0.20, 0.08, 0.18, 0.10, 0.06, 0.06],
    ).astype(np.int64)
    deadline_days[core] = rng.choice(np.array([3, 5, 7, 10]), size=n_bodies)
    deadline_days[queue] = 10
    deadline_hours = np.full(total, -1, np.int64)
    hourly = rng.choice(electronic_index, size=_HOURLY_TYPES, replace=False)
    deadline_hours[hourly] = rng.choice(np.array([1, 2, 4, 8, 24]), size=_HOURLY_TYPES)
    deadline_days[hourly] = -1
    refusal_days = rng.choice(
        np.array([2, 1, 3, 5]), size=total, p=[0.90, 0.03, 0.04, 0.03]
    ).astype(np.int64)

    # Permits (a minority), hearings (every permit and some others), fees (exact).
    permit = np.zeros(total, np.int64)  # 0 none, 1 first, 2 second
    permit[core] = 2
    permits = [rest - _FIRST_PERMITS - _SECOND_PERMITS, _FIRST_PERMITS, _SECOND_PERMITS]
    permit[rest_index] = exact_labels(rng, permits)
    hearing = (permit > 0) | (rng.random(total) < 0.08)
    hearing[queue] = False
    fee = np.zeros(total, np.int64)  # 0 free, 1 paid, 2 both; housing lists are free
    fee[~queue] = exact_labels(
        rng,
        [
            targets.registry_free - len(queue_bodies),
            targets.registry_paid,
            targets.registry_free_and_paid,
        ],
    )

    # Checklists: the application and 0–4 documents (1–5 codes; at least 2 for the core).
    extra = rng.integers(0, 5, size=total)
    extra[core] = np.maximum(extra[core], 1)
    chosen = np.argsort(rng.random((total, len(_DOCUMENTS))), axis=1)[:, :4]
    vocabulary = pa.array(_DOCUMENTS)
    lists = [pa.repeat("application", total)]
    for k in range(4):
        item = vocabulary.take(pa.array(chosen[:, k]))
        lists.append(pc.binary_join_element_wise(lists[-1], item, "|"))
    stacked = pa.concat_arrays([a.cast(pa.string()) for a in lists])
    rows = np.arange(total)
    checklist = stacked.take(pa.array(extra * total + rows))
    shorter = stacked.take(pa.array(np.maximum(extra - 1, 0) * total + rows))
    excess = pa.array(_EXCESS_DOCUMENTS)
    n_excess = len(excess)
    with_excess = pc.binary_join_element_wise(
        checklist.take(pa.array(np.repeat(rows, n_excess))),
        excess.take(pa.array(np.tile(np.arange(n_excess), total))),
        "|",
    )
    documents = pa.concat_arrays([checklist, shorter, with_excess, excess])

    # Names: housing lists, permits by category, the rest from the general kinds.
    names = np.empty((total, 2), dtype=object)
    for label, vocabulary_names in (
        (0, _GENERAL_NAMES),
        (1, _FIRST_PERMIT_NAMES),
        (2, _SECOND_PERMIT_NAMES),
    ):
        at = np.flatnonzero(permit == label)
        names[at] = np.array(vocabulary_names, dtype=object)[
            rng.integers(0, len(vocabulary_names), size=len(at))
        ]
    names[queue] = np.array(_HOUSING_NAME, dtype=object)

    # Codes in a shuffled order, so that a body's services are not numbered together:
    # the service coded SVC0001 is row by_code[0].
    by_code = rng.permutation(total)
    codes = numbered("SVC", np.arange(1, total + 1, dtype=np.int64), 4)
    body_codes = pa.array([b.code for b in bodies])
    channel_code = channel[:, 1] * 1 + channel[:, 0] * 2 + channel[:, 2] * 4
    # Bits: state_corp 1, egov 2, provider 4, so the names read in a fixed order.
    channel_names = np.array(
        [
            "",
            "state_corp",
            "egov",
            "state_corp|egov",
            "provider",
            "state_corp|provider",
            "egov|provider",
            "state_corp|egov|provider",
        ],
        dtype=object,
    )
    table = pa.table(
        {
            "service_code": codes,
            "name_ru": pa.array(names[by_code, 0], pa.string()),
            "name_kk": pa.array(names[by_code, 1], pa.string()),
            "provider_body": body_codes.take(pa.array(body[by_code])),
            "form": pa.array(np.where(electronic, "electronic", "paper")[by_code], pa.string()),
            "fee": pa.array(np.array(["free", "paid", "both"])[fee[by_code]], pa.string()),
            "channels": pa.array(channel_names[channel_code[by_code]], pa.string()),
            "deadline_days": pa.array(
                deadline_days[by_code], pa.int64(), mask=deadline_days[by_code] < 0
            ),
            "deadline_hours": pa.array(
                deadline_hours[by_code], pa.int64(), mask=deadline_hours[by_code] < 0
            ),
            "refusal_days": pa.array(refusal_days[by_code], pa.int64()),
            "documents": checklist.take(pa.array(by_code)),
            "permit_category": pa.array(
                np.array(["none", "first", "second"])[permit[by_code]], pa.string()
            ),
            "queue_based": pa.array(queue[by_code]),
            "hearing_required": pa.array(hearing[by_code]),
            "accepts_until": pa.repeat(ACCEPTANCE_ENDS, len(by_code)),
        },
        schema=SERVICES.record_schema(),
    )
    # The arrays follow the code order too; document strings are re-indexed alike.
    rows_by_code = np.asarray(by_code, np.int64)
    reordered = np.concatenate(
        [
            rows_by_code,
            total + rows_by_code,
            (2 * total + rows_by_code[:, None] * n_excess + np.arange(n_excess)).ravel(),
            2 * total + total * n_excess + np.arange(n_excess),
        ]
    )
    return _Registry(
        table=table,
        codes=codes,
        body=body[by_code],
        deadline_days=deadline_days[by_code],
        deadline_hours=deadline_hours[by_code],
        refusal_days=refusal_days[by_code],
        hearing=hearing[by_code],
        queue=queue[by_code],
        channel=channel[by_code],
        checklist_size=(extra + 1)[by_code],
        popularity=rng.lognormal(0.0, 1.2, size=total),
        documents=documents.take(pa.array(reordered)),
    )


def synthesize_registry(seed: int) -> pa.Table:
    """The registry of 2025's 1,359 public-service types, with ``SERVICES.record_schema()``.

    The published figures hold exactly: 1,255 electronic and 104 paper types; 813 free,
    504 paid and 42 both; 1,291 (95 %) with ``state_corp`` among their channels. Every
    body provides services; some permits, housing waiting lists and hour-based services
    are among them. The same seed gives the same table.
    """
    return _build_registry(seed).table
