"""The root of `ops/admin`: its command groups, and the exit codes every command keeps to."""

from __future__ import annotations

import typer

from adapters.admin import keys, operations, seed, users
from adapters.admin.runtime import EXIT_CODES

app = typer.Typer(
    name="ops/admin",
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Administration of the accounts service: accounts, sessions, the lifecycle-mail DLQ, "
    "background jobs, signing keys, demo accounts. Reads the settings the processes read "
    "(environment and .env).",
    epilog=EXIT_CODES,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(users.app, name="users")
app.add_typer(operations.sessions, name="sessions")
app.add_typer(operations.mail, name="mail")
app.add_typer(operations.jobs, name="jobs")
app.add_typer(keys.app, name="keys")
app.command("seed")(seed.seed)


def main() -> None:
    app(prog_name="ops/admin")
