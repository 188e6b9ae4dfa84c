"""What the benchmark scripts share: a `citeflow serve` subprocess, a new account over HTTP, figures
from /proc, the words of generated texts, and how figures are printed.

The scripts run as `python bench/<name>.py`, so this module sits beside them on `sys.path` and they
import it as `_common`.
"""

import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

import citeflow

POLL_SECONDS = 0.005
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 20

#: The words generated texts are made of; the order matters, since texts are drawn by index.
VOCABULARY = [
    "the",
    "council",
    "library",
    "budget",
    "bridge",
    "survey",
    "manager",
    "reviewed",
    "approved",
    "delayed",
    "plan",
    "city",
    "river",
    "school",
    "report",
    "water",
    "energy",
    "market",
    "research",
    "public",
    "office",
    "meeting",
    "results",
    "year",
    "people",
    "new",
]


# --- the server process ---------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    data_dir: Path,
    log_level: str,
    database_url: str | None = None,
    *,
    timeout: float = START_TIMEOUT_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    workers: int = 1,
) -> tuple[Server, float]:
    """Start `citeflow serve` on a free port of 127.0.0.1 with `data_dir` and default settings
    (`CITEFLOW_*` variables of this environment are not passed on); SQLite unless `database_url`.

    `workers` server processes answer requests (`--workers`). Returns the server and the
    seconds from process start to the first "pong". Its log goes to
    `data_dir` with the suffix `.log`. A start-up that builds search indexes over many chunks
    needs a longer `timeout`, and polls less often so that polling does not steal its CPU.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir.with_suffix(".log")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEFLOW_")}
    env["CITEFLOW_LOG__LEVEL"] = log_level
    if database_url:
        env["CITEFLOW_DATABASE__URL"] = database_url
    command = [sys.executable, "-m", "citeflow", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--workers", str(workers)]
    with httpx.Client(base_url=url, timeout=1.0) as client, log.open("ab") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log_file, stderr=log_file, env=env)
        while True:
            try:
                reply = client.get("/v1/system/ping")
                if reply.status_code == 200 and reply.text == "pong":
                    return Server(process, url, log), time.perf_counter() - started
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.perf_counter() - started > timeout:
                process.kill()
                process.wait()
                sys.exit(f"citeflow serve did not start; its log ({log}) ends with:\n{tail(log)}")
            time.sleep(poll_seconds)


def stop(server: Server) -> float:
    """SIGTERM, as a service manager would; returns the seconds until the process exited.

    Warns if the server had to be killed, or exited with an error (then with the end of its log).
    """
    started = time.perf_counter()
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
            print(f"warning: server {server.pid} ignored SIGTERM for {STOP_TIMEOUT_SECONDS} s and was killed")
    seconds = time.perf_counter() - started
    if server.process.returncode not in (0, -signal.SIGTERM):
        print(
            f"warning: server {server.pid} exited with {server.process.returncode}; "
            f"its log ({server.log}) ends with:\n{tail(server.log)}"
        )
    return seconds


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def process_tree(pid: int) -> list[int]:
    """`pid` and its live descendants (a multi-process server's workers)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue.extend(int(child) for child in children)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by `pid` and its live descendants, from /proc."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def proc_status(pid: int, field: str) -> float:
    """A memory field (VmRSS, VmHWM) of /proc/<pid>/status in MiB, summed over `pid` and its
    live descendants (pages they share are counted once per process)."""
    total = 0
    for member in process_tree(pid):
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in lines if line.startswith(field + ":")), 0)
    if not total:
        raise RuntimeError(f"no {field} for pid {pid}")
    return total / 1024


# --- an account, over HTTP --------------------------------------------------------------------------


def is_success(reply: httpx.Response) -> bool:
    return reply.status_code == 200 and reply.json().get("code") == 0


def check(reply: httpx.Response, step: str) -> dict:
    """The body of a successful reply; exits, naming `step`, on any other."""
    if not is_success(reply):
        sys.exit(f"{step} failed: HTTP {reply.status_code} {reply.text[:500]}")
    return reply.json()


def new_account(url: str) -> tuple[str, str]:
    """Register, log in and create an API key as a client would; returns (session token, API key)."""
    email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", "bench-" + uuid.uuid4().hex
    with httpx.Client(base_url=url, timeout=30) as client:
        reply = client.post(
            "/v1/user/register", json={"email": email, "nickname": "bench", "password": password}
        )
        check(reply, "register")
        login = client.post("/v1/user/login", json={"email": email, "password": password})
        check(login, "login")
        token = login.headers["Authorization"]
        reply = client.post("/v1/system/new_token", headers={"Authorization": token})
        return token, str(check(reply, "new_token")["data"]["token"])


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


def latency_cells(latencies: list[float]) -> list[str]:
    """The mean, p50, p99 and max of `latencies` (seconds), as table cells."""
    values = sorted(latencies)
    return [
        ms(statistics.fmean(values)),
        ms(percentile(values, 0.50)),
        ms(percentile(values, 0.99)),
        ms(values[-1]),
    ]


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_facts(machine_note: str = "", citeflow_note: str = "") -> list[str]:
    """Lines naming the machine, Python and citeflow; a note is appended to its line."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"machine:  nproc {nproc} ({model}), {platform.system()} {platform.release()}{machine_note}",
        f"python:   {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"citeflow: {citeflow.__version__}{citeflow_note}",
    ]
