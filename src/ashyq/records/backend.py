"""Small tables on any Ibis backend: the calendar, rules and registries joined to records."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

__all__ = ["small_table"]


def small_table(con: ibis.BaseBackend, name: str, data: Any) -> ir.Table:
    """``data`` (a pyarrow table) as table ``name`` of ``con``, created once per connection."""
    if name in con.list_tables():
        return con.table(name)
    if con.name == "duckdb":
        return con.create_table(name, data, temp=True)
    # Spark has no temporary tables; a temporary view writes nothing to spark-warehouse/.
    return con.create_view(name, ibis.memtable(data), overwrite=True)
