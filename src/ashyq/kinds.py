"""Every record kind Ashyq ingests, and their Table Schema files.

Run ``python -m ashyq.kinds`` after changing a record model to regenerate
``ashyq/records/schemas/<kind>.schema.json``; ``tests/test_docs.py`` fails until the files
match the models. This module sits above the pipelines that declare the kinds: the
records layer itself knows none of them.
"""

from __future__ import annotations

import json
from pathlib import Path

from ashyq.appeals.model import KINDS as APPEAL_KINDS
from ashyq.monitoring.model import KINDS as MONITORING_KINDS
from ashyq.records.model import RecordKind, bound_text
from ashyq.services.model import KINDS as SERVICE_KINDS

__all__ = ["SCHEMA_DIRECTORY", "all_kinds", "markdown_fields", "write_schemas"]

SCHEMA_DIRECTORY = Path(__file__).parent / "records" / "schemas"


def all_kinds() -> tuple[RecordKind, ...]:
    """The record kinds of every pipeline (appeals, public services, public monitoring)."""
    return (*APPEAL_KINDS, *SERVICE_KINDS, *MONITORING_KINDS)


def write_schemas(directory: Path = SCHEMA_DIRECTORY) -> list[Path]:
    """Write each kind's Table Schema to ``directory``; return the files written."""
    written = []
    for kind in all_kinds():
        path = directory / f"{kind.name}.schema.json"
        text = json.dumps(kind.table_schema(), ensure_ascii=False, indent=2) + "\n"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas():
        print(path)


def markdown_fields(kind: RecordKind) -> str:
    """The field table of ``kind`` as ``docs/data-formats.md`` shows it."""
    lines = [
        "| field | type | required | codes | description | example |",
        "|---|---|---|---|---|---|",
    ]
    for spec in kind.fields:
        if spec.choices:
            codes = ", ".join(f"`{c.code}` ({c.ru})" for c in spec.choices)
        elif spec.minimum is not None and spec.maximum is not None:
            above = "> " if spec.exclusive_minimum else ""
            codes = f"{above}{bound_text(spec.minimum)}–{bound_text(spec.maximum)}"
        elif spec.minimum is not None:
            codes = f"{'>' if spec.exclusive_minimum else '≥'} {bound_text(spec.minimum)}"
        elif spec.maximum is not None:
            codes = f"≤ {bound_text(spec.maximum)}"
        else:
            codes = ""
        if spec.default is not None:
            codes = f"{codes}; empty: `{spec.default}`" if codes else f"empty: `{spec.default}`"
        required = "yes" if spec.required else ""
        lines.append(
            f"| `{spec.name}` | {spec.type.value} | {required} | {codes} | {spec.description} "
            f"| `{spec.example}` |"
        )
    return "\n".join(lines) + "\n"
