"""Foundation benchmark: start-up time, memory, and latency of the cheapest routes of a real server.

Run: `.venv/bin/python bench/foundation.py [--runs N] [--requests N] [--clients N]`.
It prints figures and asserts nothing. Each server is `citeflow serve` in a subprocess on a free
port of 127.0.0.1 with a fresh temporary data dir (SQLite) and default settings: `CITEFLOW_*`
variables of the calling environment are not passed on. The load clients run in this process, on
the same machine, so the latencies include client overhead and both sides share the CPUs.
"""

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from _common import (
    POLL_SECONDS,
    Server,
    cpu_seconds,
    is_success,
    latency_cells,
    machine_facts,
    ms,
    new_account,
    proc_status,
    start,
    stop,
    table,
)

IDLE_SECONDS = 2.0


@dataclass
class LoadResult:
    label: str
    latencies: list[float]
    wall_seconds: float
    errors: int
    server_cpu_seconds: float
    client_cpu_seconds: float


# --- load -------------------------------------------------------------------------------------------


async def load(
    server: Server,
    label: str,
    path: str,
    headers: dict[str, str],
    ok: Callable[[httpx.Response], bool],
    clients: int,
    requests: int,
    warmup: int,
) -> LoadResult:
    """`clients` concurrent clients, each with its own keep-alive connection, `requests` GETs each."""

    async def client_run(client: httpx.AsyncClient, count: int, latencies: list[float]) -> int:
        errors = 0
        for _ in range(count):
            started = time.perf_counter()
            try:
                reply = await client.get(path)
                good = ok(reply)
            except httpx.HTTPError:
                good = False
            latencies.append(time.perf_counter() - started)
            errors += not good
        return errors

    pool = [
        httpx.AsyncClient(
            base_url=server.url, headers=headers, timeout=30, limits=httpx.Limits(max_connections=1)
        )
        for _ in range(clients)
    ]
    try:
        await asyncio.gather(*(client_run(c, warmup, []) for c in pool))
        latencies: list[float] = []
        cpu_before, client_cpu_before = cpu_seconds(server.pid), time.process_time()
        started = time.perf_counter()
        errors = await asyncio.gather(*(client_run(c, requests, latencies) for c in pool))
        wall = time.perf_counter() - started
        cpu, client_cpu = cpu_seconds(server.pid) - cpu_before, time.process_time() - client_cpu_before
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    return LoadResult(label, latencies, wall, sum(errors), cpu, client_cpu)


def is_pong(reply: httpx.Response) -> bool:
    return reply.status_code == 200 and reply.text == "pong"


# --- reporting --------------------------------------------------------------------------------------


def server_event_loop() -> str:
    try:
        import uvloop

        return f"uvloop {uvloop.__version__}"
    except ImportError:
        return "asyncio"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh starts to time (median reported)")
    parser.add_argument("--requests", type=int, default=500, help="measured requests per client")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up requests per client")
    parser.add_argument("--log-level", default="INFO", help="server log level (logs go to a file)")
    args = parser.parse_args()
    if min(args.runs, args.requests, args.clients) < 1 or args.warmup < 0:
        parser.error("--runs, --requests and --clients must be at least 1, --warmup at least 0")

    print("citeflow foundation benchmark")
    print("\n".join(machine_facts(citeflow_note=f", server event loop {server_event_loop()}")))
    print(
        f"server:   `citeflow serve` on 127.0.0.1, SQLite in a fresh temp data dir, "
        f"default settings, log level {args.log_level} (to a file)"
    )

    workdir = Path(tempfile.mkdtemp(prefix="citeflow-bench-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> None:
    fresh, restart, stops = [], [], []
    for i in range(args.runs):
        data_dir = workdir / f"run-{i}"
        server, seconds = start(data_dir, args.log_level)
        fresh.append(seconds)
        stops.append(stop(server))
        server, seconds = start(data_dir, args.log_level)
        restart.append(seconds)
        stops.append(stop(server))

    print(
        f"\nstart-up: process start -> first GET /v1/system/ping = pong "
        f"(polled every {POLL_SECONDS * 1000:.0f} ms), {args.runs} runs"
    )
    rows = [
        [label, ms(statistics.median(v)), ms(min(v)), ms(max(v))]
        for label, v in [
            ("fresh data dir (migrations, new RSA key)", fresh),
            ("existing data dir (restart)", restart),
            ("stop: SIGTERM -> exit", stops),
        ]
    ]
    print(table(["", "median", "min", "max"], rows))

    server, _ = start(workdir / "load", args.log_level)
    try:
        time.sleep(IDLE_SECONDS)
        idle_rss = proc_status(server.pid, "VmRSS")
        _, key = new_account(server.url)
        results = [
            asyncio.run(
                load(server, "GET /v1/system/ping", "/v1/system/ping", {}, is_pong, **load_args(args))
            ),
            asyncio.run(
                load(
                    server,
                    "GET /api/v1/citeflow/whoami (API key)",
                    "/api/v1/citeflow/whoami",
                    {"Authorization": f"Bearer {key}"},
                    is_success,
                    **load_args(args),
                )
            ),
        ]
        loaded_rss = proc_status(server.pid, "VmRSS")
    finally:
        stop(server)

    print(
        f"\nload: {args.clients} concurrent clients x {args.requests} requests "
        f"(after {args.warmup} warm-up requests each), one keep-alive connection per client"
    )
    rows = []
    for r in results:
        count = len(r.latencies)
        rows.append(
            [
                r.label,
                f"{count / r.wall_seconds:,.0f}",
                *latency_cells(r.latencies),
                str(r.errors),
                ms(r.server_cpu_seconds / count),
                ms(r.client_cpu_seconds / count),
            ]
        )
    print(
        table(
            ["endpoint", "req/s", "mean", "p50", "p99", "max", "errors", "server CPU/req", "client CPU/req"],
            rows,
        )
    )

    print("\nmemory: VmRSS of the server process")
    print(
        table(
            ["", "RSS"],
            [
                [f"idle, {IDLE_SECONDS:.0f} s after start", f"{idle_rss:.1f} MiB"],
                ["after the load above", f"{loaded_rss:.1f} MiB"],
            ],
        )
    )


def load_args(args: argparse.Namespace) -> dict[str, int]:
    return {"clients": args.clients, "requests": args.requests, "warmup": args.warmup}


if __name__ == "__main__":
    main()
