"""API benchmarks against the real services (ops/services up first; uses the dev database).

    .venv/bin/python ops/bench/api.py [--seconds 10] [--only throughput|get|hashing]

1. GET /api/v1/users with a valid token, 1 worker and one per core, 16 and 64 connections:
   throughput, p50/p99 and requests per CPU-second of the server's processes
   (ops/bench/throughput.py).
2. The same on the bare baseline (ops/bench/baseline.py), in the same run: the ratios.
   `--only throughput` runs just 1 and 2 (about two minutes at 10 s).
3. Login storm: 50 concurrent logins (production argon2) while (1) runs: GET p99 vs idle p99.
4. Sign-ups per second with production argon2.
5. Hashing (ops/bench/hashing.py): the machine's argon2 limit, sign-ups alone as a ratio to it,
   and GET p99 during 8 concurrent sign-ups as a ratio to idle. `--only hashing` runs just this
   (about a minute and a half at 10 s). `--only get` runs sections 1 and 2.

`--only get` runs sections 1 and 2 alone: the GET /api/v1/users throughput and its ratio to the
bare baseline (about two minutes at 10 s).

Limits are raised for the run. Compare rows of one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ops.bench import hashing, throughput
from ops.bench.server import LOAD, PASSWORD, ROOT, SIGN_UPS, bench_user, load, web

HUGE = "1000000000/60"
ENV = {
    "RATE_LIMIT_USERS_PER_IP": HUGE,
    "RATE_LIMIT_TOKEN_PER_IP": HUGE,
    "RATE_LIMIT_PER_USER": HUGE,
    "LOGIN_LOCKOUT": HUGE,
    "JWT_KEY_DIR": str(ROOT / ".keys"),
    "ARGON2_PROFILE": "default",
}


def logins_and_sign_ups(env: dict[str, str], s: float) -> list[tuple[str, ...]]:
    """Sections 3 and 4: the default workers (one per core), production argon2."""
    rows: list[tuple[str, ...]] = []
    with web(env) as base:
        name, token = bench_user(base)
        auth = f"Authorization: Bearer {token}"
        idle = load(f"{base}/api/v1/users", s, 16, "-H", auth)
        body = json.dumps({"username": name, "password": PASSWORD})
        storm = subprocess.Popen(
            [
                *LOAD,
                f"{base}/api/v1/token/access",
                "--seconds",
                str(s + 2),
                "--connections",
                "50",
                "--method",
                "POST",
                "--data",
                body,
                "-H",
                "Content-Type: application/json",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1)
        during = load(f"{base}/api/v1/users", s, 16, "-H", auth)
        logins = json.loads(storm.communicate()[0])
        rows.append(
            (
                "login storm (50 conns) + GET at 16 conns",
                f"GET p99 idle {idle['p99_ms']} ms",
                f"storm {during['p99_ms']} ms",
                f"ratio {during['p99_ms'] / idle['p99_ms']:.2f}",
                f"GET {during['rps']:,.0f} req/s",
                f"logins {logins['rps']:.1f}/s",
            )
        )
        out = subprocess.run(
            [*SIGN_UPS, base, "--seconds", str(s), "--connections", "32"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        signed_up = json.loads(out)
        rows.append(
            (
                "sign-ups, production argon2, 32 conns",
                f"{signed_up['rps']:.1f} /s",
                f"{signed_up['created']} in {signed_up['elapsed_s']:.1f} s",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--only",
        choices=("throughput", "get", "hashing"),
        help="run one section alone (get: the same as throughput)",
    )
    args = parser.parse_args()
    s = args.seconds
    subprocess.run([str(ROOT / "ops/keys"), "ensure"], check=True)
    env = {
        **ENV,
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgresql+psycopg://accounts:accounts@127.0.0.1:5433/accounts"
        ),
    }
    rows: list[tuple[str, ...]] = []
    if args.only in (None, "throughput", "get"):
        rows += throughput.run(env, s)
    if args.only is None:
        rows += logins_and_sign_ups(env, s)
    if args.only in (None, "hashing"):
        rows += hashing.run(env, s)
    print(f"\nAPI benchmark ({s:g} s per run)")
    for row in rows:
        print("  " + " | ".join(row))


if __name__ == "__main__":
    main()
