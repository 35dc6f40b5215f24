"""The steps of passkey ceremonies below the API: through the web process's wiring, on the real
database, answered by a software authenticator."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from injector import Injector

from core.domain import AssertionPurpose, Passkey
from core.passkeys.begin_assertion import BeginAssertion
from core.passkeys.begin_registration import (
    BeginPasskeyRegistration,
    BeginPasskeyRegistrationHandler,
)
from core.passkeys.ceremony import Ceremony, PasskeyAnswer
from core.passkeys.delete_passkey import DeletePasskey, DeletePasskeyHandler
from core.passkeys.finish_registration import (
    FinishPasskeyRegistration,
    FinishPasskeyRegistrationHandler,
)
from core.passkeys.verify_assertion import VerifyAssertion
from core.ports import UnitOfWorkFactory
from tests.webauthn_authenticator import SoftwareAuthenticator

PASSWORD = "s3cret-pass"


class PasskeySteps:
    """Users registered through the API (with PASSWORD) adding, using and removing passkeys.
    The authenticator that registered a user's first passkey confirms that user for the
    changes that need a second factor once the user has one (a step-up)."""

    def __init__(self, injector: Injector, db: psycopg.AsyncConnection) -> None:
        self.injector = injector
        self.db = db
        self.first_authenticator: dict[uuid.UUID, SoftwareAuthenticator] = {}

    async def step_up(self, user_id: uuid.UUID) -> PasskeyAnswer | None:
        """The answer a sensitive change asks for, when the user has a passkey."""
        authenticator = self.first_authenticator.get(user_id)
        if authenticator is None:
            return None
        ceremony = await self.begin_assertion("step_up", user_id)
        return PasskeyAnswer(ceremony.challenge_id, authenticator.get(ceremony.options))

    async def begin_registration(self, user_id: uuid.UUID) -> Ceremony:
        begin = self.injector.get(BeginPasskeyRegistrationHandler)
        passkey = await self.step_up(user_id)
        return await begin(BeginPasskeyRegistration(user_id, PASSWORD, passkey=passkey))

    async def finish_registration(
        self, user_id: uuid.UUID, ceremony: Ceremony, answer: Any, name: str | None = None
    ) -> Passkey:
        finish = self.injector.get(FinishPasskeyRegistrationHandler)
        return await finish(FinishPasskeyRegistration(user_id, ceremony.challenge_id, answer, name))

    async def register(
        self, user_id: uuid.UUID, authenticator: SoftwareAuthenticator, name: str | None = None
    ) -> Passkey:
        ceremony = await self.begin_registration(user_id)
        passkey = await self.finish_registration(
            user_id, ceremony, authenticator.create(ceremony.options), name
        )
        self.first_authenticator.setdefault(user_id, authenticator)
        return passkey

    async def remove(self, user_id: uuid.UUID, passkey_id: uuid.UUID) -> None:
        passkey = await self.step_up(user_id)
        command = DeletePasskey(user_id, passkey_id, PASSWORD, passkey=passkey)
        await self.injector.get(DeletePasskeyHandler)(command)

    async def begin_assertion(
        self, purpose: AssertionPurpose, user_id: uuid.UUID | None = None
    ) -> Ceremony:
        async with self._uow() as uow:
            ceremony = await self.injector.get(BeginAssertion)(uow, purpose, user_id)
            await uow.commit()
        return ceremony

    async def verify_assertion(
        self,
        purpose: AssertionPurpose,
        ceremony: Ceremony,
        answer: Any,
        user_id: uuid.UUID | None = None,
    ) -> Passkey:
        async with self._uow() as uow:
            passkey = await self.injector.get(VerifyAssertion)(
                uow, purpose, ceremony.challenge_id, answer, user_id
            )
            await uow.commit()
        return passkey

    async def sign_in(self, authenticator: SoftwareAuthenticator) -> Passkey:
        """A discoverable sign-in: no user named, the passkey says whose it is."""
        ceremony = await self.begin_assertion("sign_in")
        return await self.verify_assertion("sign_in", ceremony, authenticator.get(ceremony.options))

    def _uow(self) -> Any:
        return self.injector.get(UnitOfWorkFactory)()  # type: ignore[type-abstract]

    # --- what the database holds ------------------------------------------------------------

    async def rows(self) -> list[tuple[Any, ...]]:
        """(user id, name, sign count, last used) of every passkey, oldest first."""
        cursor = await self.db.execute(
            "SELECT user_id, name, sign_count, last_used_at FROM passkeys ORDER BY created_at"
        )
        return await cursor.fetchall()

    async def challenge_used(self, ceremony: Ceremony) -> bool:
        cursor = await self.db.execute(
            "SELECT used_at IS NOT NULL FROM webauthn_challenges WHERE id = %s",
            (ceremony.challenge_id,),
        )
        row = await cursor.fetchone()
        assert row is not None
        return bool(row[0])

    async def events(self) -> list[str]:
        cursor = await self.db.execute("SELECT type FROM outbox ORDER BY id")
        return [t for (t,) in await cursor.fetchall()]

    async def expire(self, ceremony: Ceremony) -> None:
        await self.db.execute(
            "UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE id = %s",
            (ceremony.challenge_id,),
        )
