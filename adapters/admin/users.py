"""`ops/admin users ...`: accounts, as administrators see them."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from injector import Injector
from rich.table import Table

from adapters.admin.runtime import REFUSED, fail, find_user, out, run
from core.admin.account_access import AccountAccessChange, DisableUserHandler, EnableUserHandler
from core.admin.actions import Actor, user_created
from core.admin.delete_user import DeleteUser, DeleteUserHandler
from core.admin.roles import SetAdminRole, SetAdminRoleHandler
from core.admin.search_users import SearchUsers, SearchUsersHandler
from core.domain import USER_STATUSES, User
from core.users.register import RegisterUser, RegisterUserHandler

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="List, show, create, disable, enable and delete accounts; grant and revoke the "
    "administrator role.",
)
OPERATOR = Actor.operator()
UserRef = Annotated[str, typer.Argument(help="The account's id, username or email address.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _row(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "email": user.email,
        "status": user.status,
        "roles": sorted(user.roles),
        "email_verified": user.email_verified,
        "email_status": user.email_status,
        "pending_email": user.pending_email,
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
        "created_at": user.created_at.isoformat(),
    }


@app.command("list")
def list_users(
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="The start of the username or email, any case."),
    ] = None,
    status: Annotated[str | None, typer.Option(help=f"One of: {', '.join(USER_STATUSES)}.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Accounts per page.")] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="The next-page cursor a listing printed.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Accounts, newest first, a page at a time."""

    async def work(injector: Injector) -> None:
        page = await injector.get(SearchUsersHandler)(
            SearchUsers(OPERATOR, query, status, limit, cursor)
        )
        if as_json:
            out.print_json(
                json.dumps(
                    {"items": [_row(u) for u in page.users], "next_cursor": page.next_cursor}
                )
            )
            return
        table = Table("id", "username", "email", "status", "roles", "created")
        for user in page.users:
            table.add_row(
                str(user.id),
                user.username,
                user.email,
                user.status,
                ",".join(sorted(user.roles)),
                f"{user.created_at:%Y-%m-%d %H:%M}",
            )
        out.print(table)
        if page.next_cursor:
            out.print(f"next page: --cursor {page.next_cursor}", highlight=False)

    run(work)


@app.command()
def show(user: UserRef, as_json: AsJson = False) -> None:
    """One account: profile, status and roles."""

    async def work(injector: Injector) -> None:
        row = _row(await find_user(injector, user))
        if as_json:
            out.print_json(json.dumps(row))
            return
        table = Table(show_header=False)
        for name, value in row.items():
            table.add_row(name, ", ".join(value) if isinstance(value, list) else str(value))
        out.print(table)

    run(work)


@app.command()
def create(
    username: Annotated[str, typer.Argument(help="3-32 letters, digits, '_', '.' or '-'.")],
    email: Annotated[
        str, typer.Argument(help="The account's address; a confirmation link is mailed to it.")
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when not given."
        ),
    ],
) -> None:
    """Create an account as sign-up does, and print its id.

    The same rules and password policy apply, and the welcome and confirmation mails go out."""

    async def work(injector: Injector) -> None:
        created = await injector.get(RegisterUserHandler)(RegisterUser(username, email, password))
        user_created(OPERATOR, created.id)
        out.print(str(created.id), highlight=False)

    run(work)


def _access(user: str, handler: type[DisableUserHandler | EnableUserHandler], done: str) -> None:
    async def work(injector: Injector) -> None:
        target = await find_user(injector, user)
        changed = await injector.get(handler)(AccountAccessChange(OPERATOR, target.id))
        out.print(f"{changed.username}: {done} ({changed.status})", highlight=False)

    run(work)


@app.command()
def disable(user: UserRef) -> None:
    """Turn sign-in off (403 "account disabled") and end every session at once."""
    _access(user, DisableUserHandler, "disabled")


@app.command()
def enable(user: UserRef) -> None:
    """Turn sign-in on again (ended sessions stay ended)."""
    _access(user, EnableUserHandler, "enabled")


@app.command()
def delete(
    user: UserRef,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an account as its owner would (it gets the goodbye mail); asks first."""

    async def work(injector: Injector) -> None:
        target = await find_user(injector, user)
        if not yes and not _confirmed(f"Delete {target.username} ({target.id})?"):
            fail(REFUSED, "not confirmed: nothing deleted")
        await injector.get(DeleteUserHandler)(DeleteUser(OPERATOR, target.id))
        out.print(f"{target.username}: deleted", highlight=False)

    run(work)


def _confirmed(question: str) -> bool:
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:  # no terminal to ask on, or Ctrl-C
        return False


def _role(user: str, granted: bool) -> None:
    async def work(injector: Injector) -> None:
        target = await find_user(injector, user)
        changed = await injector.get(SetAdminRoleHandler)(
            SetAdminRole(target.id, granted, OPERATOR)
        )
        state = "is an administrator" if changed.is_admin else "is not an administrator"
        note = "" if changed.changed else " (already)"
        out.print(f"{changed.username} {state}{note}", highlight=False)

    run(work)


@app.command("grant-admin")
def grant_admin(user: UserRef) -> None:
    """Make the account an administrator (from its next sign-in or refresh).

    Only this command does: no API path grants the role."""
    _role(user, True)


@app.command("revoke-admin")
def revoke_admin(user: UserRef) -> None:
    """Take the administrator role away; the administrators' API refuses the account at once."""
    _role(user, False)
