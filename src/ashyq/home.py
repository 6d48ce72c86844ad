"""Where Ashyq keeps its data: the layout of a data home, every path in one place.

The data home is the setting ``home`` (``$ASHYQ_HOME``; by default ``ashyq`` under the
user's data directory, ``$XDG_DATA_HOME`` or ``~/.local/share``). Nothing needs a server:
the store is Parquet files that the embedded DuckDB reads in place, and the portal's
database is a SQLite file beside them unless ``$ASHYQ_DATABASE_URL`` names another.
Code asks ``settings().paths`` (a ``Home``) for a path; no module spells the layout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HOME_VARIABLE", "Home", "default_home"]

HOME_VARIABLE = "ASHYQ_HOME"


def default_home() -> Path:
    """The data home when ``$ASHYQ_HOME`` is not set: ``ashyq`` in the user's data
    directory (``$XDG_DATA_HOME``, by default ``~/.local/share``)."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "ashyq"


@dataclass(frozen=True)
class Home:
    """Every path of a data home (none is created here; writers create what they need)."""

    root: Path

    @property
    def store(self) -> Path:
        """The record store: ``store/<kind>/<period>/<body>.parquet``."""
        return self.root / "store"

    @property
    def quarantine(self) -> Path:
        """Rejected input rows, one file per ingest, with their problems."""
        return self.root / "quarantine"

    @property
    def database(self) -> Path:
        """The portal's SQLite database (when no database URL is set)."""
        return self.root / "portal.sqlite3"

    @property
    def portal(self) -> Path:
        """What the portal writes besides its database."""
        return self.root / "portal"

    @property
    def uploads(self) -> Path:
        """Uploaded source files and dispute attachments: never served as static files."""
        return self.portal / "files"

    @property
    def report_files(self) -> Path:
        """Reports generated from published snapshots, by the snapshot's SHA-256."""
        return self.portal / "reports"

    @property
    def rating_photos(self) -> Path:
        """Photos sent with ratings from service points."""
        return self.portal / "rating-photos"

    @property
    def inputs(self) -> Path:
        """Index input files that ``appeals indicators`` writes for ``index compute``."""
        return self.root / "inputs"

    @property
    def methodologies(self) -> Path:
        """Methodologies added locally (``openness-<name>.yaml``) beside the packaged ones."""
        return self.root / "methodologies"

    @property
    def calendar_overrides(self) -> Path:
        """Local corrections of the working-day calendar, read after the packaged ones."""
        return self.root / "calendar" / "overrides.csv"

    @property
    def liability_rules(self) -> Path:
        """A local rule table of suggested liability, used instead of the packaged one."""
        return self.root / "liability.yaml"
