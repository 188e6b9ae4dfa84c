"""Foundation benchmark: start-up time, memory, and latency of the cheapest routes of a real server.

Run: `.venv/bin/python bench/foundation.py [--runs N] [--requests N] [--clients N]`.
It prints figures and asserts nothing. Each server is `citeflow serve` in a subprocess on a free
port of 127.0.0.1 with a fresh temporary data dir (SQLite) and default settings: `CITEFLOW_*`
variables of the calling environment are not passed on. The load clients run in this process, on
the same machine, so the latencies include client overhead and both sides share the CPUs.
"""

import argparse
import asyncio
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

import citeflow

POLL_SECONDS = 0.005
START_TIMEOUT_SECONDS = 60.0
IDLE_SECONDS = 2.0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class LoadResult:
    label: str
    latencies: list[float]
    wall_seconds: float
    errors: int
    server_cpu_seconds: float
    client_cpu_seconds: float


# --- the server process ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(log_level: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEFLOW_")}
    env["CITEFLOW_LOG__LEVEL"] = log_level
    return env


def start(data_dir: Path, log_level: str) -> tuple[Server, float]:
    """Start `citeflow serve`; returns it and the seconds from process start to the first "pong"."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir.with_suffix(".log")
    command = [sys.executable, "-m", "citeflow", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(data_dir)]
    with httpx.Client(base_url=url, timeout=1.0) as client, log.open("ab") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log_file, stderr=log_file, env=server_env(log_level))
        server = Server(process, url, log)
        while True:
            try:
                reply = client.get("/v1/system/ping")
                if reply.status_code == 200 and reply.text == "pong":
                    return server, time.perf_counter() - started
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.perf_counter() - started > START_TIMEOUT_SECONDS:
                stop(server)
                sys.exit(f"citeflow serve did not start; its log ({log}) ends with:\n{tail(log)}")
            time.sleep(POLL_SECONDS)


def stop(server: Server) -> float:
    """SIGTERM, as a service manager would; returns the seconds until the process exited."""
    started = time.perf_counter()
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
            print(f"warning: server {server.pid} ignored SIGTERM for 20 s and was killed")
    if server.process.returncode not in (0, -signal.SIGTERM):
        print(f"warning: server {server.pid} exited with {server.process.returncode}")
    return time.perf_counter() - started


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def rss_mib(pid: int) -> float:
    """Resident set size of `pid` (VmRSS in /proc/<pid>/status) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by `pid`, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- a tenant with an API key, over HTTP ------------------------------------------------------------


def api_key_for_new_user(url: str) -> str:
    """Register, log in and create an API key as a client would; returns the key."""
    email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", "bench-" + uuid.uuid4().hex
    with httpx.Client(base_url=url, timeout=30) as client:
        reply = client.post(
            "/v1/user/register", json={"email": email, "nickname": "bench", "password": password}
        )
        check(reply, "register")
        login = client.post("/v1/user/login", json={"email": email, "password": password})
        check(login, "login")
        reply = client.post("/v1/system/new_token", headers={"Authorization": login.headers["Authorization"]})
        check(reply, "new_token")
    return str(reply.json()["data"]["token"])


def check(reply: httpx.Response, step: str) -> None:
    if reply.status_code != 200 or reply.json().get("code") != 0:
        sys.exit(f"{step} failed: HTTP {reply.status_code} {reply.text[:300]}")


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


def is_success(reply: httpx.Response) -> bool:
    return reply.status_code == 200 and reply.json().get("code") == 0


# --- reporting --------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  " + "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def machine_facts() -> list[str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        import uvloop

        loop = f"uvloop {uvloop.__version__}"
    except ImportError:
        loop = "asyncio"
    return [
        f"machine:  nproc {nproc} ({model}), {platform.system()} {platform.release()}",
        f"python:   {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"citeflow: {citeflow.__version__}, server event loop {loop}",
    ]


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
    print("\n".join(machine_facts()))
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
        f"\nstart-up: process start -> first GET /v1/system/ping = pong (polled every 5 ms), {args.runs} runs"
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
        idle_rss = rss_mib(server.pid)
        key = api_key_for_new_user(server.url)
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
        loaded_rss = rss_mib(server.pid)
    finally:
        stop(server)

    print(
        f"\nload: {args.clients} concurrent clients x {args.requests} requests "
        f"(after {args.warmup} warm-up requests each), one keep-alive connection per client"
    )
    rows = []
    for r in results:
        values = sorted(r.latencies)
        count = len(values)
        rows.append(
            [
                r.label,
                f"{count / r.wall_seconds:,.0f}",
                ms(statistics.fmean(values)),
                ms(percentile(values, 0.50)),
                ms(percentile(values, 0.99)),
                ms(values[-1]),
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
