"""Password hashing under load, one web process with production argon2 (`api.py --only hashing`).

(a) The machine's argon2 limit: hashes/s with argon2-cffi defaults, one process per core, taken
    just before and just after (b) (others may share the machine; the mean is the limit), and,
    for comparison, what processes at nice 10 get of the machine at that time.
(b) Sign-ups/s alone at 8 concurrent sign-ups, as a ratio to (a).
(c) GET /api/v1/users p99 at 16 connections during 8 concurrent sign-ups, as a ratio to idle
    (the mean of idle just before and just after).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor

import argon2

from ops.bench.server import PASSWORD, SIGN_UPS, bench_user, load, web

SIGN_UP_CONNECTIONS = 8
GET_CONNECTIONS = 16
NICE = 10


def _hash_from(start: float, seconds: float, nice: int) -> float:
    """Hashes/s of one process hashing from `start` (a monotonic time, shared by all processes
    on Linux) for `seconds`."""
    os.nice(nice)
    hasher = argon2.PasswordHasher()
    time.sleep(max(0.0, start - time.monotonic()))
    count = 0
    while time.monotonic() < start + seconds:
        hasher.hash(PASSWORD)
        count += 1
    return count / (time.monotonic() - start)


def argon2_limit(seconds: float, nice: int = 0) -> float:
    """Hashes/s with argon2-cffi defaults on every core at once, each in its own process."""
    cores = os.cpu_count() or 1
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(cores, mp_context=spawn) as pool:
        start = time.monotonic() + 2  # time for the interpreters to start
        rates = pool.map(_hash_from, [start] * cores, [seconds] * cores, [nice] * cores)
        return sum(rates)


def sign_ups(base: str, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*SIGN_UPS, base, "--seconds", str(seconds), "--connections", str(SIGN_UP_CONNECTIONS)],
        stdout=subprocess.PIPE,
        text=True,
    )


def run(env: dict[str, str], seconds: float) -> list[tuple[str, ...]]:
    s = seconds
    with web(env) as base:
        _, token = bench_user(base)
        auth = f"Authorization: Bearer {token}"
        # The limit just before and just after the sign-ups alone, so that both see about the
        # same share of a machine that others use too.
        limit_before = argon2_limit(s)
        alone = json.loads(sign_ups(base, s).communicate()[0])
        limit_after = argon2_limit(s)
        # What hashing at a lower priority gets of the machine at the moment (not the limit:
        # on a machine others use, their work now comes first).
        limit_niced = argon2_limit(s / 2, NICE)
        # Idle just before and just after, for the same reason.
        idle_before = load(f"{base}/api/v1/users", s, GET_CONNECTIONS, "-H", auth)
        storm = sign_ups(base, s + 2)
        time.sleep(1)
        during = load(f"{base}/api/v1/users", s, GET_CONNECTIONS, "-H", auth)
        mixed = json.loads(storm.communicate()[0])
        idle_after = load(f"{base}/api/v1/users", s, GET_CONNECTIONS, "-H", auth)
    limit = (limit_before + limit_after) / 2
    idle_p99 = (idle_before["p99_ms"] + idle_after["p99_ms"]) / 2
    rows = [
        (
            f"argon2 limit, {os.cpu_count()} processes",
            f"{limit:.2f} hashes/s",
            f"before {limit_before:.2f}",
            f"after {limit_after:.2f}",
            f"at nice {NICE}: {limit_niced:.2f}",
        ),
        (
            f"sign-ups alone, {SIGN_UP_CONNECTIONS} conns",
            f"{alone['rps']:.2f} /s",
            f"ratio to limit {alone['rps'] / limit:.2f}",
            f"to nice {NICE} {alone['rps'] / limit_niced:.2f}",
            f"p99 {alone['p99_ms']} ms",
        ),
        (
            f"GET at {GET_CONNECTIONS} conns, idle vs during {SIGN_UP_CONNECTIONS} sign-ups",
            f"p99 idle {idle_p99:.1f} ms ({idle_before['p99_ms']}, {idle_after['p99_ms']})",
            f"during {during['p99_ms']} ms",
            f"ratio {during['p99_ms'] / idle_p99:.2f}",
            f"GET {idle_before['rps']:,.0f} -> {during['rps']:,.0f} req/s",
            f"sign-ups meanwhile {mixed['rps']:.2f} /s",
        ),
    ]
    for what, result in (("idle GET", idle_before), ("GET during", during)):
        bad = {k: v for k, v in result["statuses"].items() if k != "200"}
        if bad:
            rows.append((f"  non-200 answers, {what}", json.dumps(bad)))
    for what, result in (("sign-ups alone", alone), ("sign-ups during", mixed)):
        bad = {k: v for k, v in result["statuses"].items() if k != "201"}
        if bad:
            rows.append((f"  non-201 answers, {what}", json.dumps(bad)))
    return rows
