"""A synthetic national year of e-Otinish records, calibrated to the published figures.

Every body's records are drawn with NumPy, a whole column at a time, so that the national
year (5 882 116 appeals) is written in about a minute. The counts of every kind (types,
late reviews, unjustified redirects, ratings, bookings by bucket) are exact: positions
are chosen by shuffling, not by chance per record. The same seed gives the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from ashyq.appeals.deadlines import load_deadline_rules
from ashyq.appeals.indicators import calendar_span
from ashyq.appeals.model import APPEALS, BOOKINGS
from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.calendar import WorkingCalendar
from ashyq.index.methodology import Methodology
from ashyq.index.published import PublishedReport, load_published, reproduction_input
from ashyq.periods import Period
from ashyq.synth.calibration import NATIONAL_SHARES, RECORD_INDICATORS, BodyPlan, calibrate

__all__ = ["SynthResult", "synthesize_appeals"]

_FORMS: Final = {"electronic": 0.896, "paper_in_person": 0.0728, "paper_by_post": 0.0312}
_APPLICANTS: Final = {"individual": 0.627, "legal_entity": 0.286, "sole_proprietor": 0.087}
# Ratings among the satisfied (3–5) and the unsatisfied (1–2), seed 003 line 1712.
_SATISFIED_RATINGS: Final = {5: 52.77, 4: 8.62, 3: 5.57}
_UNSATISFIED_RATINGS: Final = {2: 5.36, 1: 27.68}
_US_PER_DAY: Final = 86_400_000_000


@dataclass(frozen=True)
class SynthResult:
    """The files written and the plan they follow."""

    appeals: Path
    bookings: Path
    authority_scores: Path
    plans: tuple[BodyPlan, ...]
    rows: int


@cache
def _topics() -> list[dict[str, Any]]:
    text = resources.files("ashyq.synth").joinpath("topics.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    topics: list[dict[str, Any]] = loaded["topics"]
    return topics


class _Calendar:
    """Working-day arithmetic on whole arrays of dates (as days since ``first``)."""

    def __init__(self, first: date, last: date) -> None:
        calendar = WorkingCalendar.build(first, last)
        table = calendar.table()
        self.first = first
        self.wd = np.asarray(table.column("wd").to_numpy(), dtype=np.int64)
        working = calendar.working_day_index()
        self.date_of_wd = np.zeros(int(self.wd.max()) + 2, dtype=np.int64)
        offsets = np.array(
            [(d - first).days for d in working.column("date").to_pylist()], dtype=np.int64
        )
        self.date_of_wd[np.asarray(working.column("wd").to_numpy(), dtype=np.int64)] = offsets

    def add_working(self, offsets: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The day ``days`` working days after each offset (the day itself being day zero)."""
        return np.asarray(self.date_of_wd[self.wd[offsets] + days])


def _exact(rng: np.random.Generator, n: int, shares: dict[str, float]) -> np.ndarray:
    """``n`` labels with the given shares, rounded to whole counts, in random order."""
    labels = list(shares)
    weights = np.array([shares[k] for k in labels], dtype=float)
    counts = np.floor(weights / weights.sum() * n).astype(np.int64)
    counts[np.argmax(weights)] += n - counts.sum()
    return rng.permutation(np.repeat(np.array(labels, dtype=object), counts))


def _pick(rng: np.random.Generator, pool: np.ndarray, count: int) -> np.ndarray:
    """``count`` distinct positions of ``pool``."""
    count = min(count, len(pool))
    return rng.choice(pool, size=count, replace=False) if count else pool[:0]


def _timestamps(
    first: date,
    day_offsets: np.ndarray,
    rng: np.random.Generator,
    hours: tuple[int, int] = (14, 18),
) -> pa.Array:
    """Times of day within ``hours``: registrations come in the morning (9–13), what
    follows them in the afternoon, so nothing happens before the registration."""
    base = int(
        (datetime.combine(first, datetime.min.time()) - datetime(1970, 1, 1)).total_seconds()
    )
    seconds = rng.integers(hours[0] * 3600, hours[1] * 3600, size=len(day_offsets))
    micros = (base + day_offsets * 86_400 + seconds) * 1_000_000
    return pa.array(micros, pa.timestamp("us"))


def _nullable(values: np.ndarray, present: np.ndarray, kind: pa.DataType) -> pa.Array:
    return pa.array(values, kind, mask=~present)


def _body_appeals(
    plan: BodyPlan,
    body_codes: list[str],
    period: Period,
    calendar: _Calendar,
    rng: np.random.Generator,
    review_days: int,
    redirect_days: int,
) -> pa.Table:
    counts = plan.counts
    n = counts["appeals_total"]
    received, reviewed = counts["received_total"], counts["reviewed_total"]
    requests = counts["information_requests"]
    # Types: applications and complaints, requests, and the rest in national proportion.
    complaints = round(received * float(NATIONAL_SHARES["complaint"]) / 73.6)
    others = n - received - requests
    rest = {k: float(NATIONAL_SHARES[k]) for k in ("message", "proposal", "response")}
    types = np.concatenate(
        [
            np.repeat(np.array(["complaint"], dtype=object), complaints),
            np.repeat(np.array(["application"], dtype=object), received - complaints),
            np.repeat(np.array(["request"], dtype=object), requests),
            _exact(rng, others, rest) if others > 0 else np.array([], dtype=object),
        ]
    )
    order = rng.permutation(n)
    types = types[order]
    is_ac = np.isin(types, ["application", "complaint"])
    ac = np.flatnonzero(is_ac)
    non_ac = np.flatnonzero(~is_ac)
    ac = rng.permutation(ac)
    reviewed_idx = ac[:reviewed]
    redirected_ac = ac[reviewed:]
    other_redirects = max(0, plan.redirected_total - len(redirected_ac))
    non_ac = rng.permutation(non_ac)
    redirected_other = non_ac[:other_redirects]
    answered_other = non_ac[other_redirects:]

    days_in_period = (period.last - period.first).days + 1
    start = (period.first - calendar.first).days
    registered = start + rng.integers(0, days_in_period, size=n)
    registered_at = _timestamps(calendar.first, registered, rng, (9, 13))

    # Reviews: on time (up to the deadline) or late, exactly as planned.
    answered = np.zeros(n, dtype=np.int64)
    has_answer = np.zeros(n, dtype=bool)
    late = _pick(rng, reviewed_idx, counts["reviewed_late"])
    deadline = calendar.add_working(registered, np.full(n, review_days))
    answered[reviewed_idx] = calendar.add_working(
        registered[reviewed_idx], rng.integers(1, review_days + 1, size=len(reviewed_idx))
    )
    answered[late] = calendar.add_working(
        registered[late], review_days + rng.integers(1, 11, size=len(late))
    )
    has_answer[reviewed_idx] = True
    answered[answered_other] = calendar.add_working(
        registered[answered_other], rng.integers(1, review_days + 1, size=len(answered_other))
    )
    has_answer[answered_other] = True
    # A few reviews on time are extended first (by 20 working days, within two months).
    on_time = np.setdiff1d(reviewed_idx, late)
    extended = _pick(rng, on_time, len(on_time) // 100)
    extended_until = np.zeros(n, dtype=np.int64)
    is_extended = np.zeros(n, dtype=bool)
    extended_until[extended] = calendar.add_working(
        registered[extended], np.full(len(extended), review_days + 20)
    )
    is_extended[extended] = True
    answered[extended] = calendar.add_working(
        registered[extended], review_days + rng.integers(1, 21, size=len(extended))
    )

    # Redirects: within 3 working days, or late for the planned applications and complaints.
    redirected = np.concatenate([redirected_ac, redirected_other])
    is_redirected = np.zeros(n, dtype=bool)
    is_redirected[redirected] = True
    redirected_on = np.zeros(n, dtype=np.int64)
    redirected_on[redirected] = calendar.add_working(
        registered[redirected], rng.integers(1, redirect_days + 1, size=len(redirected))
    )
    late_redirects = _pick(rng, redirected_ac, counts["redirected_late"])
    redirected_on[late_redirects] = calendar.add_working(
        registered[late_redirects], redirect_days + rng.integers(1, 6, size=len(late_redirects))
    )
    unjustified = np.zeros(n, dtype=bool)
    unjustified[_pick(rng, redirected, counts["unjustified_redirects"])] = True
    me = body_codes.index(plan.body)
    targets = np.array(body_codes, dtype=object)
    redirect_to = targets[(me + rng.integers(1, len(body_codes), size=n)) % len(body_codes)]

    # Hearings, court, distortions, ratings.
    hearing_required = np.zeros(n, dtype=bool)
    required = _pick(rng, np.flatnonzero(has_answer), counts["hearings_required"])
    hearing_required[required] = True
    hearing_held = hearing_required.copy()
    hearing_held[_pick(rng, required, counts["hearings_missed"])] = False
    burdensome = hearing_required & (rng.random(n) < 0.6)
    court_outcome = np.full(n, None, dtype=object)
    upheld = _pick(rng, reviewed_idx, counts["court_upheld_cases"])
    court_outcome[upheld] = "upheld"
    dismissed = _pick(rng, np.setdiff1d(reviewed_idx, upheld), 2 * len(upheld) + 1)
    court_outcome[dismissed] = "dismissed"
    distortions = np.full(n, None, dtype=object)
    codes = np.array(
        ["wrong_type", "wrong_topic", "wrong_applicant", "wrong_form", "wrong_dates"], dtype=object
    )
    facts = counts["statistics_distortions"]
    cards = _pick(rng, np.arange(n), facts)
    distortions[cards] = codes[rng.integers(0, len(codes), size=len(cards))]
    rating = np.zeros(n, dtype=np.int64)
    rated_idx = _pick(rng, np.flatnonzero(has_answer), plan.rated)
    satisfied = rated_idx[: plan.satisfied]
    unsatisfied = rated_idx[plan.satisfied :]
    rating[satisfied] = (
        _exact(rng, len(satisfied), {str(k): v for k, v in _SATISFIED_RATINGS.items()}).astype(
            np.int64
        )
        if len(satisfied)
        else []
    )
    rating[unsatisfied] = (
        _exact(rng, len(unsatisfied), {str(k): v for k, v in _UNSATISFIED_RATINGS.items()}).astype(
            np.int64
        )
        if len(unsatisfied)
        else []
    )
    has_rating = np.zeros(n, dtype=bool)
    has_rating[rated_idx] = True

    # Topics and titles.
    topics = _topics()
    topic_shares = _topic_weights(topics)
    topic = _exact(rng, n, topic_shares)
    subtopic = np.empty(n, dtype=object)
    title = np.empty(n, dtype=object)
    for entry in topics:
        where = np.flatnonzero(topic == entry["code"])
        if not len(where):
            continue
        subs = entry["subtopics"]
        chosen = _exact(rng, len(where), {s["code"]: float(s["share_pct"]) for s in subs})
        subtopic[where] = chosen
        for sub in subs:
            at = where[chosen == sub["code"]]
            if not len(at):
                continue
            ru = np.array(sub["titles"]["ru"], dtype=object)
            kk = np.array(sub["titles"]["kk"], dtype=object)
            in_kk = rng.random(len(at)) < 0.3
            title[at] = np.where(
                in_kk, kk[rng.integers(0, len(kk), len(at))], ru[rng.integers(0, len(ru), len(at))]
            )

    numbers = np.char.add(
        f"ЕО-{period.year}-{plan.body.upper()}-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)
    )
    deadline_dates = _dates(calendar.first, deadline)
    return pa.table(
        {
            "registration_number": pa.array(numbers.astype(object), pa.string()),
            "registered_at": registered_at,
            "body": pa.array(np.full(n, plan.body, dtype=object), pa.string()),
            "territorial_unit": pa.nulls(n, pa.string()),
            "appeal_type": pa.array(types, pa.string()),
            "form": pa.array(_exact(rng, n, _FORMS), pa.string()),
            "applicant_kind": pa.array(_exact(rng, n, _APPLICANTS), pa.string()),
            "topic": pa.array(topic, pa.string()),
            "subtopic": pa.array(subtopic, pa.string()),
            "title": pa.array(title, pa.string()),
            "control_deadline": deadline_dates,
            "redirected_to": _nullable(redirect_to, is_redirected, pa.string()),
            "redirected_at": _masked_timestamps(calendar.first, redirected_on, is_redirected, rng),
            "redirect_unjustified": pa.array(unjustified),
            "reviewed_at": _masked_timestamps(calendar.first, answered, has_answer, rng),
            "answered_at": _masked_timestamps(calendar.first, answered, has_answer, rng),
            "extended_at": _masked_timestamps(calendar.first, registered + 5, is_extended, rng),
            "extended_until": _masked_dates(calendar.first, extended_until, is_extended),
            "hearing_required": pa.array(hearing_required),
            "hearing_held": pa.array(hearing_held),
            "burdensome_act": pa.array(burdensome),
            "rating": _nullable(rating, has_rating, pa.int64()),
            "court_challenged": pa.array(np.array([o is not None for o in court_outcome])),
            "court_outcome": pa.array(court_outcome, pa.string()),
            "distortions": pa.array(distortions, pa.string()),
        }
    )


def _topic_weights(topics: list[dict[str, Any]]) -> dict[str, float]:
    """Weights of the topics: the printed counts of the published ones (their printed
    shares disagree with the counts), the rest sharing what is left by their shares."""
    national = 5_882_116
    published = {t["code"]: float(t["count"]) / national for t in topics if t.get("published")}
    others = {t["code"]: float(t["share_pct"]) for t in topics if not t.get("published")}
    left = 1 - sum(published.values())
    weight = sum(others.values())
    return published | {code: share / weight * left for code, share in others.items()}


def _dates(first: date, offsets: np.ndarray) -> pa.Array:
    epoch = (first - date(1970, 1, 1)).days
    return pa.array((epoch + offsets).astype(np.int32), pa.date32())


def _masked_dates(first: date, offsets: np.ndarray, present: np.ndarray) -> pa.Array:
    epoch = (first - date(1970, 1, 1)).days
    return pa.array((epoch + offsets).astype(np.int32), pa.date32(), mask=~present)


def _masked_timestamps(
    first: date, offsets: np.ndarray, present: np.ndarray, rng: np.random.Generator
) -> pa.Array:
    values = _timestamps(first, offsets, rng)
    return pa.array(values.to_numpy(zero_copy_only=False), pa.timestamp("us"), mask=~present)


def _body_bookings(
    plan: BodyPlan, period: Period, calendar: _Calendar, rng: np.random.Generator
) -> pa.Table:
    c = plan.counts
    buckets = [
        (c["booking_answer_within_15"], 1, 15),
        (c["booking_answer_within_30"], 16, 30),
        (c["booking_answer_within_60"], 31, 60),
        (c["booking_answer_over_60"], 61, 90),
    ]
    n = sum(b[0] for b in buckets)
    cancelled = max(0, n // 20)
    total = n + cancelled
    if total == 0:
        return BOOKINGS.record_schema().empty_table()
    wait = np.concatenate(
        [rng.integers(lo, hi + 1, size=k) for k, lo, hi in buckets]
        + [rng.integers(1, 15, size=cancelled)]
    )
    days_in_period = (period.last - period.first).days + 1
    start = (period.first - calendar.first).days
    booked = start + rng.integers(0, days_in_period, size=total)
    answered = booked + wait
    scheduled = answered + rng.integers(3, 11, size=total)
    # Receptions: on the date, within a month, later, or never, in that order of positions.
    active = rng.permutation(n)
    on_date = active[: c["received_on_date"]]
    within = active[c["received_on_date"] : c["received_on_date"] + c["received_within_month"]]
    later_start = c["received_on_date"] + c["received_within_month"]
    later = active[later_start : later_start + plan.received_later]
    received = np.full(total, -1, dtype=np.int64)
    received[on_date] = scheduled[on_date]
    received[within] = scheduled[within] + rng.integers(1, 28, size=len(within))
    received[later] = scheduled[later] + rng.integers(35, 60, size=len(later))
    was_received = received >= 0
    receivers = np.full(total, None, dtype=object)
    got = np.flatnonzero(was_received)
    got = rng.permutation(got)
    first_heads = c["received_by_first_head"]
    receivers[got[:first_heads]] = "first_head"
    receivers[got[first_heads:]] = np.where(
        rng.random(len(got) - first_heads) < 0.7, "deputy", "chief_of_staff"
    )
    is_cancelled = np.zeros(total, dtype=bool)
    is_cancelled[n:] = True
    numbers = np.char.add(
        f"ЛП-{period.year}-{plan.body.upper()}-",
        np.char.zfill(np.arange(1, total + 1).astype(str), 6),
    )
    return pa.table(
        {
            "booking_number": pa.array(numbers.astype(object), pa.string()),
            "body": pa.array(np.full(total, plan.body, dtype=object), pa.string()),
            "booked_at": _timestamps(calendar.first, booked, rng, (9, 13)),
            "answer_sent_at": _timestamps(calendar.first, answered, rng),
            "scheduled_for": _dates(calendar.first, scheduled),
            "received_at": _masked_timestamps(
                calendar.first, np.maximum(received, 0), was_received, rng
            ),
            "received_by": pa.array(receivers, pa.string()),
            "cancelled_by_applicant": pa.array(is_cancelled),
            "appeal_number": pa.nulls(total, pa.string()),
        }
    )


def _authority_scores(
    path: Path, methodology: Methodology, registry: BodyRegistry, report: PublishedReport
) -> None:
    """The indicators the records do not give, as the authorities delivered them."""
    from_records = set(RECORD_INDICATORS)
    inputs = {entry.body: entry for entry in reproduction_input(report, methodology)}
    columns = [i.id for i in methodology.indicators if i.id not in from_records]
    lines = ["body," + ",".join(columns)]
    for body in registry:
        entry = inputs[body.code]
        cells = []
        for column in columns:
            fact = entry.scores.get(column)
            cells.append(str(fact.value) if fact is not None else "")
        lines.append(body.code + "," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def synthesize_appeals(
    methodology: Methodology,
    out: Path,
    *,
    period: Period,
    scale: float = 1.0,
    seed: int = 0,
    registry: BodyRegistry | None = None,
    on_body: Callable[[str, int, int], None] | None = None,
) -> SynthResult:
    """Write ``appeals-<period>.parquet``, ``bookings-<period>.parquet`` and
    ``authority-scores-<period>.csv`` to ``out``; returns what was written.

    Raises ValueError for a non-positive scale, and LookupError when no published report
    of that year exists to calibrate to.
    """
    if scale <= 0:
        raise ValueError("the scale must be positive")
    registry = registry or load_bodies()
    report = load_published(period.year)
    plans = calibrate(report, methodology, registry, scale)
    rules = load_deadline_rules()
    calendar = _Calendar(*calendar_span(period))
    out.mkdir(parents=True, exist_ok=True)
    appeals_path = out / f"appeals-{period.name}.parquet"
    bookings_path = out / f"bookings-{period.name}.parquet"
    codes = [b.code for b in registry]
    rows = 0
    appeal_schema = APPEALS.record_schema()
    booking_schema = BOOKINGS.record_schema()
    with (
        pq.ParquetWriter(appeals_path, appeal_schema) as appeals,
        pq.ParquetWriter(bookings_path, booking_schema) as bookings,
    ):
        for index, plan in enumerate(plans, start=1):
            rng = np.random.default_rng([seed, index])
            table = _body_appeals(
                plan,
                codes,
                period,
                calendar,
                rng,
                rules.review_working_days("application"),
                rules.redirect_working_days("application"),
            )
            appeals.write_table(table.cast(appeal_schema))
            bookings.write_table(_body_bookings(plan, period, calendar, rng).cast(booking_schema))
            rows += table.num_rows
            if on_body is not None:
                on_body(plan.body, index, len(plans))
    scores_path = out / f"authority-scores-{period.name}.csv"
    _authority_scores(scores_path, methodology, registry, report)
    return SynthResult(appeals_path, bookings_path, scores_path, tuple(plans), rows)
