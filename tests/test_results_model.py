"""The results document has one typed shape (``ashyq.results.model``): every document the
code writes, and every snapshot stored, reads into it and back to the same JSON, so a
published snapshot's SHA-256 still verifies."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ashyq.db import make_engine
from ashyq.db.models import Snapshot
from ashyq.index.engine import IndexResult
from ashyq.reports.sources import published_openness
from ashyq.results.document import digest, previous_of, results_document, results_payload
from ashyq.results.model import ResultsDocument
from tests.portal_support import SeededPortal


@pytest.fixture(scope="module")
def result_2025() -> IndexResult:
    return published_openness(2025).result


def test_a_document_reads_back_to_the_same_json(result_2025: IndexResult) -> None:
    earlier = results_payload(result_2025, 2024)
    later = results_payload(result_2025, 2025, previous=earlier, incomplete={"mf": ["x"]})
    assert any("movement" in body for body in later["bodies"])
    for payload in (earlier, later):
        document = ResultsDocument.from_payload(copy.deepcopy(payload))
        assert document.payload() == payload
        assert digest(document.payload()) == digest(payload)


def test_the_builder_and_the_stored_json_are_one_shape(result_2025: IndexResult) -> None:
    document = results_document(result_2025, 2025)
    assert document.payload() == results_payload(result_2025, 2025)
    mf = document.body("mf")
    assert mf is not None
    assert mf.total == result_2025.for_body("mf").total
    assert document.body("no-such-body") is None


def test_every_stored_snapshot_reads_into_the_model_and_verifies(portal: SeededPortal) -> None:
    engine = make_engine(portal.url)
    try:
        with Session(engine) as session:
            snapshots = list(session.scalars(select(Snapshot)))
    finally:
        engine.dispose()
    assert snapshots
    for snapshot in snapshots:
        document = ResultsDocument.from_payload(snapshot.payload)
        assert digest(document.payload()) == snapshot.sha256


def test_a_document_of_another_shape_is_refused(result_2025: IndexResult) -> None:
    payload = results_payload(result_2025, 2025)
    extra = copy.deepcopy(payload)
    extra["bodies"][0]["indicators"]["review_timeliness"]["colour"] = "red"
    with pytest.raises(ValidationError):
        ResultsDocument.from_payload(extra)
    missing = copy.deepcopy(payload)
    del missing["bodies"][0]["total"]
    with pytest.raises(ValidationError):
        ResultsDocument.from_payload(missing)


def test_previous_of_reads_the_ranked_bodies(result_2025: IndexResult) -> None:
    payload = results_payload(result_2025, 2024)
    unranked = copy.deepcopy(payload)
    unranked["bodies"][0]["rank"] = None
    assert len(previous_of(payload)) == len(payload["bodies"])
    assert payload["bodies"][0]["code"] not in previous_of(unranked)
