"""Lifecycle mail end to end: N sign-ups through the API until N welcome mails are in MailDev.

    .venv/bin/python ops/bench/mail.py [--users 1000] [--concurrency 32] [--argon2 cheapest]

Starts web, relay and consumer from the Procfile on a topic of their own. EMPTIES the local
MailDev inbox first. `--argon2 default` uses production hashing (then sign-ups, ~13/s on two
cores, are the bottleneck, not the mail pipeline).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ops.bench.server import ROOT, web

MAILDEV = "http://127.0.0.1:1080"


async def sign_up(base: str, names: list[str], concurrency: int) -> dict[str, float]:
    sent: dict[str, float] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for name in names:
        queue.put_nowait(name)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                name = queue.get_nowait()
                sent[name] = time.time()
                response = await client.post(
                    "/api/v1/users",
                    json={
                        "username": name,
                        "email": f"{name}@bench.example",
                        "password": "bench-pass",
                    },
                )
                response.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent


def arrivals(names: set[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for message in httpx.get(f"{MAILDEV}/api/email", timeout=30).json():
        for to in message["to"]:
            name = to["address"].split("@")[0]
            if name in names and message["subject"].startswith("Welcome"):
                found[name] = datetime.fromisoformat(
                    message["time"].replace("Z", "+00:00")
                ).timestamp()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--argon2", default="cheapest", choices=["cheapest", "default"])
    args = parser.parse_args()
    run = uuid.uuid4().hex[:6]
    names = [f"b{run}_{i}" for i in range(args.users)]
    env = {
        "ARGON2_PROFILE": args.argon2,
        "EVENTS_TOPIC": f"bench_mail_{run}",
        "MAIL_CONSUMER_GROUP": f"bench_mailer_{run}",
        "RATE_LIMIT_USERS_PER_IP": "100000000/60",
        "JWT_KEY_DIR": str(ROOT / ".keys"),
    }
    httpx.delete(f"{MAILDEV}/api/email/all", timeout=10)
    with web(env, others=("relay", "consumer")) as base:
        time.sleep(3)  # the consumer joins its group
        started = time.time()
        sent = asyncio.run(sign_up(base, names, args.concurrency))
        signed_up = time.time()
        wanted = set(names)
        while True:
            got = arrivals(wanted)
            if len(got) == len(wanted) or time.time() - started > 600:
                break
            time.sleep(1)
        done = max(got.values()) if got else time.time()
    latencies = sorted(got[n] - sent[n] for n in got)
    print(
        f"\nlifecycle mail benchmark ({run}; {args.users} users, {args.concurrency} concurrent, "
        f"argon2 {args.argon2})"
    )
    rows = [
        (
            "sign-ups",
            f"{len(sent) / (signed_up - started):,.1f} /s",
            f"{signed_up - started:.1f} s",
        ),
        ("welcome mails in MailDev", f"{len(got)} of {len(names)}", ""),
        (
            "end to end (first request -> last mail)",
            f"{len(got) / (done - started):,.1f} mails/s",
            f"{done - started:.1f} s",
        ),
        ("latency p50 (request -> mail)", f"{statistics.median(latencies) * 1000:,.0f} ms", ""),
        ("latency p95", f"{latencies[int(0.95 * (len(latencies) - 1))] * 1000:,.0f} ms", ""),
        ("latency max", f"{latencies[-1] * 1000:,.0f} ms", ""),
    ]
    for label, value, extra in rows:
        print(f"  {label:<42} {value:>18} {extra:>10}")


if __name__ == "__main__":
    main()
