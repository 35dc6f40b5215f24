"""argon2id password hashing in worker processes that run at a lower scheduling priority, so that
the event loop wins the CPU whenever it has work and hashing takes what is left."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from multiprocessing.connection import Connection
from typing import TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from core.domain import Unavailable, normalise_password

T = TypeVar("T")

log = logging.getLogger("adapters.passwords")

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

DUMMY_PASSWORD = "not a password of anyone"


def hash_password(profile: str, password: str) -> str:
    return NORMALISED + PROFILES[profile].hash(normalise_password(password))


def verify_password(profile: str, password_hash: str, password: str) -> bool:
    argon2_hash = password_hash.removeprefix(NORMALISED)
    if argon2_hash != password_hash:
        password = normalise_password(password)
    try:
        return PROFILES[profile].verify(argon2_hash, password)
    except VerificationError:
        return False
    except InvalidHashError:
        # No hash at all (a password made unusable): take the time a real check takes.
        verify_password(profile, _dummy_hash(profile), password)
        return False


@cache
def _dummy_hash(profile: str) -> str:
    """Made once per process that needs it: a hashing worker verifies against it."""
    return hash_password(profile, DUMMY_PASSWORD)


def _start_worker(nice: int, web_process: Connection) -> None:
    """Runs first in each worker process. Linux keeps a nice value per thread and a new thread
    inherits its creator's, so argon2's lane threads, started from this one, run at it too."""
    os.nice(nice)
    # Ctrl-C reaches the whole process group; the web process stops the pool itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(web_process,), daemon=True).start()


def _exit_with(web_process: Connection) -> None:
    """Ends the worker when the web process ends without stopping the pool (SIGKILL, the OOM
    killer): a worker waits for work on a pipe it holds both ends of, and keeps the forkserver
    alive, so nothing else would end it. Only the web process holds this pipe's other end."""
    with contextlib.suppress(EOFError):
        web_process.recv_bytes()
    os._exit(0)


def _started() -> None:
    """Submitted once per worker at start, so that every worker is up before the first hash."""


class Argon2Hasher:
    """`workers` processes hash at once (argon2-cffi's default profile spreads each hash over 4
    threads). They run at `nice` above the web process, so requests that need no hash keep their
    latency while sign-ups and logins use the remaining CPU. A worker that dies is replaced with
    the whole pool; a hash that was running in it is tried once more, then answered Unavailable.
    """

    def __init__(self, profile: str = "default", workers: int = 2, nice: int = 10) -> None:
        self._profile = profile
        self._hasher = PROFILES[profile]
        self._workers = workers
        self._nice = nice
        self._dummy_hash = _dummy_hash(profile)
        self._watched, self._alive = multiprocessing.Pipe(duplex=False)
        self._pool = self._start_pool()

    async def hash(self, password: str) -> str:
        return await self._run(hash_password, self._profile, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(verify_password, self._profile, password_hash, password)

    async def verify_dummy(self, password: str) -> None:
        await self._run(verify_password, self._profile, self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        argon2_hash = password_hash.removeprefix(NORMALISED)
        return argon2_hash == password_hash or self._hasher.check_needs_rehash(argon2_hash)

    async def close(self) -> None:
        """Stop the workers and wait for them, off the event loop (a hash may be finishing)."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
        self._alive.close()
        self._watched.close()

    def _start_pool(self) -> ProcessPoolExecutor:
        # Not fork: the web process has an event loop and threads by now. The forkserver is
        # started once per process, with this module (and argon2) already imported, and the main
        # module too (uvicorn's script), which a new process otherwise imports again: a new
        # worker is then a cheap fork of it.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", __name__])
        pool = ProcessPoolExecutor(
            self._workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self._nice, self._watched),
        )
        for _ in range(self._workers):
            pool.submit(_started)
        return pool

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            self._replace(pool)
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool as error:
            self._replace(pool)
            raise Unavailable("Password hashing is unavailable; try again shortly.") from error

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        # Every request that had a hash in the broken pool gets here; only the first replaces it.
        if self._pool is not broken:
            return
        log.error("a password hashing worker died; starting a new pool")
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start_pool()
