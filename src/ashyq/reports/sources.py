"""Where a report's data come from: a published period, or results computed from a file.

- :func:`published_openness` recomputes a period whose report ships with Ashyq (its
  printed indicator scores, with the documented errata), adds the raw counts its prose
  quotes, and the published national appeal figures.
- :func:`computed_openness` computes the index from an input file (as ``ashyq index
  compute`` does), optionally against a previous period's results file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.i18n import Text
from ashyq.index.dynamics import read_previous
from ashyq.index.engine import IndexResult, compute_index
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.index.published import load_published, reproduction_input
from ashyq.reports.openness import OpennessData
from ashyq.reports.statistics import published_statistics

__all__ = ["computed_openness", "published_openness"]

Facts = dict[tuple[str, str], dict[str, Decimal]]


def _computed_facts(result: IndexResult) -> Facts:
    facts: Facts = {}
    for body in result.bodies:
        for indicator_id, indicator in body.indicators.items():
            for field, fact in indicator.facts.items():
                facts.setdefault((body.body.code, indicator_id), {})[field] = fact.value
    return facts


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
        statistics=published_statistics(period),
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
) -> OpennessData:
    """The index computed from ``input_path``; raises InputError naming every bad cell."""
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
        statistics=published_statistics(period),
        source=source,
    )
