"""`ops/admin` through its real entry point, as an operator or a script runs it: what it
prints, what it changes, and the exit codes scripts rely on (0 done, 1 not found, 2 usage,
3 refused or conflict)."""

from __future__ import annotations

import json
import subprocess

import psycopg
import pytest
from redis import Redis

from adapters.settings import Settings
from tests.integration.api_client import Api, assert_problem
from tests.processes import ROOT, environment, key_files

PASSWORD = "a-long-pass-phrase"


@pytest.fixture
def admin_cli(settings: Settings, migrated: str):  # type: ignore[no-untyped-def]
    env = environment(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        LOG_JSON="true",
        **key_files(settings),
    )

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROOT / "ops" / "admin"), *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


async def _count(db: psycopg.AsyncConnection, query: str, *params: object) -> int:
    row = await (await db.execute(query, params)).fetchone()
    assert row is not None
    return int(row[0])


def test_every_command_has_help(admin_cli) -> None:  # type: ignore[no-untyped-def]
    top = admin_cli("--help")
    assert top.returncode == 0
    assert "Exit codes" in top.stdout
    for command in (
        "users list", "users show", "users create", "users disable", "users enable",
        "users delete", "users grant-admin", "users revoke-admin", "sessions end",
        "mail dlq list", "mail dlq replay", "jobs requeue-stale", "keys new", "keys retire",
        "keys list", "seed",
    ):  # fmt: skip
        shown = admin_cli(*command.split(), "--help")
        assert shown.returncode == 0, (command, shown.stderr)
        assert "Usage: ops/admin" in shown.stdout, command
    assert "NO outbox event" in admin_cli("seed", "--help").stdout


async def test_an_account_created_and_made_administrator_at_the_command_line(
    admin_cli, api: Api, db: psycopg.AsyncConnection
) -> None:  # type: ignore[no-untyped-def]
    created = admin_cli("users", "create", "root", "root@example.com", "--password", PASSWORD)
    assert created.returncode == 0, created.stderr
    user_id = created.stdout.strip()
    # The sign-up path: the welcome mail's event is in the outbox.
    assert await _count(db, "SELECT count(*) FROM outbox WHERE user_id = %s", user_id) >= 1

    granted = admin_cli("users", "grant-admin", "root")
    assert granted.returncode == 0, granted.stderr
    assert "root is an administrator" in granted.stdout
    # Each administrative action is one log line, on stderr.
    logged = [json.loads(line) for line in granted.stderr.splitlines() if line.startswith("{")]
    assert {"action": "user.role.grant", "via": "cli", "target_user_id": user_id}.items() <= (
        logged[-1].items()
    )
    headers = {"Authorization": f"Bearer {await api.token('root', PASSWORD)}"}
    assert (await api.client.get("/api/v1/admin/users", headers=headers)).status_code == 200

    shown = admin_cli("users", "show", user_id, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["roles"] == ["admin"]
    listed = json.loads(admin_cli("users", "list", "-q", "ROO", "--json").stdout)
    assert [item["username"] for item in listed["items"]] == ["root"]

    revoked = admin_cli("users", "revoke-admin", "root@example.com")
    assert revoked.returncode == 0, revoked.stderr
    assert_problem(await api.client.get("/api/v1/admin/users", headers=headers), 403)


async def test_disable_enable_sessions_and_delete(
    admin_cli, api: Api, db: psycopg.AsyncConnection
) -> None:  # type: ignore[no-untyped-def]
    headers = await api.signed_up()

    assert admin_cli("users", "disable", "alice").returncode == 0
    assert_problem(await api.client.get("/api/v1/users", headers=headers), 401)
    assert "account disabled" in str(assert_problem(await api.login(), 403)["detail"]).lower()
    assert admin_cli("users", "enable", "alice").returncode == 0
    headers = {"Authorization": f"Bearer {await api.token()}"}

    ended = admin_cli("sessions", "end", "alice")
    assert ended.returncode == 0, ended.stderr
    assert_problem(await api.client.get("/api/v1/users", headers=headers), 401)

    # No terminal to confirm on: refused, nothing deleted.
    assert admin_cli("users", "delete", "alice").returncode == 3
    assert await _count(db, "SELECT count(*) FROM users WHERE username = 'alice'") == 1
    assert admin_cli("users", "delete", "alice", "--yes").returncode == 0
    assert await _count(db, "SELECT count(*) FROM users WHERE username = 'alice'") == 0


async def test_exit_codes(admin_cli, api: Api) -> None:  # type: ignore[no-untyped-def]
    await api.register()
    not_found = admin_cli("users", "show", "nobody")
    assert not_found.returncode == 1
    assert "nobody" in not_found.stderr
    assert admin_cli("users", "list", "--limit", "0").returncode == 2
    assert admin_cli("users", "frobnicate").returncode == 2
    invalid = admin_cli("users", "create", "x", "x@example.com", "--password", PASSWORD)
    assert invalid.returncode == 2, invalid.stderr
    taken = admin_cli("users", "create", "alice", "other@example.com", "--password", PASSWORD)
    assert taken.returncode == 3
    assert "already registered" in taken.stderr


def test_requeue_stale_enqueues_the_housekeeping_job(admin_cli, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    done = admin_cli("jobs", "requeue-stale")
    assert done.returncode == 0, done.stderr
    with Redis.from_url(settings.redis_url) as redis:
        queued = [json.loads(m) for m in redis.hvals("dramatiq:default.msgs")]
    assert [m["actor_name"] for m in queued] == ["requeue_stale_email_checks"]


def test_keys_and_the_ops_keys_alias(admin_cli, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    listed = admin_cli("keys", "list")
    assert listed.returncode == 0, listed.stderr
    assert "signs" in listed.stdout
    alias = subprocess.run(
        [str(ROOT / "ops" / "keys"), "list"],
        env=environment(**key_files(settings)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert alias.returncode == 0, alias.stderr
    assert alias.stdout == listed.stdout


async def test_seed_signs_up_a_few_and_bulk_inserts_many_without_mail(
    admin_cli, db: psycopg.AsyncConnection
) -> None:  # type: ignore[no-untyped-def]
    few = admin_cli("seed", "3")
    assert few.returncode == 0, few.stderr
    assert "(sign-up)" in few.stdout
    assert (
        await _count(
            db, "SELECT count(*) FROM outbox WHERE type = 'user.created' AND topic = 'mail'"
        )
        == 3
    )

    many = admin_cli("seed", "2500", "--batch-size", "1000")
    assert many.returncode == 0, many.stderr
    assert "2500 accounts seeded (bulk)" in many.stdout
    assert (
        await _count(db, "SELECT count(*) FROM users WHERE starts_with(username, 'seed_')") == 2503
    )
    assert await _count(db, "SELECT count(*) FROM outbox WHERE topic = 'mail'") == 6, (
        "bulk seeding wrote events"
    )
