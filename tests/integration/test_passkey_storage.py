"""Passkeys and challenges as PostgreSQL stores them, through the unit of work."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from injector import Injector

from core.domain import Conflict, NewCredential, Passkey, WebAuthnChallenge
from core.ports import UnitOfWorkFactory
from tests.integration.api_client import Api

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CREDENTIAL = NewCredential(
    credential_id=b"\x00credential\xff",
    public_key=b"\xa5\x01\x02cose key",
    sign_count=2**32 - 1,
    transports=("usb", "nfc"),
    aaguid=uuid.UUID("adce0002-35bc-c60a-648b-0b25f1f05503"),
    backup_eligible=False,
    backed_up=False,
)


@pytest.fixture
def uow(injector: Injector) -> UnitOfWorkFactory:
    return injector.get(UnitOfWorkFactory)  # type: ignore[type-abstract]


@pytest.fixture
async def alice(api: Api) -> uuid.UUID:
    return uuid.UUID((await api.register()).json()["id"])


async def test_a_passkey_reads_back_as_it_was_stored(
    uow: UnitOfWorkFactory, alice: uuid.UUID
) -> None:
    passkey = Passkey.register(alice, CREDENTIAL, "Security key", NOW)
    async with uow() as tx:
        await tx.passkeys.add(passkey)
        await tx.commit()
    async with uow() as tx:
        [read] = await tx.passkeys.list_for_user(alice)
        assert read == passkey
        assert (type(read.credential_id), type(read.public_key)) == (bytes, bytes)
        used = replace(passkey, last_used_at=NOW + timedelta(hours=1), backed_up=True)
        await tx.passkeys.record_use(used)
        await tx.commit()
    async with uow() as tx:
        assert await tx.passkeys.get_by_credential_for_update(CREDENTIAL.credential_id) == used
        assert await tx.passkeys.get_by_credential_for_update(b"another") is None


async def test_one_credential_is_registered_once(uow: UnitOfWorkFactory, alice: uuid.UUID) -> None:
    async with uow() as tx:
        await tx.passkeys.add(Passkey.register(alice, CREDENTIAL, "First", NOW))
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(Conflict) as raised:
            await tx.passkeys.add(Passkey.register(alice, CREDENTIAL, "Again", NOW))
        assert raised.value.field == "passkey"


async def test_a_challenge_is_consumed_once_for_its_purpose_while_it_lasts(
    uow: UnitOfWorkFactory, alice: uuid.UUID
) -> None:
    challenge = WebAuthnChallenge.issue("step_up", NOW, alice)
    async with uow() as tx:
        await tx.webauthn_challenges.add(challenge)
        await tx.commit()
    late = challenge.expires_at
    async with uow() as tx:
        assert await tx.webauthn_challenges.consume(challenge.id, "sign_in", NOW) is None
        assert await tx.webauthn_challenges.consume(challenge.id, "step_up", late) is None
        taken = await tx.webauthn_challenges.consume(challenge.id, "step_up", NOW)
        assert taken == replace(challenge, used_at=NOW)
        assert await tx.webauthn_challenges.consume(challenge.id, "step_up", NOW) is None
