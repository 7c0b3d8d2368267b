"""Alembic's entry point: migrations run on the connection the registry hands over
(`registry.database.migrate`), or on `sqlalchemy.url` from the command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from registry.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
