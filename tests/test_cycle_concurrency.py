"""The cycle's state changes under concurrent requests, on SQLite and on PostgreSQL.

Several threads, each with its own database session (as the portal's requests have), make
the same change at the same moment. Exactly one wins; every other one is refused with a
ConflictError, and the database holds one result and one audit entry, never two.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ashyq.access import management
from ashyq.access.accounts import Actor, authenticate, start_session
from ashyq.cycle import actions
from ashyq.cycle.workflow import State
from ashyq.db.models import (
    Account,
    AuditEntry,
    Dispute,
    LoginSession,
    Snapshot,
    SourceValue,
)
from ashyq.errors import ActionError, ConflictError
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import load_methodology
from tests.portal_support import NOW, SeededPortal

RACERS = 6
# Every racer must be answered well within this: a hung one fails the test, not the run.
TIMEOUT = 60.0


def _session(portal: SeededPortal) -> Session:
    session: Session = portal.app.state.portal.sessions()
    return session


def _as(session: Session, username: str) -> Actor:
    account = session.scalar(select(Account).where(Account.username == username))
    assert account is not None
    return Actor.of(account)


def _race(portal: SeededPortal, read: Callable[[Session], Callable[[], object]]) -> list[str]:
    """In RACERS threads, each in its own session: ``read`` what the change needs, wait
    for all the others to have read it too, then make the change (``read``'s answer) and
    commit. Returns each thread's outcome: ``won``, ``conflict`` or the unexpected error."""
    barrier = threading.Barrier(RACERS, timeout=TIMEOUT)
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer() -> None:
        with _session(portal) as session:
            change = read(session)
            barrier.wait()
            try:
                change()
                session.commit()
                outcome = "won"
            except ConflictError:
                outcome = "conflict"
            # A locked database, a duplicate key or a refusal of another kind is reported
            # as the outcome the test asserts on, instead of being lost in the thread.
            except (SQLAlchemyError, ActionError) as error:
                outcome = f"{type(error).__name__}: {error}"
            session.rollback()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return sorted(outcomes, key=lambda outcome: outcome != "won")


def _audited(portal: SeededPortal, action: str) -> int:
    with _session(portal) as session:
        count = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))
        assert count is not None
        return count


def _prepare(portal: SeededPortal, read: Callable[[Session], Callable[[], object]]) -> None:
    with _session(portal) as session:
        read(session)()
        session.commit()


def _move_2026(session: Session) -> Callable[[], object]:
    analyst, period = _as(session, "analyst"), actions.get_period(session, 2026)
    return lambda: actions.move_period(session, analyst, period)


def _publish_2026(session: Session) -> Callable[[], object]:
    analyst, period = _as(session, "analyst"), actions.get_period(session, 2026)
    return lambda: actions.publish_period(session, analyst, period)


def test_concurrent_moves_move_the_period_once(portal: SeededPortal) -> None:
    moves = _audited(portal, "move_period")
    outcomes = _race(portal, _move_2026)
    assert outcomes == ["won"] + ["conflict"] * (RACERS - 1)
    assert _audited(portal, "move_period") == moves + 1
    with _session(portal) as session:
        assert actions.get_period(session, 2026).state == State.CONSOLIDATION


def test_concurrent_publishes_write_one_snapshot_version(portal: SeededPortal) -> None:
    _prepare(portal, _move_2026)
    publications = _audited(portal, "publish_period")
    outcomes = _race(portal, _publish_2026)
    assert outcomes == ["won"] + ["conflict"] * (RACERS - 1)
    assert _audited(portal, "publish_period") == publications + 1
    with _session(portal) as session:
        period = actions.get_period(session, 2026)
        assert period.state == State.PUBLISHED
        versions = session.scalars(
            select(Snapshot.version).where(Snapshot.period_id == period.id)
        ).all()
        assert versions == [1]


def test_concurrent_reopenings_reopen_once(portal: SeededPortal) -> None:
    _prepare(portal, _move_2026)
    _prepare(portal, _publish_2026)
    reopenings = _audited(portal, "reopen_period")

    def reopen(session: Session) -> Callable[[], object]:
        analyst, period = _as(session, "analyst"), actions.get_period(session, 2026)
        return lambda: actions.reopen_period(session, analyst, period, "A corrected score")

    assert _race(portal, reopen) == ["won"] + ["conflict"] * (RACERS - 1)
    assert _audited(portal, "reopen_period") == reopenings + 1


def test_concurrent_resolutions_of_one_dispute_resolve_it_once(portal: SeededPortal) -> None:
    def file(session: Session) -> Callable[[], object]:
        return lambda: actions.file_dispute(
            session,
            _as(session, "mf"),
            actions.get_period(session, 2026),
            body_code="mf",
            indicator="open_budget",
            justification="The budget was published on time.",
            attachments=[],
            files=portal.home / "files",
            now=NOW,
        )

    _prepare(portal, file)
    resolutions = _audited(portal, "resolve_dispute")
    turn = iter(range(RACERS))
    turn_lock = threading.Lock()

    def resolve(session: Session) -> Callable[[], object]:
        with turn_lock:
            mine = next(turn)
        analyst, dispute = _as(session, "analyst"), session.scalars(select(Dispute)).one()
        # Half accept with a correction (and recompute), half reject: whichever wins alone.
        return lambda: actions.resolve_dispute(
            session,
            analyst,
            dispute,
            accept=mine % 2 == 0,
            resolution=f"Resolution {mine}",
            corrections={"open_budget": str(mine)} if mine % 2 == 0 else None,
        )

    assert _race(portal, resolve) == ["won"] + ["conflict"] * (RACERS - 1)
    assert _audited(portal, "resolve_dispute") == resolutions + 1
    with _session(portal) as session:
        dispute = session.scalars(select(Dispute)).one()
        assert dispute.resolution is not None
        winner = int(dispute.resolution.split()[-1])
        assert dispute.status == ("accepted" if winner % 2 == 0 else "rejected")
        corrected = session.scalars(
            select(SourceValue.value).where(SourceValue.dispute_id == dispute.id)
        ).all()
        assert corrected == ([Decimal(winner)] if winner % 2 == 0 else [])


def test_concurrent_deadline_checks_move_the_period_once(portal: SeededPortal) -> None:
    moves = _audited(portal, "deadline_passed")

    def check(session: Session) -> Callable[[], object]:
        after = actions.get_period(session, 2026).disputes_until + timedelta(seconds=1)

        def sync() -> None:
            if not actions.sync_deadlines(session, after):
                raise ConflictError("moved by another check")

        return sync

    assert _race(portal, check) == ["won"] + ["conflict"] * (RACERS - 1)
    assert _audited(portal, "deadline_passed") == moves + 1
    with _session(portal) as session:
        assert actions.get_period(session, 2026).state == State.CONSOLIDATION


def test_concurrent_blocks_block_once_and_end_the_sessions(portal: SeededPortal) -> None:
    with _session(portal) as session:
        account = authenticate(session, "mf", portal.passwords["mf"])
        assert account is not None
        start_session(session, account)
        session.commit()
        mf = account.id
    blocks = _audited(portal, "set_account_active")

    def block(session: Session) -> Callable[[], object]:
        admin = _as(session, "admin")
        session.get(Account, mf)  # each racer reads the account active
        return lambda: management.set_account_active(session, admin, mf, False)

    assert _race(portal, block) == ["won"] + ["conflict"] * (RACERS - 1)
    assert _audited(portal, "set_account_active") == blocks + 1
    with _session(portal) as session:
        blocked = session.get(Account, mf)
        assert blocked is not None
        assert not blocked.active
        left = session.scalar(
            select(func.count()).select_from(LoginSession).where(LoginSession.account_id == mf)
        )
        assert left == 0


def test_a_move_from_a_state_read_before_another_move_is_refused(
    portal: SeededPortal,
) -> None:
    # The same race without threads: both requests read the period in «disputes open»,
    # one moves it and commits, then the other moves it from what it read.
    with _session(portal) as first, _session(portal) as second:
        stale = actions.get_period(second, 2026)
        _move_2026(first)()
        first.commit()
        with pytest.raises(ConflictError):
            actions.move_period(second, _as(second, "analyst"), stale)


def test_a_period_holds_each_snapshot_version_once(portal: SeededPortal) -> None:
    # The database itself refuses a second snapshot of the same version, whatever the code.
    with _session(portal) as session:
        published = session.scalars(select(Snapshot)).first()
        assert published is not None
        session.add(
            Snapshot(
                period_id=published.period_id,
                version=published.version,
                sha256=published.sha256,
                payload=published.payload,
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_an_upload_lands_only_in_the_state_it_was_allowed_in(
    portal: SeededPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is read outside any lock; if the period moves on meanwhile, the values do
    # not land in a period that no longer takes them.
    with _session(portal) as session:
        admin, analyst = _as(session, "admin"), _as(session, "analyst")
        actions.create_period(session, admin, 2027)
        actions.move_period(session, analyst, actions.get_period(session, 2027))
        session.commit()
    parsed, moved = threading.Event(), threading.Event()

    def read_then_wait(*args: Any, **kwargs: Any) -> object:
        inputs = read_index_input(*args, **kwargs)
        parsed.set()
        assert moved.wait(TIMEOUT)
        return inputs

    monkeypatch.setattr("ashyq.cycle.actions.sources.read_index_input", read_then_wait)
    outcome: list[str] = []

    own = [i.id for i in load_methodology("2025").indicators if i.authority.value == "kpssu"]
    content = f"body;{';'.join(own)}\nmf;{';'.join('0' for _ in own)}\n".encode()

    def upload() -> None:
        with _session(portal) as session:
            kpssu, period = _as(session, "kpssu"), actions.get_period(session, 2027)
            try:
                actions.upload_source_data(
                    session,
                    kpssu,
                    period,
                    "kpssu.csv",
                    content,
                    portal.home / "files",
                    now=NOW,
                )
                session.commit()
                outcome.append("loaded")
            except ConflictError:
                outcome.append("conflict")

    thread = threading.Thread(target=upload)
    thread.start()
    assert parsed.wait(TIMEOUT)
    with _session(portal) as session:
        actions.move_period(session, _as(session, "analyst"), actions.get_period(session, 2027))
        session.commit()
    moved.set()
    thread.join(TIMEOUT)
    assert outcome == ["conflict"]
    with _session(portal) as session:
        period = actions.get_period(session, 2027)
        loaded = session.scalar(
            select(func.count(SourceValue.id)).where(SourceValue.period_id == period.id)
        )
        assert loaded == 0
