"""The declaration of the synthetic public monitoring (``survey.yaml``): what seed 001 does
not state, as assumptions, checked against what it does state (``monitoring/published.yaml``)
and the registries when it loads; and the 72 services of the survey."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Annotated, Final

import numpy as np
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ashyq.bodies import Level
from ashyq.channels import CHANNELS
from ashyq.monitoring.bodies import load_monitored_bodies, region_choices
from ashyq.monitoring.model import BARRIERS
from ashyq.monitoring.published import (
    PublishedMonitoring,
    PublishedScore,
    load_published_monitoring,
)
from ashyq.numbers import parse_decimal

__all__ = [
    "MIN_RESPONDENTS",
    "BarrierDesign",
    "BodyDesign",
    "SurveyDesign",
    "SurveyDesignError",
    "SurveyService",
    "YearDesign",
    "check_design",
    "load_survey_design",
    "survey_services",
]

# Fewer respondents a year cannot carry the nation's figures to seed 001's precision
# (docs/methodology.md, *The synthetic survey*: tolerances).
MIN_RESPONDENTS: Final = 5000


class SurveyDesignError(ValueError):
    """``survey.yaml`` contradicts seed 001 or the registries; lists every problem."""


def _ru_decimal(value: object) -> Decimal:
    return parse_decimal(str(value))


RuDecimal = Annotated[Decimal, BeforeValidator(_ru_decimal)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BodyDesign(_Strict):
    """A body of the synthetic survey: its services, volume, 2025 satisfaction and change."""

    services: int = Field(ge=1)
    volume: RuDecimal = Field(gt=0)
    satisfaction_pct: RuDecimal = Field(gt=0, lt=100)
    change_pp: RuDecimal
    average: RuDecimal | None = Field(default=None, ge=1, le=5)


class YearDesign(_Strict):
    """A year's national figures, where seed 001 does not state them."""

    average: RuDecimal | None = Field(default=None, ge=1, le=5)
    satisfaction_pct: RuDecimal | None = Field(default=None, gt=0, lt=100)


class BarrierDesign(_Strict):
    """How often barriers are named: by score, and each by channel."""

    naming_by_score: dict[int, RuDecimal]
    by_channel: dict[str, dict[str, RuDecimal]]


class SurveyDesign(_Strict):
    """The declaration of the synthetic survey (``survey.yaml``)."""

    respondents: int = Field(ge=MIN_RESPONDENTS)
    services_per_respondent: tuple[RuDecimal, RuDecimal, RuDecimal]
    trend: dict[int, YearDesign]
    bodies: dict[str, BodyDesign]
    service_volume_sigma: RuDecimal = Field(ge=0)
    service_average_sd: RuDecimal = Field(ge=0)
    body_wander_pp: RuDecimal = Field(ge=0)
    region_population: dict[str, int]
    allocation_power: RuDecimal = Field(ge=0, le=1)
    service_allocation_power: RuDecimal = Field(ge=0, le=1)
    nonresponse_sigma: RuDecimal = Field(ge=0)
    channels: dict[int, dict[str, RuDecimal]]
    barriers: BarrierDesign

    def years(self) -> tuple[int, ...]:
        """The years the survey can be drawn for, in order."""
        return tuple(sorted(self.trend))

    def national(self, year: int) -> tuple[Decimal, Decimal]:
        """The average and satisfaction (%) of ``year``: seed 001's where it states them."""
        published = load_published_monitoring()
        declared = self.trend[year]
        average = published.trend.get(year, declared.average)
        satisfaction = declared.satisfaction_pct
        if year == published.period:
            satisfaction = published.national["satisfaction_pct"]
        if average is None or satisfaction is None:
            raise SurveyDesignError(f"{year}: no average or satisfaction")
        return average, satisfaction


def _rounds_to(value: Decimal, printed: Decimal) -> bool:
    """Whether ``value`` prints as ``printed`` at ``printed``'s precision (half up)."""
    exponent = printed.as_tuple().exponent
    step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    return abs(value - printed) <= step / 2


def _named_body_problems(named: PublishedScore, body: BodyDesign) -> list[str]:
    """How a body's declared figures contradict what seed 001 prints about it."""
    problems = []
    low, high = named.low, named.high
    if (
        low is not None
        and high is not None
        and not (body.average is not None and low <= body.average <= high)
    ):
        problems.append(f"{named.code}: average outside {low}-{high}")
    above = named.satisfaction_above_pct
    if above is not None and not body.satisfaction_pct > above:
        problems.append(f"{named.code}: satisfaction not above {above}")
    if named.satisfaction_range_pct is not None:
        least, most = named.satisfaction_range_pct
        if not least <= body.satisfaction_pct <= most:
            problems.append(f"{named.code}: satisfaction outside {least}-{most}")
    change = named.satisfaction_change_pp
    if change is not None and not _rounds_to(body.change_pp, change):
        problems.append(f"{named.code}: change is not {change}")
    below = named.satisfaction_change_pp_below
    if below is not None and not body.change_pp < below:
        problems.append(f"{named.code}: change not below {below}")
    return problems


def _check_bodies(design: SurveyDesign, published: PublishedMonitoring) -> list[str]:
    problems = []
    central = {b.code for b in load_monitored_bodies() if b.level is Level.CGO}
    declared = set(design.bodies)
    if declared != central:
        problems.append(
            f"bodies: the {len(central)} central monitored bodies; missing "
            f"{sorted(central - declared)}, unknown {sorted(declared - central)}"
        )
    if len(design.bodies) != published.national["central_bodies_rated"]:
        problems.append(f"bodies: {len(design.bodies)}, seed 001 rates 32")
    services = sum(body.services for body in design.bodies.values())
    if services != published.national["services_monitored"]:
        problems.append(f"services: {services} in all, seed 001 monitors 72")
    improving = sum(1 for body in design.bodies.values() if body.change_pp > 0)
    if improving != published.national["bodies_improving"]:
        problems.append(f"{improving} bodies improve, seed 001 ¶5 says 20")
    for named in published.bodies:
        body = design.bodies.get(named.code)
        if body is None:
            problems.append(f"{named.code}: named by seed 001, not declared")
        else:
            problems += _named_body_problems(named, body)
    for service in published.services:
        if service.body not in design.bodies:
            problems.append(f"{service.code}: its body {service.body} is not declared")
    return problems


def check_design(design: SurveyDesign) -> list[str]:
    """Every way ``design`` contradicts seed 001 or the registries."""
    published = load_published_monitoring()
    problems = _check_bodies(design, published)
    years = design.years()
    if list(years) != list(range(years[0], years[-1] + 1)) or years[-1] != published.period:
        problems.append(f"trend: years {years[0]}-{years[-1]} must run without gaps to 2025")
    for year, declared in design.trend.items():
        if (year in published.trend) == (declared.average is not None):
            problems.append(f"trend {year}: the average is declared where seed 001 states it")
        if (year == published.period) == (declared.satisfaction_pct is not None):
            problems.append(f"trend {year}: satisfaction declared for 2025 or missing")
    if sum(design.services_per_respondent) != 1:
        problems.append("services_per_respondent: the shares do not add up to 1")
    regions = {choice.code for choice in region_choices()}
    if set(design.region_population) != regions:
        problems.append("region_population: not the 20 regions")
    channels = {choice.code for choice in CHANNELS}
    if set(design.channels) != {years[0], years[-1]}:
        problems.append(f"channels: give shares for {years[0]} and {years[-1]}")
    for year, shares in design.channels.items():
        if set(shares) != channels or sum(shares.values()) != 1:
            problems.append(f"channels {year}: shares of {sorted(channels)} adding up to 1")
    barriers = {choice.code for choice in BARRIERS}
    if set(design.barriers.naming_by_score) != {1, 2, 3, 4, 5}:
        problems.append("barriers.naming_by_score: give scores 1-5")
    if set(design.barriers.by_channel) != channels or any(
        set(chances) != barriers for chances in design.barriers.by_channel.values()
    ):
        problems.append("barriers.by_channel: every channel, every barrier of seed 001")
    return problems


@cache
def load_survey_design() -> SurveyDesign:
    """The declaration of the synthetic survey, checked against seed 001 and the registries.

    Raises SurveyDesignError (every problem) or pydantic's ValidationError (a bad field).
    """
    text = resources.files("ashyq.synth").joinpath("survey.yaml").read_text("utf-8")
    design = SurveyDesign.model_validate(yaml.safe_load(text))
    problems = check_design(design)
    if problems:
        raise SurveyDesignError("; ".join(problems))
    return design


@dataclass(frozen=True)
class SurveyService:
    """One of the 72 services: its code and body, its published 2025 average if seed 001
    names it, its share of its body's answers, and its distance from its body's average."""

    code: str
    body: str
    published_average: Decimal | None
    volume: float
    offset: float


def survey_services(design: SurveyDesign, seed: int) -> tuple[SurveyService, ...]:
    """The services of the survey, body by body: those seed 001 names (its codes), then
    ``<body>_01``… Volumes and offsets are drawn from ``seed``."""
    rng = np.random.default_rng([seed, 0])
    named: dict[str, list[tuple[str, Decimal | None]]] = {}
    for service in load_published_monitoring().services:
        named.setdefault(str(service.body), []).append((service.code, service.low))
    services = []
    for body, declared in design.bodies.items():
        codes = named.get(body, [])
        generic = declared.services - len(codes)
        if generic < 0:
            raise SurveyDesignError(f"{body}: fewer services than seed 001 names")
        entries = codes + [(f"{body}_{k:02d}", None) for k in range(1, generic + 1)]
        factors = rng.lognormal(0.0, float(design.service_volume_sigma), len(entries))
        # A named service has the volume of an average service of its body.
        factors[: len(codes)] = factors.mean() if generic else 1.0
        offsets = rng.normal(0.0, float(design.service_average_sd), len(entries))
        share = factors / factors.sum()
        for (code, average), volume, offset in zip(entries, share, offsets, strict=True):
            services.append(
                SurveyService(code, body, average, float(declared.volume) * volume, offset)
            )
    return tuple(services)
