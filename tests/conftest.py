"""Shared fixtures: the 2025 methodology, the bodies registry and the published report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles

from ashyq.access.accounts import use_hasher
from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.index.engine import BodyInput, IndexResult, compute_index
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.index.published import PublishedReport, load_published, reproduction_input
from ashyq.settings import PREFIX, Settings
from tests.portal_support import (
    BACKENDS,
    SeededPortal,
    SeededTemplate,
    portal_from,
    seeded_portal,
    seeded_template,
)

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session", autouse=True)
def _settings_only_from_the_tests() -> Iterator[None]:
    """No setting of the developer's environment (ASHYQ_HOME, ASHYQ_DATABASE_URL…) reaches
    a test: each sets what it needs (the CI's own ASHYQ_TEST_… variables are not settings)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in Settings.model_fields:
            patch.delenv(f"{PREFIX}{name.upper()}", raising=False)
        yield


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> None:
    """argon2's cheapest profile: the tests check hashing, not its cost (0.1 s a hash)."""
    use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))


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


@pytest.fixture(scope="session", params=BACKENDS)
def portal_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededTemplate]:
    """A portal database seeded once per session and backend, for tests to copy."""
    yield from seeded_template(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture
def portal(portal_template: SeededTemplate, tmp_path: Path) -> Iterator[SeededPortal]:
    """A freshly seeded portal (2025 published, 2026 open for disputes), once on SQLite
    and once on PostgreSQL."""
    yield from portal_from(portal_template, tmp_path)


@pytest.fixture(scope="module")
def read_only_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededPortal]:
    """One seeded SQLite portal shared by the tests of a module that only read."""
    folder = tmp_path_factory.mktemp("portal")
    seeded = seeded_portal(f"sqlite:///{folder / 'portal.sqlite3'}", folder / "home")
    try:
        yield seeded
    finally:
        seeded.close()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collecting the tests starts nothing: a thread left running by a module's import (a
    portal's escalation worker, an event loop) would run through every later test, and on
    Python 3.11 a traceback it formats races the parser of the next module collected."""
    del session
    running = sorted(t.name for t in threading.enumerate() if t is not threading.main_thread())
    if running:
        raise pytest.UsageError(f"threads started while collecting the tests: {running}")
