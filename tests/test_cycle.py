"""The evaluation cycle: roles, checks, workflow, accounts, uploads, publication."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect as inspect_db
from sqlalchemy import select
from sqlalchemy.orm import Session

from ashyq.access import auth as access_auth
from ashyq.access import management
from ashyq.access.accounts import Actor, authenticate, hash_password, session_actor, start_session
from ashyq.access.roles import ROLE_PERMISSIONS, Permission, Role, may
from ashyq.cycle import actions, auth
from ashyq.cycle.demo import demo_source_files
from ashyq.cycle.files import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, check_file, safe_name
from ashyq.cycle.workflow import ASTANA, State, due_state, timeline_deadlines
from ashyq.db import downgrade, make_engine, upgrade
from ashyq.db.models import (
    Account,
    AuditEntry,
    Base,
    Dispute,
    EvaluationPeriod,
    Snapshot,
    SourceValue,
)
from ashyq.errors import ConflictError, InvalidError, NotAllowedError, SignInRequiredError
from ashyq.index.engine import IndexResult
from ashyq.index.methodology import Methodology, Timeline, load_methodology
from ashyq.ratings import auth as ratings_auth
from ashyq.ratings import incidents, keys, services
from ashyq.results.document import digest
from ashyq.web.security import LoginLimiter, TooManyAttemptsError
from tests.portal_support import BACKENDS, SeededPortal, database_for

# --- roles and checks --------------------------------------------------------------------


def test_every_permission_is_held_and_the_public_only_reads() -> None:
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)
    assert ROLE_PERMISSIONS[Role.PUBLIC] == {Permission.VIEW_PUBLISHED}
    assert not may(Role.AUTHORITY, Permission.PUBLISH)
    assert not may(Role.BODY, Permission.VIEW_ALL_DRAFTS)
    assert may(Role.ANALYST, Permission.RESOLVE_DISPUTE)


def test_each_action_has_a_check_of_the_same_name() -> None:
    features = {
        auth: (actions,),
        ratings_auth: (incidents, keys, services),
        access_auth: (management,),
    }
    checked: set[str] = set()
    performed: set[str] = set()
    for checks, modules in features.items():
        names = {n for n in checks.__all__ if inspect.isfunction(getattr(checks, n))}
        assert not names & checked, "a check of the same name in two features"
        checked |= names
        performed |= {
            name
            for module in modules
            for name in module.__all__
            if inspect.isfunction(getattr(module, name))
            and "auth." + name in inspect.getsource(getattr(module, name))
            and name in names
        }
    # Every action that changes the cycle or an incident calls its own check, and no check
    # is orphaned except those that guard reading (views of drafts, disputes, uploads,
    # incidents and the log).
    reading = {"view_audit_log", "view_dispute", "view_draft", "view_uploads"}
    assert performed == checked - reading - {"view_incident", "view_incidents"}


def _actor(role: Role, **scope: str) -> Actor:
    return Actor(role, 1, "someone", scope.get("body"), scope.get("authority"))


def _period(state: State, **deadlines: datetime) -> EvaluationPeriod:
    due, disputes, consolidation = timeline_deadlines(_timeline(), 2026)
    return EvaluationPeriod(
        year=2026,
        methodology="2025",
        state=state.value,
        source_data_due=deadlines.get("due", due),
        disputes_until=deadlines.get("disputes", disputes),
        consolidation_by=consolidation,
    )


def _timeline() -> Timeline:
    return load_methodology("2025").timeline


def test_the_public_must_sign_in_and_others_are_refused_with_the_reason() -> None:
    with pytest.raises(SignInRequiredError):
        auth.publish_period(Actor(Role.PUBLIC), _period(State.CONSOLIDATION))
    with pytest.raises(NotAllowedError, match="role may not"):
        auth.publish_period(_actor(Role.BODY, body="mf"), _period(State.CONSOLIDATION))
    with pytest.raises(NotAllowedError, match="state"):
        auth.publish_period(_actor(Role.ANALYST), _period(State.DISPUTES_OPEN))
    auth.publish_period(_actor(Role.ANALYST), _period(State.CONSOLIDATION))


def test_an_authority_uploads_only_while_collecting_and_before_its_deadline() -> None:
    kpssu = _actor(Role.AUTHORITY, authority="kpssu")
    period = _period(State.COLLECTING)
    auth.upload_source_data(kpssu, period, period.source_data_due - timedelta(minutes=1))
    with pytest.raises(NotAllowedError, match="due by"):
        auth.upload_source_data(kpssu, period, period.source_data_due + timedelta(seconds=1))
    with pytest.raises(NotAllowedError):
        auth.upload_source_data(kpssu, _period(State.DISPUTES_OPEN), datetime.now(UTC))
    # The analyst may still correct source data after the authorities' deadline.
    auth.upload_source_data(_actor(Role.ANALYST), _period(State.CONSOLIDATION), datetime.now(UTC))


def test_a_representative_disputes_only_its_own_body_inside_the_window() -> None:
    rep = _actor(Role.BODY, body="mf")
    period = _period(State.DISPUTES_OPEN)
    inside = period.disputes_until - timedelta(hours=1)
    auth.file_dispute(rep, period, "mf", inside)
    with pytest.raises(NotAllowedError, match="own body"):
        auth.file_dispute(rep, period, "mzo", inside)
    with pytest.raises(NotAllowedError, match="open until"):
        auth.file_dispute(rep, period, "mf", period.disputes_until + timedelta(seconds=1))
    with pytest.raises(NotAllowedError, match="own body"):
        auth.view_draft(rep, "mzo")


# --- workflow ----------------------------------------------------------------------------


def test_deadlines_are_the_end_of_the_stated_day_in_astana() -> None:
    due, disputes, consolidation = timeline_deadlines(_timeline(), 2026)
    assert due == datetime(2027, 1, 20, 23, 59, 59, tzinfo=ASTANA)
    assert disputes == datetime(2027, 1, 27, 23, 59, 59, tzinfo=ASTANA)
    assert consolidation == datetime(2027, 2, 1, 23, 59, 59, tzinfo=ASTANA)
    assert due.utcoffset() == timedelta(hours=5)


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        (State.COLLECTING, datetime(2027, 1, 20, 23, 0, tzinfo=ASTANA), State.COLLECTING),
        (State.COLLECTING, datetime(2027, 1, 21, 0, 0, tzinfo=ASTANA), State.DISPUTES_OPEN),
        (State.COLLECTING, datetime(2027, 1, 28, 0, 0, tzinfo=ASTANA), State.CONSOLIDATION),
        (State.DISPUTES_OPEN, datetime(2027, 1, 27, 12, 0, tzinfo=ASTANA), State.DISPUTES_OPEN),
        (State.DRAFT, datetime(2027, 6, 1, tzinfo=ASTANA), State.DRAFT),
        (State.CONSOLIDATION, datetime(2027, 6, 1, tzinfo=ASTANA), State.CONSOLIDATION),
        (State.PUBLISHED, datetime(2027, 6, 1, tzinfo=ASTANA), State.PUBLISHED),
    ],
)
def test_periods_move_on_their_deadlines_only_where_the_clock_decides(
    state: State, now: datetime, expected: State
) -> None:
    due, disputes, _ = timeline_deadlines(_timeline(), 2026)
    assert due_state(state, now, due, disputes) is expected


# --- storage -----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_create_exactly_the_models_and_downgrade_to_nothing(
    backend: str, tmp_path: Path
) -> None:
    for url in database_for(backend, tmp_path):
        engine = make_engine(url)
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        downgrade(engine, "base")
        assert set(inspect_db(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()


def test_timestamps_come_back_aware_in_utc_and_naive_ones_are_refused(portal: SeededPortal) -> None:
    with portal.app.state.portal.sessions() as session:
        period = actions.get_period(session, 2026)
        assert period.source_data_due == datetime(2027, 1, 20, 23, 59, 59, tzinfo=ASTANA)
        assert period.source_data_due.tzinfo is not None
        period.consolidation_by = datetime(2027, 2, 1)  # naive
        with pytest.raises(Exception, match="naive datetime"):
            session.flush()


# --- accounts ----------------------------------------------------------------------------


def test_passwords_are_argon2_and_sessions_expire(portal: SeededPortal) -> None:
    with portal.app.state.portal.sessions() as session:
        account = session.scalar(select(Account).where(Account.username == "mf"))
        assert account is not None
        assert account.password_hash.startswith("$argon2id$")
        assert portal.passwords["mf"] not in account.password_hash
        assert authenticate(session, "mf", "wrong") is None
        assert authenticate(session, "nobody", portal.passwords["mf"]) is None
        signed_in = authenticate(session, "mf", portal.passwords["mf"])
        assert signed_in is not None
        assert signed_in.id == account.id
        started = datetime.now(UTC)
        token = start_session(session, account, now=started)
        assert session_actor(session, token, now=started).body_code == "mf"
        assert session_actor(session, token, now=started + timedelta(hours=9)).role is Role.PUBLIC
        account.active = False
        assert authenticate(session, "mf", portal.passwords["mf"]) is None
        assert session_actor(session, token, now=started).role is Role.PUBLIC


def test_the_login_limiter_blocks_an_address_and_a_username() -> None:
    limiter = LoginLimiter(limit=3, window=60)
    for _ in range(3):
        limiter.reserve("10.0.0.1", "mf")  # three wrong passwords
    with pytest.raises(TooManyAttemptsError) as blocked:
        limiter.reserve("10.0.0.1", "someone-else")
    assert 0 < blocked.value.retry_after <= 61
    with pytest.raises(TooManyAttemptsError):
        limiter.reserve("10.0.0.2", "MF")  # the username, from another address
    limiter.succeeded(limiter.reserve("10.0.0.2", "someone-else"))
    limiter.succeeded(limiter.reserve("10.0.0.2", "someone-else"))
    with pytest.raises(TooManyAttemptsError):
        limiter.reserve("10.0.0.2", "mf")  # a correct password for another clears not mf


def test_hashes_differ_for_the_same_password() -> None:
    assert hash_password("secret") != hash_password("secret")


# --- files -------------------------------------------------------------------------------


def test_uploads_are_checked_by_suffix_content_and_size() -> None:
    pdf = check_file("../../etc/Справка.pdf", b"%PDF-1.4 body", ATTACHMENT_TYPES, 1000)
    assert pdf.filename == "Справка.pdf"
    assert pdf.content_type == "application/pdf"
    with pytest.raises(InvalidError, match="type"):
        check_file("tool.exe", b"MZ", ATTACHMENT_TYPES, 1000)
    with pytest.raises(InvalidError, match=r"not a \.pdf"):
        check_file("fake.pdf", b"<html>", ATTACHMENT_TYPES, 1000)
    with pytest.raises(InvalidError, match=r"at most \d+ MB"):
        check_file("big.pdf", b"%PDF-" + b"x" * MAX_ATTACHMENT_BYTES, ATTACHMENT_TYPES, 1000)
    # UTF-16 (what Excel's "Unicode text" saves) is refused, naming the line.
    with pytest.raises(InvalidError, match="line 1: expected text"):
        check_file("data.csv", "body;x\n".encode("utf-16"), ATTACHMENT_TYPES, 1000)
    assert safe_name('a/b\\c<script>".csv') == "c_script__.csv"


# --- the cycle on a seeded portal --------------------------------------------------------


def _session(portal: SeededPortal) -> Session:
    session: Session = portal.app.state.portal.sessions()
    return session


def _as(session: Session, username: str) -> Actor:
    account = session.scalar(select(Account).where(Account.username == username))
    assert account is not None
    return Actor.of(account)


def test_the_seeded_2025_snapshot_is_the_published_report(
    portal: SeededPortal, result_2025: IndexResult
) -> None:
    with _session(portal) as session:
        snapshot = actions.latest_snapshot(session, actions.get_period(session, 2025))
        assert snapshot is not None
        assert snapshot.version == 1
        assert snapshot.sha256 == digest(snapshot.payload)
        totals = {b["code"]: Decimal(b["total"]) for b in snapshot.payload["bodies"]}
        assert totals == {r.body.code: r.total for r in result_2025.bodies}
        facts = snapshot.payload["bodies"][0]["indicators"]["review_timeliness"]["facts"]
        assert facts[0]["source"].startswith("seed 003 (2025)")


def test_2026_is_open_for_disputes_with_movement_against_2025(portal: SeededPortal) -> None:
    with _session(portal) as session:
        period = actions.get_period(session, 2026)
        assert period.state == State.DISPUTES_OPEN
        computation = actions.latest_computation(session, period)
        assert computation is not None
        assert computation.payload["incomplete"] == {}
        assert computation.payload["previous_period"] == 2025
        assert all("movement" in b for b in computation.payload["bodies"])
        assert actions.latest_snapshot(session, period) is None


def test_an_authority_file_replaces_its_values_and_reads_russian_numbers(
    portal: SeededPortal, methodology: Methodology
) -> None:
    with _session(portal) as session:
        admin = _as(session, "admin")
        analyst = _as(session, "analyst")
        actions.create_period(session, admin, 2027)
        period = actions.get_period(session, 2027)
        actions.move_period(session, analyst, period)
        kpssu = _as(session, "kpssu")
        content = demo_source_files(methodology, seed=5)["kpssu"]
        first = actions.upload_source_data(
            session, kpssu, period, "kpssu.csv", content, portal.home / "files"
        )
        assert first.status == "loaded", first.report
        indicators = [i for i in methodology.indicators if i.authority.value == "kpssu"]
        assert first.values_loaded == 49 * len(indicators)
        header, row = content.decode().splitlines()[:2]
        changed = row.split(";")
        changed[1] = "0,5"
        again = actions.upload_source_data(
            session,
            kpssu,
            period,
            "fix.csv",
            f"{header}\n{';'.join(changed)}\n".encode(),
            portal.home / "files",
        )
        assert again.status == "loaded"
        value = session.scalar(
            select(SourceValue).where(
                SourceValue.period_id == period.id,
                SourceValue.body_code == changed[0],
                SourceValue.field == header.split(";")[1],
            )
        )
        assert value is not None
        assert value.value == Decimal("0.5")
        assert value.file == "fix.csv"
        mki_column = next(i.id for i in methodology.indicators if i.authority.value == "mki")
        foreign = actions.upload_source_data(
            session,
            kpssu,
            period,
            "other.csv",
            f"body;{mki_column}\nmf;1\n".encode(),
            portal.home / "files",
        )
        assert foreign.status == "rejected"
        problem = foreign.report["problems"][0]
        assert (problem["file"], problem["row"], problem["column"]) == ("other.csv", 1, mki_column)
        assert problem["code"] == "unknown_column"


def test_open_disputes_block_publication_and_reopening_needs_a_reason(
    portal: SeededPortal,
) -> None:
    with _session(portal) as session:
        analyst = _as(session, "analyst")
        period = actions.get_period(session, 2026)
        actions.file_dispute(
            session,
            _as(session, "mf"),
            period,
            body_code="mf",
            indicator="review_timeliness",
            justification="The KPSSU count includes appeals withdrawn by the applicant.",
            attachments=[("letter.pdf", b"%PDF-1.4 letter")],
            files=portal.home / "files",
        )
        actions.move_period(session, analyst, period)
        with pytest.raises(ConflictError, match="still open"):
            actions.publish_period(session, analyst, period)
        dispute = session.scalars(select(Dispute)).one()
        actions.resolve_dispute(
            session, analyst, dispute, accept=False, resolution="The count follows the rules."
        )
        snapshot = actions.publish_period(session, analyst, period)
        assert (snapshot.version, snapshot.reason) == (1, None)
        with pytest.raises(InvalidError):
            actions.reopen_period(session, analyst, period, "  ")
        with pytest.raises(NotAllowedError):
            actions.reopen_period(session, _as(session, "admin"), period, "admins may not")


def test_reopen_and_republish_keep_the_first_version(portal: SeededPortal) -> None:
    with _session(portal) as session:
        analyst = _as(session, "analyst")
        period = actions.get_period(session, 2026)
        actions.move_period(session, analyst, period)
        first = actions.publish_period(session, analyst, period)
        first_sha = first.sha256
        actions.reopen_period(session, analyst, period, "MIICR corrected a survey score")
        assert period.state == State.CONSOLIDATION
        second = actions.publish_period(session, analyst, period)
        session.commit()
        assert second.version == 2
        assert second.reason == "MIICR corrected a survey score"
        stored = session.scalars(select(Snapshot).where(Snapshot.period_id == period.id)).all()
        assert [s.version for s in stored] == [1, 2]
        assert stored[0].sha256 == first_sha == digest(stored[0].payload)
        logged = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == "2026")
        ).all()
        assert logged.count("publish_period") == 2
        assert "reopen_period" in logged
