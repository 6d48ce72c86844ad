"""How a cell of an import file is cleaned before it is parsed: trimmed as Python's
``str.strip`` trims the characters of a CSV cell, a no-break space taken for a space, and
blank taken for missing."""

from __future__ import annotations

import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from ashyq.records.validate import _blank_to_null

# What a cell may begin or end with: every character the cleaning removes, ones it keeps
# that sort below or near them, a no-break space, Cyrillic and Kazakh letters, a
# combining mark, the line endings.
ALPHABET = [*" \t\n\r\v\f\x00\x01\x1f!~\u00a0\u202fаӘё\u0301x", "\r\n"]


def _reference(cell: str | None) -> str | None:
    if cell is None:
        return None
    return cell.replace("\u00a0", " ").strip(" \t\n\r\v\f") or None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(ALPHABET)).map("".join))))
def test_a_cell_is_cleaned_as_python_strips_it(cells: list[str | None]) -> None:
    table = ibis.memtable({"cell": cells}, schema={"cell": "string"})
    con = ibis.duckdb.connect()
    cleaned = con.to_pyarrow(table.select(cell=_blank_to_null(table.cell)))
    assert cleaned["cell"].to_pylist() == [_reference(cell) for cell in cells]
