"""Rate-limiter throughput: direct Redis checks/s and client CPU per check, on redis-py's
pooled client and on the pipelined connection the web process uses; and its cost on the API.

    .venv/bin/python ops/bench/limiter.py [--seconds 8] [--redis-url redis://127.0.0.1:6379/2]

Needs the local services (ops/services up). Prints a table; compare rows of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from adapters.clock import SystemClock
from adapters.ratelimit import SLIDING_WINDOW, RedisSlidingWindowLimiter
from adapters.redis_client import redis_client
from adapters.redis_pipeline import PipelinedRedis, PipelinedScript
from core.domain import RateLimit
from ops.bench.server import ROOT, web

REDIS_URL = "redis://127.0.0.1:6379/2"
HUGE = "1000000000/60"


async def direct(
    redis_url: str, concurrency: int, seconds: float, pipelined: bool
) -> tuple[float, float]:
    """Checks/s of the limiter alone, and the CPU time of this process per check (us): on
    redis-py's pooled client, or on the pipelined connection the web process uses."""
    redis = redis_client(redis_url, 2.0, max_connections=max(concurrency, 1))
    await redis.flushdb()
    pipeline = PipelinedRedis(redis_url) if pipelined else None
    script = PipelinedScript(pipeline, SLIDING_WINDOW) if pipeline else None
    limiter = RedisSlidingWindowLimiter(redis, SystemClock(), timeout_seconds=2, script=script)
    rate = RateLimit(1_000_000_000, 60)
    checks = [("bench:ip", rate), ("bench:user", rate)]  # what every API request checks
    count = 0
    deadline = time.perf_counter() + seconds

    async def loop(i: int) -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await limiter.acquire_all(checks)
            count += 1

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(loop(i) for i in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await redis.flushdb()
    await redis.aclose()
    if pipeline:
        await pipeline.close()
    return count / elapsed, cpu / max(count, 1) * 1e6


def through_api(redis_url: str, enabled: bool, seconds: float, connections: int) -> dict:
    env = {
        "REDIS_URL": redis_url,
        "RATE_LIMIT_ENABLED": "true" if enabled else "false",
        "RATE_LIMIT_USERS_PER_IP": HUGE,
        "RATE_LIMIT_PER_USER": HUGE,
        "JWT_KEY_DIR": str(ROOT / ".keys"),
    }
    with web(env) as base:
        # GET /api/v1/users without a token: the limiter's IP check, then a 401. No database.
        out = subprocess.run(
            [
                sys.executable,
                str(ROOT / "ops/bench/load.py"),
                f"{base}/api/v1/users",
                "--connections",
                str(connections),
                "--seconds",
                str(seconds),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    import json

    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--redis-url", default=REDIS_URL, help="a database this may empty")
    args = parser.parse_args()
    subprocess.run([str(ROOT / "ops/keys"), "ensure"], check=True)
    rows = []
    for concurrency in (1, 16, 64):
        for pipelined in (False, True):
            rate, cpu = uvloop.run(direct(args.redis_url, concurrency, args.seconds, pipelined))
            rows.append(
                (
                    f"direct, {'pipelined' if pipelined else 'redis-py'}, {concurrency} concurrent",
                    f"{rate:,.0f} checks/s",
                    f"CPU {cpu:,.1f} us/check",
                    "",
                )
            )
    off = through_api(args.redis_url, False, args.seconds, args.connections)
    on = through_api(args.redis_url, True, args.seconds, args.connections)
    for label, result in (("API, limiter off", off), ("API, limiter on", on)):
        rows.append(
            (
                label,
                f"{result['rps']:,.0f} req/s",
                f"p50 {result['p50_ms']} ms",
                f"p99 {result['p99_ms']} ms",
            )
        )
    rows.append(("API on/off ratio", f"{on['rps'] / off['rps']:.2f}", "", ""))
    run_id = uuid.uuid4().hex[:6]
    print(
        f"\nrate limiter benchmark ({run_id}; {args.connections} connections, "
        f"{args.seconds:g} s per API run)"
    )
    width = max(len(r[0]) for r in rows)
    for row in rows:
        print(f"  {row[0]:<{width}}  {row[1]:>16}  {row[2]:>14}  {row[3]:>14}")


if __name__ == "__main__":
    main()
