"""Shared fixtures: the 2025 methodology, the bodies registry and the published report."""

from __future__ import annotations

from pathlib import Path

import pytest

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.index.engine import BodyInput, IndexResult, compute_index
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.index.published import PublishedReport, load_published, reproduction_input

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session")
def methodology() -> Methodology:
    return load_methodology("2025")


@pytest.fixture(scope="session")
def registry() -> BodyRegistry:
    return load_bodies()


@pytest.fixture(scope="session")
def report() -> PublishedReport:
    return load_published(2025)


@pytest.fixture(scope="session")
def reference_inputs(report: PublishedReport, methodology: Methodology) -> list[BodyInput]:
    return reproduction_input(report, methodology)


@pytest.fixture(scope="session")
def result_2025(
    methodology: Methodology, reference_inputs: list[BodyInput], registry: BodyRegistry
) -> IndexResult:
    return compute_index(methodology, reference_inputs, registry)
