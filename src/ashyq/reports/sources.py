"""Where a report's data come from: a published period, or results computed from a file.

- :func:`published_openness` recomputes a period whose report ships with Ashyq (its
  printed indicator scores, with the documented errata), adds the raw counts its prose
  quotes, and the published national appeal figures.
- :func:`computed_openness` computes the index from an input file (as ``ashyq index
  compute`` does), optionally against a previous period's results file.
- :func:`snapshot_openness` reads a snapshot the portal published (and the one before
  it, for dynamics): the official results, whatever the code or source values do later.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import ibis

from ashyq.appeals.pipeline import open_period
from ashyq.appeals.stats import national_stats
from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.i18n import Text
from ashyq.index.dynamics import read_previous
from ashyq.index.engine import BodyInput, Fact, IndexResult, Provenance, compute_index
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.index.published import load_published, reproduction_input
from ashyq.periods import Period
from ashyq.records.store import RecordStore
from ashyq.reports.openness import OpennessData
from ashyq.reports.statistics import AppealStatistics, computed_statistics, published_statistics
from ashyq.results.document import previous_of
from ashyq.results.model import ResultsDocument

__all__ = ["appeal_statistics", "computed_openness", "published_openness", "snapshot_openness"]

Facts = dict[tuple[str, str], dict[str, Decimal]]


def _computed_facts(result: IndexResult) -> Facts:
    facts: Facts = {}
    for body in result.bodies:
        for indicator_id, indicator in body.indicators.items():
            for field, fact in indicator.facts.items():
                facts.setdefault((body.body.code, indicator_id), {})[field] = fact.value
    return facts


def appeal_statistics(
    period: int,
    *,
    registry: BodyRegistry | None = None,
    store: RecordStore | None = None,
    con: ibis.BaseBackend | None = None,
) -> AppealStatistics | None:
    """The national appeal figures of ``period``: the published ones if its report ships
    with Ashyq, else those computed from its stored e-Otinish records (on ``con``, by
    default the engine the settings choose), else None."""
    published = published_statistics(period, registry)
    if published is not None:
        return published
    try:
        data = open_period(Period.parse(str(period)), con=con, store=store)
        stats = national_stats(data, registry)
    except LookupError:  # no appeals stored for the period
        return None
    return computed_statistics(stats, registry)


def published_openness(period: int, registry: BodyRegistry | None = None) -> OpennessData:
    """The published results of ``period`` as report data; raises LookupError if none ship."""
    registry = registry or load_bodies()
    published = load_published(period)
    methodology = load_methodology(str(period))
    result = compute_index(methodology, reproduction_input(published, methodology), registry)
    facts = _computed_facts(result)
    for quoted in published.facts:
        facts.setdefault((quoted.body, quoted.indicator), {}).setdefault(quoted.field, quoted.value)
    source = Text(
        ru=f"баллы доклада АДГС «Индекс открытости» по итогам {period} года, пересчитанные "
        "по методике (с документированными исправлениями опечаток доклада)",
        kk=f"ҚР МҚІА-ның «Ашықтық индексі» {period} жыл қорытындысы бойынша баяндамасының "
        "әдістеме бойынша қайта есептелген балдары (баяндама қателерінің құжатталған "
        "түзетулерімен)",
        en=f"the scores of the ADGS Openness Index report for {period}, recomputed with the "
        "methodology (with the report's documented errata)",
    )
    return OpennessData(
        period=period,
        result=result,
        facts=facts,
        previous=None,
        previous_period=None,
        statistics=published_statistics(period, registry),
        source=source,
    )


def computed_openness(
    period: int,
    input_path: Path,
    *,
    methodology: Methodology | None = None,
    previous_path: Path | None = None,
    previous_period: str | None = None,
    registry: BodyRegistry | None = None,
    store: RecordStore | None = None,
) -> OpennessData:
    """The index computed from ``input_path``; raises InputError naming every bad cell.

    The national statistics are those of :func:`appeal_statistics` (``store`` holds the
    period's e-Otinish records; by default the data directory's).
    """
    registry = registry or load_bodies()
    methodology = methodology or load_methodology(str(period))
    inputs = read_index_input(input_path, methodology, registry)
    result = compute_index(methodology, inputs, registry)
    previous = read_previous(previous_path, methodology, registry) if previous_path else None
    source = Text(
        ru=f"расчёт Ashyq по исходным данным из файла {input_path.name}",
        kk=f"{input_path.name} файлындағы бастапқы деректер бойынша Ashyq есебі",
        en=f"computed by Ashyq from the source data in {input_path.name}",
    )
    return OpennessData(
        period=period,
        result=result,
        facts=_computed_facts(result),
        previous=previous,
        previous_period=(previous_period or str(period - 1)) if previous else None,
        statistics=appeal_statistics(period, registry=registry, store=store),
        source=source,
    )


def snapshot_openness(
    document: ResultsDocument,
    methodology: Methodology,
    *,
    version: int,
    previous: ResultsDocument | None = None,
    registry: BodyRegistry | None = None,
    store: RecordStore | None = None,
    con: ibis.BaseBackend | None = None,
) -> OpennessData:
    """Version ``version`` of a published snapshot as report data; ``previous`` is the
    document of the period published before it; ``con`` computes the appeal statistics
    when they were not published (``appeal_statistics``).

    Each indicator enters as the score the snapshot published, and its facts (raw counts
    and their sources) come with it, so the report states exactly the published figures.
    """
    registry = registry or load_bodies()
    period = document.period
    inputs = []
    facts: Facts = {}
    for body in document.bodies:
        scores: dict[str, Fact] = {}
        for indicator_id, indicator in body.indicators.items():
            sources = [fact.source for fact in indicator.facts]
            provenance = Provenance("; ".join(sources) or f"snapshot {period}")
            scores[indicator_id] = Fact(indicator.score, provenance)
            for fact in indicator.facts:
                if fact.field != indicator_id:
                    facts.setdefault((body.code, indicator_id), {})[fact.field] = fact.value
        inputs.append(BodyInput(body.code, scores, {}))
    result = compute_index(methodology, inputs, registry)
    previous_period = previous.period if previous else None
    source = Text(
        ru=f"опубликованные результаты {period} года, версия {version}",
        kk=f"{period} жылдың жарияланған нәтижелері, {version}-нұсқа",
        en=f"the published results of {period}, version {version}",
    )
    return OpennessData(
        period=period,
        result=result,
        facts=facts,
        previous=previous_of(previous) if previous else None,
        previous_period=str(previous_period) if previous_period is not None else None,
        statistics=appeal_statistics(period, registry=registry, store=store, con=con),
        source=source,
    )
