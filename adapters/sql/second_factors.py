"""Second factors: each user's TOTP credential and recovery codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import recovery_codes, totp_credentials
from core.domain import TotpCredential

_COLUMNS = (
    totp_credentials.c.user_id,
    totp_credentials.c.sealed_secret,
    totp_credentials.c.created_at,
    totp_credentials.c.confirmed_at,
    totp_credentials.c.last_step,
)


class SqlSecondFactors:
    """TOTP credentials and recovery codes inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def get_totp(self, user_id: uuid.UUID) -> TotpCredential | None:
        row = (
            await self._conn.execute(select(*_COLUMNS).where(totp_credentials.c.user_id == user_id))
        ).first()
        return TotpCredential(**row._mapping) if row else None

    async def put_pending_totp(self, credential: TotpCredential) -> bool:
        values = {c.name: getattr(credential, c.name) for c in _COLUMNS}
        statement = (
            upsert(totp_credentials)
            .values(values)
            .on_conflict_do_update(
                index_elements=[totp_credentials.c.user_id],
                set_={
                    "sealed_secret": credential.sealed_secret,
                    "created_at": credential.created_at,
                    "last_step": None,
                },
                # A confirmed credential is never replaced: turning it off comes first.
                where=totp_credentials.c.confirmed_at.is_(None),
            )
            .returning(totp_credentials.c.user_id)
        )
        return (await self._conn.execute(statement)).first() is not None

    async def confirm_totp(self, credential: TotpCredential, step: int, now: datetime) -> bool:
        result = await self._conn.execute(
            update(totp_credentials)
            .where(
                totp_credentials.c.user_id == credential.user_id,
                totp_credentials.c.confirmed_at.is_(None),
                totp_credentials.c.sealed_secret == credential.sealed_secret,
            )
            .values(confirmed_at=now, last_step=step)
        )
        return bool(result.rowcount)

    async def accept_totp_step(self, user_id: uuid.UUID, step: int) -> bool:
        # Compare-and-set: of two requests with one code, the second waits for the first's row
        # lock, then finds last_step at that step and matches nothing.
        result = await self._conn.execute(
            update(totp_credentials)
            .where(
                totp_credentials.c.user_id == user_id,
                totp_credentials.c.confirmed_at.is_not(None),
                or_(
                    totp_credentials.c.last_step.is_(None),
                    totp_credentials.c.last_step < step,
                ),
            )
            .values(last_step=step)
        )
        return bool(result.rowcount)

    async def delete_totp(self, user_id: uuid.UUID) -> None:
        await self._conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        await self._conn.execute(
            delete(totp_credentials).where(totp_credentials.c.user_id == user_id)
        )

    async def replace_recovery_codes(
        self, user_id: uuid.UUID, code_hashes: list[str], now: datetime
    ) -> None:
        await self._conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        await self._conn.execute(
            insert(recovery_codes),
            [{"user_id": user_id, "code_hash": h, "created_at": now} for h in code_hashes],
        )

    async def has_recovery_code(self, user_id: uuid.UUID, code_hash: str) -> bool:
        row = (
            await self._conn.execute(
                select(recovery_codes.c.code_hash).where(
                    recovery_codes.c.user_id == user_id, recovery_codes.c.code_hash == code_hash
                )
            )
        ).first()
        return row is not None

    async def use_recovery_code(self, user_id: uuid.UUID, code_hash: str) -> bool:
        # One DELETE: of two concurrent uses, the second finds the row gone.
        result = await self._conn.execute(
            delete(recovery_codes)
            .where(recovery_codes.c.user_id == user_id, recovery_codes.c.code_hash == code_hash)
            .returning(recovery_codes.c.code_hash)
        )
        return result.first() is not None

    async def recovery_codes_left(self, user_id: uuid.UUID) -> int:
        count = await self._conn.scalar(
            select(func.count())
            .select_from(recovery_codes)
            .where(recovery_codes.c.user_id == user_id)
        )
        return int(count or 0)
