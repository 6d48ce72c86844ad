"""The portal's operational database: a SQLite file by default, PostgreSQL by URL.

The setting ``database_url`` (``ASHYQ_DATABASE_URL``, for example
``postgresql+psycopg://user@host/ashyq``) selects the database; without it the portal keeps
``portal.sqlite3`` in the data home (``Settings.database``). The schema
is created and upgraded only by Alembic migrations (``upgrade``), never by ``create_all``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, Update, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["conditional_update", "make_engine", "session_scope", "upgrade"]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers go on while one writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, connections: int | None = None, wait_seconds: float = 30.0) -> Engine:
    """Create an engine for ``url``; for a SQLite file, create its folder first.

    ``connections`` fixes the size of the connection pool (the portal gives one to each
    of its worker threads; SQLAlchemy's default otherwise); a caller waits at most
    ``wait_seconds`` for a free one, then SQLAlchemy's ``TimeoutError`` is raised.
    """
    pool: dict[str, Any] = {"pool_timeout": wait_seconds}
    if connections is not None:
        pool |= {"pool_size": connections, "max_overflow": 0}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        in_memory = not path or path == ":memory:"
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, **({} if in_memory else pool)
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "ashyq.db:migrations")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default) with Alembic."""
    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (``base`` empties it)."""
    command.downgrade(_alembic_config(engine), revision)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def conditional_update(session: Session, statement: Update) -> int:
    """Run ``statement`` (an UPDATE whose WHERE names the state the request read) and
    return how many rows it changed: 0 when another request changed the row first.

    The objects in the session are not synchronised: the caller sets them, and only when
    the row changed.
    """
    result = session.execute(statement.execution_options(synchronize_session=False))
    return cast("CursorResult[Any]", result).rowcount
