"""Upload benchmark: throughput and server memory of document uploads, and document-list latency.

Run: `.venv/bin/python bench/upload.py [--big-mb 200] [--small-files 1000] [--list-docs 10000]`.
It prints figures and asserts nothing. The server is `citeflow serve` in a subprocess on a free port
of 127.0.0.1 with a fresh temporary data dir: SQLite by default, or the PostgreSQL database named
by `--database-url` (`postgresql+psycopg://user:password@host/db`). `CITEFLOW_*` variables of the
calling environment are not passed on. The client runs in this process on the same machine, so
both sides share the CPUs and the disk.

Measured, over the SDK API (`/api/v1`, API key) and the web API (`/v1`, session):
- one big file (generated on disk, streamed from an open file: the client never holds it whole);
- many small text files, in requests of `--batch` files and in one request carrying all of them;
- list latency over a dataset of `--list-docs` documents: SDK `GET .../documents` on random pages
  (with and without `keywords`) and web `POST /v1/document/list`.
Peak memory is the server's VmHWM, reset (via /proc/<pid>/clear_refs) before each measurement.
"""

import argparse
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from _common import (
    VOCABULARY,
    Server,
    check,
    is_success,
    latency_cells,
    load_average,
    machine_facts,
    new_account,
    proc_status,
    start,
    stop,
    table,
)

MIB = 1024 * 1024
UPLOAD_TIMEOUT_SECONDS = 600.0
KEYWORD = "harbour"
#: The words of the small files: always these 13, so that file sizes and byte counts stay comparable.
WORDS = VOCABULARY[1:14]
UPLOAD_COLUMNS = ["bytes", "time", "files/s", "MiB/s", "RSS before", "peak RSS", "growth", "errors"]


@dataclass
class Tenant:
    web: httpx.Client
    sdk: httpx.Client

    def close(self) -> None:
        self.web.close()
        self.sdk.close()


# --- peak memory ----------------------------------------------------------------------------------


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if the kernel refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# --- a tenant, over HTTP ----------------------------------------------------------------------------


def new_tenant(url: str) -> Tenant:
    """A new account's web session and API key, each on a client of its own."""
    token, key = new_account(url)
    web = httpx.Client(base_url=url, timeout=UPLOAD_TIMEOUT_SECONDS, headers={"Authorization": token})
    sdk = httpx.Client(
        base_url=url, timeout=UPLOAD_TIMEOUT_SECONDS, headers={"Authorization": f"Bearer {key}"}
    )
    return Tenant(web, sdk)


def new_dataset(tenant: Tenant, label: str) -> str:
    reply = tenant.sdk.post("/api/v1/datasets", json={"name": f"{label}-{uuid.uuid4().hex[:8]}"})
    return str(check(reply, "create dataset")["data"]["id"])


# --- payloads ---------------------------------------------------------------------------------------


def make_big_file(path: Path, megabytes: int) -> None:
    """`megabytes` MiB of random bytes, written in 1 MiB pieces."""
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(os.urandom(MIB))


def small_texts(
    count: int, rng: random.Random, low: int = 2048, high: int = 20480
) -> list[tuple[str, bytes]]:
    """`count` (name, text) pairs of `low`..`high` bytes; every tenth mentions KEYWORD in its name."""
    files = []
    for i in range(count):
        size = rng.randint(low, high)
        words: list[str] = []
        length = 0
        while length < size:
            word = rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        name = f"note-{i:05d}-{KEYWORD if i % 10 == 0 else rng.choice(WORDS)}.txt"
        files.append((name, " ".join(words).encode()[:size]))
    return files


# --- measurements -----------------------------------------------------------------------------------


@dataclass
class UploadFigures:
    label: str
    files: int
    mebibytes: float
    seconds: float
    rss_before: float
    rss_peak: float
    errors: int


def upload_batches(
    server: Server, tenant: Tenant, dataset_id: str, files: list[tuple[str, bytes]], batch: int, label: str
) -> UploadFigures:
    rss_before = proc_status(server.pid, "VmRSS")
    reset_peak(server.pid)
    errors = 0
    started = time.perf_counter()
    for first in range(0, len(files), batch):
        parts = [("file", (name, data, "text/plain")) for name, data in files[first : first + batch]]
        reply = tenant.sdk.post(f"/api/v1/datasets/{dataset_id}/documents", files=parts)
        if not is_success(reply):
            errors += 1
            print(f"  warning: {label}: HTTP {reply.status_code} {reply.text[:200]}")
    seconds = time.perf_counter() - started
    return UploadFigures(
        label,
        len(files),
        sum(len(d) for _, d in files) / MIB,
        seconds,
        rss_before,
        proc_status(server.pid, "VmHWM"),
        errors,
    )


def upload_big(server: Server, tenant: Tenant, dataset_id: str, path: Path) -> UploadFigures:
    rss_before = proc_status(server.pid, "VmRSS")
    reset_peak(server.pid)
    started = time.perf_counter()
    with path.open("rb") as handle:
        reply = tenant.sdk.post(
            f"/api/v1/datasets/{dataset_id}/documents",
            files={"file": (path.name, handle, "application/octet-stream")},
        )
    seconds = time.perf_counter() - started
    errors = 0
    if not is_success(reply):
        errors = 1
        print(f"  warning: big upload: HTTP {reply.status_code} {reply.text[:200]}")
    elif reply.json()["data"][0]["size"] != path.stat().st_size:
        errors = 1
        print(f"  warning: big upload stored {reply.json()['data'][0]['size']} bytes")
    return UploadFigures(
        f"1 file of {path.stat().st_size / MIB:.0f} MiB, 1 request",
        1,
        path.stat().st_size / MIB,
        seconds,
        rss_before,
        proc_status(server.pid, "VmHWM"),
        errors,
    )


@dataclass
class ListFigures:
    label: str
    latencies: list[float]
    errors: int


def time_requests(
    label: str, send: list[Callable[[], httpx.Response]], expect_rows: bool = True
) -> ListFigures:
    """Call each prepared request once; latency per call, errors when code != 0 or no rows."""
    latencies, errors = [], 0
    for call in send:
        started = time.perf_counter()
        reply = call()
        latencies.append(time.perf_counter() - started)
        body = reply.json() if reply.status_code == 200 else {}
        rows = (body.get("data") or {}).get("docs") if body.get("code") == 0 else None
        if rows is None or (expect_rows and not rows):
            errors += 1
    return ListFigures(label, latencies, errors)


def list_latencies(
    tenant: Tenant, dataset_id: str, docs: int, keyword_docs: int, count: int
) -> list[ListFigures]:
    rng = random.Random(11)
    size = 30
    pages = max(1, -(-docs // size))
    keyword_pages = max(1, -(-keyword_docs // size))
    path = f"/api/v1/datasets/{dataset_id}/documents"

    def sdk(page: int, **extra: str):
        return lambda: tenant.sdk.get(path, params={"page": page, "page_size": size, **extra})

    def web(page: int, **extra: str):
        params = {"kb_id": dataset_id, "page": page, "page_size": size, **extra}
        return lambda: tenant.web.post("/v1/document/list", params=params, json={})

    for warm in (sdk(1), web(1)):  # first calls pay for connections and caches
        warm()
    kinds = [  # (label, one request of the kind)
        (f"SDK GET .../documents, random page of {pages}", lambda: sdk(rng.randint(1, pages))),
        (
            f"SDK GET .../documents, keywords={KEYWORD}, random page of {keyword_pages}",
            lambda: sdk(rng.randint(1, keyword_pages), keywords=KEYWORD),
        ),
        ("SDK GET .../documents, last page", lambda: sdk(pages)),
        (f"web POST /v1/document/list, random page of {pages}", lambda: web(rng.randint(1, pages))),
        (
            f"web POST /v1/document/list, keywords={KEYWORD}, random page of {keyword_pages}",
            lambda: web(rng.randint(1, keyword_pages), keywords=KEYWORD),
        ),
    ]
    return [time_requests(label, [request() for _ in range(count)]) for label, request in kinds]


# --- reporting --------------------------------------------------------------------------------------


def upload_rows(results: list[UploadFigures]) -> list[list[str]]:
    return [
        [
            r.label,
            f"{r.mebibytes:.1f} MiB",
            f"{r.seconds:.2f} s",
            f"{r.files / r.seconds:,.0f}",
            f"{r.mebibytes / r.seconds:.1f}",
            f"{r.rss_before:.0f} MiB",
            f"{r.rss_peak:.0f} MiB",
            f"{r.rss_peak - r.rss_before:+.0f} MiB",
            str(r.errors),
        ]
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--big-mb", type=int, default=200, help="size of the big file in MiB (0 skips)")
    parser.add_argument("--small-files", type=int, default=1000, help="small files to upload (0 skips)")
    parser.add_argument("--batch", type=int, default=100, help="small files per request")
    parser.add_argument(
        "--list-docs", type=int, default=10_000, help="documents of the listed dataset (0 skips)"
    )
    parser.add_argument("--list-batch", type=int, default=500, help="tiny files per request when filling it")
    parser.add_argument("--list-requests", type=int, default=200, help="list requests per kind")
    parser.add_argument("--database-url", help="PostgreSQL URL instead of SQLite (`postgresql+psycopg://…`)")
    args = parser.parse_args()
    if min(args.batch, args.list_batch, args.list_requests) < 1:
        parser.error("--batch, --list-batch and --list-requests must be at least 1")
    if min(args.big_mb, args.small_files, args.list_docs) < 0:
        parser.error("sizes cannot be negative")

    print("citeflow upload benchmark")
    print("\n".join(machine_facts(machine_note=f", load average {load_average()}")))
    database = "PostgreSQL (--database-url)" if args.database_url else "SQLite"
    print(f"server:   `citeflow serve` on 127.0.0.1, {database}, fresh temp data dir, default settings")

    workdir = Path(tempfile.mkdtemp(prefix="citeflow-bench-upload-"))
    print(f"temp dir: {workdir} (files written there; the server spools uploads to {tempfile.gettempdir()})")
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> None:
    server, _ = start(workdir / "data", "WARNING", args.database_url)
    tenant = new_tenant(server.url)
    try:
        time.sleep(1.0)
        idle_rss = proc_status(server.pid, "VmRSS")
        print(f"\nserver pid {server.pid}, RSS idle after start: {idle_rss:.1f} MiB")
        if not reset_peak(server.pid):
            print("warning: /proc/<pid>/clear_refs refused; peaks below are since server start")
        results: list[UploadFigures] = []

        if args.big_mb:
            big = workdir / "big.txt"
            make_big_file(big, args.big_mb)
            results.append(upload_big(server, tenant, new_dataset(tenant, "big"), big))
            big.unlink()

        if args.small_files:
            files = small_texts(args.small_files, random.Random(5))
            batches = -(-len(files) // args.batch)
            label = f"{len(files)} small files, {batches} request{'s' * (batches != 1)} of {args.batch}"
            results.append(
                upload_batches(server, tenant, new_dataset(tenant, "small"), files, args.batch, label)
            )
            label = f"{len(files)} small files, 1 request"
            results.append(
                upload_batches(server, tenant, new_dataset(tenant, "all"), files, len(files), label)
            )

        if results:
            print("\nuploads: SDK POST /api/v1/datasets/{id}/documents, one client, wall time per scenario")
            print(table(["scenario", *UPLOAD_COLUMNS], upload_rows(results)))
            print("  peak RSS: VmHWM of the server during the scenario (reset before it)")

        if args.list_docs:
            dataset_id = new_dataset(tenant, "list")
            tiny = small_texts(args.list_docs, random.Random(9), low=64, high=256)
            label = f"{args.list_docs} tiny files, requests of {args.list_batch}"
            fill = upload_batches(server, tenant, dataset_id, tiny, args.list_batch, label)
            print(f"\nlist dataset: {label}")
            print(table(["", *UPLOAD_COLUMNS], upload_rows([fill])))
            keyword_docs = sum(1 for name, _ in tiny if KEYWORD in name)
            figures = list_latencies(tenant, dataset_id, args.list_docs, keyword_docs, args.list_requests)
            print(
                f"\nlist latency: {args.list_requests} sequential requests per row, page_size 30, "
                f"over {args.list_docs} documents ({keyword_docs} match keywords={KEYWORD})"
            )
            rows = [[f.label, *latency_cells(f.latencies), str(f.errors)] for f in figures]
            print(table(["request", "mean", "p50", "p99", "max", "errors"], rows))
        print(f"\nserver RSS at the end: {proc_status(server.pid, 'VmRSS'):.1f} MiB")
        print(
            f"load average at the end: {load_average()} "
            "(other processes share the machine when it exceeds nproc)"
        )
    finally:
        tenant.close()
        stop(server)


if __name__ == "__main__":
    main()
