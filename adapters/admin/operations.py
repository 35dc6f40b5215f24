"""`ops/admin sessions|mail|jobs ...`: ending sessions, the lifecycle-mail DLQ, housekeeping."""

from __future__ import annotations

from typing import Annotated

import dramatiq
import typer
from injector import Injector
from rich.progress import Progress
from rich.table import Table

from adapters.admin.runtime import find_user, out, run
from adapters.jobs import enqueue_by_name
from adapters.kafka_dead_letters import KafkaDeadLetters
from core.admin.account_access import AccountAccessChange, EndSessionsHandler
from core.admin.actions import Actor

sessions = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="A user's sessions.")
mail = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Lifecycle mail.")
dlq = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="The dead-letter topic of lifecycle mail (<EVENTS_TOPIC>.dlq): events the mailer "
    "set aside, each with the error that stopped it.",
)
mail.add_typer(dlq, name="dlq")
jobs = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Background jobs (Dramatiq).")


@sessions.command("end")
def end_sessions(
    user: Annotated[str, typer.Argument(help="The account's id, username or email address.")],
) -> None:
    """End every session of the account at once.

    Its access tokens are refused from the next request, its refresh tokens and browser
    sessions revoked. The password stays."""

    async def work(injector: Injector) -> None:
        target = await find_user(injector, user)
        await injector.get(EndSessionsHandler)(AccountAccessChange(Actor.operator(), target.id))
        out.print(f"{target.username}: every session ended", highlight=False)

    run(work)


@dlq.command("list")
def list_dead_letters(
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 50,
) -> None:
    """The records not replayed yet: when, which event, and why it was set aside."""

    async def work(injector: Injector) -> None:
        shown, total = await injector.get(KafkaDeadLetters).pending(limit)
        table = Table("partition", "offset", "time (UTC)", "event type", "event id", "error")
        for letter in shown:
            table.add_row(
                str(letter.partition),
                str(letter.offset),
                f"{letter.timestamp:%Y-%m-%d %H:%M:%S}",
                letter.event_type or "-",
                letter.event_id or "-",
                letter.error[:120],
            )
        out.print(table)
        out.print(f"{total} not replayed yet", highlight=False)

    run(work)


@dlq.command("replay")
def replay_dead_letters() -> None:
    """Put every record not replayed yet back onto the event topic, once.

    The DLQ's replay group commits after the broker has them all, so running it again
    replays nothing new. The mailer sends nothing twice for an event it already mailed."""

    async def work(injector: Injector) -> int:
        with Progress(console=out, transient=True) as progress:
            task = progress.add_task("replaying", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return await injector.get(KafkaDeadLetters).replay(advance)

    replayed = run(work)
    out.print(f"{replayed} replayed", highlight=False)


@jobs.command("requeue-stale")
def requeue_stale() -> None:
    """Enqueue the housekeeping job that retries stale email reputation checks now.

    It enqueues again the checks pending for longer than STALE_PENDING_MINUTES; the scheduler
    also runs it every minute."""

    async def work(injector: Injector) -> str:
        message = enqueue_by_name(injector.get(dramatiq.Broker), "requeue_stale_email_checks")
        return str(message.message_id)

    out.print(f"enqueued requeue_stale_email_checks ({run(work)})", highlight=False)
