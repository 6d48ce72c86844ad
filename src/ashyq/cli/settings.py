"""``ashyq settings``: the effective settings and where each value came from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from sqlalchemy import make_url

from ashyq.cli.common import resolve_lang, write_json
from ashyq.cli.options import LangOption, format_option
from ashyq.i18n import N_, translate
from ashyq.settings import describe, settings

__all__ = ["settings_command"]

_SOURCES = {
    "option": N_("command-line option"),
    "environment": N_("environment"),
    "default": N_("default"),
}
_HEADER = (N_("Setting"), N_("Value"), N_("Set by"))


def _shown(name: str, value: Any) -> Any:
    """What a value is shown as: the database's effective URL when none is set, and never
    its password."""
    if name == "database_url":
        url = value if value is not None else settings().database
        return make_url(url).render_as_string(hide_password=True)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return getattr(value, "value", value)


def settings_command(
    output_format: Annotated[str, format_option("text", "json")] = "text",
    lang: LangOption = None,
) -> None:
    """Print every setting: its variable, its effective value and where the value came from
    (a command-line option, the environment, or the default)."""
    chosen = resolve_lang(lang)
    rows = [
        {
            "variable": item.variable,
            "value": _shown(item.name, item.value),
            "source": item.source,
            "description": item.description,
        }
        for item in describe()
    ]
    if output_format == "json":
        write_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*(translate(title, chosen) for title in _HEADER))
    table.columns[1].overflow = "fold"
    for row in rows:
        value = "—" if row["value"] is None else str(row["value"])
        table.add_row(row["variable"], value, translate(_SOURCES[row["source"]], chosen))
    Console().print(table)
