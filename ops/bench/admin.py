"""The administrators' search against a seeded database (ops/services up; seed first, e.g.
`DATABASE_URL=... ops/admin seed 1000000`).

    DATABASE_URL=... .venv/bin/python ops/bench/admin.py [--requests 500] [--concurrency 1]

Starts the web process on that database with the limits lifted, makes a bench administrator
(signed up, then `ops/admin users grant-admin`), and sends GET /api/v1/admin/users?q=<3
characters> with prefixes of three kinds, drawn in turn: the start of a random account's email
(a few hundred matches among a million seeded accounts), the start of a random username (the
seeded ones share "see": most accounts match), and three random letters (few or none match);
every fifth request follows the page's cursor to the next page. Reports p50/p99 of each kind
and of all, measured at the client (HTTP and JSON included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ops.bench.api import ENV
from ops.bench.server import PASSWORD, ROOT, bench_user, web

DEFAULT_DATABASE = "postgresql+psycopg://accounts:accounts@127.0.0.1:5433/accounts"


def prefixes(database_url: str, count: int) -> list[tuple[str, str]]:
    """(kind, prefix) pairs, the kinds in turn."""
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as db:
        rows = db.execute(
            "SELECT lower(left(email, 3)), lower(left(username, 3)) FROM users"
            " TABLESAMPLE SYSTEM (1) LIMIT %s",
            (count,),
        ).fetchall()
    if not rows:
        raise SystemExit("the database has no accounts: seed it first (ops/admin seed N)")
    letters = string.ascii_lowercase + string.digits
    kinds = []
    for n in range(count):
        email, username = random.choice(rows)  # noqa: S311 (a sample, not a secret)
        kind = ("email", "username", "random")[n % 3]
        chosen = {"email": email, "username": username}.get(kind)
        kinds.append((kind, chosen or "".join(random.choices(letters, k=3))))  # noqa: S311
    return kinds


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def measure(
    base: str, token: str, queries: list[tuple[str, str]], concurrency: int
) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {}
    pending = list(enumerate(queries))
    headers = {"Authorization": f"Bearer {token}"}

    async def client_loop(client: httpx.AsyncClient) -> None:
        while pending:
            n, (kind, prefix) = pending.pop()
            started = time.perf_counter()
            response = await client.get("/api/v1/admin/users", params={"q": prefix})
            response.raise_for_status()
            latencies.setdefault(kind, []).append(time.perf_counter() - started)
            cursor = response.json()["next_cursor"]
            if n % 5 == 0 and cursor:
                started = time.perf_counter()
                next_page = await client.get(
                    "/api/v1/admin/users", params={"q": prefix, "cursor": cursor}
                )
                next_page.raise_for_status()
                latencies.setdefault("next page", []).append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    env = {**ENV, "DATABASE_URL": database_url}
    subprocess.run([str(ROOT / "ops/admin"), "keys", "ensure"], check=True)
    queries = prefixes(database_url, args.requests)
    with web(env) as base:
        name, _ = bench_user(base)
        subprocess.run(
            [str(ROOT / "ops/admin"), "users", "grant-admin", name],
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        token = httpx.post(
            f"{base}/api/v1/token/access", json={"username": name, "password": PASSWORD}
        ).json()["access_token"]
        # Warm the pools and the caches: the first requests open connections.
        asyncio.run(measure(base, token, queries[:20], 1))
        latencies = asyncio.run(measure(base, token, queries, args.concurrency))
    every = [value for values in latencies.values() for value in values]
    print(f"\nadmin search, {len(every)} requests, {args.concurrency} at a time")
    for kind, values in [*sorted(latencies.items()), ("all", every)]:
        print(
            f"  {kind:<10} n={len(values):<5} p50 {percentile(values, 0.5) * 1000:6.1f} ms"
            f"  p99 {percentile(values, 0.99) * 1000:6.1f} ms"
            f"  mean {statistics.fmean(values) * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
