"""``ashyq serve`` and ``ashyq portal``: run the web portal and manage its database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from ashyq.cli.common import fail, resolve_lang
from ashyq.db import database_url, make_engine, session_scope, upgrade
from ashyq.errors import ActionError
from ashyq.home import data_home
from ashyq.i18n import N_, Lang, translate
from ashyq.ratings.desk import RatingSettings
from ashyq.ratings.intake import WINDOW, RatingRules
from ashyq.web.security import TRUSTED_PROXIES_VARIABLE, NotAProxyError, TrustedProxies

__all__ = ["app", "serve"]

app = typer.Typer(help="The portal's database: migrations and the first administrator.")

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]

_SERVING = N_("Serving the portal on http://{host}:{port}/ (data in {home}); Ctrl+C stops it.")
_NOT_A_PROXY = N_("--trusted-proxies: expected IP addresses or networks; found {entry}")


def serve_home(
    home: Path,
    host: str,
    port: int,
    *,
    url: str | None = None,
    secure_cookies: bool = False,
    lang: Lang | None = None,
    ratings: RatingSettings | None = None,
    trusted_proxies: str | None = None,
) -> None:
    """Run the portal over ``home`` until interrupted."""
    import uvicorn

    from ashyq.web import create_app

    application = create_app(
        home,
        url=url,
        secure_cookies=secure_cookies,
        ratings=ratings,
        trusted_proxies=trusted_proxies,
    )
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
    trusted_proxies: Annotated[
        str | None,
        typer.Option(
            "--trusted-proxies",
            envvar=TRUSTED_PROXIES_VARIABLE,
            help=(
                "Reverse proxies (IP addresses or networks, separated by commas) whose "
                "X-Forwarded-For names the client, for the sign-in limit."
            ),
        ),
    ] = None,
) -> None:
    """Serve the portal from the data directory ($ASHYQ_HOME) and its database."""
    if trusted_proxies is not None:
        try:
            TrustedProxies.parse(trusted_proxies)
        except NotAProxyError as error:
            fail(translate(_NOT_A_PROXY, resolve_lang(None), entry=error.entry), code=2)
    ratings = RatingSettings(
        rules=RatingRules(window=timedelta(seconds=incident_window)),
        rate=rating_rate,
        burst=rating_burst,
    )
    serve_home(
        data_home(),
        host,
        port,
        secure_cookies=secure_cookies,
        ratings=ratings,
        trusted_proxies=trusted_proxies,
    )


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
