"""A small keep-alive HTTP/1.1 load generator on raw asyncio streams (cheaper than an HTTP
client library, so the server, not the generator, is what gets measured).

    python ops/bench/load.py URL [--connections 16] [--seconds 10] [-H 'Name: value']
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from urllib.parse import urlsplit


async def _worker(host: str, port: int, request: bytes, deadline: float, out: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    latencies: list[float] = out["latencies"]
    statuses: dict[int, int] = out["statuses"]
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1])
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def run(
    url: str,
    connections: int,
    seconds: float,
    headers: list[str],
    method: str = "GET",
    body: bytes = b"",
    every: bool = False,
) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", *headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    out: dict = {"latencies": [], "statuses": {}}
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_worker(host, port, request, deadline, out) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return summarize(out["latencies"], out["statuses"], elapsed, every)


def summarize(
    latencies: list[float], statuses: dict[int, int], elapsed: float, every: bool = False
) -> dict:
    """Rate and percentiles; with `every`, each latency too (to merge several runs)."""
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    summary = {
        "requests": len(latencies),
        "elapsed_s": elapsed,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.50) if latencies else None,
        "p99_ms": pct(0.99) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "statuses": statuses,
    }
    if every:
        summary["latencies_ms"] = [round(latency * 1000, 3) for latency in latencies]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--data", default="")
    parser.add_argument("-H", "--header", action="append", default=[])
    parser.add_argument(
        "--latencies", action="store_true", help="every latency too (to merge several runs)"
    )
    args = parser.parse_args()
    result = asyncio.run(
        run(
            args.url,
            args.connections,
            args.seconds,
            args.header,
            args.method,
            args.data.encode(),
            args.latencies,
        )
    )
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
