"""Alembic's entry point for the clinic database.

The database URL comes, in order, from `config.attributes["url"]` (set by `records.db.migrate`),
`-x url=...` on alembic's command line, or DATABASE_URL through `records.settings.Settings`.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from records.models import Base
from records.settings import Settings

config = context.config


def database_url() -> str:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    return Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), future=True, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


# Only alembic's own command line configures logging; `records.db.migrate` keeps the caller's.
if config.config_file_name is not None and "url" not in config.attributes:
    fileConfig(config.config_file_name)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
