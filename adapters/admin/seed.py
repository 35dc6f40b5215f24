"""`ops/admin seed N`: demo accounts."""

from __future__ import annotations

import secrets
import time
from enum import StrEnum
from typing import Annotated

import typer
from injector import Injector
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.admin.runtime import err, out, run
from adapters.settings import Settings
from adapters.sql.seed import SEED_DOMAIN, insert_seeded, seeded_username
from core.ports import Clock, PasswordHasher
from core.users.register import RegisterUser, RegisterUserHandler

DEMO_PASSWORD = "demo-accounts-password"
SIGN_UP_AT_MOST = 100
"""Up to this many, `--path auto` signs each account up as a person would."""


class SeedPath(StrEnum):
    auto = "auto"
    sign_up = "sign-up"
    bulk = "bulk"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )


def seed(
    count: Annotated[int, typer.Argument(min=1, max=10_000_000, help="How many accounts.")],
    password: Annotated[
        str, typer.Option(help="The password of every seeded account.")
    ] = DEMO_PASSWORD,
    path: Annotated[
        SeedPath,
        typer.Option(help=f"sign-up, bulk, or auto: sign-up up to {SIGN_UP_AT_MOST}, else bulk."),
    ] = SeedPath.auto,
    batch_size: Annotated[int, typer.Option(min=100, help="Rows per bulk statement.")] = 20_000,
) -> None:
    """Create COUNT demo accounts (usernames seed_<tag>_N), all with one password.

    Their usernames start with "seed_", a tag of this run and a number (seed_<tag>_0000001,
    ...); their addresses are at <tag>.seed.example.

    sign-up: each account is signed up through the sign-up handler, as POST /api/v1/users
    does: the password policy applies and the welcome and confirmation mails go out.

    bulk (for thousands to millions): the password is hashed once and that hash stored for
    every account; PostgreSQL generates the rows in batches. The addresses are marked
    confirmed, and NO outbox event is written: no welcome mail, no event on Kafka. About a
    minute for a million on a small machine."""
    tag = secrets.token_hex(2)
    bulk = path is SeedPath.bulk or (path is SeedPath.auto and count > SIGN_UP_AT_MOST)
    started = time.monotonic()

    async def work(injector: Injector) -> int:
        if not bulk:
            return await _sign_up(injector, count, tag, password)
        password_hash = await injector.get(PasswordHasher).hash(password)  # type: ignore[type-abstract]
        with _progress() as progress:
            task = progress.add_task("inserting", total=count)
            return await insert_seeded(
                injector.get(Settings).database_url,
                count=count,
                tag=tag,
                password_hash=password_hash,
                now=injector.get(Clock).now(),  # type: ignore[type-abstract]
                batch_size=batch_size,
                progress=lambda rows: progress.advance(task, rows),
            )

    created = run(work)
    elapsed = time.monotonic() - started
    out.print(
        f"{created} accounts seeded ({'bulk' if bulk else 'sign-up'}) in {elapsed:.1f} s: "
        f"{seeded_username(tag, 1)} ... {seeded_username(tag, count)}",
        highlight=False,
    )


async def _sign_up(injector: Injector, count: int, tag: str, password: str) -> int:
    register = injector.get(RegisterUserHandler)
    with _progress() as progress:
        task = progress.add_task("signing up", total=count)
        for number in range(1, count + 1):
            username = seeded_username(tag, number)
            email = f"{number}@{tag}.{SEED_DOMAIN}"
            await register(RegisterUser(username, email, password))
            progress.advance(task)
    return count
