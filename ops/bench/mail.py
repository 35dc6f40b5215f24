"""Lifecycle mail end to end: N sign-ups through the API until N welcome mails are in MailDev.

    .venv/bin/python ops/bench/mail.py [--users 1000] [--concurrency 32] [--argon2 cheapest]
                                       [--consumers 1]

Starts web, relay and `--consumers` consumers from the Procfile on a topic of their own, against
the database of DATABASE_URL (migrated to head). EMPTIES the local MailDev inbox first.
`--argon2 default` uses production hashing (then sign-ups, ~13/s on two cores, are the
bottleneck, not the mail pipeline).

Latency is from sending the request to the welcome mail's arrival in MailDev, as MailDev
announces it (milliseconds); "Date header" is the same by MailDev's own time stamp of the mail,
which is the Date the consumer wrote, in whole seconds (what earlier runs of this reported).
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

from ops.bench.maildev import MailArrivals
from ops.bench.server import ROOT, web

MAILDEV = "http://127.0.0.1:1080"


async def sign_up(
    base: str, names: list[str], concurrency: int
) -> tuple[dict[str, float], dict[str, float]]:
    """When each request was sent, and when its answer came."""
    sent: dict[str, float] = {}
    answered: dict[str, float] = {}
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
                answered[name] = time.time()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent, answered


def in_maildev(names: set[str]) -> dict[str, list[float]]:
    """The welcome mails' time stamps in MailDev (their Date header), several if sent twice."""
    found: dict[str, list[float]] = {}
    for message in httpx.get(f"{MAILDEV}/api/email", timeout=30).json():
        for to in message["to"]:
            name = to["address"].split("@")[0]
            if name in names and message["subject"].startswith("Welcome"):
                stamp = datetime.fromisoformat(message["time"].replace("Z", "+00:00"))
                found.setdefault(name, []).append(stamp.timestamp())
    return found


def welcomes(arrivals: MailArrivals, names: set[str]) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for address, mails in list(arrivals.mails.items()):
        name = address.split("@")[0]
        if name in names:
            times = [at for subject, at in mails if subject.startswith("Welcome")]
            if times:
                found[name] = times
    return found


def percentile(values: list[float], share: float) -> float:
    return values[int(share * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--argon2", default="cheapest", choices=["cheapest", "default"])
    parser.add_argument("--consumers", type=int, default=1)
    args = parser.parse_args()
    run = uuid.uuid4().hex[:6]
    names = [f"b{run}_{i}" for i in range(args.users)]
    env = {
        "ARGON2_PROFILE": args.argon2,
        "EVENTS_TOPIC": f"bench_mail_{run}",
        "PUBLIC_EVENTS_TOPIC": f"bench_accounts_events_{run}",
        "MAIL_CONSUMER_GROUP": f"bench_mailer_{run}",
        "RATE_LIMIT_USERS_PER_IP": "100000000/60",
        "JWT_KEY_DIR": str(ROOT / ".keys"),
        "CONSUMER_METRICS_PORT": "0",  # several consumers, maybe beside a running system
    }
    httpx.delete(f"{MAILDEV}/api/email/all", timeout=10)
    wanted = set(names)
    with (
        MailArrivals() as arrivals,
        web(env, others=("relay", *["consumer"] * args.consumers)) as base,
    ):
        time.sleep(3 + 2 * args.consumers)  # the consumers join their group
        started = time.time()
        sent, answered = asyncio.run(sign_up(base, names, args.concurrency))
        signed_up = time.time()
        while len(welcomes(arrivals, wanted)) < len(wanted) and time.time() - started < 600:
            time.sleep(1)
        time.sleep(3)  # a mail sent twice would arrive now
        got = welcomes(arrivals, wanted)
        stamped = in_maildev(wanted)
    done = max(min(times) for times in got.values()) if got else time.time()
    latencies = sorted(min(got[n]) - sent[n] for n in got)
    by_date = sorted(min(stamped[n]) - sent[n] for n in stamped)
    requests = sorted(answered[n] - sent[n] for n in answered)
    after_answer = sorted(min(got[n]) - answered[n] for n in got)
    print(
        f"\nlifecycle mail benchmark ({run}; {args.users} users, {args.concurrency} concurrent, "
        f"argon2 {args.argon2}, {args.consumers} consumer(s))"
    )
    rows = [
        (
            "sign-ups",
            f"{len(sent) / (signed_up - started):,.1f} /s",
            f"{signed_up - started:.1f} s",
        ),
        ("welcome mails in MailDev", f"{len(got)} of {len(names)}", ""),
        ("lost (no welcome mail)", f"{len(wanted - set(stamped))}", ""),
        ("duplicated (welcome mail twice)", f"{sum(len(t) > 1 for t in stamped.values())}", ""),
        (
            "end to end (first request -> last mail)",
            f"{len(got) / (done - started):,.1f} mails/s",
            f"{done - started:.1f} s",
        ),
        ("latency p50 (request -> mail)", f"{statistics.median(latencies) * 1000:,.0f} ms", ""),
        ("latency p95", f"{percentile(latencies, 0.95) * 1000:,.0f} ms", ""),
        ("latency max", f"{latencies[-1] * 1000:,.0f} ms", ""),
        ("by Date header: p50 / p95", f"{statistics.median(by_date) * 1000:,.0f} ms", ""),
        ("", f"{percentile(by_date, 0.95) * 1000:,.0f} ms", ""),
        ("of which the request: p50 / p95", f"{statistics.median(requests) * 1000:,.0f} ms", ""),
        ("", f"{percentile(requests, 0.95) * 1000:,.0f} ms", ""),
        ("answer -> mail: p50 / p95", f"{statistics.median(after_answer) * 1000:,.0f} ms", ""),
        ("", f"{percentile(after_answer, 0.95) * 1000:,.0f} ms", ""),
    ]
    for label, value, extra in rows:
        print(f"  {label:<42} {value:>18} {extra:>10}")


if __name__ == "__main__":
    main()
