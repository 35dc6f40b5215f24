"""Passkeys: one row per registered WebAuthn credential, with its public key and counter."""

from __future__ import annotations

import uuid

from sqlalchemy import RowMapping, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.errors import unique_violation_as_conflict
from adapters.sql.tables import passkeys
from core.domain import Passkey

_COLUMNS = (
    passkeys.c.id,
    passkeys.c.user_id,
    passkeys.c.credential_id,
    passkeys.c.public_key,
    passkeys.c.sign_count,
    passkeys.c.transports,
    passkeys.c.name,
    passkeys.c.aaguid,
    passkeys.c.created_at,
    passkeys.c.last_used_at,
    passkeys.c.backup_eligible,
    passkeys.c.backed_up,
)


def _passkey(row: RowMapping) -> Passkey:
    return Passkey(**{**row, "transports": tuple(row["transports"])})


class SqlPasskeys:
    """Passkeys inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, passkey: Passkey) -> None:
        values = {c.name: getattr(passkey, c.name) for c in _COLUMNS}
        values["transports"] = list(passkey.transports)
        try:
            # The savepoint keeps the transaction usable for whoever handles the Conflict.
            async with self._conn.begin_nested():
                await self._conn.execute(insert(passkeys).values(values))
        except IntegrityError as error:
            conflict = unique_violation_as_conflict(error)
            if conflict is None:
                raise
            raise conflict from error

    async def list_for_user(self, user_id: uuid.UUID) -> list[Passkey]:
        result = await self._conn.execute(
            select(*_COLUMNS)
            .where(passkeys.c.user_id == user_id)
            .order_by(passkeys.c.created_at, passkeys.c.id)
        )
        return [_passkey(row._mapping) for row in result]

    async def get_by_credential_for_update(self, credential_id: bytes) -> Passkey | None:
        result = await self._conn.execute(
            select(*_COLUMNS).where(passkeys.c.credential_id == credential_id).with_for_update()
        )
        row = result.first()
        return _passkey(row._mapping) if row else None

    async def record_use(self, passkey: Passkey) -> None:
        await self._conn.execute(
            update(passkeys)
            .where(passkeys.c.id == passkey.id)
            .values(
                sign_count=passkey.sign_count,
                last_used_at=passkey.last_used_at,
                backed_up=passkey.backed_up,
            )
        )

    async def rename(self, passkey_id: uuid.UUID, user_id: uuid.UUID, name: str) -> bool:
        result = await self._conn.execute(
            update(passkeys)
            .where(passkeys.c.id == passkey_id, passkeys.c.user_id == user_id)
            .values(name=name)
        )
        return result.rowcount > 0

    async def delete(self, passkey_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        result = await self._conn.execute(
            delete(passkeys).where(passkeys.c.id == passkey_id, passkeys.c.user_id == user_id)
        )
        return result.rowcount > 0
