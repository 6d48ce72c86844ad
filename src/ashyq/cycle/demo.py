"""Seed a portal for the demo: the published 2025 results and a 2026 cycle open for disputes.

Everything goes through the cycle's own actions, as people would do it: the administrator
creates the accounts and periods, the analyst loads the 2025 reference data and publishes,
the three authorities upload the 2026 source data as files, the analyst computes and opens
the dispute window. The 2026 values are synthetic: the 2025 scores moved by a seeded random
step, so the demo shows movement without claiming any real 2026 figure.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from ashyq.access import audit, management
from ashyq.access.accounts import SYSTEM, Actor
from ashyq.access.roles import Role
from ashyq.bodies import load_bodies
from ashyq.cycle import actions
from ashyq.cycle.workflow import ASTANA
from ashyq.db.models import Account, Upload, utcnow
from ashyq.index.engine import BodyInput
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.index.published import load_published, reproduction_input
from ashyq.results.model import ResultsDocument

__all__ = ["DemoAccount", "bootstrap_admin", "demo_source_files", "seed_demo"]


@dataclass(frozen=True)
class DemoAccount:
    """A demo account and its password, to print."""

    role: Role
    username: str
    password: str
    scope: str


def bootstrap_admin(
    session: Session, username: str, password: str | None = None
) -> tuple[Account, str]:
    """Create the first administrator; raises ConflictError when the username is taken."""
    admin_actor = Actor(Role.ADMIN, None, SYSTEM.username)
    return management.create_account(
        session,
        admin_actor,
        username=username,
        display_name="ADGS administrator",
        role=Role.ADMIN,
        password=password,
    )


def _reference_inputs(methodology: Methodology) -> list[BodyInput]:
    return reproduction_input(load_published(2025), methodology)


def demo_source_files(methodology: Methodology, seed: int = 2026) -> dict[str, bytes]:
    """One CSV per authority with synthetic 2026 scores of its own indicators.

    Each 2025 score moves by a seeded step of up to ±15 % of the indicator's max, kept
    within [0, max] and rounded to two decimals, written with a decimal comma.
    """
    generator = random.Random(seed)
    inputs = _reference_inputs(methodology)
    files: dict[str, bytes] = {}
    for authority in ("kpssu", "mki", "miicr"):
        own = [i for i in methodology.indicators if i.authority.value == authority]
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
        writer.writerow(["body", *(i.id for i in own)])
        for body_input in inputs:
            row = [body_input.body]
            for indicator in own:
                score = body_input.scores[indicator.id].value
                step = Decimal(generator.uniform(-0.15, 0.15)) * indicator.max
                moved = min(max(score + step, Decimal(0)), indicator.max).quantize(Decimal("0.01"))
                row.append(str(moved).replace(".", ","))
            writer.writerow(row)
        files[authority] = buffer.getvalue().encode("utf-8")
    return files


def _import_reference(
    session: Session, analyst: Actor, methodology: Methodology, year: int
) -> None:
    period = actions.get_period(session, year)
    upload = Upload(
        period_id=period.id,
        account_id=analyst.account_id,
        authority=None,
        filename=f"seed 003 ({year})",
        stored_as="",
        sha256="",
        size=0,
        status="loaded",
    )
    session.add(upload)
    session.flush()
    inputs = _reference_inputs(methodology)
    loaded = actions.load_values(session, period, upload, methodology, inputs)
    upload.rows_read = len(inputs)
    upload.values_loaded = loaded
    upload.report = {"problems": [], "rows_read": len(inputs), "values_loaded": loaded}
    audit.record(
        session, analyst, "import_reference", "upload", upload.id, None, {"values": loaded}
    )


def seed_demo(session: Session, files: Path, now: datetime | None = None) -> list[DemoAccount]:
    """Seed an empty portal database as of ``now``; returns the demo accounts with their
    passwords. Should the 2026 deadlines have passed by ``now``, the administrator sets new
    ones a week apart, so the demo always opens on a dispute window."""
    now = now or utcnow()
    methodology = load_methodology("2025")
    registry = load_bodies()
    admin, admin_password = bootstrap_admin(session, "admin")
    admin_actor = Actor.of(admin)
    created = [DemoAccount(Role.ADMIN, "admin", admin_password, "")]

    def account(
        username: str, role: Role, body: str | None = None, authority: str | None = None
    ) -> Actor:
        found, password = management.create_account(
            session,
            admin_actor,
            username=username,
            display_name=username,
            role=role,
            body_code=body,
            authority=authority,
            registry=registry,
        )
        created.append(DemoAccount(role, username, password, body or (authority or "").upper()))
        return Actor.of(found)

    analyst = account("analyst", Role.ANALYST)
    authorities = {a: account(a, Role.AUTHORITY, authority=a) for a in ("kpssu", "mki", "miicr")}
    account("mf", Role.BODY, body="mf")

    # 2025: the published report's results, as a published period.
    actions.create_period(session, admin_actor, 2025)
    period_2025 = actions.get_period(session, 2025)
    actions.move_period(session, analyst, period_2025)
    _import_reference(session, analyst, methodology, 2025)
    actions.move_period(session, analyst, period_2025)
    actions.move_period(session, analyst, period_2025)
    published = actions.publish_period(session, analyst, period_2025)
    # A representative of the first body whose published grade obliges a roadmap.
    low_rated = next(
        body.code
        for body in ResultsDocument.from_payload(published.payload).bodies
        if methodology.needs_roadmap(body.grade or "")
    )
    account(f"rep-{low_rated}", Role.BODY, body=low_rated)

    # 2026: source data delivered by the authorities, disputes open.
    actions.create_period(session, admin_actor, 2026)
    period_2026 = actions.get_period(session, 2026)
    if now >= period_2026.source_data_due:
        today = now.astimezone(ASTANA).date()
        actions.set_deadlines(
            session,
            admin_actor,
            period_2026,
            source_data_due=_end_of(today + timedelta(days=7)),
            disputes_until=_end_of(today + timedelta(days=14)),
            consolidation_by=_end_of(today + timedelta(days=21)),
        )
    actions.move_period(session, analyst, period_2026)
    for authority, content in demo_source_files(methodology).items():
        upload = actions.upload_source_data(
            session,
            authorities[authority],
            period_2026,
            f"{authority}-source-data-2026.csv",
            content,
            files,
            now=now,
        )
        if upload.status != "loaded":
            raise RuntimeError(f"demo source data rejected: {upload.report['problems'][:3]}")
    actions.compute_period(session, analyst, period_2026)
    actions.move_period(session, analyst, period_2026)
    session.flush()
    return created


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ASTANA)
