"""A week of synthetic ratings for the demo portal: service points of a few providers, a
key each, the rated services in the register, ratings with their incidents resolved,
escalated and closed, and a few still open, so that the dashboards have something to
show."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from ashyq.access.accounts import Actor
from ashyq.access.roles import Role
from ashyq.bodies import BodyRegistry
from ashyq.db import session_scope
from ashyq.db.models import Account, Incident
from ashyq.ratings.incidents import close_incident, escalate_due, record_resolution
from ashyq.ratings.intake import RatingRules, Submission, request_hash, write_submissions
from ashyq.ratings.keys import add_point, issue_key
from ashyq.ratings.services import add_service

__all__ = ["DEMO_POINTS", "DEMO_SERVICES", "DemoRatings", "seed_ratings"]

# (code, provider, name): State Corporation offices work on behalf of the providers.
DEMO_POINTS = (
    ("MF-AST-01", "mf", "ЦОН № 1, Астана, пр. Мәңгілік Ел 8"),
    ("MF-ALA-02", "mf", "ЦОН Алмалинского района, Алматы"),
    ("MZ-AST-01", "mz", "Городская поликлиника № 4, Астана"),
    ("MZ-SHY-02", "mz", "Городская поликлиника № 2, Шымкент"),
    ("MVD-AST-01", "mvd", "Миграционная служба, Астана"),
    ("MVD-KAR-02", "mvd", "Специализированный ЦОН, Караганда"),
    ("MP-ALA-01", "mp", "Управление образования, Алматы"),
)
# (code, ru, kk, en): services of the State Corporation «Government for Citizens»; the
# codes are the demo's own.
DEMO_SERVICES = (
    (
        "00101",
        "Регистрация по месту жительства граждан Республики Казахстан",
        "Қазақстан Республикасының азаматтарын тұрғылықты жері бойынша тіркеу",
        "Registration of citizens of the Republic of Kazakhstan at their place of residence",
    ),
    (
        "00102",
        "Выдача документов, удостоверяющих личность гражданина Республики Казахстан",
        "Қазақстан Республикасы азаматының жеке басын куәландыратын құжаттарды беру",
        "Issue of identity documents to citizens of the Republic of Kazakhstan",
    ),
    (
        "00204",
        "Назначение пенсионных выплат по возрасту",
        "Жасына байланысты зейнетақы төлемдерін тағайындау",
        "Granting of old-age pension payments",
    ),
    (
        "00305",
        "Государственная регистрация прав на недвижимое имущество",
        "Жылжымайтын мүлікке құқықтарды мемлекеттік тіркеу",
        "State registration of rights to real estate",
    ),
    (
        "00411",
        "Регистрация, перерегистрация транспортных средств",
        "Көлік құралдарын тіркеу, қайта тіркеу",
        "Registration and re-registration of vehicles",
    ),
    (
        "00512",
        "Выдача справки о наличии либо отсутствии судимости",
        "Сотталғандығының болуы не болмауы туралы анықтама беру",
        "Certificate of a criminal record or its absence",
    ),
)
_SERVICES = tuple(code for code, *_ in DEMO_SERVICES)
_COMMENTS = (
    "Долгое ожидание в очереди",
    "Потребовали лишние документы",
    "Оператор был груб",
    "Не работает терминал",
    "Кезек ұзақ болды",
)


@dataclass(frozen=True)
class DemoRatings:
    """What was seeded, and a key to try the endpoint with."""

    ratings: int
    incidents: int
    resolved: int
    escalated: int
    open: int
    point: str
    key: str


def seed_ratings(
    engine: Engine, registry: BodyRegistry, now: datetime, per_point: int = 300, seed: int = 7
) -> DemoRatings:
    """Seed the services of ``DEMO_SERVICES``, the points of ``DEMO_POINTS`` and
    ``per_point`` ratings each over the week before
    ``now``: providers resolve most incidents in time, the rest escalate, and the agency has
    closed some of those; the incidents of the last few minutes are still open (the portal's
    worker escalates them when their window ends)."""
    chance = random.Random(seed)
    rules = RatingRules()
    factory = sessionmaker(engine, expire_on_commit=False)
    with session_scope(factory) as session:
        for rated in DEMO_SERVICES:
            add_service(session, *rated)
        points = [add_point(session, registry, *point) for point in DEMO_POINTS]
        keys = [issue_key(session, f"{p.code} terminal", p.code, "demo") for p in points]
        point_ids = [(p.id, p.body_code) for p in points]
        prefixes = {p.id: k.prefix for p, k in zip(points, keys, strict=True)}
    submissions = []
    for (point_id, body), key in zip(point_ids, keys, strict=True):
        # Some providers do worse than others.
        low_share = chance.uniform(0.03, 0.15)
        for number in range(per_point):
            # The first rating of each point is a fresh complaint, one to four minutes old.
            fresh = number == 0
            ago = chance.uniform(60, 240) if fresh else chance.uniform(300, 7 * 86400)
            received = now - timedelta(seconds=ago)
            low = fresh or chance.random() < low_share
            score = chance.choice((1, 2)) if low else chance.choice((3, 4, 4, 5, 5, 5, 5))
            comment = chance.choice(_COMMENTS) if low else None
            service = chance.choice(_SERVICES)
            content = {"service": service, "score": score, "comment": comment, "n": number}
            submissions.append(
                Submission(
                    key_id=key.id,
                    idempotency_key=f"demo-{number}",
                    request_hash=request_hash(content),
                    point_id=point_id,
                    body_code=body,
                    service_code=service,
                    score=score,
                    comment=comment,
                    photo_sha256=None,
                    photo_type=None,
                    received_at=received,
                )
            )
    submissions.sort(key=lambda s: s.received_at)
    write_submissions(engine, rules, submissions)
    with session_scope(factory) as session:
        incidents = list(session.scalars(select(Incident).order_by(Incident.opened_at)))
        skill = {body: chance.uniform(0.55, 0.95) for _, body, _ in DEMO_POINTS}
        for incident in incidents:
            if incident.due_at < now and chance.random() < skill[incident.body_code]:
                took = timedelta(seconds=chance.uniform(30, rules.window.total_seconds() - 5))
                record_resolution(
                    session,
                    incident,
                    "Связались с заявителем, вопрос решён на месте.",
                    incident.opened_at + took,
                    f"key:{prefixes[incident.service_point_id]}",
                )
    escalated = escalate_due(engine, now)
    with session_scope(factory) as session:
        account = session.scalar(select(Account).where(Account.role == Role.ANALYST))
        analyst = Actor.of(account) if account else Actor(Role.ANALYST, None, "demo")
        for incident_id in escalated[: len(escalated) // 2]:
            closing = session.get(Incident, incident_id)
            assert closing is not None
            note = "Проведена проверка, руководителю направлено предписание."
            close_incident(session, analyst, closing, note, now)
        statuses = Counter(session.scalars(select(Incident.status)))
    return DemoRatings(
        ratings=len(submissions),
        incidents=sum(statuses.values()),
        resolved=statuses["resolved"],
        escalated=len(escalated),
        open=statuses["open"],
        point=points[0].code,
        key=keys[0].key,
    )
