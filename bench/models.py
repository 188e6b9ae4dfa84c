"""Built-in model figures: embedding throughput through citeflow's interface vs the raw runtime.

Prints figures; asserts nothing. `python bench/models.py [--texts 200] [--words 200] [--runs 3]`.
The peak memory of a process serving both models is measured in a child process of its own, so
the raw-runtime session this script also holds does not count.
"""

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_texts(count: int, words: int, seed: int = 7) -> list[str]:
    from _common import VOCABULARY  # imported here, like citeflow below: `--help` needs only numpy

    rng = random.Random(seed)
    return [" ".join(rng.choice(VOCABULARY) for _ in range(words)) for _ in range(count)]


def timed(fn, runs: int) -> float:
    """Median seconds of `runs` calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="0: all cores but one")
    parser.add_argument("--serving-rss", metavar="CACHE_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    threads = args.threads or max(1, (os.cpu_count() or 2) - 1)
    if args.serving_rss:
        serving_rss(threads, Path(args.serving_rss))
        return
    with tempfile.TemporaryDirectory() as cache:
        embedding_figures(args, threads, Path(cache))
        chat_figures(threads, args.runs)
        child = [sys.executable, __file__, "--threads", str(threads), "--serving-rss", cache]
        print(subprocess.run(child, capture_output=True, text=True, check=True).stdout, end="")


def serving_rss(threads: int, cache: Path) -> None:
    """Peak RSS of a process that loads both built-in models the way the server does and uses each once."""
    import httpx

    from citeflow.llm import GenConf, Message, ModelHub, ModelRef, UrlGuard

    hub = ModelHub(httpx.Client(), UrlGuard(allow_private=True), cache_dir=cache, threads=threads)
    hub.embedding(ModelRef("Builtin", "all-MiniLM-L6-v2", "embedding")).embed(make_texts(16, 200))
    chat = hub.chat(ModelRef("Builtin", "SmolLM2-135M-Instruct", "chat"))
    chat.complete([Message("user", "Say hello.")], GenConf(temperature=0.0, max_tokens=16))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of a process serving both models: {peak_mib:.0f} MiB")


def embedding_figures(args: argparse.Namespace, threads: int, cache: Path) -> None:

    import onnxruntime
    from tokenizers import Tokenizer

    from citeflow.llm.builtin import MiniLMEmbedder
    from citeflow.llm.builtin.embedder import BATCH, MAX_TOKENS, graph_file, weights_dir

    texts = make_texts(args.texts, args.words)
    print("citeflow built-in models benchmark")
    print(
        f"machine: nproc {os.cpu_count()}, {platform.python_implementation()} {platform.python_version()}, "
        f"onnxruntime {onnxruntime.__version__}, threads {threads}, load avg {os.getloadavg()[0]:.2f}"
    )

    started = time.perf_counter()
    MiniLMEmbedder(threads, cache)
    first_load_s = time.perf_counter() - started
    started = time.perf_counter()
    ours = MiniLMEmbedder(threads, cache)
    load_s = time.perf_counter() - started

    tokenizer = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(graph_file(cache)), options, providers=["CPUExecutionProvider"]
    )

    def raw() -> None:
        for i in range(0, len(texts), BATCH):
            encodings = tokenizer.encode_batch(texts[i : i + BATCH])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})

    def interface() -> None:
        ours.embed(texts)

    raw()
    interface()
    raw_s = timed(raw, args.runs)
    ours_s = timed(interface, args.runs)
    print(
        f"\nembedding all-MiniLM-L6-v2@Builtin: {args.texts} texts of {args.words} words, batch {BATCH}, "
        f"median of {args.runs}"
    )
    print(f"  first load (builds the graph)  {first_load_s * 1000:8.0f} ms")
    print(f"  load from the cached graph     {load_s * 1000:8.0f} ms")
    print(f"  raw runtime (tokenizers+ORT)   {args.texts / raw_s:8.1f} texts/s")
    print(
        f"  citeflow interface (.embed)    {args.texts / ours_s:8.1f} texts/s   ({raw_s / ours_s:.0%} of raw)"
    )


def chat_figures(threads: int, runs: int) -> None:
    from citeflow.llm import GenConf, Message
    from citeflow.llm.builtin import SmolChat

    started = time.perf_counter()
    chat = SmolChat(threads)
    load_s = time.perf_counter() - started
    context = " ".join(make_texts(1, 220, seed=3))
    prompt = [
        Message("system", "You answer questions about the text you are given."),
        Message("user", f"Text: {context}\n\nWhich words appear most often in the text?"),
    ]
    firsts, rates, prompt_tokens = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        first = None
        deltas = []
        for delta in chat.stream(prompt, GenConf(temperature=0.0, max_tokens=128)):
            if first is None and delta.text:
                first = time.perf_counter() - started
            deltas.append(delta)
        total = time.perf_counter() - started
        usage = deltas[-1].usage
        assert first is not None
        assert usage is not None
        prompt_tokens = usage.prompt_tokens
        firsts.append(first)
        rates.append((usage.completion_tokens - 1) / max(total - first, 1e-9))
    print(
        f"\nchat SmolLM2-135M-Instruct@Builtin (mistral.rs, Q8_0 in place): {prompt_tokens}-token prompt, "
        f"128 new tokens, greedy, median of {runs}"
    )
    print(f"  load                           {load_s * 1000:8.0f} ms")
    print(f"  first token                    {statistics.median(firsts) * 1000:8.0f} ms")
    print(f"  decode                         {statistics.median(rates):8.1f} tokens/s")


if __name__ == "__main__":
    main()
