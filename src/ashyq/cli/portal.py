"""``ashyq serve`` and ``ashyq portal``: run the web portal and manage its database."""

from __future__ import annotations

from typing import Annotated

import typer

from ashyq.cli.common import fail, serve_settings
from ashyq.cli.options import HostOption, PortOption
from ashyq.db import make_engine, session_scope, upgrade
from ashyq.errors import ActionError
from ashyq.settings import override, settings

__all__ = ["app", "serve"]

app = typer.Typer(help="The portal's database: migrations and the first administrator.")


def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    secure_cookies: Annotated[
        bool | None,
        typer.Option(
            "--secure-cookies",
            help=(
                "Mark cookies Secure: for a portal served over HTTPS. Overrides "
                "ASHYQ_SECURE_COOKIES."
            ),
        ),
    ] = None,
    incident_window: Annotated[
        float | None,
        typer.Option(
            "--incident-window",
            min=1.0,
            help=(
                "Seconds a provider has to resolve a low rating before it escalates. "
                "Overrides ASHYQ_INCIDENT_WINDOW (300)."
            ),
        ),
    ] = None,
    rating_rate: Annotated[
        float | None,
        typer.Option(
            "--rating-rate",
            min=0.01,
            help="Ratings a second per API key, on average. Overrides ASHYQ_RATING_RATE (5).",
        ),
    ] = None,
    rating_burst: Annotated[
        int | None,
        typer.Option(
            "--rating-burst",
            min=1,
            help="Ratings an API key may send at once. Overrides ASHYQ_RATING_BURST (50).",
        ),
    ] = None,
    trusted_proxies: Annotated[
        str | None,
        typer.Option(
            "--trusted-proxies",
            help=(
                "Reverse proxies (IP addresses or networks, separated by commas) whose "
                "X-Forwarded-For names the client, for the sign-in limit. Overrides "
                "ASHYQ_TRUSTED_PROXIES."
            ),
        ),
    ] = None,
) -> None:
    """Serve the portal from the data home ($ASHYQ_HOME) and its database."""
    override(
        secure_cookies=secure_cookies or None,
        incident_window=incident_window,
        rating_rate=rating_rate,
        rating_burst=rating_burst,
        trusted_proxies=trusted_proxies,
    )
    serve_settings(host, port)


@app.command("upgrade")
def upgrade_command() -> None:
    """Create or upgrade the portal's database schema to the newest migration."""
    url = settings().database
    upgrade(make_engine(url))
    typer.echo(url.split("@")[-1])


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Argument(help="The administrator's username.")],
) -> None:
    """Create an administrator account and print its one-time password."""
    from sqlalchemy.orm import sessionmaker

    from ashyq.cycle.demo import bootstrap_admin

    engine = make_engine(settings().database)
    upgrade(engine)
    try:
        with session_scope(sessionmaker(engine)) as session:
            _, password = bootstrap_admin(session, username)
    except ActionError as error:
        fail(error.render("en"))
    typer.echo(password)
