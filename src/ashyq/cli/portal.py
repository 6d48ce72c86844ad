"""``ashyq serve`` and ``ashyq portal``: run the web portal and manage its database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from ashyq.cli.common import fail, resolve_lang
from ashyq.cycle.errors import ActionError
from ashyq.db import database_url, make_engine, session_scope, upgrade
from ashyq.home import data_home
from ashyq.i18n import N_, Lang, translate
from ashyq.ratings.desk import RatingSettings
from ashyq.ratings.intake import WINDOW, RatingRules

__all__ = ["app", "serve"]

app = typer.Typer(help="The portal's database: migrations and the first administrator.")

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]

_SERVING = N_("Serving the portal on http://{host}:{port}/ (data in {home}); Ctrl+C stops it.")


def serve_home(
    home: Path,
    host: str,
    port: int,
    *,
    url: str | None = None,
    secure_cookies: bool = False,
    lang: Lang | None = None,
    ratings: RatingSettings | None = None,
) -> None:
    """Run the portal over ``home`` until interrupted."""
    import uvicorn

    from ashyq.web import create_app

    application = create_app(home, url=url, secure_cookies=secure_cookies, ratings=ratings)
    typer.echo(translate(_SERVING, resolve_lang(lang), host=host, port=port, home=home))
    uvicorn.run(application, host=host, port=port, log_level="warning", proxy_headers=False)


def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies", help="Mark cookies Secure: for a portal served over HTTPS."
        ),
    ] = False,
    incident_window: Annotated[
        float,
        typer.Option(
            "--incident-window",
            min=1.0,
            help="Seconds a provider has to resolve a low rating before it escalates.",
        ),
    ] = WINDOW.total_seconds(),
    rating_rate: Annotated[
        float,
        typer.Option("--rating-rate", min=0.01, help="Ratings a second per API key, on average."),
    ] = RatingSettings.rate,
    rating_burst: Annotated[
        int, typer.Option("--rating-burst", min=1, help="Ratings an API key may send at once.")
    ] = RatingSettings.burst,
) -> None:
    """Serve the portal from the data directory ($ASHYQ_HOME) and its database."""
    ratings = RatingSettings(
        rules=RatingRules(window=timedelta(seconds=incident_window)),
        rate=rating_rate,
        burst=rating_burst,
    )
    serve_home(data_home(), host, port, secure_cookies=secure_cookies, ratings=ratings)


@app.command("upgrade")
def upgrade_command() -> None:
    """Create or upgrade the portal's database schema to the newest migration."""
    url = database_url()
    upgrade(make_engine(url))
    typer.echo(url.split("@")[-1])


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Argument(help="The administrator's username.")],
) -> None:
    """Create an administrator account and print its one-time password."""
    from sqlalchemy.orm import sessionmaker

    from ashyq.cycle.demo import bootstrap_admin

    engine = make_engine(database_url())
    upgrade(engine)
    try:
        with session_scope(sessionmaker(engine)) as session:
            _, password = bootstrap_admin(session, username)
    except ActionError as error:
        fail(error.render("en"))
    typer.echo(password)
