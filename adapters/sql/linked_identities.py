"""Identities at outside providers linked to accounts, by (issuer, subject)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import linked_identities
from core.domain.identities import IdentityTaken, LinkedIdentity

_COLUMNS = (
    linked_identities.c.id,
    linked_identities.c.user_id,
    linked_identities.c.issuer,
    linked_identities.c.subject,
    linked_identities.c.provider,
    linked_identities.c.email,
    linked_identities.c.created_at,
    linked_identities.c.last_used_at,
)


class SqlLinkedIdentities:
    """Linked identities inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, identity: LinkedIdentity) -> None:
        values = {c.name: getattr(identity, c.name) for c in _COLUMNS}
        try:
            # A savepoint keeps the transaction usable after the unique violation.
            async with self._conn.begin_nested():
                await self._conn.execute(insert(linked_identities).values(**values))
        except IntegrityError as error:
            raise IdentityTaken(identity.provider) from error

    async def find(self, issuer: str, subject: str) -> LinkedIdentity | None:
        row = (
            await self._conn.execute(
                select(*_COLUMNS).where(
                    linked_identities.c.issuer == issuer, linked_identities.c.subject == subject
                )
            )
        ).first()
        return LinkedIdentity(**row._mapping) if row else None

    async def of_user(self, user_id: uuid.UUID) -> list[LinkedIdentity]:
        result = await self._conn.execute(
            select(*_COLUMNS)
            .where(linked_identities.c.user_id == user_id)
            .order_by(linked_identities.c.created_at, linked_identities.c.id)
        )
        return [LinkedIdentity(**row._mapping) for row in result]

    async def used(self, identity_id: uuid.UUID, now: datetime) -> None:
        await self._conn.execute(
            update(linked_identities)
            .where(linked_identities.c.id == identity_id)
            .values(last_used_at=now)
        )

    async def remove(self, user_id: uuid.UUID, identity_id: uuid.UUID) -> bool:
        result = await self._conn.execute(
            delete(linked_identities).where(
                linked_identities.c.id == identity_id, linked_identities.c.user_id == user_id
            )
        )
        return bool(result.rowcount)
