"""The results of a period as a self-contained JSON document.

Drafts and published snapshots hold the same document: every body's indicators, criteria,
total, grade and rank, the facts behind each score with their provenance, and the
movement against the previous published period. A snapshot never depends on code that may
change later: pages and downloads read only the document.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from ashyq.index.dynamics import Movement, PreviousResult, compare_periods
from ashyq.index.engine import IndexResult

__all__ = ["canonical_json", "digest", "previous_of", "results_payload"]


def _movement(movement: Movement) -> dict[str, str]:
    return {"previous": movement.previous, "change": movement.change.value}


def results_payload(
    result: IndexResult,
    period: int,
    *,
    previous: dict[str, Any] | None = None,
    incomplete: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The document of ``result`` for ``period``; decimals are kept as exact text.

    ``previous`` is the document of the previous published period: each body then carries
    its movements against it. ``incomplete`` lists, by body, the indicators still missing
    source data (those bodies are not ranked yet).
    """
    methodology = result.methodology
    dynamics = compare_periods(result, previous_of(previous)) if previous else {}
    bodies = []
    for body_result in result.bodies:
        moved = dynamics.get(body_result.body.code)
        indicators: dict[str, dict[str, Any]] = {}
        for indicator_id, indicator in body_result.indicators.items():
            indicators[indicator_id] = {
                "score": str(indicator.score),
                "level": indicator.level,
                "method": indicator.method.value,
                "facts": [
                    {
                        "field": name,
                        "value": str(fact.value),
                        "source": str(fact.provenance),
                        "authority": fact.provenance.authority,
                    }
                    for name, fact in indicator.facts.items()
                ],
            }
            if moved is not None and indicator_id in moved.indicators:
                indicators[indicator_id]["movement"] = _movement(moved.indicators[indicator_id])
        criteria = {
            criterion_id: {"score": str(criterion.score), "category": criterion.category}
            for criterion_id, criterion in body_result.criteria.items()
        }
        body: dict[str, Any] = {
            "code": body_result.body.code,
            "level": body_result.body.level.value,
            "rank": body_result.rank,
            "total": str(body_result.total),
            "grade": body_result.grade,
            "criteria": criteria,
            "indicators": indicators,
        }
        if moved is not None:
            body["movement"] = {
                "total": _movement(moved.total),
                "grade": _movement(moved.grade),
                "rank": _movement(moved.rank),
            }
        bodies.append(body)
    return {
        "period": period,
        "previous_period": previous["period"] if previous else None,
        "methodology": {"id": methodology.id, "version": methodology.version},
        "bodies": bodies,
        "incomplete": incomplete or {},
    }


def previous_of(payload: dict[str, Any] | None) -> dict[str, PreviousResult]:
    """The results of a document in the form ``compare_periods`` reads."""
    if not payload:
        return {}
    previous = {}
    for body in payload["bodies"]:
        previous[body["code"]] = PreviousResult(
            body=body["code"],
            total=Decimal(body["total"]),
            grade=body["grade"],
            rank=int(body["rank"]),
            criteria={k: Decimal(v["score"]) for k, v in body["criteria"].items()},
            categories={k: v["category"] for k, v in body["criteria"].items()},
            indicators={k: Decimal(v["score"]) for k, v in body["indicators"].items()},
            levels={k: v["level"] for k, v in body["indicators"].items()},
        )
    return previous


def canonical_json(payload: dict[str, Any]) -> bytes:
    """The document as canonical UTF-8 JSON (sorted keys, no spaces), for hashing."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(payload: dict[str, Any]) -> str:
    """The SHA-256 of the canonical document: a published snapshot's fingerprint."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()
