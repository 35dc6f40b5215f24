"""Adding and retiring signing keys without invalidating tokens that are still alive."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.keys import new_key, retire
from adapters.tokens import JwtTokens, load_keys
from core.domain import Unauthenticated

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(minutes=15)


class At:
    def __init__(self, when: datetime) -> None:
        self.when = when

    def now(self) -> datetime:
        return self.when


def _tokens(key_dir: Path, when: datetime) -> JwtTokens:
    return JwtTokens(load_keys(key_dir), issuer="i", audience="a", ttl_seconds=900, clock=At(when))


def test_a_new_key_signs_and_the_old_one_still_verifies(tmp_path: Path) -> None:
    new_key(tmp_path, T0)
    user = uuid.uuid4()
    before = _tokens(tmp_path, T0).issue(user).token
    new_key(tmp_path, T0 + timedelta(minutes=1))
    after_rotation = _tokens(tmp_path, T0 + timedelta(minutes=2))
    assert after_rotation.verify(before).user_id == user, "nobody is logged out by the new key"
    header = after_rotation.issue(user).token.split(".")[0]
    import base64
    import json

    kid = json.loads(base64.urlsafe_b64decode(header + "=="))["kid"]
    assert kid == load_keys(tmp_path)[-1].kid, "the newest key signs"
    kids = [k["kid"] for k in after_rotation.public_keys()["keys"]]
    assert len(kids) == 2


def test_retire_keeps_a_key_while_its_tokens_may_live(tmp_path: Path) -> None:
    old = new_key(tmp_path, T0)
    new_key(tmp_path, T0 + timedelta(hours=1))
    assert retire(tmp_path, TTL, T0 + timedelta(hours=1, minutes=10)) == []
    assert old.exists()
    assert retire(tmp_path, TTL, T0 + timedelta(hours=1, minutes=17)) == [old]
    assert len(load_keys(tmp_path)) == 1


def test_tokens_of_a_retired_key_are_refused(tmp_path: Path) -> None:
    new_key(tmp_path, T0)
    token = _tokens(tmp_path, T0).issue(uuid.uuid4()).token
    new_key(tmp_path, T0 + timedelta(hours=1))
    retire(tmp_path, TTL, T0 + timedelta(hours=2))
    with pytest.raises(Unauthenticated):
        _tokens(tmp_path, T0 + timedelta(minutes=5)).verify(token)
