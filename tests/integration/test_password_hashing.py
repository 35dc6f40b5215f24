"""argon2 hashing in its pool of worker processes: the same hashes as hashing in the web process,
and a pool that recovers when its workers die."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import argon2
import pytest

from adapters.passwords import NORMALISED, PROFILES, Argon2Hasher, verify_password
from core.domain import Unavailable

PASSWORD = "s3cret-pass"


@pytest.fixture
async def hasher() -> AsyncIterator[Argon2Hasher]:
    hasher = Argon2Hasher("cheapest", workers=2, nice=10)
    yield hasher
    await hasher.close()


def _workers(hasher: Argon2Hasher) -> set[int]:
    # The pool's own record of its worker processes: nothing else names them.
    return set(hasher._pool._processes)


async def _gone(pids: set[int]) -> None:
    for _ in range(100):
        if not any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid in pids):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still running: {pids}")


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def test_hashes_from_the_pool_and_from_the_web_process_verify_each_other(
    hasher: Argon2Hasher,
) -> None:
    in_process = PROFILES["cheapest"]
    from_pool = await hasher.hash(PASSWORD)
    assert in_process.verify(from_pool.removeprefix(NORMALISED), PASSWORD)
    assert verify_password("cheapest", from_pool, PASSWORD)
    assert await hasher.verify(in_process.hash(PASSWORD), PASSWORD)
    assert not await hasher.verify(in_process.hash(PASSWORD), "another-pass")
    assert not await hasher.verify("not a hash", PASSWORD)
    assert not hasher.needs_rehash(from_pool)
    older = argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash(PASSWORD)
    assert hasher.needs_rehash(older)
    assert await hasher.verify_dummy(PASSWORD) is None


async def test_the_workers_run_at_a_lower_priority(hasher: Argon2Hasher) -> None:
    await hasher.hash(PASSWORD)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    # A worker lowers its own priority as it starts, which may still be under way.
    for _ in range(100):
        if all(os.getpriority(os.PRIO_PROCESS, pid) == ours + 10 for pid in _workers(hasher)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("a worker runs at the priority of the web process")


async def test_killed_workers_are_replaced_before_the_next_hash(hasher: Argon2Hasher) -> None:
    stored = await hasher.hash(PASSWORD)
    killed = _workers(hasher)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    await _gone(killed)
    assert await hasher.verify(stored, PASSWORD)
    assert verify_password("cheapest", await hasher.hash(PASSWORD), PASSWORD)
    assert _workers(hasher).isdisjoint(killed)


def _die() -> None:
    os._exit(1)


async def test_a_pool_that_breaks_again_on_the_retry_is_unavailable(
    hasher: Argon2Hasher,
) -> None:
    with pytest.raises(Unavailable):
        await hasher._run(_die)
    assert await hasher.verify(await hasher.hash(PASSWORD), PASSWORD)


async def test_closing_stops_every_worker() -> None:
    hasher = Argon2Hasher("cheapest", workers=2, nice=10)
    await hasher.hash(PASSWORD)
    workers = _workers(hasher)
    await hasher.close()
    await _gone(workers)
