"""Built-in model figures: embedding throughput through citeflow's interface vs the raw runtime.

Prints figures; asserts nothing. `python bench/models.py [--texts 200] [--words 200] [--runs 3]`.
"""

import argparse
import os
import platform
import random
import resource
import statistics
import time

import numpy as np


def make_texts(count: int, words: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    vocabulary = [
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
    return [" ".join(rng.choice(vocabulary) for _ in range(words)) for _ in range(count)]


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
    args = parser.parse_args()
    threads = args.threads or max(1, (os.cpu_count() or 2) - 1)

    import onnxruntime
    from tokenizers import Tokenizer

    from citeflow.llm.builtin import MiniLMEmbedder
    from citeflow.llm.builtin.embedder import BATCH, MAX_TOKENS, weights_dir
    from citeflow.llm.builtin.minilm_graph import build_minilm

    texts = make_texts(args.texts, args.words)
    print("citeflow built-in models benchmark")
    print(
        f"machine: nproc {os.cpu_count()}, {platform.python_implementation()} {platform.python_version()}, "
        f"onnxruntime {onnxruntime.__version__}, threads {threads}, load avg {os.getloadavg()[0]:.2f}"
    )

    started = time.perf_counter()
    ours = MiniLMEmbedder(threads)
    load_s = time.perf_counter() - started

    tokenizer = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        build_minilm(weights_dir()).SerializeToString(), options, providers=["CPUExecutionProvider"]
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
    print(f"  load (build graph + session)   {load_s * 1000:8.0f} ms")
    print(f"  raw runtime (tokenizers+ORT)   {args.texts / raw_s:8.1f} texts/s")
    print(
        f"  citeflow interface (.embed)    {args.texts / ours_s:8.1f} texts/s   ({raw_s / ours_s:.0%} of raw)"
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS                       {peak_mib:8.0f} MiB")
    chat_figures(threads, args.runs)


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
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS, both models loaded   {peak_mib:8.0f} MiB")


if __name__ == "__main__":
    main()
