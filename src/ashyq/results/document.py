"""The results of a period as a self-contained JSON document.

Drafts and published snapshots hold the same document: every body's indicators, criteria,
total, grade and rank, the facts behind each score with their provenance, and the
movement against the previous published period. A snapshot never depends on code that may
change later: pages and downloads read only the document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, cast

from ashyq.index.dynamics import Movement, PreviousResult, compare_periods
from ashyq.index.engine import IndexResult
from ashyq.results.model import (
    BodyEntry,
    BodyMovement,
    CriterionEntry,
    FactEntry,
    IndicatorEntry,
    MethodologyRef,
    MovementEntry,
    ResultsDocument,
)

__all__ = ["canonical_json", "digest", "previous_of", "results_document", "results_payload"]


def _movement(movement: Movement) -> MovementEntry:
    return MovementEntry(previous=movement.previous, change=movement.change.value)


def results_document(
    result: IndexResult,
    period: int,
    *,
    previous: dict[str, Any] | None = None,
    incomplete: dict[str, list[str]] | None = None,
    earlier: Mapping[str, PreviousResult] | None = None,
) -> ResultsDocument:
    """The document of ``result`` for ``period``.

    ``previous`` is the document of the previous published period: each body then carries
    its movements against it. ``earlier`` gives those results as read from a results file
    instead (``index.dynamics.read_previous``), whose period is not known. ``incomplete``
    lists, by body, the indicators still missing source data (those bodies are not ranked
    yet).
    """
    methodology = result.methodology
    if previous:
        earlier = previous_of(previous)
    dynamics = compare_periods(result, dict(earlier)) if earlier else {}
    bodies = []
    for body_result in result.bodies:
        moved = dynamics.get(body_result.body.code)
        indicators = {
            indicator_id: IndicatorEntry(
                score=indicator.score,
                level=indicator.level,
                method=indicator.method.value,
                facts=tuple(
                    FactEntry(
                        field=name,
                        value=fact.value,
                        source=str(fact.provenance),
                        authority=fact.provenance.authority,
                    )
                    for name, fact in indicator.facts.items()
                ),
                movement=(
                    _movement(moved.indicators[indicator_id])
                    if moved is not None and indicator_id in moved.indicators
                    else None
                ),
            )
            for indicator_id, indicator in body_result.indicators.items()
        }
        criteria = {
            criterion_id: CriterionEntry(
                score=criterion.score,
                category=criterion.category,
                movement=(
                    _movement(moved.criteria[criterion_id])
                    if moved is not None and criterion_id in moved.criteria
                    else None
                ),
            )
            for criterion_id, criterion in body_result.criteria.items()
        }
        bodies.append(
            BodyEntry(
                code=body_result.body.code,
                level=body_result.body.level.value,
                rank=body_result.rank,
                total=body_result.total,
                grade=body_result.grade,
                criteria=criteria,
                indicators=indicators,
                movement=(
                    BodyMovement(
                        total=_movement(moved.total),
                        grade=_movement(moved.grade),
                        rank=_movement(moved.rank),
                    )
                    if moved is not None
                    else None
                ),
            )
        )
    return ResultsDocument(
        period=period,
        previous_period=previous["period"] if previous else None,
        methodology=MethodologyRef(id=methodology.id, version=methodology.version),
        bodies=tuple(bodies),
        incomplete=incomplete or {},
    )


def results_payload(
    result: IndexResult,
    period: int,
    *,
    previous: dict[str, Any] | None = None,
    incomplete: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The document of ``result`` (``results_document``) as the JSON it is stored as;
    decimals are kept as exact text."""
    document = results_document(result, period, previous=previous, incomplete=incomplete)
    return document.payload()


def previous_of(
    previous: ResultsDocument | dict[str, Any] | None,
) -> dict[str, PreviousResult]:
    """The results of a document (typed, or as its stored JSON) in the form
    ``compare_periods`` reads. A body the document left unranked (its source data
    incomplete) has nothing to move against."""
    if not previous:
        return {}
    document = (
        previous
        if isinstance(previous, ResultsDocument)
        else ResultsDocument.from_payload(previous)
    )
    # A grade, category or level the document leaves empty stays empty (None), as read.
    return {
        body.code: PreviousResult(
            body=body.code,
            total=body.total,
            grade=cast(str, body.grade),
            rank=body.rank,
            criteria={k: v.score for k, v in body.criteria.items()},
            categories={k: cast(str, v.category) for k, v in body.criteria.items()},
            indicators={k: v.score for k, v in body.indicators.items()},
            levels={k: cast(str, v.level) for k, v in body.indicators.items()},
        )
        for body in document.bodies
        if body.rank is not None
    }


def canonical_json(payload: dict[str, Any]) -> bytes:
    """The document as canonical UTF-8 JSON (sorted keys, no spaces), for hashing."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(payload: dict[str, Any]) -> str:
    """The SHA-256 of the canonical document: a published snapshot's fingerprint."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()
