"""The sign-in time an access token carries (`auth_time`), as JwtTokens signs and reads it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from joserfc import jwt

from adapters.keys import new_key
from adapters.tokens import JwtTokens, load_keys
from core.domain import Unauthenticated
from tests.unit.fakes import FixedClock

SIGNED_IN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
NOW = SIGNED_IN + timedelta(days=3)


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys")
    new_key(path, SIGNED_IN)
    return path


@pytest.fixture
def tokens(key_dir: Path) -> JwtTokens:
    keys = load_keys(key_dir)
    return JwtTokens(keys, issuer="i", audience="a", ttl_seconds=900, clock=FixedClock(NOW))


def _signed(tokens: JwtTokens, key_dir: Path, **claims: object) -> str:
    """A token for a new user, its claims changed as given (None leaves one out)."""
    valid = jwt.decode(tokens.issue(uuid.uuid4(), 0, SIGNED_IN).token, load_keys(key_dir)[-1])
    changed = {k: v for k, v in {**valid.claims, **claims}.items() if v is not None}
    return jwt.encode(valid.header, changed, load_keys(key_dir)[-1])


def test_an_access_token_says_when_its_user_signed_in(tokens: JwtTokens) -> None:
    user = uuid.uuid4()

    claims = tokens.verify(tokens.issue(user, 2, SIGNED_IN).token)

    assert (claims.user_id, claims.token_version, claims.auth_time) == (user, 2, SIGNED_IN)


def test_a_token_signed_before_the_claim_existed_has_no_sign_in_time(
    tokens: JwtTokens, key_dir: Path
) -> None:
    assert tokens.verify(_signed(tokens, key_dir, auth_time=None)).auth_time is None


@pytest.mark.parametrize("bad", ["1700000000", -1, 1.5, True, 10**20])
def test_a_malformed_sign_in_time_is_refused(tokens: JwtTokens, key_dir: Path, bad: object) -> None:
    with pytest.raises(Unauthenticated):
        tokens.verify(_signed(tokens, key_dir, auth_time=bad))


@pytest.mark.parametrize("later", [0, 899, 904, 905, 906, 3600])
def test_a_token_verified_before_expires_as_one_seen_for_the_first_time(
    key_dir: Path, later: int
) -> None:
    """A verified token is remembered (its signature is not checked again): it must still stop
    working at the same second as a token this process never saw."""
    clock = FixedClock(NOW)
    seen = JwtTokens(load_keys(key_dir), issuer="i", audience="a", ttl_seconds=900, clock=clock)
    token = seen.issue(uuid.uuid4(), 0, SIGNED_IN).token
    seen.verify(token)
    clock.advance(timedelta(seconds=later))
    new = JwtTokens(load_keys(key_dir), issuer="i", audience="a", ttl_seconds=900, clock=clock)

    def outcome(tokens: JwtTokens) -> str:
        try:
            return str(tokens.verify(token).user_id)
        except Unauthenticated as error:
            return str(error)

    assert outcome(seen) == outcome(new)
    assert outcome(seen) == outcome(new)  # and again, now that both have seen it
