"""The ``ashyq`` command line."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from ashyq.cli.appeals import app as appeals_app
from ashyq.cli.bodies import app as bodies_app
from ashyq.cli.common import resolve_lang
from ashyq.cli.demo import demo
from ashyq.cli.index import app as index_app
from ashyq.cli.monitoring import app as monitoring_app
from ashyq.cli.plan import app as plan_app
from ashyq.cli.portal import app as portal_app
from ashyq.cli.portal import serve
from ashyq.cli.ratings import app as ratings_app
from ashyq.cli.report import app as report_app
from ashyq.cli.services import app as services_app
from ashyq.cli.settings import settings_command
from ashyq.cli.synth import app as synth_app
from ashyq.errors import InputError, SetupError, StorageFullError
from ashyq.settings import Engine, override

__all__ = ["app", "main"]

app = typer.Typer(
    name="ashyq",
    help="Ashyq: the Openness Index of Kazakhstan's government bodies, computed and published.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _options(
    engine: Annotated[
        Engine | None,
        typer.Option(
            "--engine",
            help=(
                "The engine of the record analytics: the embedded duckdb (the default), or "
                "spark at ASHYQ_SPARK_MASTER. Overrides ASHYQ_ENGINE."
            ),
            case_sensitive=False,
        ),
    ] = None,
) -> None:
    """Ashyq: the Openness Index of Kazakhstan's government bodies, computed and published."""
    override(engine=engine.value if engine is not None else None)


app.add_typer(bodies_app, name="bodies")
app.add_typer(index_app, name="index")
app.add_typer(appeals_app, name="appeals")
app.add_typer(services_app, name="services")
app.add_typer(monitoring_app, name="monitoring")
app.add_typer(synth_app, name="synth")
app.add_typer(portal_app, name="portal")
app.add_typer(report_app, name="report")
app.add_typer(plan_app, name="plan")
app.add_typer(ratings_app, name="ratings")
app.command("demo")(demo)
app.command("serve")(serve)
app.command("settings")(settings_command)


def main() -> None:
    """Run the command line (the ``ashyq`` console script).

    A full disk can meet any command that writes; nothing it wrote is left half-written
    (``ashyq.storage.atomic``), and the reader gets one clear message, not a traceback. So
    does a command that needs more memory than its setting gives it, or whose engine
    cannot be reached, and a setting the environment gives a value it cannot take.
    """
    try:
        app()
    except (StorageFullError, SetupError) as error:
        _exit(error.render(resolve_lang(None)), 1)
    except InputError as error:
        _exit(error.render(resolve_lang(None)), 2)


def _exit(message: str, code: int) -> NoReturn:
    """Print ``message`` to standard error and end the process with ``code``; outside the
    command, where ``typer.Exit`` would be a traceback, not an exit."""
    typer.echo(message, err=True)
    raise SystemExit(code)
