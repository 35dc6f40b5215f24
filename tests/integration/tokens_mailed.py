"""The secret of a mailed token, read where the web process leaves it: the outbox event."""

from __future__ import annotations


async def mailed_token(db, event_type: str, email: str) -> str:
    row = await (
        await db.execute(
            "SELECT payload->>'token' FROM outbox WHERE type = %s AND payload->>'email' = %s"
            " ORDER BY id DESC LIMIT 1",
            (event_type, email),
        )
    ).fetchone()
    assert row is not None, f"no {event_type} event for {email}"
    return str(row[0])


async def verification_token(db, email: str = "alice@example.com") -> str:
    return await mailed_token(db, "user.verification_requested", email)


async def reset_token(db, email: str = "alice@example.com") -> str:
    return await mailed_token(db, "user.password_reset_requested", email)
