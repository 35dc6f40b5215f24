"""What every command shares: its exit codes, the process's wiring, and async work run to an
exit code."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from injector import Injector
from rich.console import Console

from adapters.settings import Settings
from core.domain import DomainError, InvalidInput, NotFound, Unavailable, User
from core.ports import UserReader

OK = 0
NOT_FOUND = 1
USAGE = 2
REFUSED = 3
FAILED = 4
EXIT_CODES = (
    "Exit codes: 0 done; 1 not found (no such account); 2 usage (a wrong option or value); "
    "3 refused or conflict (a name already taken, an action not allowed, a quota spent, "
    "a confirmation declined); 4 failed (a service down, or anything unexpected)."
)

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


def fail(code: int, message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def run(work: Callable[[Injector], Awaitable[T]]) -> T:
    """Run `work` with the operators' wiring, closing what it opened; a domain error leaves
    with its exit code and message, never a traceback."""
    from adapters.bootstrap.admin import admin_injector
    from adapters.lifecycle import Lifecycle
    from adapters.logs import configure_logging

    settings = Settings.from_env()
    # Logs (each administrative action is one line) go to stderr: stdout is the answer.
    configure_logging(settings.log_level, settings.log_json, sys.stderr)

    async def main() -> T:
        injector = admin_injector(settings)
        try:
            return await work(injector)
        finally:
            await injector.get(Lifecycle).close()

    try:
        return asyncio.run(main())
    except NotFound as error:
        fail(NOT_FOUND, error.detail)
    except InvalidInput as error:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items())
        fail(USAGE, problems)
    except Unavailable as error:
        fail(FAILED, error.detail)
    except DomainError as error:
        fail(REFUSED, error.detail)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:
        fail(FAILED, f"{type(error).__name__}: {error}")


async def find_user(injector: Injector, ref: str) -> User:
    """The account `ref` names: its id, its username or its email address."""
    users = injector.get(UserReader)  # type: ignore[type-abstract]
    try:
        user = await users.get(uuid.UUID(ref))
    except ValueError:
        user = await users.find_by_login(ref)
    if user is None:
        raise NotFound(f"No account has the id, username or email {ref!r}.")
    return user
