"""Retrieval quality benchmark: nDCG@10 and Recall@100 of `POST /api/v1/retrieval` on BEIR collections.

Run: `.venv/bin/python bench/retrieval_quality.py [--collections scifact cranfield]
[--limit-docs N] [--limit-queries N] [--keep DIR]`. It prints figures and asserts nothing.

Each collection (BEIR layout: `corpus.jsonl`, `queries.jsonl`, `qrels/test.tsv`, read from
`--datasets-dir`, by default `../shared/datasets` beside the repo) is loaded over the SDK API into
a dataset with the default embedding model (the built-in all-MiniLM-L6-v2): one `.txt` file per
corpus entry, named after its title, uploaded in multipart batches, then one chunk per document
holding title and text (`title + "\n" + text`, as the peers in ../shared/research/peers-bench.md
indexed them; `POST .../documents/{id}/chunks`), added by two client threads since the server
embeds each chunk. Every test query (one with judgements) then goes through `POST /api/v1/retrieval`
with page_size 100 and top_k 1024, sequentially, once per variant: full-text only (weight 0),
vector only (weight 1), hybrid at the API defaults (weight 0.3, threshold 0.2), and hybrid with
weights 0.1 to 0.9 at threshold 0. Highlighting is left at the API default (on).

Figures: nDCG@10 as pytrec_eval/BEIR compute it (graded gains from the qrels, log2 discount, ideal
from the qrels; a query with no results scores 0 rather than being dropped), Recall@100, load
throughput, and query latency p50/p95 per variant. A warm-up pass at the defaults runs first and is
reported apart: it includes embedding each question, which the server then caches, so the variants'
latencies are those of the search itself.

`--limit-docs` and `--limit-queries` make quick runs: the first N test queries, and a corpus of every
document judged for them filled up to N documents in corpus order. `--keep DIR` keeps the server's
data dir, account and document map in DIR and reuses a collection loaded there before (same limits),
which skips the slow part; chunks keep the tokens and vectors computed when they were loaded.
The server is `citeflow serve` on 127.0.0.1 with default settings (SQLite); the client shares its CPUs.
"""

import argparse
import itertools
import json
import math
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from _common import (
    check,
    is_success,
    load_average,
    machine_facts,
    ms,
    new_account,
    percentile,
    start,
    stop,
    table,
)

DATASETS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
COLLECTIONS = ["scifact", "cranfield"]
UPLOAD_BATCH = 200
CHUNK_THREADS = 2
PAGE_SIZE = 100
TOP_K = 1024
NDCG_CUT = 10
RECALL_CUT = 100
DEFAULT_WEIGHT = 0.3
DEFAULT_THRESHOLD = 0.2
SWEEP = [round(0.1 * i, 1) for i in range(1, 10)]
NAME_CHARS = 150
#: Under the server's 255-byte limit, leaving room for the `(N)` it adds to a duplicate name.
NAME_BYTES = 240
TIMEOUT_SECONDS = 300.0
PROGRESS_EVERY = 500
EXAMPLES = 3
MIX_TOLERANCE = 1e-3


# --- the collection ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    beir_id: str
    title: str
    text: str


@dataclass
class Collection:
    name: str
    docs: list[Doc]
    #: Test queries (those with judgements), in the order of queries.jsonl.
    queries: dict[str, str]
    #: `{query id: {doc id: graded relevance}}`, judgements of the kept queries only.
    qrels: dict[str, dict[str, int]]


def read_collection(directory: Path) -> Collection:
    docs = []
    with (directory / "corpus.jsonl").open(encoding="utf-8") as corpus:
        for line in corpus:
            row = json.loads(line)
            docs.append(Doc(str(row["_id"]), row.get("title") or "", row.get("text") or ""))
    qrels: dict[str, dict[str, int]] = {}
    with (directory / "qrels" / "test.tsv").open(encoding="utf-8") as judgements:
        next(judgements)
        for line in judgements:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            qrels.setdefault(query_id, {})[doc_id] = int(score)
    queries = {}
    with (directory / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if str(row["_id"]) in qrels:
                queries[str(row["_id"])] = row["text"]
    return Collection(directory.name, docs, queries, {q: qrels[q] for q in queries})


def limited(collection: Collection, limit_docs: int | None, limit_queries: int | None) -> Collection:
    """The first `limit_queries` test queries over a corpus that keeps every document judged for
    them, so their scores stay meaningful, filled up to `limit_docs` in corpus order."""
    query_ids = list(collection.queries)[:limit_queries]
    qrels = {q: collection.qrels[q] for q in query_ids}
    docs = collection.docs
    if limit_docs is not None:
        judged = {d for judgements in qrels.values() for d in judgements}
        room = max(0, limit_docs - sum(1 for d in docs if d.beir_id in judged))
        kept = []
        for doc in docs:
            if doc.beir_id in judged:
                kept.append(doc)
            elif room:
                kept.append(doc)
                room -= 1
        docs = kept
    return Collection(collection.name, docs, {q: collection.queries[q] for q in query_ids}, qrels)


def selection_key(args: argparse.Namespace) -> str:
    """What `--keep` names a loaded corpus by: the document set depends on both limits."""
    if args.limit_docs is None:
        return "all"
    return f"docs{args.limit_docs}-queries{args.limit_queries or 'all'}"


# --- loading over HTTP ------------------------------------------------------------------------------


def document_name(doc: Doc) -> str:
    """The title as a file name the server keeps as is: no '/', and no '\\' or '"', which multipart
    encoding escapes; short enough for the server's limit; the id when there is no title."""
    title = " ".join(re.sub(r'[/\\"]', " ", doc.title).split())[:NAME_CHARS].strip() or doc.beir_id
    while len(title.encode("utf-8")) > NAME_BYTES:
        title = title[:-1]
    return f"{title}.txt"


def same_name(answered: str, sent: str) -> bool:
    """Whether the server kept the name, up to the `(N)` it adds to duplicates."""

    def bare(name: str) -> str:
        return re.sub(r"\s*\(\d+\)(\.txt)$", r"\1", name)

    return answered == sent or bare(answered) == bare(sent)


@dataclass
class LoadFigures:
    docs: int
    upload_requests: int
    upload_seconds: float
    chunks: int
    chunk_seconds: float
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)


@dataclass
class Loaded:
    dataset_id: str
    embedding_model: str
    #: `{server document id: BEIR _id}`
    documents: dict[str, str]
    figures: LoadFigures


def create_dataset(client: httpx.Client, name: str) -> tuple[str, str]:
    reply = client.post("/api/v1/datasets", json={"name": f"{name}-{uuid.uuid4().hex[:8]}"})
    data = check(reply, "create dataset")["data"]
    return str(data["id"]), str(data.get("embedding_model", "?"))


def batches(docs: list[Doc], size: int) -> Iterator[list[Doc]]:
    for first in range(0, len(docs), size):
        yield docs[first : first + size]


def upload_all(
    client: httpx.Client, dataset_id: str, docs: list[Doc], figures: LoadFigures
) -> dict[str, Doc]:
    """Upload one file per document; returns `{server document id: doc}` from the answers, which
    list the files in the order they were sent."""
    documents: dict[str, Doc] = {}
    started = time.perf_counter()
    for batch in batches(docs, UPLOAD_BATCH):
        names = [document_name(d) for d in batch]
        parts = [
            ("file", (name, d.text.encode("utf-8"), "text/plain"))
            for name, d in zip(names, batch, strict=True)
        ]
        reply = client.post(f"/api/v1/datasets/{dataset_id}/documents", files=parts)
        records = check(reply, "upload")["data"]
        figures.upload_requests += 1
        if len(records) != len(batch):
            sys.exit(f"upload answered {len(records)} documents for {len(batch)} files")
        for record, name, doc in zip(records, names, batch, strict=True):
            if not same_name(record["name"], name):
                figures.renamed.append(f"{name!r} -> {record['name']!r}")
            documents[record["id"]] = doc
        progress(f"{len(documents)} of {len(docs)} files uploaded")
    figures.upload_seconds = time.perf_counter() - started
    return documents


def add_chunks(
    client: httpx.Client, dataset_id: str, documents: dict[str, Doc], figures: LoadFigures
) -> None:
    """One chunk per document holding its title and text, from a few threads."""
    lock = threading.Lock()

    def add(item: tuple[str, Doc]) -> None:
        document_id, doc = item
        content = "\n".join(part for part in (doc.title.strip(), doc.text.strip()) if part)
        if not content:
            with lock:
                figures.skipped += 1
            return
        path = f"/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks"
        reply = client.post(path, json={"content": content})
        with lock:
            if is_success(reply):
                figures.chunks += 1
            else:
                figures.errors.append(f"chunk of {doc.beir_id}: HTTP {reply.status_code} {reply.text[:200]}")
            done = figures.chunks + len(figures.errors)
            if done % PROGRESS_EVERY == 0:
                progress(f"{done} of {len(documents)} chunks added")

    started = time.perf_counter()
    with ThreadPoolExecutor(CHUNK_THREADS) as pool:
        list(pool.map(add, documents.items()))
    figures.chunk_seconds = time.perf_counter() - started


def load(client: httpx.Client, collection: Collection) -> Loaded:
    dataset_id, model = create_dataset(client, collection.name)
    figures = LoadFigures(len(collection.docs), 0, 0.0, 0, 0.0)
    documents = upload_all(client, dataset_id, collection.docs, figures)
    add_chunks(client, dataset_id, documents, figures)
    return Loaded(dataset_id, model, {i: d.beir_id for i, d in documents.items()}, figures)


def progress(message: str) -> None:
    """Progress of the slow load, on stderr so that stdout holds only the figures."""
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- --keep -----------------------------------------------------------------------------------------


def api_key(keep: Path | None, url: str) -> str:
    """A new account's API key, or the one kept in `keep` from an earlier run."""
    saved = keep / "account.json" if keep else None
    if saved and saved.exists():
        return str(json.loads(saved.read_text())["api_key"])
    _, key = new_account(url)
    if saved:
        saved.write_text(json.dumps({"api_key": key}))
    return key


def kept_load(keep: Path | None, key: str) -> Loaded | None:
    saved = keep / f"{key}.json" if keep else None
    if saved is None or not saved.exists():
        return None
    data = json.loads(saved.read_text())
    return Loaded(
        data["dataset_id"], data["embedding_model"], data["documents"], LoadFigures(**data["figures"])
    )


def save_load(keep: Path | None, key: str, loaded: Loaded) -> None:
    if keep:
        (keep / f"{key}.json").write_text(json.dumps(asdict(loaded)))


def dataset_counts(client: httpx.Client, dataset_id: str) -> str:
    """The dataset's document and chunk counts as the server reports them."""
    reply = client.get("/api/v1/datasets", params={"id": dataset_id})
    if not is_success(reply) or not reply.json().get("data"):
        return f"dataset {dataset_id} not listed: HTTP {reply.status_code} {reply.text[:200]}"
    data = reply.json()["data"][0]
    return f"{data.get('document_count')} documents, {data.get('chunk_count')} chunks"


# --- queries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    label: str
    weight: float
    threshold: float


@dataclass
class Run:
    variant: Variant
    #: `{query id: BEIR ids, best first}`
    rankings: dict[str, list[str]] = field(default_factory=dict)
    latencies: list[tuple[float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    oddities: list[str] = field(default_factory=list)


def variants() -> list[Variant]:
    fixed = [
        Variant("full-text only", 0.0, 0.0),
        Variant("vector only", 1.0, 0.0),
        Variant("hybrid, API defaults", DEFAULT_WEIGHT, DEFAULT_THRESHOLD),
    ]
    sweep = [Variant(f"hybrid{', default weight' * (w == DEFAULT_WEIGHT)}", w, 0.0) for w in SWEEP]
    return fixed + sweep


def run_queries(client: httpx.Client, loaded: Loaded, collection: Collection, variant: Variant) -> Run:
    run = Run(variant)
    for query_id, question in collection.queries.items():
        body = {
            "dataset_ids": [loaded.dataset_id],
            "question": question,
            "page_size": PAGE_SIZE,
            "top_k": TOP_K,
            "vector_similarity_weight": variant.weight,
            "similarity_threshold": variant.threshold,
        }
        started = time.perf_counter()
        reply = client.post("/api/v1/retrieval", json=body)
        run.latencies.append((time.perf_counter() - started, query_id))
        if not is_success(reply):
            run.errors.append(f"query {query_id}: HTTP {reply.status_code} {reply.text[:200]}")
            run.rankings[query_id] = []
            continue
        chunks = reply.json()["data"]["chunks"]
        run.rankings[query_id] = ranking(chunks, loaded.documents, query_id, variant, run.oddities)
    return run


def ranking(
    chunks: list[dict], documents: dict[str, str], query_id: str, variant: Variant, oddities: list[str]
) -> list[str]:
    """The BEIR ids of the answer, best first, each once; notes what looks wrong in `oddities`."""
    where = f"query {query_id}"
    oddities.extend(f"{where}: {problem}" for problem in score_problems(chunks, variant))
    if variant.threshold == 0 and len(chunks) < min(PAGE_SIZE, len(documents)):
        oddities.append(f"{where}: {len(chunks)} results at threshold 0")
    found: list[str] = []
    for chunk in chunks:
        beir_id = documents.get(chunk.get("document_id", ""))
        if beir_id is None:
            oddities.append(f"{where}: unknown document {chunk.get('document_id')!r}")
        elif beir_id in found:
            oddities.append(f"{where}: document {beir_id} returned twice")
        else:
            found.append(beir_id)
    return found


def score_problems(chunks: list[dict], variant: Variant) -> list[str]:
    """What contradicts the API's own scoring: similarity is weight · vector + (1 - weight) · term,
    sorted best first, and at least the threshold."""
    scores = [(c.get("similarity"), c.get("vector_similarity"), c.get("term_similarity")) for c in chunks]
    if any(not isinstance(x, int | float) or math.isnan(x) for row in scores for x in row):
        return [f"a score is not a number: {scores[:3]}"]
    problems = []
    similarities = [s for s, _, _ in scores]
    if any(a < b for a, b in itertools.pairwise(similarities)):
        problems.append("similarities not in descending order")
    if similarities and similarities[-1] < variant.threshold:
        problems.append(f"similarity {similarities[-1]:.4f} below the threshold")
    w = variant.weight
    mixed = [(s, v, t) for s, v, t in scores if abs(s - (w * v + (1 - w) * t)) > MIX_TOLERANCE]
    if mixed:
        problems.append(f"{len(mixed)} similarities not the weighted mix, e.g. (sim, vec, term) {mixed[0]}")
    return problems


# --- metrics ----------------------------------------------------------------------------------------


def ndcg(ranked: list[str], judgements: dict[str, int], cut: int) -> float:
    """trec_eval's ndcg_cut: gain = the graded relevance, discount log2(rank + 1)."""
    dcg = sum(judgements.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:cut]))
    ideal_gains = sorted((g for g in judgements.values() if g > 0), reverse=True)[:cut]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(ideal_gains))
    return dcg / ideal if ideal else 0.0


def recall(ranked: list[str], judgements: dict[str, int], cut: int) -> float:
    relevant = {d for d, g in judgements.items() if g > 0}
    return len(relevant.intersection(ranked[:cut])) / len(relevant) if relevant else 0.0


def mean_metric(run: Run, qrels: dict[str, dict[str, int]], metric: str) -> float:
    if metric == "ndcg":
        return statistics.fmean(ndcg(run.rankings[q], qrels[q], NDCG_CUT) for q in qrels)
    return statistics.fmean(recall(run.rankings[q], qrels[q], RECALL_CUT) for q in qrels)


# --- reporting --------------------------------------------------------------------------------------


def latency_pair(run: Run) -> list[str]:
    values = sorted(seconds for seconds, _ in run.latencies)
    return [ms(percentile(values, 0.50)), ms(percentile(values, 0.95))]


def slowest(run: Run) -> str:
    seconds, query_id = max(run.latencies)
    return f"{ms(seconds)} (query {query_id})"


def run_row(run: Run, qrels: dict[str, dict[str, int]]) -> list[str]:
    short = sum(1 for ranked in run.rankings.values() if len(ranked) < PAGE_SIZE)
    return [
        run.variant.label,
        f"{run.variant.weight:.1f}",
        f"{run.variant.threshold:.1f}",
        f"{mean_metric(run, qrels, 'ndcg'):.4f}",
        f"{mean_metric(run, qrels, 'recall'):.4f}",
        *latency_pair(run),
        slowest(run),
        str(short),
        str(len(run.errors)),
    ]


def print_load(loaded: Loaded, reused: bool) -> None:
    f = loaded.figures
    when = "earlier, reused from --keep" if reused else "now"
    total = f.upload_seconds + f.chunk_seconds
    print(f"load ({when}): {f.docs} documents into dataset {loaded.dataset_id} ({loaded.embedding_model})")
    print(
        f"  upload:  {f.upload_requests} requests of up to {UPLOAD_BATCH} files, {f.upload_seconds:.1f} s "
        f"({f.docs / f.upload_seconds:,.0f} docs/s)"
    )
    print(
        f"  chunks:  {f.chunks} added by {CHUNK_THREADS} threads, {f.chunk_seconds:.1f} s "
        f"({f.chunks / f.chunk_seconds:,.1f} docs/s); {f.skipped} documents without text skipped"
    )
    print(f"  total:   {total:.1f} s, {f.docs / total:,.1f} docs/s")
    print_examples("load errors", f.errors)
    print_examples("names the server changed (beyond the (N) of duplicates)", f.renamed)


def print_examples(what: str, items: list[str]) -> None:
    if items:
        print(f"  {what}: {len(items)}, e.g.")
        for item in items[:EXAMPLES]:
            print(f"    {item}")


def print_runs(collection: Collection, warmup: Run, runs: list[Run]) -> None:
    qrels = collection.qrels
    print(
        f"\nqueries: {len(qrels)} per variant, sequential, page_size {PAGE_SIZE}, top_k {TOP_K}; "
        f"warm-up pass at the defaults (question embedded on the server): "
        f"p50 {latency_pair(warmup)[0]}, p95 {latency_pair(warmup)[1]}, max {slowest(warmup)}"
    )
    header = ["variant", "weight", "threshold", f"nDCG@{NDCG_CUT}", f"Recall@{RECALL_CUT}"]
    header += ["p50", "p95", "max", f"<{PAGE_SIZE} hits", "errors"]
    print(table(header, [run_row(run, qrels) for run in runs]))
    sweep = [run for run in runs if run.variant.threshold == 0 and 0 < run.variant.weight < 1]
    for metric, label in (("ndcg", f"nDCG@{NDCG_CUT}"), ("recall", f"Recall@{RECALL_CUT}")):
        best = max(sweep, key=lambda run, m=metric: mean_metric(run, qrels, m))
        print(
            f"  best hybrid weight by {label}: {best.variant.weight:.1f} "
            f"({mean_metric(best, qrels, metric):.4f})"
        )
    for run in [warmup, *runs]:
        print_examples(f"{run.variant.label} w={run.variant.weight:.1f} errors", run.errors)
        print_examples(f"{run.variant.label} w={run.variant.weight:.1f} oddities", run.oddities)


# --- main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--collections", nargs="+", default=COLLECTIONS, metavar="NAME")
    parser.add_argument("--datasets-dir", type=Path, default=DATASETS_DIR, metavar="DIR", help="BEIR folders")
    parser.add_argument("--limit-docs", type=int, metavar="N", help="corpus size (judged docs kept)")
    parser.add_argument("--limit-queries", type=int, metavar="N", help="the first N test queries")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep and reuse the loaded data here")
    args = parser.parse_args()
    if any(limit is not None and limit < 1 for limit in (args.limit_docs, args.limit_queries)):
        parser.error("limits must be at least 1")
    for name in args.collections:
        if not (args.datasets_dir / name / "corpus.jsonl").exists():
            parser.error(f"no BEIR collection at {args.datasets_dir / name}")

    print("citeflow retrieval quality benchmark")
    print("\n".join(machine_facts(machine_note=f", load average {load_average()}")))
    print("server:   `citeflow serve` on 127.0.0.1, SQLite, default settings, one client on the same machine")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="citeflow-bench-retrieval-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"data dir: {workdir / 'data'}{' (--keep)' if args.keep else ' (temporary)'}")
    try:
        serve(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def serve(args: argparse.Namespace, workdir: Path) -> None:
    server, _ = start(workdir / "data", "WARNING")
    keep = args.keep
    try:
        key = api_key(keep, server.url)
        headers = {"Authorization": f"Bearer {key}"}
        limits = httpx.Limits(max_connections=CHUNK_THREADS + 1)
        with httpx.Client(
            base_url=server.url, headers=headers, timeout=TIMEOUT_SECONDS, limits=limits
        ) as client:
            for name in args.collections:
                full = read_collection(args.datasets_dir / name)
                collection = limited(full, args.limit_docs, args.limit_queries)
                evaluate(client, collection, keep, f"{name}-{selection_key(args)}")
        print(f"\nload average at the end: {load_average()}", "(the machine is shared when it exceeds nproc)")
    finally:
        stop(server)


def evaluate(client: httpx.Client, collection: Collection, keep: Path | None, key: str) -> None:
    judgements = sum(len(j) for j in collection.qrels.values())
    print(
        f"\n=== {collection.name}: {len(collection.docs)} documents, {len(collection.queries)} test queries, "
        f"{judgements} judgements (load average {load_average()})"
    )
    loaded = kept_load(keep, key)
    reused = loaded is not None
    if loaded is None:
        loaded = load(client, collection)
        save_load(keep, key, loaded)
    print_load(loaded, reused)
    print(f"  server:  {dataset_counts(client, loaded.dataset_id)}")
    warmup = run_queries(client, loaded, collection, Variant("warm-up", DEFAULT_WEIGHT, DEFAULT_THRESHOLD))
    runs = []
    for variant in variants():
        progress(f"{collection.name}: {variant.label}, w {variant.weight}, threshold {variant.threshold}")
        runs.append(run_queries(client, loaded, collection, variant))
    print_runs(collection, warmup, runs)


if __name__ == "__main__":
    main()
