"""Retrieval speed benchmark: index build time, disk, memory and `POST /api/v1/retrieval` latency
over synthetic corpora of 100k and 1M chunks.

Run: `.venv/bin/python bench/retrieval_speed.py [--sizes 100000 1000000] [--keep DIR]`.
It prints figures and asserts nothing. For each size:
1. build: `citeflow serve` (a subprocess, fresh data dir, SQLite, default settings) creates an
   account, an API key, a dataset and one empty document per 100 chunks over HTTP; it is stopped
   and synthetic chunk rows go straight into its database through `ChunkRepo.upsert`, in
   transactions of 5000 rows: 100 to 250 made-up words drawn Zipf-like from a vocabulary of 50k
   (already normalised, so the token fields are the content itself), 384-d unit vectors clustered
   around 2000 centroids, 90% available. Embedding a million chunks with the real model is out
   of reach here; questions are embedded by the server's built-in model as usual.
2. index build: the server starts again, with `--workers` processes (default: one per CPU);
   start-up reconciliation builds the search indexes from the rows before the workers start,
   so the seconds until it answers are the build time. Then the disk used by the data
   dir and the server's RSS.
3. queries: 200 distinct questions of 3 or 4 vocabulary words, in the body ragflow-sdk's
   `RAGFlow.retrieve` sends with its defaults. One request with another question first loads the
   embedding model (timed apart). A first pass embeds each question (cold); the server caches
   question vectors, so later passes are warm: an untimed warm-up first sends every question
   through every server process. One client, then 8 concurrent clients for 20 s; then again
   with `document_ids` restricted to 3 documents.

The clients are separate processes (multiprocessing, one `http.client` connection each) on the
same machine, so they compete with the server for the CPUs. `--keep DIR` keeps each size's data dir in DIR
(`chunks-<size>/`, with `chunks-<size>.json` naming the account, dataset and build figures) and
reuses it on the next run; `--rebuild-indexes` then deletes its search indexes first, to time
their build again.
"""

import argparse
import functools
import http.client
import json
import math
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
from sqlalchemy import update

from _common import (
    Server,
    check,
    cpu_seconds,
    load_average,
    machine_facts,
    ms,
    new_account,
    percentile,
    proc_status,
    start,
    stop,
    table,
)
from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo
from citeflow.db.models import Dataset, Document
from citeflow.search import chunk_id
from citeflow.search.analysis import chunk_fields
from citeflow.search.query import without_question_words
from citeflow.search.tokenizer import tokenize

MIB = 1024 * 1024
DIMENSION = 384
VOCABULARY_SIZE = 50_000
CENTROIDS = 2_000
#: How far a chunk's vector strays from its centroid: cosine about 0.8 with it.
SPREAD = 0.75
CHUNKS_PER_DOCUMENT = 100
WORDS_PER_CHUNK = (100, 250)
AVAILABLE_SHARE = 0.9
ROWS_PER_TRANSACTION = 5_000
#: Question and title words come from these vocabulary ranks: frequent enough to match, rarer
#: than the words every chunk has.
TOPIC_RANKS = (50, 5_000)
RESTRICTED_DOCUMENTS = 3
BUILD_TIMEOUT_SECONDS = 6 * 3600.0
BUILD_POLL_SECONDS = 0.05
REQUEST_TIMEOUT_SECONDS = 300.0
SEED = 20_250_505

ONSETS = [*"bcdfghjklmnprstvwz", "br", "cr", "dr", "fr", "gr", "pl", "pr", "st", "tr", "sk", "sl", "sn"]
VOWELS = [*"aeiou"]
CODAS = ["", "", "n", "r", "l", "m", "k", "t"]


@dataclass
class Build:
    """What the build made and what it cost; saved beside a kept data dir."""

    size: int
    dataset_id: str
    api_key: str
    document_ids: list[str]
    #: Kept with the build, so that a reused corpus is asked about the words it was made of.
    questions: list[str]
    available: int
    documents_seconds: float
    generate_seconds: float
    insert_seconds: float


@dataclass
class ClientFigures:
    latencies: list[float]
    totals: list[int]
    errors: list[str]
    started: float
    ended: float
    cpu_seconds: float


@dataclass
class LoadFigures:
    label: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    server_cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0


# --- the synthetic corpus ---------------------------------------------------------------------------


@functools.cache
def vocabulary() -> tuple[str, ...]:
    """Distinct pronounceable words, most frequent first, that tokenization and the question
    parser keep as they are (no stem, no stop word), so stored tokens can be the words themselves
    and questions match them."""
    rng = random.Random(SEED)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        word = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(rng.choice((2, 2, 3)))
        )
        if word not in seen:
            seen.add(word)
            if tokenize(word) == word and without_question_words(word) == word:
                words.append(word)
    return tuple(words)


def zipf_cumulative(count: int) -> np.ndarray:
    """Cumulative Zipf-Mandelbrot probabilities of ranks 1..count, to draw ranks by bisection."""
    weights = 1.0 / (np.arange(count) + 2.7)
    return np.cumsum(weights / weights.sum())


def topic_words(words: Sequence[str], rng: random.Random, count: int) -> list[str]:
    return rng.sample(list(words[TOPIC_RANKS[0] : TOPIC_RANKS[1]]), count)


def make_questions(words: Sequence[str], count: int, rng: random.Random) -> list[str]:
    questions: dict[str, None] = {}
    while len(questions) < count:
        questions[" ".join(topic_words(words, rng, rng.choice((3, 4))))] = None
    return list(questions)


@dataclass
class ChunkMaker:
    """Draws chunk rows for one dataset, batch by batch, keeping ids unique and counting what each
    document got."""

    dataset_id: str
    documents: list[tuple[str, str]]
    size: int
    words: np.ndarray
    cumulative: np.ndarray
    centroids: np.ndarray
    rng: np.random.Generator
    seen: set[str] = field(default_factory=set)
    chunks_of: dict[str, int] = field(default_factory=dict)
    tokens_of: dict[str, int] = field(default_factory=dict)
    available: int = 0

    def document_of(self, index: int) -> tuple[str, str]:
        return self.documents[index * len(self.documents) // self.size]

    def batch(self, first: int, last: int, skeletons: dict[str, dict[str, Any]]) -> list[dict[str, object]]:
        """Rows `first` to `last` (exclusive) of the corpus, drawn with numpy a batch at a time."""
        count = last - first
        lengths = self.rng.integers(WORDS_PER_CHUNK[0], WORDS_PER_CHUNK[1] + 1, size=count)
        drawn = self.words[np.searchsorted(self.cumulative, self.rng.random(int(lengths.sum())))]
        ends = np.cumsum(lengths)
        vectors = self.vectors(count)
        available = self.rng.random(count) < AVAILABLE_SHARE
        keywords = self.words[self.rng.integers(*TOPIC_RANKS, size=(count, 3))]
        now = int(time.time() * 1000)
        rows = []
        for i in range(count):
            document_id, _ = self.document_of(first + i)
            content = " ".join(drawn[ends[i] - lengths[i] : ends[i]])
            important = [str(k) for k in keywords[i][: 2 + i % 2]]
            chunk = (document_id, content, important)
            rows.append(self.row(chunk, skeletons[document_id], vectors[i], bool(available[i]), now))
        return rows

    def row(
        self,
        chunk: tuple[str, str, list[str]],
        skeleton: dict[str, Any],
        vector: np.ndarray,
        on: bool,
        now: int,
    ) -> dict[str, object]:
        """A chunk row as `ChunkRepo.upsert` takes it from (document id, content, important
        keywords), its id unique, counted for its document."""
        document_id, content, important = chunk
        identifier = chunk_id(content, document_id)
        while identifier in self.seen:
            content += " " + str(self.words[0])
            identifier = chunk_id(content, document_id)
        self.seen.add(identifier)
        fields = {
            **skeleton,
            "content_ltks": content,
            "content_sm_ltks": content,
            "important_kwd": important,
            "important_tks": " ".join(important),
        }
        tokens = len(content.split())
        self.chunks_of[document_id] = self.chunks_of.get(document_id, 0) + 1
        self.tokens_of[document_id] = self.tokens_of.get(document_id, 0) + tokens
        self.available += on
        return {
            "id": identifier,
            "dataset_id": self.dataset_id,
            "document_id": document_id,
            "content": content,
            "available": on,
            "image_id": "",
            "fields": json.dumps(fields),
            "vector": vector.tobytes(),
            "token_count": tokens,
            "page_num": None,
            "top": None,
            "create_time": now,
            "update_time": now,
        }

    def vectors(self, count: int) -> np.ndarray:
        """Unit vectors near randomly chosen centroids, as little-endian float32."""
        noise = self.rng.standard_normal((count, DIMENSION), dtype=np.float32) * (
            SPREAD / math.sqrt(DIMENSION)
        )
        vectors = self.centroids[self.rng.integers(0, len(self.centroids), size=count)] + noise
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype("<f4")


def unit_centroids(rng: np.random.Generator) -> np.ndarray:
    centroids = rng.standard_normal((CENTROIDS, DIMENSION), dtype=np.float32)
    return centroids / np.linalg.norm(centroids, axis=1, keepdims=True)


# --- building a data dir ----------------------------------------------------------------------------


def create_documents(url: str, token: str, dataset_id: str, names: Sequence[str]) -> list[str]:
    """Empty ("virtual") documents over the web API: the cheapest document a client can make."""
    ids = []
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": token}) as client:
        for name in names:
            reply = client.post("/v1/document/create", json={"kb_id": dataset_id, "name": name})
            ids.append(str(check(reply, "create document")["data"]["id"]))
    return ids


def document_names(words: Sequence[str], count: int, rng: random.Random) -> list[str]:
    return [f"{'-'.join(topic_words(words, rng, 2))}-{i:05d}.txt" for i in range(count)]


def insert_chunks(data_dir: Path, maker: ChunkMaker) -> tuple[float, float]:
    """Write the rows in transactions of ROWS_PER_TRANSACTION, then the counters; returns the
    seconds spent generating rows and the seconds spent in the database."""
    skeletons = {
        document_id: chunk_fields("", name, created=time.time()) for document_id, name in maker.documents
    }
    database = Database(f"sqlite:///{data_dir / 'citeflow.db'}")
    generating = inserting = 0.0
    try:
        for first in range(0, maker.size, ROWS_PER_TRANSACTION):
            started = time.perf_counter()
            rows = maker.batch(first, min(first + ROWS_PER_TRANSACTION, maker.size), skeletons)
            generated = time.perf_counter()
            with database.transaction() as session:
                ChunkRepo(session).upsert(rows)
            inserting += time.perf_counter() - generated
            generating += generated - started
            progress(f"inserted {first + len(rows):,} of {maker.size:,} rows")
        started = time.perf_counter()
        update_counters(database, maker)
        inserting += time.perf_counter() - started
    finally:
        database.close()
    return generating, inserting


def update_counters(database: Database, maker: ChunkMaker) -> None:
    """The document and dataset counters the server keeps equal to the chunk rows."""
    with database.transaction() as session:
        session.execute(
            update(Document),
            [
                {"id": d, "chunk_num": maker.chunks_of.get(d, 0), "token_num": maker.tokens_of.get(d, 0)}
                for d, _ in maker.documents
            ],
        )
        session.execute(
            update(Dataset)
            .where(Dataset.id == maker.dataset_id)
            .values(chunk_num=maker.size, token_num=sum(maker.tokens_of.values()))
        )


def build(data_dir: Path, size: int, questions: int) -> Build:
    """A data dir with one dataset of `size` synthetic chunks (its search indexes not built)."""
    started = time.perf_counter()
    words = vocabulary()
    progress(f"vocabulary of {len(words):,} made-up words in {time.perf_counter() - started:.1f} s")
    rng = random.Random(SEED + size)
    server, _ = start(data_dir, "WARNING")
    try:
        token, api_key = new_account(server.url)
        with httpx.Client(base_url=server.url, timeout=60) as client:
            reply = client.post(
                "/api/v1/datasets",
                json={"name": f"bench-{size}"},
                headers={"Authorization": f"Bearer {api_key}"},
            )
        dataset_id = str(check(reply, "create dataset")["data"]["id"])
        names = document_names(words, max(1, size // CHUNKS_PER_DOCUMENT), rng)
        started = time.perf_counter()
        document_ids = create_documents(server.url, token, dataset_id, names)
        documents_seconds = time.perf_counter() - started
    finally:
        stop(server)
    numbers = np.random.default_rng(SEED + size)
    maker = ChunkMaker(
        dataset_id,
        list(zip(document_ids, names, strict=True)),
        size,
        np.array(words, dtype=object),
        zipf_cumulative(len(words)),
        unit_centroids(numbers),
        numbers,
    )
    generate_seconds, insert_seconds = insert_chunks(data_dir, maker)
    return Build(
        size,
        dataset_id,
        api_key,
        document_ids,
        make_questions(words, questions, random.Random(SEED)),
        maker.available,
        documents_seconds,
        generate_seconds,
        insert_seconds,
    )


def built(data_dir: Path, info: Path, size: int, questions: int) -> tuple[Build, bool]:
    """The kept build of this size if there is one (True), else a new one (False)."""
    if info.exists() and data_dir.exists():
        return Build(**json.loads(info.read_text())), True
    shutil.rmtree(data_dir, ignore_errors=True)
    result = build(data_dir, size, questions)
    info.write_text(json.dumps(asdict(result)))
    return result, False


# --- load -------------------------------------------------------------------------------------------


def run_client(
    url: str,
    api_key: str,
    bodies: list[dict[str, Any]],
    first: int,
    requests: int,
    seconds: float,
    barrier: Any,
    results: Any,
) -> None:
    """One client process: `requests` requests, or as many as fit in `seconds`, one at a time on
    one kept-alive connection, going round `bodies` from `first`. It uses `http.client` and
    reads only the envelope's code and `total` from each reply: clients share the CPUs with the
    server, and httpx with full JSON decoding cost about 1.6 ms of CPU a request."""
    address = urlsplit(url)
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    encoded = [json.dumps(body).encode() for body in bodies]
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=REQUEST_TIMEOUT_SECONDS)
    connection.request("GET", "/v1/system/ping")
    connection.getresponse().read()
    barrier.wait()
    cpu = time.process_time()
    started = time.monotonic()
    deadline = started + seconds if seconds else math.inf
    figures = ClientFigures([], [], [], started, started, 0.0)
    sent = 0
    while (not requests or sent < requests) and time.monotonic() < deadline:
        body = encoded[(first + sent) % len(encoded)]
        begun = time.perf_counter()
        connection.request("POST", "/api/v1/retrieval", body, headers)
        reply = connection.getresponse()
        payload = reply.read()
        figures.latencies.append(time.perf_counter() - begun)
        total = _total(payload) if reply.status == 200 and payload.startswith(b'{"code":0,') else None
        if total is not None:
            figures.totals.append(total)
        else:
            figures.errors.append(f"HTTP {reply.status} {payload[:200]!r}")
        sent += 1
    figures.ended = time.monotonic()
    figures.cpu_seconds = time.process_time() - cpu
    connection.close()
    results.put(figures)


def _total(payload: bytes) -> int | None:
    """`data.total` of a retrieval reply: keys are sorted and `total` comes after the chunks, whose
    texts cannot hold an unescaped quote."""
    at = payload.rfind(b'"total":')
    if at < 0:
        return None
    digits = payload[at + 8 :].split(b"}", 1)[0].split(b",", 1)[0]
    return int(digits) if digits.isdigit() else None


def drive(
    label: str,
    server: Server,
    api_key: str,
    bodies: list[dict[str, Any]],
    clients: int,
    *,
    requests: int = 0,
    seconds: float = 0.0,
) -> LoadFigures:
    """Run `clients` client processes together (each `requests` requests, or for `seconds`) and
    gather their figures with the server's CPU time over the run."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients + 1)
    results = context.Queue()
    processes = [
        context.Process(
            target=run_client,
            args=(
                server.url,
                api_key,
                bodies,
                i * len(bodies) // clients,
                requests,
                seconds,
                barrier,
                results,
            ),
        )
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    server_cpu = cpu_seconds(server.pid)
    parts: list[ClientFigures] = [results.get() for _ in processes]
    server_cpu = cpu_seconds(server.pid) - server_cpu
    for process in processes:
        process.join()
    figures = LoadFigures(label, clients, server_cpu_seconds=server_cpu)
    for part in parts:
        figures.latencies += part.latencies
        figures.totals += part.totals
        figures.errors += part.errors
        figures.client_cpu_seconds += part.cpu_seconds
    figures.wall_seconds = max(p.ended for p in parts) - min(p.started for p in parts)
    return figures


def request_body(question: str, dataset_id: str, document_ids: Sequence[str] = ()) -> dict[str, Any]:
    """What ragflow-sdk's `RAGFlow.retrieve` sends with its defaults (no `highlight` key, so the
    server highlights, as RAGFlow does)."""
    return {
        "page": 1,
        "page_size": 30,
        "similarity_threshold": 0.2,
        "vector_similarity_weight": 0.3,
        "top_k": 1024,
        "rerank_id": None,
        "keyword": False,
        "question": question,
        "dataset_ids": [dataset_id],
        "document_ids": list(document_ids),
        "cross_languages": None,
        "metadata_condition": None,
    }


def first_request(server: Server, api_key: str, dataset_id: str) -> float:
    """One request with a question outside the pool: it loads the embedding model, which the
    latencies below should not include."""
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_SECONDS, headers=headers) as client:
        started = time.perf_counter()
        reply = client.post("/api/v1/retrieval", json=request_body("warm up the model", dataset_id))
        seconds = time.perf_counter() - started
    check(reply, "first retrieval")
    return seconds


def warm_up(server: Server, key: str, bodies: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Untimed: every question through every server process. Each process loads its own model
    and caches its own question vectors, and a client's connection stays with one process, so
    many clients on fresh connections go round every question."""
    clients = max(args.clients, 4 * args.workers)
    progress(f"warm-up: {clients} clients, each going round the {len(bodies)} questions")
    drive("warm-up", server, key, bodies, clients, requests=len(bodies))


def query_phase(server: Server, info: Build, args: argparse.Namespace) -> None:
    loading = first_request(server, info.api_key, info.dataset_id)
    print(f"\n  first request (loads the embedding model): {ms(loading)}")
    questions = info.questions
    every = [request_body(q, info.dataset_id) for q in questions]
    last = len(info.document_ids) - 1
    chosen = [info.document_ids[i * last // (RESTRICTED_DOCUMENTS - 1)] for i in range(RESTRICTED_DOCUMENTS)]
    restricted = [request_body(q, info.dataset_id, chosen) for q in questions]
    warm = len(questions) * args.passes
    key = info.api_key
    runs = [
        drive("whole dataset, cold (questions not yet embedded)", server, key, every, 1, requests=len(every))
    ]
    warm_up(server, key, every, args)
    runs += [
        drive(
            f"whole dataset, warm, {args.passes} pass{'es' * (args.passes != 1)}",
            server,
            key,
            every,
            1,
            requests=warm,
        ),
        drive("whole dataset, warm", server, key, every, args.clients, seconds=args.seconds),
        drive(
            f"{RESTRICTED_DOCUMENTS} documents, warm, {args.passes} pass{'es' * (args.passes != 1)}",
            server,
            key,
            restricted,
            1,
            requests=warm,
        ),
        drive(
            f"{RESTRICTED_DOCUMENTS} documents, warm",
            server,
            key,
            restricted,
            args.clients,
            seconds=args.seconds,
        ),
    ]
    print(
        f"\n  POST /api/v1/retrieval, {len(questions)} distinct questions of 3-4 words; clients are "
        "separate processes (multiprocessing, one http.client connection each, one request at a time)"
    )
    print(table(LOAD_COLUMNS, [load_row(r) for r in runs]))
    print(
        "  req/s: requests / wall time; server CPU: its user+system CPU per request and in cores "
        "over the run; hits: mean `total` (chunks passing the threshold in the 60-chunk window)"
    )
    for run in runs:
        if run.errors:
            print(f"  errors in {run.label!r}: {len(run.errors)}, first: {run.errors[0]}")


LOAD_COLUMNS = [
    "scenario",
    "clients",
    "requests",
    "p50",
    "p95",
    "p99",
    "max",
    "req/s",
    "server CPU/req",
    "server cores",
    "client CPU/req",
    "hits",
    "errors",
]


def load_row(r: LoadFigures) -> list[str]:
    values = sorted(r.latencies)
    done = len(values)
    return [
        r.label,
        str(r.clients),
        f"{done:,}",
        ms(percentile(values, 0.50)),
        ms(percentile(values, 0.95)),
        ms(percentile(values, 0.99)),
        ms(values[-1]),
        f"{done / r.wall_seconds:.1f}",
        ms(r.server_cpu_seconds / done),
        f"{r.server_cpu_seconds / r.wall_seconds:.2f}",
        ms(r.client_cpu_seconds / done),
        f"{sum(r.totals) / max(1, len(r.totals)):.1f}",
        str(len(r.errors)),
    ]


# --- figures of the data dir and the server ---------------------------------------------------------


def disk_bytes(path: Path) -> int:
    """Bytes allocated on disk to a file or to everything under a directory, as `du` counts."""
    if path.is_file():
        return path.stat().st_blocks * 512
    return sum(
        (Path(root) / name).stat().st_blocks * 512 for root, _, names in os.walk(path) for name in names
    )


def disk_rows(data_dir: Path, dataset_id: str, chunks: int) -> list[list[str]]:
    index_dir = data_dir / "search" / dataset_id
    parts = {
        "database (citeflow.db, -wal, -shm)": sum(disk_bytes(p) for p in data_dir.glob("citeflow.db*")),
        "text index (tantivy)": disk_bytes(index_dir / "text") if (index_dir / "text").exists() else 0,
        "vector index (usearch)": sum(disk_bytes(p) for p in index_dir.glob("vectors.usearch*")),
    }
    parts["everything else"] = disk_bytes(data_dir) - sum(parts.values())
    parts["data dir in all"] = disk_bytes(data_dir)
    return [[name, f"{size / MIB:,.1f} MiB", f"{size / chunks:,.0f} B"] for name, size in parts.items()]


def progress(message: str) -> None:
    """Progress of long steps, on stderr so that stdout holds only the figures."""
    print(f"  ... {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# --- one size ---------------------------------------------------------------------------------------


def run_size(size: int, root: Path, args: argparse.Namespace) -> None:
    data_dir, info_path = root / f"chunks-{size}", root / f"chunks-{size}.json"
    print(f"\n=== {size:,} chunks ({data_dir}) ===", flush=True)
    info, reused = built(data_dir, info_path, size, args.questions)
    documents = len(info.document_ids)
    print(f"  corpus: {size:,} chunks, {info.available:,} available, {documents:,} documents")
    if reused:
        print("  build: reused from --keep (figures of the run that built it)")
    rows = [
        [
            f"{documents:,} empty documents, POST /v1/document/create one by one",
            f"{info.documents_seconds:.1f} s",
            "",
        ],
        [
            "chunk rows generated (this process)",
            f"{info.generate_seconds:.1f} s",
            f"{size / info.generate_seconds:,.0f}",
        ],
        [
            f"chunk rows inserted (ChunkRepo.upsert, {ROWS_PER_TRANSACTION:,} per transaction)",
            f"{info.insert_seconds:.1f} s",
            f"{size / info.insert_seconds:,.0f}",
        ],
    ]
    if args.rebuild_indexes:
        shutil.rmtree(data_dir / "search", ignore_errors=True)
    indexed = (data_dir / "search" / info.dataset_id).exists()
    progress("starting the server" + ("" if indexed else ": it builds the search indexes first"))
    server, startup = start(
        data_dir,
        "WARNING",
        timeout=BUILD_TIMEOUT_SECONDS,
        poll_seconds=BUILD_POLL_SECONDS,
        workers=args.workers,
    )
    try:
        label = "server start-up, indexes already built" if indexed else "server start-up = index build"
        rows.append([label, f"{startup:.1f} s", "" if indexed else f"{size / startup:,.0f}"])
        print(table(["build step", "time", "rows/s"], rows), flush=True)
        print(f"\n  disk, after start-up (per chunk: divided by {size:,})")
        print(table(["", "size", "per chunk"], disk_rows(data_dir, info.dataset_id, size)))
        print(
            f"\n  server RSS after start-up: {proc_status(server.pid, 'VmRSS'):,.0f} MiB "
            f"(peak during start-up, VmHWM: {proc_status(server.pid, 'VmHWM'):,.0f} MiB)",
            flush=True,
        )
        query_phase(server, info, args)
        print(
            f"\n  server RSS after the queries: {proc_status(server.pid, 'VmRSS'):,.0f} MiB "
            f"(VmHWM {proc_status(server.pid, 'VmHWM'):,.0f} MiB); load average {load_average()}",
            flush=True,
        )
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="chunks per corpus"
    )
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the built data dirs in this directory")
    parser.add_argument(
        "--rebuild-indexes", action="store_true", help="delete kept search indexes to time their build again"
    )
    parser.add_argument(
        "--questions", type=int, default=200, help="distinct questions (a kept build keeps its own)"
    )
    parser.add_argument("--passes", type=int, default=2, help="warm single-client passes over the questions")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the load runs")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each concurrent run")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (`citeflow serve --workers`; default: one per CPU)",
    )
    args = parser.parse_args()
    if min(args.sizes) < CHUNKS_PER_DOCUMENT * RESTRICTED_DOCUMENTS:
        parser.error(f"sizes must be at least {CHUNKS_PER_DOCUMENT * RESTRICTED_DOCUMENTS}")
    if min(args.questions, args.passes, args.clients, args.workers) < 1 or args.seconds <= 0:
        parser.error("--questions, --passes, --clients, --workers and --seconds must be positive")

    print("citeflow retrieval speed benchmark")
    print("\n".join(machine_facts(machine_note=f", load average {load_average()}")))
    print(
        f"server:   `citeflow serve --workers {args.workers}` on 127.0.0.1, SQLite, otherwise default "
        "settings (built-in MiniLM embeddings); its CPU and RSS are summed over its processes"
    )
    root = args.keep or Path(tempfile.mkdtemp(prefix="citeflow-bench-retrieval-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        for size in args.sizes:
            run_size(size, root, args)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
