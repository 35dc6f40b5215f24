"""Sign-up load: `connections` clients each signing up new users one after another, every one
with a fresh username (load.py repeats one request, which would be a conflict after the first).

    python ops/bench/signups.py BASE_URL [--connections 8] [--seconds 10]

Prints JSON: sign-ups answered 201, their rate, latency percentiles and every status seen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ops.bench.load import summarize
from ops.bench.server import PASSWORD


async def run(base: str, connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                name = f"s{uuid.uuid4().hex[:12]}"
                started = time.perf_counter()
                response = await client.post(
                    "/api/v1/users",
                    json={"username": name, "email": f"{name}@bench.example", "password": PASSWORD},
                )
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    created = statuses.get(201, 0)
    # The rate counts only the accounts made; latencies and statuses are of every answer.
    return {
        **summarize(latencies, statuses, elapsed),
        "created": created,
        "elapsed_s": round(elapsed, 2),
        "rps": round(created / elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    json.dump(asyncio.run(run(args.base, args.connections, args.seconds)), sys.stdout)
    print()


if __name__ == "__main__":
    main()
