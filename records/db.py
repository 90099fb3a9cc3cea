"""Connections to the clinic database, transactions, and its schema version.

`make_engine(url)` is the one way to connect (SQLAlchemy 2.0-style "future" engine; on SQLite
foreign keys are switched on for every connection, so deleting a request deletes its outbox
entries). `session_scope(engine)` is one transaction. `migrate(url)` brings the schema up to date
with alembic (the same as `python -m records.cli migrate`); `check_schema(engine)` refuses to run
on a database that was not migrated.
"""

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


class SchemaError(Exception):
    """The clinic database's tables are missing or older than this code."""


def _enable_sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for the clinic database (or a tracker store) at this SQLAlchemy URL."""
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    session = sessionmaker(bind=engine, future=True, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str = None) -> Config:
    """The alembic configuration in records/alembic.ini, for this database URL when given."""
    config = Config(str(ALEMBIC_INI))
    if url is not None:
        # Passed as an attribute, not through the ini file, so '%' in a password needs no escaping.
        config.attributes["url"] = url
    return config


def head_revision() -> str:
    """The newest migration in records/migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str:
    """The migration the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(url: str) -> str:
    """Creates or upgrades the clinic database's tables to the newest migration; returns its revision."""
    command.upgrade(alembic_config(url), "head")
    return head_revision()


def check_schema(engine: Engine) -> None:
    """Raises SchemaError unless the database is at the newest migration."""
    if current_revision(engine) != head_revision():
        raise SchemaError("the clinic database is not up to date: run `make migrate`")
