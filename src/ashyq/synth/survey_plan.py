"""The targets of each year of the synthetic public monitoring: per body its average and
satisfaction, per service its average, and the probability of each score, computed with the
weighted shares the drawn sample really has (docs/methodology.md, *The synthetic survey*:
calibration)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from ashyq.monitoring.published import load_published_monitoring
from ashyq.synth.arrays import Bools, Floats
from ashyq.synth.survey_design import SurveyDesign, SurveyService

__all__ = ["CalibrationError", "Planner", "Shares", "YearPlan"]

_LOWEST_SATISFACTION: Final = 0.3
_HIGHEST_SATISFACTION: Final = 0.998
# A service's average stays this far above its body's rest mean, so it has some 5s.
_SERVICE_MARGIN: Final = 0.05


class CalibrationError(ArithmeticError):
    """A year's targets cannot be met by the drawn sample (names the year and body)."""


@dataclass(frozen=True)
class YearPlan:
    """The targets of one year: per body (design order) and per service (catalogue order)
    the average and satisfaction (a share), the bodies' rest means, and the probability
    of each score 1-5 of every service."""

    year: int
    body_average: Floats
    body_satisfaction: Floats
    body_rest_mean: Floats
    service_average: Floats
    service_satisfaction: Floats
    score_probabilities: Floats


def _bisect(
    gap: Callable[[Floats], Floats], low: float, high: float, size: int, rounds: int = 100
) -> Floats:
    """The roots of ``size`` nondecreasing functions evaluated together, by bisection."""
    lower = np.full(size, low)
    upper = np.full(size, high)
    for _ in range(rounds):
        middle = (lower + upper) / 2
        below = gap(middle) < 0
        lower = np.where(below, middle, lower)
        upper = np.where(below, upper, middle)
    result: Floats = (lower + upper) / 2
    return result


def _rest_distribution(rest_mean: Floats) -> Floats:
    """For each rest mean (in 1-4), the probabilities of 1, 2, 3 and 4: ``q_k ∝ e^{θk}``."""
    scores = np.arange(1.0, 5.0)

    def mean_gap(theta: Floats) -> Floats:
        weights = np.exp(theta[:, None] * scores[None, :])
        result: Floats = (weights * scores).sum(axis=1) / weights.sum(axis=1) - rest_mean
        return result

    theta = _bisect(mean_gap, -40.0, 40.0, len(rest_mean))
    weights = np.exp(theta[:, None] * scores[None, :])
    result: Floats = weights / weights.sum(axis=1, keepdims=True)
    return result


@dataclass(frozen=True)
class Shares:
    """The weighted shares of a year's sample: of each body in the nation, of each service
    in its body."""

    body: Floats
    service: Floats


class Planner:
    """Computes the targets of every year from the design, seed 001 and the samples."""

    def __init__(
        self,
        design: SurveyDesign,
        services: tuple[SurveyService, ...],
        shares: Callable[[int], Shares],
        seed: int,
    ) -> None:
        self.design = design
        self.services = services
        self.shares = shares
        self.seed = seed
        self.codes = list(design.bodies)
        index = {code: i for i, code in enumerate(self.codes)}
        self.service_body = np.array([index[s.body] for s in services], dtype=np.int64)
        declared = list(design.bodies.values())
        self.satisfaction = np.array([float(b.satisfaction_pct) / 100 for b in declared])
        self.change = np.array([float(b.change_pp) / 100 for b in declared])
        self.fixed_average = np.array(
            [np.nan if b.average is None else float(b.average) for b in declared]
        )
        changed = {
            b.code
            for b in load_published_monitoring().bodies
            if b.satisfaction_change_pp is not None or b.satisfaction_change_pp_below is not None
        }
        self.named_change = np.array([code in changed for code in self.codes])
        self.plans: dict[int, YearPlan] = {}

    def plan(self, year: int) -> YearPlan:
        """The targets of ``year`` (planning the years it depends on first)."""
        if year not in self.plans:
            last = max(self.design.years())
            if year == last:
                satisfaction, rest = self._latest(year)
            elif year == last - 1:
                satisfaction, rest = self._previous(year, self.plan(last))
            else:
                satisfaction, rest = self._earlier(year, self.plan(last - 1))
            self.plans[year] = self._services(year, satisfaction, rest)
        return self.plans[year]

    def _target(self, year: int) -> tuple[float, float]:
        average, satisfaction = self.design.national(year)
        return float(average), float(satisfaction) / 100

    def _rest_of_others(
        self, year: int, weights: Floats, satisfaction: Floats, rest: Floats, fixed: Bools
    ) -> Floats:
        """``rest`` with the bodies not ``fixed`` given the one rest mean that makes the
        nation's average the target."""
        average, _ = self._target(year)
        fixed_average = rest + satisfaction * (5 - rest)
        free = ~fixed.astype(bool)
        others = (
            average
            - (weights * np.where(free, 0.0, fixed_average)).sum()
            - 5 * (weights * np.where(free, satisfaction, 0.0)).sum()
        ) / (weights * np.where(free, 1 - satisfaction, 0.0)).sum()
        result: Floats = np.where(free, others, rest)
        self._check_rest(year, result)
        return result

    def _check_rest(self, year: int, rest: Floats) -> None:
        for code, value in zip(self.codes, rest, strict=True):
            if not 1.0 < value < 4.0:
                raise CalibrationError(
                    f"{year}, {code}: scores below 5 would average {value:.3f}, outside 1-4"
                )

    def _latest(self, year: int) -> tuple[Floats, Floats]:
        """The last year: bodies with a published average keep it and their satisfaction;
        the others' satisfaction moves by one shift to the nation's, and they share the
        rest mean that gives the nation's average."""
        weights = self.shares(year).body
        _, target = self._target(year)
        fixed = ~np.isnan(self.fixed_average)

        def satisfaction_at(shift: Floats) -> Floats:
            moved = np.clip(
                self.satisfaction[None, :] + shift[:, None],
                _LOWEST_SATISFACTION,
                _HIGHEST_SATISFACTION,
            )
            result: Floats = np.where(fixed[None, :], self.satisfaction[None, :], moved)
            return result

        shift = _bisect(
            lambda s: (satisfaction_at(s) * weights[None, :]).sum(axis=1) - target, -0.5, 0.5, 1
        )
        satisfaction = satisfaction_at(shift)[0]
        fixed_rest = np.where(
            fixed,
            (self.fixed_average - 5 * satisfaction) / np.where(fixed, 1 - satisfaction, 1.0),
            0.0,
        )
        return satisfaction, self._rest_of_others(year, weights, satisfaction, fixed_rest, fixed)

    def _previous(self, year: int, latest: YearPlan) -> tuple[Floats, Floats]:
        """The year before: bodies with a published change take it as declared; the
        others' declared changes scale by one factor so the nation's satisfaction is the
        target. Bodies with a published change keep their rest mean."""
        weights = self.shares(year).body
        _, target = self._target(year)
        named = self.named_change
        before = latest.body_satisfaction - np.where(named, self.change, 0.0)
        others = (weights * np.where(named, 0.0, self.change)).sum()
        factor = ((weights * before).sum() - target) / others if others else 0.0
        if factor <= 0:
            raise CalibrationError(f"{year}: the declared changes cannot give {target:.3f}")
        satisfaction = before - np.where(named, 0.0, factor * self.change)
        outside = (satisfaction < _LOWEST_SATISFACTION) | (satisfaction > _HIGHEST_SATISFACTION)
        for code, value in zip(np.array(self.codes)[outside], satisfaction[outside], strict=True):
            raise CalibrationError(
                f"{year}, {code}: satisfaction {100 * value:.1f} % ({factor=:.2f})"
            )
        rest = self._rest_of_others(
            year, weights, satisfaction, np.where(named, latest.body_rest_mean, 0.0), named
        )
        return satisfaction, rest

    def _earlier(self, year: int, reference: YearPlan) -> tuple[Floats, Floats]:
        """Years before: each body wanders around the reference year's satisfaction, all
        move by one shift to the nation's; one rest mean for all gives the average."""
        weights = self.shares(year).body
        average, target = self._target(year)
        rng = np.random.default_rng([self.seed, year, 2])
        wander = rng.normal(0.0, float(self.design.body_wander_pp) / 100, len(self.codes))
        base = reference.body_satisfaction + wander

        def satisfaction_at(shift: Floats) -> Floats:
            result: Floats = np.clip(
                base[None, :] + shift[:, None], _LOWEST_SATISFACTION, _HIGHEST_SATISFACTION
            )
            return result

        shift = _bisect(
            lambda s: (satisfaction_at(s) * weights[None, :]).sum(axis=1) - target, -0.8, 0.8, 1
        )
        satisfaction = satisfaction_at(shift)[0]
        rest = np.full(len(self.codes), (average - 5 * target) / (1 - target))
        self._check_rest(year, rest)
        return satisfaction, rest

    def _services(self, year: int, satisfaction: Floats, rest: Floats) -> YearPlan:
        """Service averages around their body's, moved per body so the body's weighted
        average is its target; in the last year, the named services keep seed 001's."""
        within = self.shares(year).service
        body_average = rest + satisfaction * (5 - rest)
        body = self.service_body
        last = year == max(self.design.years())
        published = np.array(
            [np.nan if s.published_average is None else float(s.published_average)
             for s in self.services]
        )  # fmt: skip
        if last:
            base = body_average[body] + np.array([s.offset for s in self.services])
        else:
            # A named service keeps its last-year distance from its body's average.
            latest = self.plan(max(self.design.years())).body_average
            offsets = np.where(
                np.isnan(published),
                [s.offset for s in self.services],
                published - latest[body],
            )
            base = body_average[body] + offsets
        fixed = last & ~np.isnan(published)
        lowest = rest[body] + _SERVICE_MARGIN

        def averages(move: Floats) -> Floats:
            moved = np.clip(base + move[body], lowest, 5.0)
            result: Floats = np.where(fixed, published, moved)
            return result

        def gap(move: Floats) -> Floats:
            weighted = np.bincount(body, within * averages(move), minlength=len(self.codes))
            result: Floats = weighted - body_average
            return result

        move = _bisect(gap, -5.0, 5.0, len(self.codes))
        sampled = np.bincount(body, within, minlength=len(self.codes)) > 0
        missed = np.abs(gap(move)) > 1e-9
        for code in np.array(self.codes)[sampled & missed]:
            raise CalibrationError(f"{year}, {code}: its services cannot average its target")
        service_average = averages(move)
        service_satisfaction = (service_average - rest[body]) / (5 - rest[body])
        probabilities = np.empty((len(self.services), 5))
        probabilities[:, :4] = (1 - service_satisfaction)[:, None] * _rest_distribution(rest)[body]
        probabilities[:, 4] = service_satisfaction
        return YearPlan(
            year,
            body_average,
            satisfaction,
            rest,
            service_average,
            service_satisfaction,
            probabilities,
        )
