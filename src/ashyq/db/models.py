"""The operational data of the portal: accounts, periods, source data, disputes, roadmaps,
published snapshots and the audit log.

Record-level analytics live in Parquet and run on Ibis; this is the small, transactional
part that people edit through the portal. Every schema change is an Alembic migration in
``migrations/versions``; a test fails when these models and the migrations disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Account",
    "ApiKey",
    "Attachment",
    "AuditEntry",
    "Base",
    "Computation",
    "Dispute",
    "EvaluationPeriod",
    "Incident",
    "LoginSession",
    "RatedService",
    "Rating",
    "Roadmap",
    "RoadmapMeasure",
    "ServicePoint",
    "Snapshot",
    "SourceValue",
    "Upload",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware on every database.

    SQLite keeps no offset; normalising on the way in and out makes both backends agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Ashyq stores only timezone-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal kept as its canonical text, identical on SQLite and PostgreSQL."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else format(value, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


# Stable constraint names, so migrations can name what they alter on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every operational table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: DecimalText(),
        dict[str, Any]: JSON,
    }


class Account(Base):
    """A person who signs in: their role and, for a role tied to one, their body or authority."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    body_code: Mapped[str | None] = mapped_column(String(20))
    authority: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(Base):
    """A signed-in browser: only the SHA-256 of its cookie token is stored."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    account: Mapped[Account] = relationship(lazy="joined")


class EvaluationPeriod(Base):
    """One evaluation period (a year) and where its cycle stands."""

    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    methodology: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))
    source_data_due: Mapped[datetime]
    disputes_until: Mapped[datetime]
    consolidation_by: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Upload(Base):
    """A source-data file as delivered, with its validation and reconciliation report."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    period: Mapped[EvaluationPeriod] = relationship()
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    authority: Mapped[str | None] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    stored_as: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    rows_read: Mapped[int] = mapped_column(default=0)
    values_loaded: Mapped[int] = mapped_column(default=0)
    values_rejected: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SourceValue(Base):
    """One source value of one body: a raw count or a ready score, and where it came from."""

    __tablename__ = "source_values"
    __table_args__ = (UniqueConstraint("period_id", "body_code", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    body_code: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(80))
    value: Mapped[Decimal]
    authority: Mapped[str] = mapped_column(String(10))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    dispute_id: Mapped[int | None] = mapped_column(Integer)
    file: Mapped[str] = mapped_column(String(255))
    row: Mapped[int | None]
    column: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Computation(Base):
    """The draft results of a period as last computed from its source values."""

    __tablename__ = "computations"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    payload: Mapped[dict[str, Any]]


class Snapshot(Base):
    """A published version of a period's results; never changed once written."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("period_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]


class Dispute(Base):
    """An evaluated body's objection to one indicator value, and how it was resolved."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    period: Mapped[EvaluationPeriod] = relationship()
    body_code: Mapped[str] = mapped_column(String(20))
    indicator: Mapped[str] = mapped_column(String(80))
    disputed_value: Mapped[Decimal]
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    filed_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    corrections: Mapped[dict[str, Any]] = mapped_column(default=dict)

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="dispute", order_by="Attachment.id", lazy="selectin"
    )


class Attachment(Base):
    """A file filed with a dispute, stored outside the web root under its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))

    dispute: Mapped[Dispute] = relationship(back_populates="attachments")


class Roadmap(Base):
    """A low-rated body's roadmap for improving its indicators, approved by the body."""

    __tablename__ = "roadmaps"
    __table_args__ = (UniqueConstraint("period_id", "body_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    body_code: Mapped[str] = mapped_column(String(20))
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_on: Mapped[date] = mapped_column(Date)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    measures: Mapped[list[RoadmapMeasure]] = relationship(
        back_populates="roadmap",
        order_by="RoadmapMeasure.position",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class RoadmapMeasure(Base):
    """One measure of a roadmap: what, who, by when, and the indicator it should lift."""

    __tablename__ = "roadmap_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"))
    position: Mapped[int]
    measure: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    indicator: Mapped[str] = mapped_column(String(80))

    roadmap: Mapped[Roadmap] = relationship(back_populates="measures")


class AuditEntry(Base):
    """Who did what, when, to which object, with its state before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ServicePoint(Base):
    """A provider's unit where citizens receive services and rate them: a State Corporation
    office, a provider's reception, a kiosk."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    body_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RatedService(Base):
    """A public service citizens may rate, by its code in the register of public services;
    a rating naming a code not here, or one no longer active, is refused."""

    __tablename__ = "rated_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ru: Mapped[str] = mapped_column(String(500))
    name_kk: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A key a service point or an app submits ratings with; only its SHA-256 is stored.

    ``prefix`` is the key's public part, for finding it; a key of an app is bound to no
    service point and names the point with each rating.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None]


class Rating(Base):
    """One citizen's rating of one service at one service point, as submitted."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key"),
        Index("ix_ratings_point_received", "service_point_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    service_code: Mapped[str] = mapped_column(String(40))
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    photo_type: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime]


class Incident(Base):
    """A low rating's incident: the provider has a window to resolve it, then it escalates
    to the agency, which closes it."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    body_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(80))
    closing_note: Mapped[str | None] = mapped_column(Text)

    rating: Mapped[Rating] = relationship(lazy="joined")
    point: Mapped[ServicePoint] = relationship(lazy="joined")
