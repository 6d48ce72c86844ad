"""``ashyq ratings``: service points, their API keys, the register of rated services,
escalation and the dashboard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from ashyq.access.accounts import Actor
from ashyq.access.roles import Role
from ashyq.bodies import load_bodies
from ashyq.cli.common import fail, fail_input, json_text, resolve_lang
from ashyq.cli.options import LangOption, format_option
from ashyq.db import make_engine, session_scope, upgrade
from ashyq.db.models import ApiKey, RatedService, ServicePoint, utcnow
from ashyq.errors import ActionError, InputError
from ashyq.i18n import N_, translate
from ashyq.ratings.incidents import dashboard, escalate_due
from ashyq.ratings.keys import add_point, issue_key, revoke_key
from ashyq.ratings.services import (
    add_rated_service,
    import_rated_services,
    set_rated_service_active,
)
from ashyq.settings import settings

__all__ = ["app"]

app = typer.Typer(help="Real-time service ratings: service points, API keys, escalation.")
point_app = typer.Typer(help="Service points: where citizens rate services.")
key_app = typer.Typer(help="API keys service points and apps submit ratings with.")
service_app = typer.Typer(help="The register of rated services: the codes a rating may name.")
app.add_typer(point_app, name="point")
app.add_typer(key_app, name="key")
app.add_typer(service_app, name="service")

# Whoever runs the command line on the portal's server administers it; the audit log
# names the command line as the actor.
_OPERATOR = Actor(Role.ADMIN, None, "cli")
_IMPORTED = N_("{file}: {added} added, {updated} updated, {unchanged} unchanged")


def _engine() -> Engine:
    engine = make_engine(settings().database)
    upgrade(engine)
    return engine


@point_app.command("add")
def point_add(
    code: Annotated[str, typer.Argument(help="The point's code, e.g. CON-ALA-01.")],
    body: Annotated[str, typer.Option("--body", help="The provider: a body's code or name.")],
    name: Annotated[str, typer.Option("--name", help="The point's name and address.")],
    region: Annotated[str | None, typer.Option("--region", help="The region's code.")] = None,
) -> None:
    """Register a service point of a provider."""
    try:
        with session_scope(sessionmaker(_engine())) as session:
            point = add_point(session, load_bodies(), code, body, name, region)
            typer.echo(f"{point.code}\t{point.body_code}\t{point.name}")
    except ActionError as error:
        fail(error.render("en"))


@point_app.command("list")
def point_list() -> None:
    """The registered service points."""
    with session_scope(sessionmaker(_engine())) as session:
        for point in session.scalars(select(ServicePoint).order_by(ServicePoint.code)):
            state = "" if point.active else "\tclosed"
            typer.echo(f"{point.code}\t{point.body_code}\t{point.name}{state}")


@key_app.command("issue")
def key_issue(
    label: Annotated[str, typer.Argument(help="Who holds the key, e.g. 'kiosk 3'.")],
    point: Annotated[
        str | None,
        typer.Option("--point", help="The service point; without it, a key of an app."),
    ] = None,
) -> None:
    """Issue a key and print it once: only its SHA-256 is kept."""
    try:
        with session_scope(sessionmaker(_engine())) as session:
            issued = issue_key(session, label, point, created_by="cli")
    except ActionError as error:
        fail(error.render("en"))
    typer.echo(issued.key)


@key_app.command("revoke")
def key_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (its second part).")],
) -> None:
    """Revoke a key: its ratings stay, it submits no more (within 10 s in running portals)."""
    try:
        with session_scope(sessionmaker(_engine())) as session:
            revoke_key(session, prefix)
    except ActionError as error:
        fail(error.render("en"))
    typer.echo(f"revoked {prefix}")


@key_app.command("list")
def key_list() -> None:
    """Every key: prefix, label, service point, issued, revoked."""
    with session_scope(sessionmaker(_engine())) as session:
        rows = session.execute(
            select(ApiKey, ServicePoint.code)
            .outerjoin(ServicePoint, ApiKey.service_point_id == ServicePoint.id)
            .order_by(ApiKey.id)
        ).all()
        for key, point in rows:
            revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else ""
            typer.echo(
                f"{key.prefix}\t{key.label}\t{point or 'app'}\t{key.created_at:%Y-%m-%d}\t{revoked}"
            )


@service_app.command("add")
def service_add(
    code: Annotated[str, typer.Argument(help="The service's code in the register, e.g. 00101.")],
    name_ru: Annotated[str, typer.Option("--name-ru", help="The name in Russian.")],
    name_kk: Annotated[str, typer.Option("--name-kk", help="The name in Kazakh.")],
    name_en: Annotated[
        str | None, typer.Option("--name-en", help="The name in English (optional).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Add a service to the register: ratings may name it from now on."""
    chosen = resolve_lang(lang)
    try:
        with session_scope(sessionmaker(_engine())) as session:
            service = add_rated_service(session, _OPERATOR, code, name_ru, name_kk, name_en)
            typer.echo(_service_line(service))
    except ActionError as error:
        fail(error.render(chosen))


def _service_line(service: RatedService) -> str:
    state = "" if service.active else "\tinactive"
    return f"{service.code}\t{service.name_ru}\t{service.name_kk}\t{service.name_en or ''}{state}"


@service_app.command("list")
def service_list() -> None:
    """The register: code, names in Russian, Kazakh and English, and «inactive» for a
    service taken out of it."""
    with session_scope(sessionmaker(_engine())) as session:
        for service in session.scalars(select(RatedService).order_by(RatedService.code)):
            typer.echo(_service_line(service))


@service_app.command("import")
def service_import(
    path: Annotated[
        Path, typer.Argument(help="A CSV or XLSX file: code, name_ru, name_kk, name_en.")
    ],
    output_format: Annotated[str, format_option("text", "json")] = "text",
    lang: LangOption = None,
) -> None:
    """Import the register from a file: new codes are added, changed names updated, the
    rest left as it is. A file with any bad row is refused whole (exit status 2), each
    problem named by file, row and column."""
    chosen = resolve_lang(lang)
    try:
        with session_scope(sessionmaker(_engine())) as session:
            report = import_rated_services(session, _OPERATOR, path)
    except InputError as error:
        fail_input(error, chosen, as_json=output_format == "json")
    except ActionError as error:
        fail(error.render(chosen))
    counts = {
        "added": len(report.added),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
    }
    if output_format == "json":
        typer.echo(json_text({"file": report.file, **counts, "codes_added": report.added}))
        return
    typer.echo(translate(_IMPORTED, chosen, file=report.file, **counts))


def _set_active(code: str, lang: str | None, *, active: bool) -> None:
    chosen = resolve_lang(lang)
    try:
        with session_scope(sessionmaker(_engine())) as session:
            service = set_rated_service_active(session, _OPERATOR, code, active=active)
            typer.echo(_service_line(service) if active else f"{service.code}\tinactive")
    except ActionError as error:
        fail(error.render(chosen))


@service_app.command("deactivate")
def service_deactivate(
    code: Annotated[str, typer.Argument(help="The service's code.")], lang: LangOption = None
) -> None:
    """Take a service out of the register: its ratings stay, new ones are refused (within
    10 s in running portals)."""
    _set_active(code, lang, active=False)


@service_app.command("activate")
def service_activate(
    code: Annotated[str, typer.Argument(help="The service's code.")], lang: LangOption = None
) -> None:
    """Put a service taken out of the register back in."""
    _set_active(code, lang, active=True)


@app.command("escalate")
def escalate() -> None:
    """Escalate every incident whose window has passed, once (for a portal run without
    its worker, from a scheduler)."""
    escalated = escalate_due(_engine(), utcnow())
    typer.echo(f"escalated {len(escalated)} incident(s)")


@app.command("dashboard")
def dashboard_command(
    days: Annotated[int, typer.Option("--days", min=1, help="How many days back.")] = 7,
    output_format: Annotated[str, format_option("table", "json")] = "table",
) -> None:
    """Ratings and incidents per provider and service point."""
    now = utcnow()
    with session_scope(sessionmaker(_engine())) as session:
        bodies = dashboard(session, now - timedelta(days=days), now)
    if output_format == "json":
        typer.echo(
            json_text(
                [
                    {
                        "body": b.body_code,
                        **b.total.as_dict(),
                        "points": [{"code": p.code, **p.as_dict()} for p in b.points],
                    }
                    for b in bodies
                ]
            )
        )
        return
    table = Table(title=f"Ratings and incidents, last {days} days")
    for column in (
        "provider / point",
        "ratings",
        "average",
        "incidents",
        "open",
        "overdue",
        "resolved in time",
        "escalated",
        "closed",
    ):
        table.add_column(column, justify="left" if column.startswith("provider") else "right")
    for body in bodies:
        for name, figures in [(body.body_code, body.total)] + [
            (f"  {p.code}", p) for p in body.points
        ]:
            average = "—" if figures.average is None else f"{figures.average:.2f}"
            table.add_row(
                name,
                str(figures.ratings),
                average,
                str(figures.incidents),
                str(figures.open),
                str(figures.overdue),
                str(figures.resolved),
                str(figures.escalated_total),
                str(figures.closed),
            )
    Console().print(table)
