"""Where the web process spends its CPU on GET /api/v1/users: py-spy (a dev dependency) samples
one worker under the benchmark's load (ops/services up first; uses the dev database).

    .venv/bin/python ops/bench/profile.py [--seconds 10] [--connections 16] [-o profile.svg]

Writes a flame graph (`.svg`), or a speedscope file (`.json`, https://www.speedscope.app) or
py-spy's collapsed stacks (`.txt`). py-spy samples threads that are running or runnable, so a
send() whose receiver took the CPU at once looks longer than it is: compare requests per
CPU-second (ops/bench/api.py --only throughput) before believing a change.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ops.bench.api import ENV
from ops.bench.server import LOAD, ROOT, bench_user, web_process

FORMATS = {".svg": "flamegraph", ".json": "speedscope", ".txt": "raw"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("-o", "--output", type=Path, default=Path("profile.svg"))
    args = parser.parse_args()
    output_format = FORMATS.get(args.output.suffix)
    if output_format is None:
        parser.error(f"--output must end in one of {', '.join(FORMATS)}")
    subprocess.run([str(ROOT / "ops/keys"), "ensure"], check=True)
    env = {
        **ENV,
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgresql+psycopg://accounts:accounts@127.0.0.1:5433/accounts"
        ),
        # One worker: uvicorn then serves in the process it started, the one sampled.
        "WEB_WORKERS": "1",
        "LOG_LEVEL": "INFO",
    }
    with web_process(env, output=subprocess.DEVNULL) as server:
        _, token = bench_user(server.base)
        load = subprocess.Popen(
            [
                *LOAD,
                f"{server.base}/api/v1/users",
                "--seconds",
                str(args.seconds + 3),
                "--connections",
                str(args.connections),
                "-H",
                f"Authorization: Bearer {token}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)  # past the first requests, which open the pools
        subprocess.run(
            [
                str(ROOT / ".venv/bin/py-spy"),
                "record",
                "--pid",
                str(server.session),
                "--duration",
                str(args.seconds),
                "--rate",
                "250",
                "--format",
                output_format,
                "--output",
                str(args.output),
                "--nonblocking",
            ],
            check=True,
        )
        print(load.communicate()[0].strip())
    print(f"profile: {args.output}")


if __name__ == "__main__":
    main()
