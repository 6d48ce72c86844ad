"""The ``ashyq`` command line."""

from __future__ import annotations

import typer

from ashyq.cli.appeals import app as appeals_app
from ashyq.cli.bodies import app as bodies_app
from ashyq.cli.common import fail, resolve_lang
from ashyq.cli.demo import demo
from ashyq.cli.index import app as index_app
from ashyq.cli.monitoring import app as monitoring_app
from ashyq.cli.plan import app as plan_app
from ashyq.cli.portal import app as portal_app
from ashyq.cli.portal import serve
from ashyq.cli.ratings import app as ratings_app
from ashyq.cli.report import app as report_app
from ashyq.cli.services import app as services_app
from ashyq.cli.synth import app as synth_app
from ashyq.cycle.errors import StorageFullError
from ashyq.errors import LimitError

__all__ = ["app", "main"]

app = typer.Typer(
    name="ashyq",
    help="Ashyq: the Openness Index of Kazakhstan's government bodies, computed and published.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
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


def main() -> None:
    """Run the command line (the ``ashyq`` console script).

    A full disk can meet any command that writes; nothing it wrote is left half-written
    (``ashyq.storage.atomic``), and the reader gets one clear message, not a traceback. So
    does a command that needs more memory than its setting gives it.
    """
    try:
        app()
    except (StorageFullError, LimitError) as error:
        fail(error.render(resolve_lang(None)))
