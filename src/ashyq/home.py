"""Where Ashyq keeps its data: the appeal store, quarantine files and local overrides.

The data directory is ``$ASHYQ_HOME`` when set, otherwise ``ashyq`` under the user's data
directory (``$XDG_DATA_HOME``, by default ``~/.local/share``). Nothing needs a server:
the store is Parquet files that the embedded DuckDB reads in place.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["HOME_VARIABLE", "data_home"]

HOME_VARIABLE = "ASHYQ_HOME"


def data_home() -> Path:
    """Return the data directory (not created here; writers create what they need)."""
    explicit = os.environ.get(HOME_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "ashyq"
