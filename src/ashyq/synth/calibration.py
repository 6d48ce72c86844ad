"""The per-body counts a synthetic year must contain, calibrated to the 2025 report.

At scale 1.0 every raw count seed 003 quotes for a body is taken exactly (МФ: 22 late of
391 954 reviewed). Every other count is solved for: the smallest change from a plausible
default that makes the index engine give the body's published score. Volumes follow the
published national totals, shares and the per-body volumes the report names. At another
scale, volumes are scaled and every count is solved for again, so the published scores
still come out wherever whole numbers allow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from ashyq.bodies import Body, BodyRegistry, Level
from ashyq.index.formulas import clamp_and_round, raw_score
from ashyq.index.methodology import Methodology
from ashyq.index.published import PublishedReport, reproduction_input

__all__ = ["NATIONAL_SHARES", "RECORD_INDICATORS", "BodyPlan", "calibrate"]

# Shares of all 2025 appeals by type (seed 003, line 155-165; national_facts.csv).
NATIONAL_SHARES: Final = {
    "application": Decimal("67.2"),
    "complaint": Decimal("6.4"),
    "request": Decimal("14.7"),
    "message": Decimal("8.1"),
    "proposal": Decimal("4.1"),
    "response": Decimal("0.4"),
}
_CGO_SHARE: Final = Decimal("0.67")
_REVIEWED_SHARE: Final = Decimal("0.66")  # of applications and complaints; the rest redirected
_RATED_SHARE: Final = Decimal("0.052")  # 308 160 ratings of 5 882 116 appeals
_PREFERRED_SATISFACTION: Final = Decimal("66.3")
_PREFERRED_REQUESTS: Final = Decimal("14.7")

# The indicators whose counts the appeal records give.
RECORD_INDICATORS: Final = (
    "review_timeliness",
    "redirect_timeliness",
    "unjustified_redirection",
    "hearing_procedure",
    "statistics_quality",
    "court_upheld",
    "first_head_activity",
    "reception_waiting",
    "satisfaction",
    "requests_share",
)


@dataclass
class BodyPlan:
    """What one body's synthetic records must add up to."""

    body: str
    level: Level
    counts: dict[str, int] = field(default_factory=dict)
    satisfied: int = 0
    rated: int = 0
    redirected_total: int = 0
    bookings_cancelled: int = 0
    received_later: int = 0
    # Indicators whose published score these counts do not give, and why.
    unreproduced: dict[str, str] = field(default_factory=dict)
    # Fields taken exactly from the report's prose.
    quoted: set[str] = field(default_factory=set)


Score = Callable[[int], Decimal]


def _interval(score: Score, lo: int, hi: int, target: Decimal) -> tuple[int, int] | None:
    """The integers in [lo, hi] where a monotone ``score`` equals ``target``, or None."""
    if lo > hi:
        return None
    increasing = score(hi) >= score(lo)

    def first(predicate: Callable[[int], bool]) -> int:
        low, high = lo, hi + 1
        while low < high:
            middle = (low + high) // 2
            if predicate(middle):
                high = middle
            else:
                low = middle + 1
        return low

    if increasing:
        start = first(lambda x: score(x) >= target)
        end = first(lambda x: score(x) > target) - 1
    else:
        start = first(lambda x: score(x) <= target)
        end = first(lambda x: score(x) < target) - 1
    if start > end or start > hi:
        return None
    return start, end


def _nearest(interval: tuple[int, int], preferred: int) -> int:
    return min(max(preferred, interval[0]), interval[1])


class _Solver:
    def __init__(self, methodology: Methodology, level: Level) -> None:
        self.methodology = methodology
        self.level = level

    def score(self, indicator: str, values: Mapping[str, int | Decimal]) -> Decimal:
        spec = self.methodology.indicator(indicator)
        decimals = {k: Decimal(v) for k, v in values.items()}
        raw = raw_score(spec, decimals, self.level)
        return clamp_and_round(raw, spec.max, self.methodology.rounding)

    def solve(
        self,
        indicator: str,
        fixed: Mapping[str, int | Decimal],
        free: str,
        lo: int,
        hi: int,
        target: Decimal,
        preferred: int,
    ) -> int | None:
        def score(x: int) -> Decimal:
            return self.score(indicator, {**fixed, free: x})

        interval = _interval(score, lo, hi, target)
        return None if interval is None else _nearest(interval, preferred)


def _quoted(report: PublishedReport, methodology: Methodology) -> dict[str, dict[str, int]]:
    """Quoted counts by body and field; a count that reproduces its score wins a conflict."""
    chosen: dict[str, dict[str, int]] = {}
    record_fields = {
        f for i in RECORD_INDICATORS for f in methodology.indicator(i).input_fields
    } - {"satisfaction_pct"}
    for fact in report.facts:
        if fact.field not in record_fields or fact.value != fact.value.to_integral_value():
            continue
        body = chosen.setdefault(fact.body, {})
        own = (
            fact.indicator in RECORD_INDICATORS
            and fact.field in methodology.indicator(fact.indicator).input_fields
        )
        if fact.field not in body or own:
            body[fact.field] = int(fact.value)
    return chosen


def _volumes(
    report: PublishedReport, registry: BodyRegistry, quoted: dict[str, dict[str, int]]
) -> dict[str, int]:
    """Appeals per body: the volumes the report names, the rest shared out by level."""
    redirected = {f.body: int(f.value) for f in report.facts if f.field == "redirected_total"}
    total = int(report.national["appeals_total"])
    named: dict[str, int] = {}
    for body in registry:
        key = f"appeals_{body.code}_count_rounded"
        if key in report.national:
            named[body.code] = int(report.national[key] * 1000)
    volumes: dict[str, int] = {}
    for level, share in ((Level.CGO, _CGO_SHARE), (Level.MIO, 1 - _CGO_SHARE)):
        bodies = registry.of_level(level)
        level_total = int(total * share) if level is Level.CGO else total - sum(volumes.values())
        fixed = {b.code: named[b.code] for b in bodies if b.code in named}
        rest = [b.code for b in bodies if b.code not in named]
        # A body the report quotes large counts for needs the volume to hold them.
        floors = {
            code: max(
                math.ceil(
                    (
                        quoted.get(code, {}).get("received_total", 0)
                        or quoted.get(code, {}).get("reviewed_total", 0) / float(_REVIEWED_SHARE)
                    )
                    / 0.72
                ),
                math.ceil(redirected.get(code, 0) * 1.25),
            )
            for code in rest
        }
        remaining = level_total - sum(fixed.values())
        # Share what is left above each body's floor, by a deterministic spread of weights.
        weights = {code: 1 + (index * 7919) % 13 for index, code in enumerate(rest)}
        spare = max(0, remaining - sum(floors.values()))
        weight_sum = sum(weights.values())
        shares = {c: floors[c] + spare * weights[c] // weight_sum for c in rest}
        volumes.update(fixed)
        volumes.update(shares)
    volumes[max(volumes, key=lambda c: volumes[c])] += total - sum(volumes.values())
    return volumes


_ANSWER_FIELDS: Final = (
    "booking_answer_within_15",
    "booking_answer_within_30",
    "booking_answer_within_60",
    "booking_answer_over_60",
)
_RECEPTION_FIELDS: Final = ("received_on_date", "received_within_month", "received_later_or_never")
_BOOKING_FIELDS: Final = _ANSWER_FIELDS + _RECEPTION_FIELDS


def _plan_body(
    body: Body,
    given: dict[str, int],
    volume: int,
    target: dict[str, Decimal],
    redirected_named: int | None,
    methodology: Methodology,
    report: PublishedReport,
    scale: float,
) -> BodyPlan:
    """One body's plan: quoted counts where given, solved counts elsewhere."""
    plan = BodyPlan(body.code, body.level)
    plan.quoted = set(given)
    solver = _Solver(methodology, body.level)

    def pick(name: str, default: int) -> int:
        return given.get(name, default)

    total = max(1, round(volume * scale))
    counts = plan.counts
    # Types: applications and complaints, requests in the band of the published score.
    received = pick("received_total", round(total * Decimal("0.736")))
    reviewed = pick("reviewed_total", round(received * _REVIEWED_SHARE))
    received = max(received, reviewed)
    total = max(total, received + 1)
    if "reviewed_total" not in given:
        reviewed = _denominator(
            reviewed,
            min(received, total),
            [
                ("review_timeliness", "reviewed_late", given.get("reviewed_late")),
                ("court_upheld", "court_upheld_cases", given.get("court_upheld_cases")),
            ],
            "reviewed_total",
            solver,
            target,
        )
    if "received_total" not in given:
        # The report's redirect total bounds the applications and complaints redirected.
        ceiling = total if redirected_named is None else reviewed + redirected_named
        received = _denominator(
            min(received, ceiling),
            ceiling,
            [("redirect_timeliness", "redirected_late", given.get("redirected_late"))],
            "received_total",
            solver,
            target,
            floor=reviewed,
        )
    requests = solver.solve(
        "requests_share",
        {"appeals_total": total},
        "information_requests",
        0,
        total - received,
        target["requests_share"],
        round(total * _PREFERRED_REQUESTS / 100),
    )
    if requests is None:
        plan.unreproduced["requests_share"] = "no whole number of requests gives the score"
        requests = min(total - received, round(total * _PREFERRED_REQUESTS / 100))
    counts.update(
        appeals_total=total,
        information_requests=requests,
        received_total=received,
        reviewed_total=reviewed,
    )
    redirected_ac = received - reviewed
    redirected_other = (
        round((total - received - requests) * (redirected_ac / received)) if received else 0
    )
    if redirected_named is not None:
        redirected_other = max(0, redirected_named - redirected_ac)
    plan.redirected_total = redirected_ac + redirected_other

    def solve_into(indicator: str, free: str, fixed: dict[str, int], hi: int, prefer: int) -> None:
        if free in given:
            counts[free] = given[free]
            if solver.score(indicator, {**fixed, free: given[free]}) != target[indicator]:
                plan.unreproduced[indicator] = "the quoted counts give another score"
            return
        value = solver.solve(indicator, fixed, free, 0, hi, target[indicator], prefer)
        if value is None:
            plan.unreproduced[indicator] = "no whole number gives the published score"
            value = prefer
        counts[free] = value

    solve_into("review_timeliness", "reviewed_late", {"reviewed_total": reviewed}, reviewed, 0)
    solve_into("court_upheld", "court_upheld_cases", {"reviewed_total": reviewed}, reviewed, 0)
    solve_into(
        "redirect_timeliness", "redirected_late", {"received_total": received}, redirected_ac, 0
    )
    solve_into("unjustified_redirection", "unjustified_redirects", {}, plan.redirected_total, 0)
    required = pick("hearings_required", max(1, round(reviewed * Decimal("0.03"))))
    if "hearings_required" not in given:
        required = _denominator(
            required,
            min(max(required * 2, 200), total - plan.redirected_total),
            [("hearing_procedure", "hearings_missed", given.get("hearings_missed"))],
            "hearings_required",
            solver,
            target,
            floor=1,
        )
    counts["hearings_required"] = required
    solve_into("hearing_procedure", "hearings_missed", {"hearings_required": required}, required, 0)
    solve_into("statistics_quality", "statistics_distortions", {}, total, 0)
    # Receptions: the citizens received, and the first head's share in its band. Where the
    # report quotes the reception categories, they count the citizens received (г. Алматы:
    # 119 + 232 + 94 = 445 received, of 1 078 bookings in the answer buckets).
    if all(name in given for name in _BOOKING_FIELDS):
        citizens = sum(given[name] for name in _RECEPTION_FIELDS)
    else:
        # A scaled-down year holds proportionally fewer receptions.
        receptions = 40 + total * Decimal("0.0012") * Decimal(min(scale, 1.0))
        citizens = pick("citizens_received", max(3, round(receptions)))
    counts["citizens_received"] = citizens
    solve_into(
        "first_head_activity",
        "received_by_first_head",
        {"citizens_received": citizens},
        citizens,
        round(citizens * Decimal("0.4")),
    )
    _plan_bookings(plan, solver, target["reception_waiting"], given)
    _plan_ratings(plan, solver, target["satisfaction"], report, total)
    return plan


def calibrate(
    report: PublishedReport,
    methodology: Methodology,
    registry: BodyRegistry,
    scale: float = 1.0,
) -> list[BodyPlan]:
    """The plan of every body's counts at ``scale`` (1.0: the national year)."""
    exact = scale == 1.0
    quoted_all = _quoted(report, methodology)
    quoted = quoted_all if exact else {}
    volumes = _volumes(report, registry, quoted_all)
    targets = {
        entry.body: {k: f.value for k, f in entry.scores.items()}
        for entry in reproduction_input(report, methodology)
    }
    redirected_named = {
        fact.body: int(fact.value) for fact in report.facts if fact.field == "redirected_total"
    }
    plans = []
    for body in registry:
        given = quoted.get(body.code, {})
        named = redirected_named.get(body.code) if exact else None
        plans.append(
            _plan_body(
                body,
                given,
                volumes[body.code],
                targets[body.code],
                named,
                methodology,
                report,
                scale,
            )
        )
    return plans


def _denominator(
    default: int,
    ceiling: int,
    numerators: list[tuple[str, str, int | None]],
    name: str,
    solver: _Solver,
    target: dict[str, Decimal],
    floor: int = 0,
) -> int:
    """The denominator nearest ``default`` for which every dependent score can be hit.

    Each numerator is either quoted (its score must then come out exactly) or free (some
    whole number of it must give the score). Falls back to ``default``.
    """

    def works(value: int) -> bool:
        for indicator, free, quoted in numerators:
            if quoted is not None:
                if (
                    quoted > value
                    or solver.score(indicator, {name: value, free: quoted}) != target[indicator]
                ):
                    return False
            elif (
                solver.solve(indicator, {name: value}, free, 0, value, target[indicator], 0) is None
            ):
                return False
        return True

    for step in range(4000):
        for value in (default + step, default - step):
            if floor <= value <= ceiling and value > 0 and works(value):
                return value
    return default


def _plan_bookings(plan: BodyPlan, solver: _Solver, target: Decimal, given: dict[str, int]) -> None:
    """Answer buckets and reception categories giving the published waiting score."""
    counts = plan.counts
    citizens = counts["citizens_received"]
    if all(name in given for name in _BOOKING_FIELDS):
        counts.update({name: given[name] for name in _BOOKING_FIELDS})
        plan.received_later = given["received_later_or_never"]
        values = {name: counts[name] for name in _BOOKING_FIELDS}
        if solver.score("reception_waiting", values) != target:
            plan.unreproduced["reception_waiting"] = "the quoted counts give another score"
        return
    # With n active bookings of which `citizens` were received, a = 3·n15 + 2·n30 + n60
    # and c = 2·on_date + within_month, the score is a·c / (2·n·citizens): for each c, one
    # division gives the a to try.
    half_cent = Decimal("0.005")
    for n in range(max(citizens, 1), max(citizens, 1) * 3 + 60):
        for c in range(min(2 * citizens, 2 * n), -1, -1):
            on_date, within = c // 2, c % 2
            if c == 0:
                candidates = [0]
            else:
                low = max(Decimal(0), (target - half_cent) * 2 * n * citizens / c)
                candidates = [int(low.to_integral_value(rounding="ROUND_CEILING"))]
                candidates.append(candidates[0] + 1)
            for a in candidates:
                n15, rest = divmod(a, 3)
                n30, n60 = (1, 0) if rest == 2 else (0, rest)
                if a > 3 * n or n15 + n30 + n60 > n:
                    continue
                values = {
                    "booking_answer_within_15": n15,
                    "booking_answer_within_30": n30,
                    "booking_answer_within_60": n60,
                    "booking_answer_over_60": n - n15 - n30 - n60,
                    "received_on_date": on_date,
                    "received_within_month": within,
                    "received_later_or_never": citizens - on_date - within,
                }
                if solver.score("reception_waiting", values) == target:
                    counts.update(values)
                    plan.received_later = citizens - on_date - within
                    return
    plan.unreproduced["reception_waiting"] = "no small set of bookings gives the score"
    counts.update(
        booking_answer_within_15=citizens,
        booking_answer_within_30=0,
        booking_answer_within_60=0,
        booking_answer_over_60=0,
        received_on_date=citizens,
        received_within_month=0,
        received_later_or_never=0,
    )


def _plan_ratings(
    plan: BodyPlan, solver: _Solver, target: Decimal, report: PublishedReport, total: int
) -> None:
    """Ratings whose satisfied share is the quoted one, or one in the published band."""
    # Only an answered appeal can be rated: the reviewed ones and the others not redirected.
    c = plan.counts
    redirected_other = max(0, plan.redirected_total - (c["received_total"] - c["reviewed_total"]))
    others = max(0, c["appeals_total"] - c["received_total"] - redirected_other)
    rated = max(1, min(c["reviewed_total"] + others, max(20, round(total * _RATED_SHARE))))
    quoted = next(
        (f.value for f in report.facts if f.body == plan.body and f.field == "satisfaction_pct"),
        None,
    )
    unsatisfied = next(
        (f.value for f in report.facts if f.body == plan.body and f.field == "unsatisfied_pct"),
        None,
    )
    wanted = (
        quoted if quoted is not None else (100 - unsatisfied if unsatisfied is not None else None)
    )

    def score(satisfied: int) -> Decimal:
        share = Decimal(100 * satisfied) / Decimal(rated)
        return solver.score("satisfaction", {"satisfaction_pct": share})

    interval = _interval(score, 0, rated, target)
    preferred = round(rated * (wanted if wanted is not None else _PREFERRED_SATISFACTION) / 100)
    if interval is None:
        plan.unreproduced["satisfaction"] = "no share of ratings gives the score"
        satisfied = preferred
    else:
        satisfied = _nearest(interval, preferred)
    plan.rated, plan.satisfied = rated, satisfied
