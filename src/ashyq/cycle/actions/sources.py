"""The source values of a period: uploads of the authorities' and the analysts' files,
validated and reconciled, and the values they hold."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.access.roles import Role
from ashyq.bodies import load_bodies
from ashyq.cycle import auth
from ashyq.cycle.actions.state import (
    hold,
    methodology_of,
)
from ashyq.cycle.files import (
    MAX_SOURCE_BYTES,
    SOURCE_TYPES,
    check_file,
    store_file,
)
from ashyq.db.models import (
    EvaluationPeriod,
    SourceValue,
    Upload,
    utcnow,
)
from ashyq.errors import (
    InputError,
    InputProblem,
    Message,
    NotFoundError,
)
from ashyq.i18n import N_, Lang
from ashyq.index.engine import BodyInput
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import Methodology
from ashyq.limits import INPUT_LIMITS
from ashyq.storage.atomic import refusing_full_disk

__all__ = [
    "get_upload",
    "load_values",
    "upload_source_data",
]


def get_upload(session: Session, actor: Actor, upload_id: int) -> Upload:
    """An upload whose report the actor may read; raises NotFoundError."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFoundError(N_("No such upload."))
    auth.view_uploads(actor, upload.authority)
    return upload


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
    methodology = methodology_of(period)
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
    hold(session, period)
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
