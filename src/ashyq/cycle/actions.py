"""The actions of the evaluation cycle. Each calls its authorisation check of the same name
in ``ashyq.cycle.auth`` first, and records what it changed in the audit log.

The caller owns the transaction: actions add and flush, the web layer commits once per
request, so an action that fails leaves nothing half done.

Requests run at the same time. Every change of state (a period's, a dispute's, an
account's) is one conditional UPDATE from the state the request read, and an action that
depends on a period's state holds it the same way; when another request changed it first,
the action raises ConflictError. The UPDATE does the same on SQLite (whose write lock then
serialises the rest of the transaction) and on PostgreSQL (whose row lock does).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, delete, func, select, update
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value

from ashyq.access import audit
from ashyq.access.accounts import SYSTEM, Actor, hash_password, new_password
from ashyq.access.roles import Permission, Role, may
from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.cycle import auth
from ashyq.cycle.files import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_SOURCE_BYTES,
    SOURCE_TYPES,
    check_file,
    store_file,
)
from ashyq.cycle.workflow import NEXT_STATE, State, due_state, timeline_deadlines
from ashyq.db.models import (
    Account,
    Attachment,
    AuditEntry,
    Computation,
    Dispute,
    EvaluationPeriod,
    LoginSession,
    Roadmap,
    RoadmapMeasure,
    Snapshot,
    SourceValue,
    Upload,
    utcnow,
)
from ashyq.errors import (
    ConflictError,
    InputError,
    InputProblem,
    InvalidError,
    Message,
    NotFoundError,
)
from ashyq.i18n import N_, Lang
from ashyq.index.engine import BodyInput, Fact, Provenance, compute_index
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.limits import INPUT_LIMITS
from ashyq.numbers import parse_decimal
from ashyq.results.document import digest, results_payload
from ashyq.storage.atomic import refusing_full_disk

__all__ = [
    "MeasureInput",
    "compute_period",
    "create_account",
    "create_period",
    "file_dispute",
    "get_dispute",
    "get_period",
    "get_upload",
    "latest_computation",
    "latest_snapshot",
    "load_values",
    "move_period",
    "publish_period",
    "reopen_period",
    "resolve_dispute",
    "set_account_active",
    "set_deadlines",
    "submit_roadmap",
    "sync_deadlines",
    "upload_source_data",
    "visible_disputes",
]


def _period_state(period: EvaluationPeriod) -> dict[str, Any]:
    return {
        "state": period.state,
        "source_data_due": period.source_data_due.isoformat(),
        "disputes_until": period.disputes_until.isoformat(),
        "consolidation_by": period.consolidation_by.isoformat(),
    }


def get_period(session: Session, year: int) -> EvaluationPeriod:
    """The period of ``year``; raises NotFoundError."""
    period = session.scalar(select(EvaluationPeriod).where(EvaluationPeriod.year == year))
    if period is None:
        raise NotFoundError(N_("No period {period}."), period=year)
    return period


# --- changing state under concurrent requests --------------------------------------------

_PERIOD_CHANGED = N_(
    "Someone else changed the {period} period meanwhile; reload the page and try again."
)


def _updated(session: Session, statement: Update) -> int:
    # The objects in the session are set by the caller, and only when the row changed.
    result = session.execute(statement.execution_options(synchronize_session=False))
    return cast("CursorResult[Any]", result).rowcount


def _hold(session: Session, period: EvaluationPeriod) -> None:
    """Hold the period in the state this request read (and authorised the action by) until
    the transaction ends; raise ConflictError when another request has moved it.

    A no-op conditional UPDATE: it locks the period's row on PostgreSQL and takes the write
    lock on SQLite, so no transition slips in between this check and the commit. (pysqlite
    begins the transaction at this first write, so no older read snapshot is upgraded, which
    would fail at once with "database is locked" instead of waiting for the lock.)
    """
    held = _updated(
        session,
        update(EvaluationPeriod)
        .where(EvaluationPeriod.id == period.id, EvaluationPeriod.state == period.state)
        .values(state=EvaluationPeriod.state),
    )
    if not held:
        session.expire(period, ["state"])
        raise ConflictError(_PERIOD_CHANGED, period=period.year)


def _transition(
    session: Session, period: EvaluationPeriod, target: State, *still: ColumnElement[bool]
) -> bool:
    """Move the period from the state this request read to ``target`` if it is still there
    (and every condition of ``still`` holds), in one UPDATE; returns whether it moved."""
    moved = _updated(
        session,
        update(EvaluationPeriod)
        .where(EvaluationPeriod.id == period.id, EvaluationPeriod.state == period.state, *still)
        .values(state=target.value),
    )
    if moved:
        set_committed_value(period, "state", target.value)
    else:
        # Read again when next asked for: the state is no longer what this request saw.
        session.expire(period, ["state"])
    return bool(moved)


# --- reading what the actor may see -------------------------------------------------------


def visible_disputes(session: Session, actor: Actor, period: EvaluationPeriod) -> list[Dispute]:
    """The disputes of a period the actor may see: every one for analysts, their own
    body's for a representative, none for anyone else."""
    query = select(Dispute).where(Dispute.period_id == period.id).order_by(Dispute.id)
    if may(actor.role, Permission.VIEW_ALL_DISPUTES):
        return list(session.scalars(query))
    if may(actor.role, Permission.VIEW_OWN_DISPUTES) and actor.body_code:
        return list(session.scalars(query.where(Dispute.body_code == actor.body_code)))
    return []


def get_dispute(session: Session, actor: Actor, dispute_id: int) -> Dispute:
    """A dispute the actor may see; raises NotFoundError for a missing one and for one
    of another body alike."""
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFoundError(N_("No such dispute."))
    auth.view_dispute(actor, dispute)
    return dispute


def get_upload(session: Session, actor: Actor, upload_id: int) -> Upload:
    """An upload whose report the actor may read; raises NotFoundError."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFoundError(N_("No such upload."))
    auth.view_uploads(actor, upload.authority)
    return upload


# --- accounts and periods ----------------------------------------------------------------


def create_account(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: Role,
    body_code: str | None = None,
    authority: str | None = None,
    password: str | None = None,
    registry: BodyRegistry | None = None,
) -> tuple[Account, str]:
    """Create an account; returns it with its password (a random one unless given).

    A representative needs a body of the registry, an authority account one of the three
    authorities; other roles have neither. Raises InvalidError or ConflictError (username taken).
    """
    auth.create_account(actor)
    if role is Role.PUBLIC:
        raise InvalidError(N_("The public has no accounts."))
    if role is Role.BODY:
        if body_code is None or body_code not in {b.code for b in registry or load_bodies()}:
            raise InvalidError(N_("A representative's account needs an evaluated body."))
    elif body_code is not None:
        raise InvalidError(N_("Only a representative's account names a body."))
    if role is Role.AUTHORITY:
        if authority not in {"kpssu", "mki", "miicr"}:
            raise InvalidError(N_("An authority's account needs KPSSU, MKI or MIICR."))
    elif authority is not None:
        raise InvalidError(N_("Only an authority's account names an authority."))
    if not username.strip() or len(username) > 80:
        raise InvalidError(N_("A username of 1 to 80 characters."))
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise ConflictError(N_("The username {username} is taken."), username=username)
    password = password or new_password()
    account = Account(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role.value,
        body_code=body_code,
        authority=authority,
    )
    session.add(account)
    session.flush()
    after = {"username": username, "role": role.value, "body": body_code, "authority": authority}
    audit.record(session, actor, "create_account", "account", account.id, None, after)
    return account, password


def set_account_active(session: Session, actor: Actor, account_id: int, active: bool) -> Account:
    """Block or unblock an account, ending every sign-in session it has.

    Raises NotFoundError, or ConflictError when another request blocked or unblocked it
    since it was read.
    """
    auth.set_account_active(actor)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(N_("No such account."))
    was = account.active
    changed = _updated(
        session,
        update(Account)
        .where(Account.id == account.id, Account.active == was)
        .values(active=active),
    )
    if not changed:
        raise ConflictError(
            N_(
                "Someone else changed the account {username} meanwhile; "
                "reload the page and try again."
            ),
            username=account.username,
        )
    set_committed_value(account, "active", active)
    # Unblocking ends sessions too: one a sign-in opened while the block was being written
    # must not come back to life with the account.
    session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    after = {"active": active}
    audit.record(
        session, actor, "set_account_active", "account", account.id, {"active": was}, after
    )
    return account


def create_period(
    session: Session, actor: Actor, year: int, methodology: str = "2025"
) -> EvaluationPeriod:
    """Open the period of ``year`` in draft, with the deadlines of its methodology."""
    auth.create_period(actor)
    loaded = load_methodology(methodology)
    if session.scalar(select(EvaluationPeriod.id).where(EvaluationPeriod.year == year)) is not None:
        raise ConflictError(N_("The period {period} exists."), period=year)
    due, disputes, consolidation = timeline_deadlines(loaded.timeline, year)
    period = EvaluationPeriod(
        year=year,
        methodology=methodology,
        state=State.DRAFT.value,
        source_data_due=due,
        disputes_until=disputes,
        consolidation_by=consolidation,
    )
    session.add(period)
    session.flush()
    audit.record(session, actor, "create_period", "period", year, None, _period_state(period))
    return period


def set_deadlines(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    *,
    source_data_due: datetime,
    disputes_until: datetime,
    consolidation_by: datetime,
) -> EvaluationPeriod:
    """Change a period's deadlines; they must come in the cycle's order."""
    auth.set_deadlines(actor, period)
    if not source_data_due < disputes_until < consolidation_by:
        raise InvalidError(
            N_("Deadlines in order: source data, then disputes, then consolidation.")
        )
    _hold(session, period)
    before = _period_state(period)
    period.source_data_due = source_data_due
    period.disputes_until = disputes_until
    period.consolidation_by = consolidation_by
    audit.record(
        session, actor, "set_deadlines", "period", period.year, before, _period_state(period)
    )
    return period


def _move(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    state: State,
    action: str,
    **noted: Any,
) -> None:
    before = _period_state(period)
    if not _transition(session, period, state):
        raise ConflictError(_PERIOD_CHANGED, period=period.year)
    after = {**_period_state(period), **noted}
    audit.record(session, actor, action, "period", period.year, before, after)


def move_period(session: Session, actor: Actor, period: EvaluationPeriod) -> EvaluationPeriod:
    """Move a period to its next state (draft → collecting → disputes open → consolidation).

    Raises ConflictError when another request moved it since it was read.
    """
    auth.move_period(actor, period)
    _move(session, actor, period, NEXT_STATE[State(period.state)], "move_period")
    return period


def sync_deadlines(session: Session, now: datetime | None = None) -> list[EvaluationPeriod]:
    """Move every period whose deadline has passed; returns the periods moved.

    A period another request moved meanwhile, or whose deadline was put off meanwhile, is
    left as it is now.
    """
    now = now or utcnow()
    moved = []
    # Read them all first: on SQLite an open read cursor would block the writes below.
    for period in session.scalars(select(EvaluationPeriod)).all():
        state = State(period.state)
        target = due_state(state, now, period.source_data_due, period.disputes_until)
        if target is state:
            continue
        passed: list[ColumnElement[bool]] = []
        if state is State.COLLECTING:
            passed.append(EvaluationPeriod.source_data_due < now)
        if target is State.CONSOLIDATION:
            passed.append(EvaluationPeriod.disputes_until < now)
        before = _period_state(period)
        if _transition(session, period, target, *passed):
            audit.record(
                session,
                SYSTEM,
                "deadline_passed",
                "period",
                period.year,
                before,
                _period_state(period),
            )
            moved.append(period)
    return moved


# --- source data -------------------------------------------------------------------------


def _methodology(period: EvaluationPeriod) -> Methodology:
    return load_methodology(period.methodology)


def upload_source_data(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    filename: str,
    content: bytes,
    files: Path,
    *,
    lang: Lang = "ru",
    now: datetime | None = None,
) -> Upload:
    """Load a CSV or XLSX of source values, one row per body.

    An authority's file may hold only its own indicators (scores or raw counts); an
    analyst's any. Every value of the file replaces the body's earlier value of the same
    indicator. The file is kept either way; a file with any problem loads nothing, and its
    report names each file, row and column. Raises InvalidError for a wrong type or size.
    """
    now = now or utcnow()
    auth.upload_source_data(actor, period, now)
    checked = check_file(filename, content, SOURCE_TYPES, MAX_SOURCE_BYTES)
    methodology = _methodology(period)
    own = [
        i.id
        for i in methodology.indicators
        if actor.role is not Role.AUTHORITY or i.authority.value == actor.authority
    ]
    stored = store_file(files, checked, content)
    upload = Upload(
        period_id=period.id,
        account_id=actor.account_id,
        authority=actor.authority,
        filename=checked.filename,
        stored_as=stored.name,
        sha256=checked.sha256,
        size=checked.size,
        uploaded_at=now,
        status="rejected",
    )
    with tempfile.TemporaryDirectory() as folder:
        # Read under its own name, so every problem names the file the person sent.
        named = Path(folder) / checked.filename
        with refusing_full_disk():
            named.write_bytes(content)
        try:
            inputs = read_index_input(
                named, methodology, load_bodies(), require_all_bodies=False, indicators=own
            )
        except InputError as error:
            # A broken file can hold a million problems: the report keeps the first ones in
            # full and counts every one by kind. Problems name the file as sent, never the
            # temporary copy on the server.
            kept = INPUT_LIMITS.problems_stored
            found = len(error.problems)
            by_code = Counter(p.code for p in error.problems)
            listed = [replace(p, file=checked.filename) for p in error.problems[:kept]]
            if found > kept:
                counts = ", ".join(f"{code} {count}" for code, count in by_code.items())
                listed.append(
                    InputProblem(
                        "problems_not_listed",
                        checked.filename,
                        None,
                        None,
                        Message(N_("at most {limit} problems listed in full"), {"limit": kept}),
                        Message(
                            N_("{count} more problems, not listed; all of them by kind: {counts}"),
                            {"count": found - kept, "counts": counts},
                        ),
                    )
                )
            upload.report = {
                "problems": [p.as_dict(lang) for p in listed],
                "problems_found": found,
                "problems_by_code": dict(by_code),
                "indicators": own,
            }
            upload.values_rejected = found
            session.add(upload)
            session.flush()
            audit.record(
                session, actor, "upload_source_data", "upload", upload.id, None, _upload(upload)
            )
            return upload
    # The values land only in the state the upload was allowed in: held from here to the
    # commit, after the file was read, so reading it holds no lock.
    _hold(session, period)
    session.add(upload)
    session.flush()
    loaded = load_values(session, period, upload, methodology, inputs)
    upload.status = "loaded"
    upload.rows_read = len(inputs)
    upload.values_loaded = loaded
    upload.report = {
        "problems": [],
        "indicators": own,
        "bodies": [i.body for i in inputs],
        "rows_read": len(inputs),
        "values_loaded": loaded,
    }
    audit.record(session, actor, "upload_source_data", "upload", upload.id, None, _upload(upload))
    return upload


def _upload(upload: Upload) -> dict[str, Any]:
    return {
        "file": upload.filename,
        "sha256": upload.sha256,
        "status": upload.status,
        "values_loaded": upload.values_loaded,
        "problems": upload.values_rejected,
    }


def load_values(
    session: Session,
    period: EvaluationPeriod,
    upload: Upload,
    methodology: Methodology,
    inputs: list[BodyInput],
) -> int:
    """Store the values of validated ``inputs`` as delivered by ``upload``; returns how
    many. A body's values replace what it had for the same indicators."""
    loaded = 0
    for body_input in inputs:
        # A row replaces everything the body had for the indicators it gives (score or counts).
        given = set(body_input.scores) | {
            i.id for i in methodology.indicators if set(i.input_fields) & set(body_input.counts)
        }
        fields = {f for i in given for f in (i, *methodology.indicator(i).input_fields)}
        session.execute(
            delete(SourceValue).where(
                SourceValue.period_id == period.id,
                SourceValue.body_code == body_input.body,
                SourceValue.field.in_(fields),
            )
        )
        for field, fact in {**body_input.scores, **body_input.counts}.items():
            session.add(
                SourceValue(
                    period_id=period.id,
                    body_code=body_input.body,
                    field=field,
                    value=fact.value,
                    authority=fact.provenance.authority or "",
                    upload_id=upload.id,
                    file=upload.filename,
                    row=fact.provenance.row,
                    column=fact.provenance.column,
                )
            )
            loaded += 1
    session.flush()
    return loaded


# --- computing ---------------------------------------------------------------------------


def latest_computation(session: Session, period: EvaluationPeriod) -> Computation | None:
    """The newest draft results of a period, if it was computed."""
    # The document (hundreds of KB of JSON) is read only if used: a listing needs none.
    return session.scalar(
        select(Computation)
        .options(defer(Computation.payload))
        .where(Computation.period_id == period.id)
        .order_by(Computation.id.desc())
        .limit(1)
    )


def latest_snapshot(session: Session, period: EvaluationPeriod) -> Snapshot | None:
    """The newest published version of a period, if it was published."""
    return session.scalar(
        select(Snapshot)
        .options(defer(Snapshot.payload))
        .where(Snapshot.period_id == period.id)
        .order_by(Snapshot.version.desc())
        .limit(1)
    )


def _previous_published(session: Session, period: EvaluationPeriod) -> dict[str, Any] | None:
    earlier = session.scalar(
        select(Snapshot)
        .join(EvaluationPeriod, Snapshot.period_id == EvaluationPeriod.id)
        .where(EvaluationPeriod.year < period.year)
        .order_by(EvaluationPeriod.year.desc(), Snapshot.version.desc())
        .limit(1)
    )
    return earlier.payload if earlier is not None else None


def _inputs(
    session: Session, period: EvaluationPeriod, methodology: Methodology
) -> tuple[list[BodyInput], dict[str, list[str]]]:
    values: dict[str, dict[str, SourceValue]] = {}
    for value in session.scalars(select(SourceValue).where(SourceValue.period_id == period.id)):
        values.setdefault(value.body_code, {})[value.field] = value
    inputs, incomplete = [], {}
    for body in load_bodies():
        given = values.get(body.code, {})
        scores: dict[str, Fact] = {}
        counts: dict[str, Fact] = {}
        missing = []
        for indicator in methodology.indicators:
            source = given.get(indicator.id)
            if source is not None:
                scores[indicator.id] = _fact(source)
            elif indicator.input_fields and all(f in given for f in indicator.input_fields):
                counts.update({f: _fact(given[f]) for f in indicator.input_fields})
            else:
                missing.append(indicator.id)
        if missing:
            incomplete[body.code] = missing
        else:
            inputs.append(BodyInput(body.code, scores, counts))
    return inputs, incomplete


def _fact(value: SourceValue) -> Fact:
    file = value.file if value.dispute_id is None else f"{value.file} (dispute {value.dispute_id})"
    return Fact(value.value, Provenance(file, value.row, value.column, value.authority))


def _compute(session: Session, actor: Actor, period: EvaluationPeriod) -> Computation:
    methodology = _methodology(period)
    inputs, incomplete = _inputs(session, period, methodology)
    result = compute_index(methodology, inputs, load_bodies())
    payload = results_payload(
        result,
        period.year,
        previous=_previous_published(session, period),
        incomplete=incomplete,
    )
    computation = Computation(period_id=period.id, account_id=actor.account_id, payload=payload)
    session.add(computation)
    session.flush()
    after = {"bodies": len(payload["bodies"]), "incomplete": sorted(incomplete)}
    audit.record(session, actor, "compute_period", "period", period.year, None, after)
    return computation


def compute_period(session: Session, actor: Actor, period: EvaluationPeriod) -> Computation:
    """Compute draft results from the period's source values.

    Bodies missing an indicator are listed as incomplete and not ranked.
    """
    auth.compute_period(actor, period)
    _hold(session, period)
    return _compute(session, actor, period)


# --- disputes ----------------------------------------------------------------------------


def file_dispute(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    *,
    body_code: str,
    indicator: str,
    justification: str,
    attachments: list[tuple[str, bytes]],
    files: Path,
    now: datetime | None = None,
) -> Dispute:
    """Dispute one indicator value of the representative's own body, inside the window.

    The disputed value is the current draft score. Raises NotAllowedError, InvalidError (unknown
    indicator, empty justification, a bad attachment) or ConflictError (already disputed).
    """
    now = now or utcnow()
    auth.file_dispute(actor, period, body_code, now)
    # Held first: two filings of one indicator cannot both find it undisputed, and the
    # period cannot move on to its publication while this one is being filed.
    _hold(session, period)
    methodology = _methodology(period)
    if indicator not in {i.id for i in methodology.indicators}:
        raise InvalidError(N_("No indicator {indicator}."), indicator=indicator)
    if not justification.strip():
        raise InvalidError(N_("A dispute needs a justification."))
    computation = latest_computation(session, period)
    scores = {}
    if computation is not None:
        for body in computation.payload["bodies"]:
            if body["code"] == body_code:
                scores = {k: v["score"] for k, v in body["indicators"].items()}
    if indicator not in scores:
        raise ConflictError(
            N_("There is no draft value of {indicator} to dispute yet."), indicator=indicator
        )
    open_one = session.scalar(
        select(Dispute.id).where(
            Dispute.period_id == period.id,
            Dispute.body_code == body_code,
            Dispute.indicator == indicator,
            Dispute.status == "open",
        )
    )
    if open_one is not None:
        raise ConflictError(
            N_("{indicator} is already disputed (dispute {id})."), indicator=indicator, id=open_one
        )
    checked = [
        (check_file(name, content, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES), content)
        for name, content in attachments
        if content
    ]
    dispute = Dispute(
        period_id=period.id,
        body_code=body_code,
        indicator=indicator,
        disputed_value=Decimal(scores[indicator]),
        justification=justification.strip(),
        status="open",
        filed_by=actor.account_id,
        filed_at=now,
    )
    session.add(dispute)
    session.flush()
    for stored, content in checked:
        store_file(files, stored, content)
        session.add(
            Attachment(
                dispute_id=dispute.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
            )
        )
    session.flush()
    after = {"body": body_code, "indicator": indicator, "value": scores[indicator]}
    audit.record(session, actor, "file_dispute", "dispute", dispute.id, None, after)
    return dispute


def resolve_dispute(
    session: Session,
    actor: Actor,
    dispute: Dispute,
    *,
    accept: bool,
    resolution: str,
    corrections: dict[str, str] | None = None,
) -> Dispute:
    """Accept a dispute, correcting source values of its indicator, or reject it.

    ``corrections`` maps the indicator id (a ready score) or its raw-count fields to new
    values; an accepted dispute recomputes the draft results. Raises InvalidError, or
    ConflictError when the dispute is resolved already (by another request too).
    """
    period = session.get(EvaluationPeriod, dispute.period_id)
    assert period is not None
    auth.resolve_dispute(actor, period)
    if dispute.status != "open":
        raise ConflictError(N_("Dispute {id} is already resolved."), id=dispute.id)
    if not resolution.strip():
        raise InvalidError(N_("A resolution needs its reasons."))
    methodology = _methodology(period)
    indicator = methodology.indicator(dispute.indicator)
    parsed: dict[str, Decimal] = {}
    if accept:
        allowed = {indicator.id, *indicator.input_fields}
        for field, text in (corrections or {}).items():
            if field not in allowed:
                raise InvalidError(
                    N_("{field} is not a value of {indicator}; expected one of {allowed}"),
                    field=field,
                    indicator=indicator.id,
                    allowed=", ".join(sorted(allowed)),
                )
            try:
                parsed[field] = parse_decimal(text)
            except (ValueError, InvalidOperation):
                raise InvalidError(
                    N_("{field}: expected a number, such as 3,78; found {found}"),
                    field=field,
                    found=text,
                ) from None
        if indicator.id in parsed and not 0 <= parsed[indicator.id] <= indicator.max:
            raise InvalidError(
                N_("{field}: expected a score from 0 to {maximum}; found {found}"),
                field=indicator.id,
                maximum=indicator.max,
                found=parsed[indicator.id],
            )
        if not parsed:
            raise InvalidError(N_("An accepted dispute needs the corrected value."))
    _hold(session, period)
    status = "accepted" if accept else "rejected"
    claimed = _updated(
        session,
        update(Dispute)
        .where(Dispute.id == dispute.id, Dispute.status == "open")
        .values(status=status),
    )
    if not claimed:
        session.expire(dispute, ["status"])
        raise ConflictError(N_("Dispute {id} is already resolved."), id=dispute.id)
    set_committed_value(dispute, "status", status)
    before = {"status": "open"}
    for field, value in parsed.items():
        _correct(session, period, dispute, field, value, indicator.authority.value)
    dispute.resolution = resolution.strip()
    dispute.resolved_by = actor.account_id
    dispute.resolved_at = utcnow()
    dispute.corrections = {k: str(v) for k, v in parsed.items()}
    after = {"status": dispute.status, "corrections": dispute.corrections}
    audit.record(session, actor, "resolve_dispute", "dispute", dispute.id, before, after)
    if accept:
        _compute(session, actor, period)
    return dispute


def _correct(
    session: Session,
    period: EvaluationPeriod,
    dispute: Dispute,
    field: str,
    value: Decimal,
    authority: str,
) -> None:
    existing = session.scalar(
        select(SourceValue).where(
            SourceValue.period_id == period.id,
            SourceValue.body_code == dispute.body_code,
            SourceValue.field == field,
        )
    )
    if existing is None:
        existing = SourceValue(
            period_id=period.id,
            body_code=dispute.body_code,
            field=field,
            authority=authority,
            file="dispute",
            value=value,
        )
        session.add(existing)
    existing.value = value
    existing.dispute_id = dispute.id
    existing.updated_at = utcnow()
    session.flush()


# --- publication -------------------------------------------------------------------------


def publish_period(session: Session, actor: Actor, period: EvaluationPeriod) -> Snapshot:
    """Publish the period's results as a new immutable, versioned snapshot.

    Recomputes from the source values first; raises ConflictError while a dispute is open, a
    body misses source data, or when another request published or moved the period first.
    """
    auth.publish_period(actor, period)
    # Held before anything is counted, so the version number and the open disputes are
    # those of this moment, not of another publication's.
    _hold(session, period)
    open_disputes = session.scalar(
        select(func.count(Dispute.id)).where(
            Dispute.period_id == period.id, Dispute.status == "open"
        )
    )
    if open_disputes:
        raise ConflictError(N_("{count} disputes are still open."), count=open_disputes)
    computation = _compute(session, actor, period)
    incomplete = computation.payload["incomplete"]
    if incomplete:
        raise ConflictError(
            N_("Source data are missing for {count} bodies: {bodies}"),
            count=len(incomplete),
            bodies=", ".join(sorted(incomplete)),
        )
    latest = latest_snapshot(session, period)
    version = 1 if latest is None else latest.version + 1
    reason = None
    if latest is not None:
        reason = session.scalar(
            select(AuditEntry.after)
            .where(
                AuditEntry.action == "reopen_period",
                AuditEntry.object_id == str(period.year),
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    payload = {**computation.payload, "version": version}
    snapshot = Snapshot(
        period_id=period.id,
        version=version,
        account_id=actor.account_id,
        reason=(reason or {}).get("reason") if isinstance(reason, dict) else None,
        sha256=digest(payload),
        payload=payload,
    )
    session.add(snapshot)
    session.flush()
    noted = {"version": version, "sha256": snapshot.sha256}
    _move(session, actor, period, State.PUBLISHED, "publish_period", **noted)
    return snapshot


def reopen_period(
    session: Session, actor: Actor, period: EvaluationPeriod, reason: str
) -> EvaluationPeriod:
    """Reopen a published period into consolidation; its next publication is a new
    version that carries ``reason``. Raises InvalidError without a reason, ConflictError when
    another request reopened it first."""
    auth.reopen_period(actor, period)
    if not reason.strip():
        raise InvalidError(N_("Reopening a published period needs a reason."))
    _move(session, actor, period, State.CONSOLIDATION, "reopen_period", reason=reason.strip())
    return period


# --- roadmaps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureInput:
    """One measure of a roadmap as submitted."""

    measure: str
    owner: str
    due_on: date
    indicator: str


def submit_roadmap(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    *,
    body_code: str,
    approved_by: str,
    approved_on: date,
    measures: list[MeasureInput],
) -> Roadmap:
    """Submit (or replace) the representative's body's roadmap for a published period.

    Only a body whose published grade obliges one may submit it. Raises ConflictError or
    InvalidError (no measure, a measure without owner, an unknown indicator, a past due date).
    """
    auth.submit_roadmap(actor, period, body_code)
    # Held, so two first submissions replace one another instead of both inserting, and
    # the period is not reopened under the roadmap.
    _hold(session, period)
    snapshot = latest_snapshot(session, period)
    methodology = _methodology(period)
    grade = None
    if snapshot is not None:
        grade = next(
            (b["grade"] for b in snapshot.payload["bodies"] if b["code"] == body_code), None
        )
    if grade is None or not methodology.needs_roadmap(grade):
        raise ConflictError(
            N_("Only a body graded {grades} submits a roadmap."),
            grades=", ".join(methodology.roadmap.grades),
        )
    if not approved_by.strip():
        raise InvalidError(N_("A roadmap names who approved it."))
    if not measures:
        raise InvalidError(N_("A roadmap needs at least one measure."))
    known = {i.id for i in methodology.indicators}
    for number, item in enumerate(measures, start=1):
        if not item.measure.strip() or not item.owner.strip():
            raise InvalidError(N_("Measure {number}: a measure and its owner."), number=number)
        if item.indicator not in known:
            raise InvalidError(
                N_("Measure {number}: no indicator {indicator}."),
                number=number,
                indicator=item.indicator,
            )
        if item.due_on < approved_on:
            raise InvalidError(
                N_("Measure {number}: due on or after the approval date."), number=number
            )
    roadmap = session.scalar(
        select(Roadmap).where(Roadmap.period_id == period.id, Roadmap.body_code == body_code)
    )
    before = None
    if roadmap is None:
        roadmap = Roadmap(period_id=period.id, body_code=body_code)
        session.add(roadmap)
    else:
        before = {"measures": len(roadmap.measures), "approved_on": roadmap.approved_on.isoformat()}
        roadmap.measures.clear()
    roadmap.approved_by = approved_by.strip()
    roadmap.approved_on = approved_on
    roadmap.submitted_by = actor.account_id or 0
    roadmap.submitted_at = utcnow()
    for position, item in enumerate(measures, start=1):
        roadmap.measures.append(
            RoadmapMeasure(
                position=position,
                measure=item.measure.strip(),
                owner=item.owner.strip(),
                due_on=item.due_on,
                indicator=item.indicator,
            )
        )
    session.flush()
    after = {"measures": len(measures), "approved_on": approved_on.isoformat()}
    audit.record(
        session, actor, "submit_roadmap", "roadmap", f"{period.year}/{body_code}", before, after
    )
    return roadmap
