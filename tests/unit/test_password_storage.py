"""What the password adapters do on their own: argon2 of the normal form (and hashes made
before normalisation), the packaged list of common passwords, and reading a range answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.common_passwords import PackagedCommonPasswords
from adapters.passwords import PROFILES, Argon2Hasher
from adapters.pwned_passwords import _count_of


@pytest.fixture
async def hasher() -> AsyncIterator[Argon2Hasher]:
    hasher = Argon2Hasher("cheapest", workers=1)
    yield hasher
    await hasher.close()


async def test_the_normal_form_is_hashed_and_any_spelling_verifies(hasher: Argon2Hasher) -> None:
    stored = await hasher.hash("cafe\u0301 \ufb01ne")
    assert stored.startswith("nfkc$argon2id$")
    assert await hasher.verify(stored, "caf\u00e9 fine")
    assert await hasher.verify(stored, "cafe\u0301 \ufb01ne")
    assert not await hasher.verify(stored, "cafe fine")
    assert not hasher.needs_rehash(stored)


async def test_a_hash_made_before_normalisation_verifies_as_typed_and_wants_a_rehash(
    hasher: Argon2Hasher,
) -> None:
    legacy = PROFILES["cheapest"].hash("cafe\u0301")
    assert await hasher.verify(legacy, "cafe\u0301")
    assert hasher.needs_rehash(legacy)


def test_the_packaged_list_holds_the_usual_suspects() -> None:
    common = PackagedCommonPasswords.from_zxcvbn()
    assert len(common) >= 29_000
    for password in ("password123", "qwertyuiop", "QWERTYUIOP", "iloveyou", "trustno1"):
        assert common.contains(password), password
    assert not common.contains("correct horse battery staple")


SUFFIX = "0018A45C4D1DEF81644B54AB7F969B88D65"


def test_a_range_answer_gives_the_count_of_the_suffix_and_zero_for_padding() -> None:
    body = f"{'0' * 35}:0\r\n{SUFFIX}:42\r\n{'F' * 35}:3"
    assert _count_of(SUFFIX, body) == 42
    assert _count_of(SUFFIX, body.lower().replace("\r\n", "\n")) == 42
    assert _count_of(SUFFIX, f"{SUFFIX}:0\r\n") == 0
    assert _count_of("1" * 35, body) == 0


@pytest.mark.parametrize("body", ["", "<html>busy</html>", f"{SUFFIX}:many", f"{SUFFIX[:-1]}:1"])
def test_anything_else_is_not_a_range_answer(body: str) -> None:
    with pytest.raises(ValueError, match=r"answer|line"):
        _count_of(SUFFIX, body)
