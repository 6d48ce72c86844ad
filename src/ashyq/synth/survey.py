"""Synthetic years of the public monitoring, calibrated to seed 001.

Each year is drawn with NumPy, a whole column at a time: respondents by region (a sample
allocated by the square root of the population), the services each rates (one to three,
sampled by the square root of their volume), both weighted back, with a non-response
factor; the channel, the day, the score and the barriers named. The scores are not drawn
freely: a year's *plan* (``survey_plan.py``) gives every body and service a target average
and satisfaction from the declaration (``survey_design.py``, ``survey.yaml``) and seed 001
(``monitoring/published.yaml``), computed with the weighted shares the drawn sample really
has; each service's answers then get scores by stratified systematic sampling on their
cumulative weight, the best of a few random orders, so the weighted statistics of the
stored answers reproduce the targets within one answer's weight per service. The same
seed gives the same files; a year's answers do not depend on which other years are
written.

The model of a score. A service with target average ``μ`` and satisfaction ``π`` (the
share of 5s) gives 5 with probability ``π`` and 1-4 otherwise, with the mean ``m = (μ −
5π)/(1 − π)`` of the other scores (the *rest mean*) shared by all services of a body; the
distribution over 1-4 is the exponential family ``q_k ∝ e^{θk}`` with that mean. With a
common rest mean a body's satisfaction is linear in its average, ``π = (μ − m)/(5 − m)``,
so averages and satisfactions of services, bodies and the nation agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ashyq.channels import CHANNELS
from ashyq.monitoring.bodies import region_choices
from ashyq.monitoring.model import BARRIERS, SURVEY_ANSWERS
from ashyq.periods import Period
from ashyq.records.model import CODES_SEPARATOR
from ashyq.records.store import RecordStore
from ashyq.synth.arrays import (
    Floats,
    Ints,
    apportion,
    dates,
    digits,
    exact_labels,
    fixed_width,
    numbered,
    taken,
)
from ashyq.synth.survey_design import (
    MIN_RESPONDENTS,
    SurveyDesign,
    SurveyService,
    load_survey_design,
    survey_services,
)
from ashyq.synth.survey_plan import Planner, Shares, YearPlan

__all__ = ["SurveySynthesis", "synthesize_survey"]

# A respondent's services are chosen among the 72 in blocks of this many respondents.
_BLOCK: Final = 200_000
# Random orders of each service's answers tried when giving scores (see ``_scores``).
_ORDERS: Final = 8


@dataclass(frozen=True)
class _Sample:
    """One year's answers before scores: respondent, service, region, channel, day, weight."""

    year: int
    respondents: int
    respondent: Ints
    answer_number: Ints
    service: Ints
    region: Ints
    channel: Ints
    day: Ints
    weight: Floats


def _channel_shares(design: SurveyDesign, year: int) -> Floats:
    first, last = min(design.channels), max(design.channels)
    at = (year - first) / (last - first)
    codes = [choice.code for choice in CHANNELS]
    start = np.array([float(design.channels[first][c]) for c in codes])
    end = np.array([float(design.channels[last][c]) for c in codes])
    shares: Floats = start + at * (end - start)
    normalised: Floats = shares / shares.sum()
    return normalised


def _chosen_services(rng: np.random.Generator, volumes: Floats, respondents: int) -> Ints:
    """Three distinct services per respondent, in order of choice, drawn without
    replacement with chances proportional to ``volumes`` (Gumbel top-k)."""
    logs = np.log(volumes)
    blocks = []
    for start in range(0, respondents, _BLOCK):
        size = min(_BLOCK, respondents - start)
        keys = logs[None, :] + rng.gumbel(size=(size, len(volumes)))
        top = np.argpartition(-keys, 3, axis=1)[:, :3]
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
        blocks.append(np.take_along_axis(top, order, axis=1))
    return np.concatenate(blocks).astype(np.int64)


def _sample(
    design: SurveyDesign, services: tuple[SurveyService, ...], year: int, scale: float, seed: int
) -> _Sample:
    rng = np.random.default_rng([seed, year])
    respondents = round(design.respondents * scale)
    regions_order = [choice.code for choice in region_choices()]
    population = np.array([float(design.region_population[code]) for code in regions_order])
    allocated = apportion(respondents, population ** float(design.allocation_power))
    region = exact_labels(rng, [int(n) for n in allocated])
    expansion = np.divide(
        population / population.sum(),
        allocated / respondents,
        out=np.zeros(len(population)),
        where=allocated > 0,
    )
    weight = expansion[region] * rng.lognormal(0.0, float(design.nonresponse_sigma), respondents)
    shares = [float(share) for share in design.services_per_respondent]
    rated = 1 + exact_labels(rng, [int(n) for n in apportion(respondents, shares)])
    # Services are sampled by a power of their volume (small ones are not too few) and
    # weighted back to it: an answer's weight is its respondent's times its service's.
    volume = np.array([s.volume for s in services])
    chance = volume ** float(design.service_allocation_power)
    design_factor = (volume / volume.sum()) / (chance / chance.sum())
    chosen = _chosen_services(rng, chance, respondents)
    taken_mask = np.arange(3)[None, :] < rated[:, None]
    respondent = np.repeat(np.arange(respondents, dtype=np.int64), rated)
    service = chosen[taken_mask]
    answer_weight = weight[respondent] * design_factor[service]
    answer_weight = np.maximum(
        np.round(answer_weight * len(service) / answer_weight.sum(), 4), 1e-4
    )
    days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    day = rng.integers(0, days, respondents)
    answers = len(respondent)
    return _Sample(
        year=year,
        respondents=respondents,
        respondent=respondent,
        answer_number=np.broadcast_to(np.arange(1, 4, dtype=np.int64), (respondents, 3))[
            taken_mask
        ],
        service=service,
        region=region[respondent],
        channel=rng.choice(3, size=answers, p=_channel_shares(design, year)).astype(np.int64),
        day=day[respondent],
        weight=answer_weight,
    )


def _shares(sample: _Sample, service_body: Ints, bodies: int) -> Shares:
    by_service = np.bincount(sample.service, sample.weight, minlength=len(service_body))
    by_body = np.bincount(service_body, by_service, minlength=bodies)
    within = np.divide(
        by_service,
        by_body[service_body],
        out=np.zeros(len(service_body)),
        where=by_body[service_body] > 0,
    )
    return Shares(by_body / by_body.sum(), within)


def _ordered_scores(sample: _Sample, plan: YearPlan, rng: np.random.Generator) -> Ints:
    """Scores by stratified sampling on cumulative weight within each service, the answers
    in random order: the answers' weights tile the service's cumulative weight, and each
    answer's score is where a random point of its own stretch falls among the cumulative
    target shares. Only an answer whose stretch crosses a boundary between two scores is
    left to chance, so each service's weighted share of every score is its target's within
    one answer's weight, and in expectation exactly (a fixed point, such as the middle of
    the stretch, would never give a score rarer than half an answer)."""
    services = len(plan.service_average)
    order = np.lexsort((rng.random(len(sample.service)), sample.service))
    service = sample.service[order]
    weight = sample.weight[order]
    totals = np.bincount(service, weight, minlength=services)
    cumulative = np.cumsum(weight)
    starts = np.concatenate(([0.0], np.cumsum(totals)[:-1]))
    fraction = rng.random(len(order))
    position = (cumulative - weight * fraction - starts[service]) / totals[service]
    bounds = np.cumsum(plan.score_probabilities, axis=1)[:, :4]
    ordered = 1 + (position[:, None] > bounds[service]).sum(axis=1)
    scores = np.empty(len(order), np.int64)
    scores[order] = ordered
    return scores


def _scores(sample: _Sample, plan: YearPlan, rng: np.random.Generator) -> Ints:
    """The scores of a year: of ``_ORDERS`` random orders, each service keeps the one whose
    weighted average and satisfaction miss its targets least (in units of the published
    precision: 0,005 of a point, 0,05 percentage points), so that even services of a few
    hundred answers print as seed 001 prints them."""
    services = len(plan.service_average)
    totals = np.bincount(sample.service, sample.weight, minlength=services)
    sampled = totals > 0
    best = np.zeros(len(sample.service), np.int64)
    best_miss = np.full(services, np.inf)
    for _ in range(_ORDERS):
        scores = _ordered_scores(sample, plan, rng)
        weighted = np.bincount(sample.service, sample.weight * scores, minlength=services)
        fives = np.bincount(sample.service, sample.weight * (scores == 5), minlength=services)
        average = np.divide(weighted, totals, out=np.zeros(services), where=sampled)
        satisfaction = np.divide(fives, totals, out=np.zeros(services), where=sampled)
        miss = (
            np.abs(average - plan.service_average) / 0.005
            + np.abs(satisfaction - plan.service_satisfaction) / 0.0005
        )
        better = miss < best_miss
        best = np.where(better[sample.service], scores, best)
        best_miss = np.where(better, miss, best_miss)
    return best


def _barriers(
    design: SurveyDesign, sample: _Sample, scores: Ints, rng: np.random.Generator
) -> pa.Array:
    """The barriers named with each answer, as ``code|code`` text (null for none)."""
    codes = [choice.code for choice in BARRIERS]
    channels = [choice.code for choice in CHANNELS]
    naming = np.array([float(design.barriers.naming_by_score[s]) for s in range(1, 6)])
    chances = np.array([[float(design.barriers.by_channel[c][b]) for b in codes] for c in channels])
    names_some = rng.random(len(scores)) < naming[scores - 1]
    named = rng.random((len(scores), len(codes))) < chances[sample.channel]
    # An answer that names barriers names at least its channel's likeliest.
    likeliest = chances.argmax(axis=1)[sample.channel]
    none = ~named.any(axis=1)
    named[none, likeliest[none]] = True
    bits = (named.astype(np.int64) << np.arange(len(codes), dtype=np.int64)).sum(axis=1)
    masks = np.where(names_some, bits, -1)
    vocabulary = pa.array(
        [
            CODES_SEPARATOR.join(code for i, code in enumerate(codes) if mask >> i & 1)
            for mask in range(1 << len(codes))
        ]
    )
    return taken(vocabulary, masks)


def _table(
    design: SurveyDesign,
    services: tuple[SurveyService, ...],
    sample: _Sample,
    scores: Ints,
    rng: np.random.Generator,
) -> pa.Table:
    prefix = f"{sample.year}-".encode()
    answers = len(sample.service)
    first_day = (date(sample.year, 1, 1) - date(1970, 1, 1)).days
    columns = {
        "answer_id": fixed_width(
            [prefix, digits(sample.respondent + 1, 7), b"-", digits(sample.answer_number, 1)],
            answers,
        ),
        "respondent_id": numbered(prefix.decode(), sample.respondent + 1, 7),
        "surveyed_on": dates(first_day + sample.day),
        "service_code": taken(pa.array([s.code for s in services]), sample.service),
        "body": taken(pa.array([s.body for s in services]), sample.service),
        "region": taken(pa.array([c.code for c in region_choices()]), sample.region),
        "channel": taken(pa.array([c.code for c in CHANNELS]), sample.channel),
        "score": pa.array(scores, pa.int64()),
        "barriers": _barriers(design, sample, scores, rng),
        "weight": pa.array(sample.weight, pa.float64()),
    }
    return pa.table(columns, schema=SURVEY_ANSWERS.record_schema())


def _write_store(table: pa.Table, home: Path, year: int) -> Path:
    """The answers of ``year`` as ``RecordStore`` keeps them under ``home``: one file per
    body, sorted by the key, with the store's columns (the row of an import file, the
    day the year's data is due as the time of ingest). Returns the year's directory."""
    rows = table.num_rows
    stored = (
        table.append_column("period", pa.repeat(str(year), rows))
        .append_column("source_file", pa.repeat("synthetic", rows))
        .append_column("source_row", pa.array(np.arange(1, rows + 1, dtype=np.int64)))
        .append_column(
            "ingested_at", pa.repeat(pa.scalar(datetime(year + 1, 1, 20), pa.timestamp("us")), rows)
        )
        .cast(SURVEY_ANSWERS.arrow_schema())
    )
    ordered = stored.take(
        pc.sort_indices(stored, [("body", "ascending"), ("answer_id", "ascending")])
    )
    bodies = ordered.column("body").to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, bodies[1:] != bodies[:-1]])
    ends = np.r_[starts[1:], len(bodies)]
    store, period = RecordStore(home), Period.parse(str(year))
    # One atomic run of the store: a reader sees the year before or after, never a mix.
    with store.run(SURVEY_ANSWERS, period) as run:
        directory = run.replace_all()
        for start, end in zip(starts, ends, strict=True):
            pq.write_table(
                ordered.slice(start, end - start), directory / f"{bodies[start]}.parquet"
            )
        run.finish_files()
    return store.directory(SURVEY_ANSWERS, period)


@dataclass(frozen=True)
class SurveySynthesis:
    """What ``synthesize_survey`` wrote: per year, its import file (or its directory in the
    store), with its counts, and the targets the year was calibrated to."""

    files: dict[int, Path]
    respondents: dict[int, int]
    answers: dict[int, int]
    plans: dict[int, YearPlan]
    services: tuple[SurveyService, ...]
    bodies: tuple[str, ...]


def synthesize_survey(
    years: list[int],
    out: Path,
    *,
    seed: int = 0,
    scale: float = 1.0,
    layout: Literal["import", "store"] = "import",
    design: SurveyDesign | None = None,
    on_year: Callable[[int], None] | None = None,
) -> SurveySynthesis:
    """Write the answers of each of ``years``: with ``layout="import"``, the file
    ``out/survey-answers-<year>.parquet`` for «ashyq monitoring import»; with
    ``layout="store"``, the store of the data home ``out`` directly, as an import would
    leave it (replacing the year's answers there).

    Raises ValueError for a year the design has no trend for or a scale giving fewer than
    ``MIN_RESPONDENTS`` respondents a year; CalibrationError when the targets cannot be
    met (a design error).
    """
    design = design or load_survey_design()
    unknown = sorted(set(years) - set(design.years()))
    if unknown:
        span = f"{min(design.years())}-{max(design.years())}"
        raise ValueError(f"no trend for {unknown}: the synthetic survey covers {span}")
    if round(design.respondents * scale) < MIN_RESPONDENTS:
        raise ValueError(f"scale {scale}: fewer than {MIN_RESPONDENTS} respondents a year")
    services = survey_services(design, seed)
    samples: dict[int, _Sample] = {}
    shares: dict[int, Shares] = {}

    def sample_of(year: int) -> _Sample:
        if year not in samples:
            samples[year] = _sample(design, services, year, scale, seed)
        return samples[year]

    planner: Planner

    def shares_of(year: int) -> Shares:
        if year not in shares:
            shares[year] = _shares(sample_of(year), planner.service_body, len(design.bodies))
        return shares[year]

    planner = Planner(design, services, shares_of, seed)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[int, Path] = {}
    counts: dict[int, int] = {}
    for year in sorted(set(years)):
        plan = planner.plan(year)
        sample = sample_of(year)
        rng = np.random.default_rng([seed, year, 1])
        scores = _scores(sample, plan, rng)
        table = _table(design, services, sample, scores, rng)
        if layout == "store":
            files[year] = _write_store(table, out, year)
        else:
            files[year] = out / f"survey-answers-{year}.parquet"
            pq.write_table(table, files[year])
        counts[year] = len(sample.service)
        if on_year is not None:
            on_year(year)
    return SurveySynthesis(
        files=files,
        respondents={year: samples[year].respondents for year in files},
        answers=counts,
        plans={year: planner.plans[year] for year in files},
        services=services,
        bodies=tuple(design.bodies),
    )
