"""argon2id password hashing on a small thread pool, so the event loop never runs it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from core.domain import normalise_password

P = ParamSpec("P")
T = TypeVar("T")

PROFILES = {
    "default": argon2.PasswordHasher(),
    # Tests only: hashing stays real argon2id, at a cost that keeps the suite fast.
    "cheapest": argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST),
}
# Put before the argon2 string of a hash of the password's normal form. A hash without it was
# made before passwords were normalised, of the password as typed: it is verified that way
# (one verification either way, so neither kind of account answers slower) and replaced at
# the next sign-in.
NORMALISED = "nfkc"


class Argon2Hasher:
    """argon2-cffi releases the GIL while hashing, so `concurrency` threads use that many cores;
    keeping it below the core count leaves one for the event loop and the cheap requests."""

    def __init__(self, profile: str = "default", concurrency: int = 1) -> None:
        self._hasher = PROFILES[profile]
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="argon2")
        self._dummy_hash = self._hash("not a password of anyone")

    async def hash(self, password: str) -> str:
        return await self._run(self._hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(self._verify, password_hash, password)

    async def verify_dummy(self, password: str) -> None:
        await self._run(self._verify, self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        argon2_hash = password_hash.removeprefix(NORMALISED)
        return argon2_hash == password_hash or self._hasher.check_needs_rehash(argon2_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _hash(self, password: str) -> str:
        return NORMALISED + self._hasher.hash(normalise_password(password))

    def _verify(self, password_hash: str, password: str) -> bool:
        argon2_hash = password_hash.removeprefix(NORMALISED)
        if argon2_hash != password_hash:
            password = normalise_password(password)
        try:
            return self._hasher.verify(argon2_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            # No hash at all (a password made unusable): take the time a real check takes.
            self._verify(self._dummy_hash, password)
            return False

    async def _run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, partial(fn, *args, **kwargs)
        )
