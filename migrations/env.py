"""Alembic environment: async engine, URL from the same settings the processes use."""

from __future__ import annotations

import asyncio
import logging

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

import adapters.sql.webhook_tables  # noqa: F401 (adds its tables to the metadata)
from adapters.settings import Settings
from adapters.sql.tables import metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _migrate(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def main() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s [%(name)s] %(message)s")
        logging.getLogger("alembic").setLevel(logging.INFO)
    # Tests pass the URL programmatically; `alembic -x url=...` overrides it by hand.
    url = (
        context.config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or Settings.from_env().database_url
    )
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(_migrate(url))


main()
