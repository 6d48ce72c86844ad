"""``ashyq bodies``: the registry of evaluated bodies."""

from __future__ import annotations

import csv
import io
from typing import Annotated

import typer

from ashyq.bodies import Level, load_bodies
from ashyq.cli.common import write_json, write_output
from ashyq.cli.options import format_option

app = typer.Typer(help="The registry of the 49 evaluated bodies.", no_args_is_help=True)

COLUMNS = ("code", "level", "name_ru", "name_kk", "name_en", "aliases")


@app.command("list")
def list_bodies(
    output_format: Annotated[str, format_option("table", "csv", "json")] = "table",
    level: Annotated[Level | None, typer.Option(help="Only CGO or only MIO.")] = None,
) -> None:
    """List the evaluated bodies: code, level, names in ru/kk/en and aliases (';'-separated)."""
    bodies = [b for b in load_bodies() if level is None or b.level is level]
    rows = [
        {
            "code": b.code,
            "level": b.level.value,
            "name_ru": b.name_ru,
            "name_kk": b.name_kk,
            "name_en": b.name_en,
            # The abbreviation first, then the other spellings, each once.
            "aliases": ";".join(
                dict.fromkeys(([b.abbr_ru] if b.abbr_ru else []) + list(b.aliases))
            ),
        }
        for b in bodies
    ]
    if output_format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_output(buffer.getvalue().encode("utf-8"), None)
    elif output_format == "json":
        write_json(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table("code", "level", "name_ru", "aliases")
        for row in rows:
            table.add_row(row["code"], row["level"], row["name_ru"], row["aliases"])
        Console().print(table)
